import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { DEFAULT_MAX_BODY_BYTES, HttpError, readRawBody, type HttpRoute } from "../plugins/http.ts";
import { RouteTable, type OwnedRoute } from "../plugins/route-table.ts";

export interface RunningHttpServer {
  /** Base URL, e.g. http://127.0.0.1:3000 */
  url: string;
  port: number;
  /**
   * Stop accepting connections, let requests in flight finish (at most `graceMs`), then close every
   * connection.
   */
  close(graceMs?: number): Promise<void>;
}

/** How long close() lets requests in flight finish before it cuts their connections. */
const DEFAULT_GRACE_MS = 5_000;

/**
 * The status a failed route answers with. A malformed request is the client's to fix (400, or the 4xx the
 * error carries, as HttpError (readRawBody) and http-errors do); anything else is ours (500) and its message,
 * which may name hosts, paths or SQL, stays in the log.
 */
function statusFor(error: unknown): number {
  // decodeURIComponent on a path or query with a broken %-escape.
  if (error instanceof URIError) return 400;
  if (error && typeof error === "object") {
    const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
    const given = typeof status === "number" ? status : statusCode;
    if (typeof given === "number" && given >= 400 && given < 500) return given;
  }
  return 500;
}

/**
 * An answer the server writes itself (no route, a malformed request, a failed route). The request body
 * is never read for it: with `connection: close` Node ends the connection after the answer instead of
 * reading whatever the client still sends so that the connection can be reused.
 */
function answerPlain(req: IncomingMessage, res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    ...(req.complete ? {} : { connection: "close" }),
  });
  res.end(text);
}

/**
 * The one HTTP server: the chat adapters' endpoints, plugins' pages and webhooks, and health share it, each
 * as a route. Routes read their own bodies, as raw bytes (signatures are checked over them), within their
 * limit. Two routes that could answer the same path stop it before it listens, naming both owners.
 * Whatever a route does (throw, reject, or fail its request or response stream), the server logs it,
 * answers what it still can, and keeps serving.
 */
export async function startHttpServer(options: {
  /** Routes, each with its owner ("plugin docs", "the ... adapter") for the conflict message where known. */
  routes: ReadonlyArray<HttpRoute | OwnedRoute>;
  port: number;
  host?: string;
  log: Logger;
}): Promise<RunningHttpServer> {
  const { log } = options;
  const owned = options.routes.map((r) => ("route" in r ? r : { route: r, owner: "an unnamed owner" }));
  const table = new RouteTable(owned);
  // A route of its own at /healthz replaces the built-in answer.
  if (!table.has("GET", "/healthz")) {
    table.add({
      owner: "Callboard's health check",
      route: {
        method: "GET",
        path: "/healthz",
        handler: (_req, res) => {
          res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
        },
      },
    });
  }

  const inFlight = new Set<ServerResponse>();
  let closing = false;
  let allAnswered: (() => void) | undefined;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    inFlight.add(res);
    res.once("close", () => {
      inFlight.delete(res);
      if (inFlight.size === 0) allAnswered?.();
    });
    // A stopping server tells keep-alive clients not to send the next request on this connection.
    if (closing) res.setHeader("connection", "close");

    // Node's parser has already answered 400 to anything that is not HTTP or has no valid target.
    const path = (req.url ?? "/").split("?")[0]!;
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      if ((error as { code?: unknown } | undefined)?.code === "ECONNRESET") {
        // The client hung up mid-request: nobody is left to answer, and nothing on our side broke.
        log.debug({ method: req.method, path }, "HTTP client closed the connection");
        return;
      }
      const status = statusFor(error);
      if (status >= 500) log.error({ err: error, method: req.method, path }, "HTTP route failed");
      else log.warn({ err: error, method: req.method, path, status }, "HTTP request refused");
      if (res.headersSent) {
        // Half an answer is already on the wire; cutting the connection is the only honest ending.
        res.destroy();
        return;
      }
      answerPlain(req, res, status, `${STATUS_CODES[status] ?? "Error"}\n`);
    };
    // Without listeners, an 'error' on either stream would be thrown from the event loop and end the process.
    req.on("error", fail);
    res.on("error", fail);

    try {
      const found = table.match(req.method ?? "", path);
      if (!found) {
        answerPlain(req, res, 404, `No route for ${req.method} ${path}\n`);
        return;
      }
      const { route, params } = found;
      const limit = route.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
      const declared = Number(req.headers["content-length"] ?? 0);
      if (route.maxBodyBytes !== undefined && declared > route.maxBodyBytes) {
        throw new HttpError(413, `Body of ${declared} bytes exceeds this endpoint's ${route.maxBodyBytes}.`);
      }
      Promise.resolve(route.handler(req, res, { params, readBody: () => readRawBody(req, limit) })).catch(
        fail,
      );
    } catch (error) {
      fail(error);
    }
  });
  // Chat platforms hold connections open; keep-alive must outlast their pools.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "0.0.0.0", () => resolve());
  });
  server.on("error", (error) => log.error({ err: error }, "HTTP server error"));
  const port = (server.address() as AddressInfo).port;
  const shownHost = options.host && options.host !== "0.0.0.0" ? options.host : "127.0.0.1";
  return {
    url: `http://${shownHost}:${port}`,
    port,
    close: async (graceMs = DEFAULT_GRACE_MS) => {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Answers not yet started go out with `connection: close`; idle keep-alive connections end now.
      for (const res of inFlight) if (!res.headersSent) res.setHeader("connection", "close");
      server.closeIdleConnections();
      if (inFlight.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => (allAnswered = resolve)),
          new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
        ]);
        clearTimeout(timer);
        if (inFlight.size > 0) log.warn({ requests: inFlight.size }, "HTTP requests cut off at shutdown");
      }
      server.closeAllConnections();
      await closed;
    },
  };
}
