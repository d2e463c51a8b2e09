import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import type { HttpRoute } from "../plugins/api.ts";

export interface RunningHttpServer {
  /** Base URL, e.g. http://127.0.0.1:3000 */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * The one HTTP server: Slack events, Teams activities, docs pages, webhooks and health share it, each
 * as a route. Routes parse their own bodies (the platform SDKs verify signatures over the raw bytes).
 */
export async function startHttpServer(options: {
  routes: HttpRoute[];
  port: number;
  host?: string;
  log: Logger;
}): Promise<RunningHttpServer> {
  const { routes, log } = options;
  const exact = new Map<string, HttpRoute>();
  const prefixes: HttpRoute[] = [];
  for (const route of routes) {
    if (route.path.endsWith("/*")) prefixes.push(route);
    else exact.set(`${route.method} ${route.path}`, route);
  }
  const health: HttpRoute = {
    method: "GET",
    path: "/healthz",
    handler: (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
    },
  };
  exact.set("GET /healthz", exact.get("GET /healthz") ?? health);

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0]!;
    const route =
      exact.get(`${req.method} ${path}`) ??
      prefixes.find((r) => r.method === req.method && path.startsWith(r.path.slice(0, -1)));
    if (!route) {
      res.writeHead(404, { "content-type": "text/plain" }).end(`No route for ${req.method} ${path}\n`);
      return;
    }
    Promise.resolve(route.handler(req, res)).catch((error: unknown) => {
      log.error({ err: error, path }, "HTTP route failed");
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("Internal error\n");
    });
  });
  // Chat platforms hold connections open; keep-alive must outlast their pools.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "0.0.0.0", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = options.host && options.host !== "0.0.0.0" ? options.host : "127.0.0.1";
  return {
    url: `http://${shownHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
