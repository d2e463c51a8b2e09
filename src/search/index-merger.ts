/**
 * Merges the embedded index's FTS5 segments on a worker thread. FTS5 would otherwise merge inside the bot's
 * own writes (see MERGE_AFTER_WRITES in embedded-index.ts), and one small write could then rewrite the whole
 * index's largest segment with the event loop held. One long-lived thread per index: starting one costs far
 * more than a round of merging.
 */
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

export interface MergeRound {
  /** FTS5 'merge' work, in pages; each round is one transaction on the thread's connection. */
  pages: number;
}

export type MergeReply = { worked: boolean } | { error: string };

const workerFile = fileURLToPath(new URL("./index-merge-worker.mjs", import.meta.url));

export class IndexMerger {
  private worker: Worker | undefined;
  private waiting: ((reply: MergeReply | Error) => void) | undefined;

  constructor(private readonly path: string) {}

  /** One round of merging; true when it did work (more may be left), false when there was nothing to merge. */
  async round(pages: number): Promise<boolean> {
    const worker = this.start();
    const reply = await new Promise<MergeReply | Error>((resolve) => {
      this.waiting = resolve;
      worker.postMessage({ pages } satisfies MergeRound);
    });
    if (reply instanceof Error) throw reply;
    if ("error" in reply) throw new Error(reply.error);
    return reply.worked;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(workerFile, { workerData: { path: this.path } });
    // Between rounds the thread only waits: it must not keep a finished process alive.
    worker.unref();
    const fail = (error: Error) => {
      if (this.worker === worker) this.worker = undefined;
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.(error);
    };
    worker.on("message", (reply: MergeReply) => {
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.(reply);
    });
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`Search index merger exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }
}
