/**
 * Writes a large change into the embedded index on a worker thread with its own connection, so an import of
 * thousands of entities does not hold the bot's event loop (and every chat ack) for seconds while FTS5 builds
 * its index. The thread writes inside one open transaction and commits only when told to: the catalog store
 * may still be committing the same change, and the index must not show what the store then refuses.
 */
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { IndexChange } from "./search-index.ts";

export interface WriteRequest {
  path: string;
  change: IndexChange;
  /** Int32Array over it: set to 1 by the main thread to stop a write still under way. */
  stop: SharedArrayBuffer;
}

/** Main thread to worker, once the write is done: make it visible or throw it away. */
export interface WriteDecision {
  commit: boolean;
}

export type WriteReply = { written: string[] } | { settled: true } | { error: string };

const workerFile = fileURLToPath(new URL("./index-writer-worker.mjs", import.meta.url));

export class WriterThread {
  /** Resolves once every write is made (not yet visible), to the distinct words for the typo vocabulary. */
  readonly written: Promise<string[]>;
  private readonly worker: Worker;
  private readonly stop = new SharedArrayBuffer(4);
  private readonly replies: Array<(reply: WriteReply | Error) => void> = [];

  constructor(path: string, change: IndexChange) {
    this.worker = new Worker(workerFile);
    this.worker.on("message", (reply: WriteReply) => this.replies.shift()?.(reply));
    this.worker.on("error", (error) => this.failAll(error));
    this.worker.on("exit", (code) => this.failAll(new Error(`Search index writer exited with code ${code}`)));
    this.written = this.next().then((reply) => {
      if ("written" in reply) return reply.written;
      throw failure(reply);
    });
    // Nobody may be listening yet (the store is still writing); the failure is seen by commit().
    this.written.catch(() => undefined);
    this.worker.postMessage({ path, change, stop: this.stop } satisfies WriteRequest);
  }

  /** Make the writes visible; resolves to `written`'s words, rejects with the thread's error if they failed. */
  async commit(): Promise<string[]> {
    try {
      const terms = await this.written;
      await this.settle(true);
      return terms;
    } finally {
      await this.worker.terminate();
    }
  }

  /** Throw the writes away: a write still under way stops at its next batch and rolls back. */
  async abort(): Promise<void> {
    Atomics.store(new Int32Array(this.stop), 0, 1);
    try {
      await this.written;
      await this.settle(false);
    } catch {
      // The thread rolled back on its own when it stopped or failed; nothing of it is visible.
    } finally {
      await this.worker.terminate();
    }
  }

  private async settle(commit: boolean): Promise<void> {
    const reply = this.next();
    this.worker.postMessage({ commit } satisfies WriteDecision);
    const settled = await reply;
    if (!("settled" in settled)) throw failure(settled);
  }

  private next(): Promise<WriteReply | Error> {
    return new Promise((resolve) => this.replies.push(resolve));
  }

  private failAll(error: Error): void {
    for (const waiting of this.replies.splice(0)) waiting(error);
  }
}

function failure(reply: WriteReply | Error): Error {
  if (reply instanceof Error) return reply;
  return new Error(`Search index write failed: ${"error" in reply ? reply.error : "unexpected reply"}`);
}
