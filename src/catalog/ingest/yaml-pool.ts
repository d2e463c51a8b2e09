import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import {
  parseDescriptorYaml,
  withLineLookup,
  type ParsedDocument,
  type PlainDocument,
  type YamlLimits,
} from "./descriptor-yaml.ts";
import type { ParseRequest } from "./yaml-worker.ts";

/**
 * Parsing and checking documents (validation, relations, the content hash) is most of an import's CPU,
 * so large files go to worker threads, one a core, while the main thread records, stores and indexes.
 * Small files parse inline: a worker's start-up would cost more than it saves.
 */
const INLINE_BELOW_BYTES = 16 * 1024;

const workerFile = fileURLToPath(new URL("./yaml-worker.mjs", import.meta.url));

interface Pending {
  worker: Worker;
  resolve: (docs: PlainDocument[]) => void;
  reject: (error: Error) => void;
}

export class YamlParserPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly load = new Map<Worker, number>();
  private nextId = 0;

  constructor(private readonly size = Math.max(1, Math.min(2, availableParallelism()))) {}

  /**
   * Parses a file's documents; those parsed on a worker come with their entity checked for `place`
   * (documents with placeholders are left to the caller, which can read their targets).
   */
  async parse(
    text: string,
    limits: YamlLimits,
    place: { location: string; origin: string },
  ): Promise<ParsedDocument[]> {
    if (text.length < INLINE_BELOW_BYTES) return parseDescriptorYaml(text, limits);
    const worker = this.leastBusy();
    const id = this.nextId++;
    const plain = await new Promise<PlainDocument[]>((resolve, reject) => {
      this.pending.set(id, { worker, resolve, reject });
      this.load.set(worker, (this.load.get(worker) ?? 0) + 1);
      worker.postMessage({ id, text, maxAliases: limits.maxAliases, ...place } satisfies ParseRequest);
    });
    return withLineLookup(text, plain, limits);
  }

  /** Idle workers must not keep the process alive, and a finished import releases them. */
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
    worker.on("message", (message: { id: number; docs?: PlainDocument[]; error?: string }) => {
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      this.load.set(worker, Math.max(0, (this.load.get(worker) ?? 1) - 1));
      if (!waiting) return;
      if (message.docs) waiting.resolve(message.docs);
      else waiting.reject(new Error(message.error ?? "YAML worker failed"));
    });
    worker.on("error", (error) => this.failAll(worker, error));
    worker.on("exit", (code) => {
      if (code !== 0) this.failAll(worker, new Error(`YAML worker exited with code ${code}`));
    });
    this.workers.push(worker);
    return worker;
  }

  private failAll(worker: Worker, error: Error): void {
    const index = this.workers.indexOf(worker);
    if (index >= 0) this.workers.splice(index, 1);
    // A worker that dies takes its requests with it; each of its waiters learns why rather than hanging.
    for (const [id, waiting] of this.pending) {
      if (waiting.worker !== worker) continue;
      this.pending.delete(id);
      waiting.reject(error);
    }
  }
}
