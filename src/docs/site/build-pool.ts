/**
 * Site builds on worker threads, one a core, for the builds that render every page (a first build, a fresh
 * data folder): rendering and sanitising are CPU work, and sites are independent. Incremental checks stay on
 * the main thread, where the previous build already is (sending it to a worker would cost more than the
 * stat calls it saves). Errors come back as the builder's own error classes, so callers treat them alike.
 */
import { fileURLToPath } from "node:url";
import { WorkerPool, defaultPoolSize } from "../../workers/worker-pool.ts";
import type { BuildReply, BuildRequest, SerializedError } from "./build-worker.ts";
import { MkdocsConfigError } from "./mkdocs-config.ts";
import type { BuildResult, SiteInput, SiteRecord } from "./site-builder.ts";
import { DocsSourceError } from "./site-sources.ts";

const workerFile = fileURLToPath(new URL("./build-worker.mjs", import.meta.url));

export class BuildPool {
  private readonly workers: WorkerPool<BuildRequest, BuildReply>;

  constructor(readonly size = defaultPoolSize()) {
    this.workers = new WorkerPool(workerFile, "docs build worker", size);
  }

  async build(input: SiteInput, previous?: SiteRecord): Promise<BuildResult> {
    const reply = await this.workers.request({ input, ...(previous ? { previous } : {}) });
    if (!reply.ok) throw revive(reply.error);
    return {
      record: reply.record,
      changed: reply.changed,
      pages: reply.pages,
      newAssets: new Map(
        reply.assets.map(([hash, body]) => [
          hash,
          Buffer.from(body.buffer, body.byteOffset, body.byteLength),
        ]),
      ),
    };
  }

  /** Idle workers do not keep the process alive; close releases them. */
  close(): Promise<void> {
    return this.workers.close();
  }
}

function revive(error: SerializedError): Error {
  if (error.name === "MkdocsConfigError")
    return new MkdocsConfigError(error.file ?? "mkdocs.yml", error.line, error.detail ?? error.message);
  if (error.name === "DocsSourceError") return new DocsSourceError(error.message);
  return new Error(error.message);
}
