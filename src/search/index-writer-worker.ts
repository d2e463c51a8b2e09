/** Worker thread body: one change written in one transaction on its own connection (see index-writer-thread.ts). */
import { parentPort } from "node:worker_threads";
import Database from "better-sqlite3";
import { bestFirst, documentTerms, IndexWriter } from "./index-writer.ts";
import type { WriteDecision, WriteReply, WriteRequest } from "./index-writer-thread.ts";

/** Documents written between two looks at the stop flag. */
const BATCH = 1_000;

function write(db: Database.Database, request: WriteRequest): string[] {
  const stop = new Int32Array(request.stop);
  const writer = new IndexWriter(db);
  writer.deleteInOpenTransaction(request.change.delete);
  const ordered = [...request.change.upsert].sort(bestFirst);
  for (let i = 0; i < ordered.length; i += BATCH) {
    if (Atomics.load(stop, 0) !== 0) throw new Error("stopped: the change was thrown away");
    writer.upsertInOpenTransaction(ordered.slice(i, i + BATCH));
  }
  const terms = new Set<string>();
  for (const doc of request.change.upsert) for (const term of documentTerms(doc)) terms.add(term);
  return [...terms];
}

parentPort?.once("message", (request: WriteRequest) => {
  const reply = (message: WriteReply) => parentPort!.postMessage(message);
  let db: Database.Database | undefined;
  try {
    db = new Database(request.path, { fileMustExist: true });
    // The bot's own connection reads meanwhile; WAL lets it, and it sees nothing of this transaction
    // until the commit. A writer waits for the other rather than failing.
    db.pragma("busy_timeout = 10000");
    db.pragma("synchronous = NORMAL");
    db.pragma("cache_size = -64000");
    // The write lock is held from here until the decision, through the catalog store's own write: another
    // process writing this index meanwhile (the import CLI beside a running bot) waits up to its busy timeout.
    db.exec("BEGIN IMMEDIATE");
    reply({ written: write(db, request) });
  } catch (error) {
    if (db?.inTransaction) db.exec("ROLLBACK");
    db?.close();
    reply({ error: (error as Error).message });
    return;
  }
  const open = db;
  parentPort!.once("message", (decision: WriteDecision) => {
    try {
      open.exec(decision.commit ? "COMMIT" : "ROLLBACK");
      reply({ settled: true });
    } catch (error) {
      if (open.inTransaction) open.exec("ROLLBACK");
      reply({ error: (error as Error).message });
    } finally {
      open.close();
    }
  });
});
