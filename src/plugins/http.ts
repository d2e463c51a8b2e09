/**
 * Routes on the one HTTP server, as plugins and adapters declare them, and the one way to read a body with a
 * limit. Signature checks (Slack, Teams, GitHub webhooks) need the raw bytes exactly as sent, so the body is
 * read as bytes and nothing parses it first.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

/** What the server found in the path, and the body reader with this route's limit. */
export interface RouteContext {
  /**
   * The path's parameters, decoded: `/docs/:namespace/:kind/:name/*` on `/docs/default/component/pay/a/b.html`
   * gives namespace "default", kind "component", name "pay" and `*` "a/b.html".
   */
  params: Record<string, string>;
  /** The raw body, refused with 413 past the route's maxBodyBytes (readRawBody with that limit). */
  readBody(): Promise<Buffer>;
}

export interface HttpRoute {
  method: HttpMethod;
  /**
   * Segments are literal, `:name` (one non-empty segment) or, last, `*` (the rest of the path, possibly empty):
   * `/healthz`, `/catalog/*`, `/docs/:namespace/:kind/:name/*`. Two routes with one method whose patterns
   * can match the same path stop start-up, naming both owners.
   */
  path: string;
  /**
   * The largest body this route accepts, in bytes (readBody's limit; DEFAULT_MAX_BODY_BYTES when absent). When
   * declared, the server also refuses a larger Content-Length with 413 before the handler runs.
   */
  maxBodyBytes?: number;
  handler(req: IncomingMessage, res: ServerResponse, ctx: RouteContext): void | Promise<void>;
}

/** readBody's limit for a route that declares none: larger than any chat platform's request. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** A request the client must fix: the server answers with `status` (and logs it as a refusal, not a failure). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The request's body as bytes, at most `limit` of them. A larger Content-Length is refused before anything
 * is read; a body that grows past the limit stops being read there (HttpError 413: the server answers and
 * closes the connection rather than drain the rest). A client that goes away mid-body rejects with an
 * ECONNRESET error, which the server logs as a hang-up.
 */
export function readRawBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limit) {
    return Promise.reject(new HttpError(413, `Body of ${declared} bytes exceeds this endpoint's ${limit}.`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (outcome: () => void) => {
      req.off("data", onData).off("end", onEnd).off("error", onError).off("close", onClose);
      // Errors after this point (the client resetting a refused upload) must not go unhandled.
      req.on("error", () => undefined);
      outcome();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        finish(() => reject(new HttpError(413, `Body exceeds this endpoint's ${limit} bytes.`)));
      } else chunks.push(chunk);
    };
    const onEnd = () => finish(() => resolve(Buffer.concat(chunks, size)));
    const hungUp = () =>
      Object.assign(new Error("The client closed the connection mid-body."), { code: "ECONNRESET" });
    const onError = (error: Error) => finish(() => reject(error));
    const onClose = () => {
      if (!req.complete) finish(() => reject(hungUp()));
    };
    req.on("data", onData).on("end", onEnd).on("error", onError).on("close", onClose);
  });
}
