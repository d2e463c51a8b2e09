/** Worker thread body: merges the search index's FTS5 segments on its own connection (see index-merger.ts). */
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import type { MergeReply, MergeRound } from "./index-merger.ts";

const db = new Database((workerData as { path: string }).path, { fileMustExist: true });
// The bot's connection reads meanwhile (WAL); a round that meets another writer's lock waits for it here,
// off the bot's thread.
db.pragma("busy_timeout = 10000");
db.pragma("synchronous = NORMAL");
const totalChanges = db.prepare("SELECT total_changes()").pluck();
const merge = db.prepare("INSERT INTO fts (fts, rank) VALUES ('merge', ?)");

parentPort?.on("message", (round: MergeRound) => {
  try {
    // FTS5's documented way to tell whether a 'merge' did any work: total_changes moves by two or more.
    const before = totalChanges.get() as number;
    merge.run(round.pages);
    parentPort!.postMessage({ worked: (totalChanges.get() as number) - before >= 2 } satisfies MergeReply);
  } catch (error) {
    parentPort!.postMessage({ error: (error as Error).message } satisfies MergeReply);
  }
});
