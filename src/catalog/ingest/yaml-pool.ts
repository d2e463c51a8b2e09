import { fileURLToPath } from "node:url";
import { WorkerPool, defaultPoolSize } from "../../workers/worker-pool.ts";
import {
  parseDescriptorYaml,
  withLineLookup,
  type ParsedDocument,
  type YamlLimits,
} from "./descriptor-yaml.ts";
import type { ParseReply, ParseRequest } from "./yaml-worker.ts";

/**
 * Parsing and checking documents (validation, relations, the content hash) is most of an import's CPU,
 * so large files go to worker threads, one a core, while the main thread records, stores and indexes.
 * Small files parse inline: a worker's start-up would cost more than it saves.
 */
const INLINE_BELOW_BYTES = 16 * 1024;

const workerFile = fileURLToPath(new URL("./yaml-worker.mjs", import.meta.url));

export class YamlParserPool {
  private readonly workers: WorkerPool<ParseRequest, ParseReply>;

  constructor(size = defaultPoolSize()) {
    this.workers = new WorkerPool(workerFile, "YAML worker", size);
  }

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
    const reply = await this.workers.request({ text, maxAliases: limits.maxAliases, ...place });
    if (!reply.docs) throw new Error(reply.error ?? "YAML worker failed");
    return withLineLookup(text, reply.docs, limits);
  }

  /** Idle workers must not keep the process alive, and a finished import releases them. */
  close(): Promise<void> {
    return this.workers.close();
  }
}
