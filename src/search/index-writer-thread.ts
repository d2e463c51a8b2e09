/**
 * Writes a large batch of documents into the embedded index on a worker thread with its own connection, so
 * an import of thousands of entities does not hold the bot's event loop (and every chat ack) for seconds
 * while FTS5 builds its index, and the main thread can bring the catalog graph up to date meanwhile.
 */
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { SearchDocument } from "./search-index.ts";

export interface WriteRequest {
  path: string;
  upsert: SearchDocument[];
}

const workerFile = fileURLToPath(new URL("./index-writer-worker.mjs", import.meta.url));

export type WriteReply = { terms: string[] } | { error: string };

/**
 * Upserts `docs` into the index file at `path` on a fresh worker thread; resolves to the distinct words they
 * hold (for the typo vocabulary), rejects with the thread's error.
 */
export async function upsertOnWorkerThread(path: string, docs: SearchDocument[]): Promise<string[]> {
  const worker = new Worker(workerFile);
  try {
    return await new Promise<string[]>((resolve, reject) => {
      worker.once("message", (reply: WriteReply) =>
        "terms" in reply
          ? resolve(reply.terms)
          : reject(new Error(`Search index write failed: ${reply.error}`)),
      );
      worker.once("error", reject);
      worker.once("exit", (code) => reject(new Error(`Search index writer exited with code ${code}`)));
      worker.postMessage({ path, upsert: docs } satisfies WriteRequest);
    });
  } finally {
    await worker.terminate();
  }
}
