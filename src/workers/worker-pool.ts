/**
 * A small pool of worker threads for CPU work that would otherwise hold the event loop: workers start on
 * demand up to `size`, each request goes to the least-busy one, and a reply is matched to its request by id.
 * The pool knows nothing of what the work is: callers give the request body and turn the raw reply into
 * their result (and their own error classes). Workers are unref'd so idle ones do not keep the process
 * alive; close releases them.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";

/** One worker a core, at most two: the machine is shared and the main thread has its own work. */
export function defaultPoolSize(): number {
  return Math.max(1, Math.min(2, availableParallelism()));
}

interface Pending<Reply> {
  worker: Worker;
  resolve: (reply: Reply) => void;
  reject: (error: Error) => void;
}

export class WorkerPool<Request extends { id: number }, Reply extends { id: number }> {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending<Reply>>();
  private readonly load = new Map<Worker, number>();
  private nextId = 0;

  /**
   * @param file the worker's entry module (a path)
   * @param label names the worker in errors ("YAML worker exited with code 1")
   */
  constructor(
    private readonly file: string,
    private readonly label: string,
    readonly size = defaultPoolSize(),
  ) {}

  /** Sends `body` with a fresh id to the least-busy worker; resolves with that worker's reply to it. */
  request(body: Omit<Request, "id">): Promise<Reply> {
    const worker = this.leastBusy();
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { worker, resolve, reject });
      this.load.set(worker, (this.load.get(worker) ?? 0) + 1);
      worker.postMessage({ ...body, id });
    });
  }

  /** Terminates every worker; requests still waiting on them are rejected by their exit. */
  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private leastBusy(): Worker {
    if (this.workers.length < this.size) return this.spawn();
    return this.workers.reduce((a, b) => ((this.load.get(a) ?? 0) <= (this.load.get(b) ?? 0) ? a : b));
  }

  private spawn(): Worker {
    const worker = new Worker(this.file);
    worker.unref();
    worker.on("message", (reply: Reply) => {
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      this.load.set(worker, Math.max(0, (this.load.get(worker) ?? 1) - 1));
      waiting?.resolve(reply);
    });
    worker.on("error", (error) => this.failAll(worker, error));
    worker.on("exit", (code) => {
      if (code !== 0) this.failAll(worker, new Error(`${this.label} exited with code ${code}`));
    });
    this.workers.push(worker);
    return worker;
  }

  /**
   * A worker that dies takes its requests with it: each of its waiters learns why rather than hanging, the
   * other workers' requests go on, and the next request starts a fresh worker in its place.
   */
  private failAll(worker: Worker, error: Error): void {
    const index = this.workers.indexOf(worker);
    if (index >= 0) this.workers.splice(index, 1);
    this.load.delete(worker);
    for (const [id, waiting] of this.pending) {
      if (waiting.worker !== worker) continue;
      this.pending.delete(id);
      waiting.reject(error);
    }
  }
}
