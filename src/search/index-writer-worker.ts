/** Worker thread body: one batch of index writes on its own connection (see index-writer-thread.ts). */
import { parentPort } from "node:worker_threads";
import Database from "better-sqlite3";
import { documentTerms, IndexWriter } from "./index-writer.ts";
import type { WriteReply, WriteRequest } from "./index-writer-thread.ts";

parentPort?.once("message", (request: WriteRequest) => {
  let db: Database.Database | undefined;
  try {
    db = new Database(request.path, { fileMustExist: true });
    // The bot's own connection reads (and may record a fingerprint) meanwhile; WAL lets it read, and a
    // writer waits for the other rather than failing.
    db.pragma("busy_timeout = 10000");
    db.pragma("synchronous = NORMAL");
    db.pragma("cache_size = -64000");
    new IndexWriter(db).upsert(request.upsert);
    const terms = new Set<string>();
    for (const doc of request.upsert) for (const term of documentTerms(doc)) terms.add(term);
    parentPort!.postMessage({ terms: [...terms] } satisfies WriteReply);
  } catch (error) {
    parentPort!.postMessage({ error: (error as Error).message } satisfies WriteReply);
  } finally {
    db?.close();
  }
});
