/**
 * Site builds on worker threads, one a core, for the builds that render every page (a first build, a fresh
 * data folder): rendering and sanitising are CPU work, and sites are independent. Incremental checks stay on
 * the main thread, where the previous build already is (sending it to a worker would cost more than the
 * stat calls it saves). Errors come back as the builder's own error classes, so callers treat them alike.
 */
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { BuildReply, BuildRequest, SerializedError } from "./build-worker.ts";
import { MkdocsConfigError } from "./mkdocs-config.ts";
import type { BuildResult, SiteInput, SiteRecord } from "./site-builder.ts";
import { DocsSourceError } from "./site-sources.ts";

const workerFile = fileURLToPath(new URL("./build-worker.mjs", import.meta.url));

interface Pending {
  worker: Worker;
  resolve: (result: BuildResult) => void;
  reject: (error: Error) => void;
}

export class BuildPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly load = new Map<Worker, number>();
  private nextId = 0;

  constructor(readonly size = Math.max(1, Math.min(2, availableParallelism()))) {}

  build(input: SiteInput, previous?: SiteRecord): Promise<BuildResult> {
    const worker = this.leastBusy();
    const id = this.nextId++;
    return new Promise<BuildResult>((resolve, reject) => {
      this.pending.set(id, { worker, resolve, reject });
      this.load.set(worker, (this.load.get(worker) ?? 0) + 1);
      worker.postMessage({ id, input, ...(previous ? { previous } : {}) } satisfies BuildRequest);
    });
  }

  /** Idle workers do not keep the process alive; close releases them. */
  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private leastBusy(): Worker {
    if (this.workers.length < this.size) return this.spawn();
    return this.workers.reduce((a, b) => ((this.load.get(a) ?? 0) <= (this.load.get(b) ?? 0) ? a : b));
  }

  private spawn(): Worker {
    const worker = new Worker(workerFile);
    worker.unref();
    worker.on("message", (reply: BuildReply) => {
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      this.load.set(worker, Math.max(0, (this.load.get(worker) ?? 1) - 1));
      if (!waiting) return;
      if (reply.ok) {
        waiting.resolve({
          record: reply.record,
          changed: reply.changed,
          pages: reply.pages,
          newAssets: new Map(
            reply.assets.map(([hash, body]) => [
              hash,
              Buffer.from(body.buffer, body.byteOffset, body.byteLength),
            ]),
          ),
        });
      } else {
        waiting.reject(revive(reply.error));
      }
    });
    worker.on("error", (error) => this.failAll(worker, error));
    worker.on("exit", (code) => {
      if (code !== 0) this.failAll(worker, new Error(`docs build worker exited with code ${code}`));
    });
    this.workers.push(worker);
    return worker;
  }

  private failAll(worker: Worker, error: Error): void {
    const index = this.workers.indexOf(worker);
    if (index >= 0) this.workers.splice(index, 1);
    for (const [id, waiting] of this.pending) {
      if (waiting.worker !== worker) continue;
      this.pending.delete(id);
      waiting.reject(error);
    }
  }
}

function revive(error: SerializedError): Error {
  if (error.name === "MkdocsConfigError")
    return new MkdocsConfigError(error.file ?? "mkdocs.yml", error.line, error.detail ?? error.message);
  if (error.name === "DocsSourceError") return new DocsSourceError(error.message);
  return new Error(error.message);
}
