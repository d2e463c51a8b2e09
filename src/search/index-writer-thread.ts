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
  private settled: Promise<WriteReply | Error> | undefined;

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

  /**
   * Tell the thread, now, to commit or roll back once its writes are made (the first word counts). Now, not
   * a microtask later: the caller goes on to hold the event loop for seconds (the graph takes the change),
   * and the commit is a second of the thread's own work that should run meanwhile.
   */
  decide(commit: boolean): void {
    if (this.settled) return;
    if (!commit) Atomics.store(new Int32Array(this.stop), 0, 1);
    this.settled = this.next();
    this.worker.postMessage({ commit } satisfies WriteDecision);
  }

  /** Make the writes visible; resolves to `written`'s words, rejects with the thread's error if they failed. */
  async commit(): Promise<string[]> {
    this.decide(true);
    try {
      const terms = await this.written;
      const reply = await this.settled!;
      if (reply instanceof Error || !("settled" in reply)) throw failure(reply);
      return terms;
    } finally {
      await this.worker.terminate();
    }
  }

  /** Throw the writes away: a write still under way stops at its next batch and rolls back. */
  async abort(): Promise<void> {
    this.decide(false);
    try {
      await this.written;
      await this.settled;
    } catch {
      // The thread rolled back on its own when it stopped or failed; nothing of it is visible.
    } finally {
      await this.worker.terminate();
    }
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
