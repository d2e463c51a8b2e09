/** Worker thread body: builds one site off the main thread (see build-pool.ts). */
import { parentPort } from "node:worker_threads";
import { MkdocsConfigError } from "./mkdocs-config.ts";
import { SiteBuilder, type SiteInput, type SiteRecord } from "./site-builder.ts";
import { DocsSourceError } from "./site-sources.ts";

export interface BuildRequest {
  id: number;
  input: SiteInput;
  previous?: SiteRecord;
}

export type BuildReply =
  | {
      id: number;
      ok: true;
      record: SiteRecord;
      changed: boolean;
      pages: string[];
      assets: Array<[string, Uint8Array]>;
    }
  | { id: number; ok: false; error: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  file?: string;
  line?: number;
  detail?: string;
}

const builder = SiteBuilder.create();

parentPort?.on("message", (request: BuildRequest) => {
  void (async () => {
    try {
      const result = await (await builder).build(request.input, request.previous);
      const assets = [...result.newAssets].map(([hash, body]): [string, Uint8Array] => [
        hash,
        new Uint8Array(body),
      ]);
      parentPort!.postMessage(
        {
          id: request.id,
          ok: true,
          record: result.record,
          changed: result.changed,
          pages: result.pages,
          assets,
        } satisfies BuildReply,
        assets.map(([, body]) => body.buffer as ArrayBuffer),
      );
    } catch (error) {
      const e = error as Error;
      const serialized: SerializedError = { name: e.name, message: e.message };
      if (error instanceof MkdocsConfigError)
        Object.assign(serialized, { file: error.file, line: error.line, detail: error.detail });
      else if (!(error instanceof DocsSourceError)) serialized.name = "Error";
      parentPort!.postMessage({ id: request.id, ok: false, error: serialized } satisfies BuildReply);
    }
  })();
});
