import { connect } from "node:net";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HttpRoute } from "../plugins/api.ts";
import { startHttpServer, type RunningHttpServer } from "./http-server.ts";

const INTERNALS = "postgresql://app@db.internal:5432 refused the query";

/** Routes that fail in every way a handler can, each after its own fashion. */
const faulty: HttpRoute[] = [
  {
    method: "GET",
    path: "/throws",
    handler: () => {
      throw new Error(INTERNALS);
    },
  },
  {
    method: "GET",
    path: "/rejects",
    handler: async () => {
      await Promise.resolve();
      throw new Error(INTERNALS);
    },
  },
  {
    method: "GET",
    path: "/request-error",
    handler: (req) => void setImmediate(() => req.emit("error", new Error(INTERNALS))),
  },
  {
    method: "GET",
    path: "/response-error",
    handler: (_req, res) => void setImmediate(() => res.emit("error", new Error(INTERNALS))),
  },
  {
    method: "GET",
    path: "/write-after-end",
    handler: (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" }).end("done\n");
      res.write("more");
    },
  },
  {
    method: "GET",
    path: "/half-written",
    handler: async (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("the first half of an answer, ");
      await new Promise((resolve) => setImmediate(resolve));
      throw new Error(INTERNALS);
    },
  },
  {
    method: "POST",
    path: "/refuses",
    handler: () => {
      throw Object.assign(new Error("the body is not a form"), { status: 400 });
    },
  },
  {
    method: "GET",
    path: "/decodes/*",
    handler: (req, res) => {
      const name = decodeURIComponent((req.url ?? "").slice("/decodes/".length));
      res.writeHead(200, { "content-type": "text/plain" }).end(name);
    },
  },
];

/** Writes `request` on a fresh connection and returns everything the server sends until it closes. */
function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    socket.on("data", (chunk) => (received += String(chunk)));
    socket.on("error", reject);
    socket.on("close", () => resolve(received));
    socket.end(request);
  });
}

describe("the one HTTP server, when a route fails", () => {
  const logged: Array<Record<string, unknown>> = [];
  const log = pino({ level: "debug" }, { write: (line: string) => void logged.push(JSON.parse(line)) });
  let server: RunningHttpServer;

  beforeAll(async () => {
    server = await startHttpServer({ routes: faulty, port: 0, host: "127.0.0.1", log });
  });
  afterAll(() => server.close());

  async function healthy(): Promise<void> {
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
  }

  for (const path of ["/throws", "/rejects", "/request-error", "/response-error"]) {
    it(`${path}: answers 500 without the error's text, logs it, and keeps serving`, async () => {
      const before = logged.length;
      const response = await fetch(`${server.url}${path}`);
      expect(response.status).toBe(500);
      const body = await response.text();
      expect(body).toBe("Internal Server Error\n");
      const entry = logged.slice(before).find((e) => e.msg === "HTTP route failed");
      expect(entry).toMatchObject({ level: 50, path, err: { message: INTERNALS } });
      await healthy();
    });
  }

  it("a write after the answer ended: the answer stands, the error is logged, and it keeps serving", async () => {
    const before = logged.length;
    const response = await fetch(`${server.url}/write-after-end`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("done\n");
    await healthy();
    expect(logged.slice(before).some((e) => e.msg === "HTTP route failed")).toBe(true);
  });

  it("a failure half way through an answer cuts the connection rather than finishing it with junk", async () => {
    const response = await fetch(`${server.url}/half-written`);
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
    await healthy();
  });

  it("a request the route calls malformed gets its 4xx, and a broken %-escape gets 400", async () => {
    const refused = await fetch(`${server.url}/refuses`, { method: "POST", body: "x" });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toBe("Bad Request\n");
    expect((await fetch(`${server.url}/decodes/%E0%A4%A`)).status).toBe(400);
    expect(await (await fetch(`${server.url}/decodes/caf%C3%A9`)).text()).toBe("café");
    await healthy();
  });

  // Node's parser answers these before any route runs; this keeps it so (a clientError handler must not break it).
  it("answers 400 to a request target that is not a path, and to bytes that are not HTTP", async () => {
    const port = Number(new URL(server.url).port);
    expect(await raw(port, "GET healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).toMatch(
      /^HTTP\/1\.1 400 /,
    );
    expect(await raw(port, "\x16\x03\x01 not http at all\r\n\r\n")).toMatch(/^HTTP\/1\.1 400 /);
    await healthy();
  });

  it("never reads a body nobody asked for: an unknown path's answer closes the connection", async () => {
    const port = Number(new URL(server.url).port);
    const declared = 256 * 1024 * 1024;
    const outcome = await new Promise<{ sent: number; received: string }>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      let sent = 0;
      let received = "";
      const chunk = Buffer.alloc(64 * 1024);
      const done = () => resolve({ sent, received });
      socket.on("data", (data) => (received += String(data)));
      socket.on("error", done);
      socket.on("close", done);
      socket.write(`POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: ${declared}\r\n\r\n`);
      const pump = () => {
        while (sent < declared && !socket.destroyed) {
          sent += chunk.length;
          if (!socket.write(chunk)) return void socket.once("drain", pump);
        }
        socket.end();
      };
      pump();
    });
    expect(outcome.received).toMatch(/^HTTP\/1\.1 404 /);
    expect(outcome.sent).toBeLessThan(declared);
    await healthy();
  });
});

describe("the one HTTP server, when it closes", () => {
  it("stops taking connections, lets the request in flight finish, then closes", async () => {
    let release!: () => void;
    let started!: () => void;
    const inHandler = new Promise<void>((resolve) => (started = resolve));
    const slow: HttpRoute = {
      method: "GET",
      path: "/slow",
      handler: async (_req, res) => {
        started();
        await new Promise<void>((resolve) => (release = resolve));
        res.writeHead(200, { "content-type": "text/plain" }).end("finished\n");
      },
    };
    const server = await startHttpServer({
      routes: [slow],
      port: 0,
      host: "127.0.0.1",
      log: pino({ level: "silent" }),
    });
    const answer = fetch(`${server.url}/slow`).then(async (r) => ({
      status: r.status,
      connection: r.headers.get("connection"),
      text: await r.text(),
    }));
    await inHandler;
    let closed = false;
    const closing = server.close().then(() => (closed = true));
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    expect(closed).toBe(false);
    release();
    expect(await answer).toEqual({ status: 200, connection: "close", text: "finished\n" });
    await closing;
  });
});

describe("the one HTTP server's routes", () => {
  let handled = 0;
  const routes: HttpRoute[] = [
    {
      method: "GET",
      path: "/docs/:namespace/:kind/:name/*",
      handler: (_req, res, { params }) => {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(params));
      },
    },
    {
      method: "POST",
      path: "/hooks/:source",
      maxBodyBytes: 16,
      handler: async (_req, res, { params, readBody }) => {
        handled++;
        const body = await readBody();
        res.writeHead(200, { "content-type": "text/plain" }).end(`${params.source}:${body.length}`);
      },
    },
  ];
  let server: RunningHttpServer;
  beforeAll(async () => {
    server = await startHttpServer({
      routes: routes.map((route) => ({ route, owner: "plugin test" })),
      port: 0,
      host: "127.0.0.1",
      log: pino({ level: "silent" }),
    });
  });
  afterAll(() => server.close());

  it("hands the handler its path parameters, decoded", async () => {
    const response = await fetch(`${server.url}/docs/default/component/pay%20ments/runbook/index.html?x=1`);
    expect(await response.json()).toEqual({
      namespace: "default",
      kind: "component",
      name: "pay ments",
      "*": "runbook/index.html",
    });
  });

  it("reads a body within the route's limit, and refuses a larger one with 413", async () => {
    const small = await fetch(`${server.url}/hooks/github`, { method: "POST", body: "0123456789" });
    expect(await small.text()).toBe("github:10");
    const before = handled;
    const declared = await fetch(`${server.url}/hooks/github`, { method: "POST", body: "x".repeat(17) });
    expect(declared.status).toBe(413);
    // Refused on its Content-Length: the handler never ran.
    expect(handled).toBe(before);
    const streamed = await fetch(`${server.url}/hooks/github`, {
      method: "POST",
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode("x".repeat(10)));
          controller.enqueue(new TextEncoder().encode("x".repeat(10)));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it("does not start when two routes could answer the same path, naming both owners", async () => {
    const handler = () => {};
    await expect(
      startHttpServer({
        routes: [
          { route: { method: "GET", path: "/docs/:namespace/*", handler }, owner: "plugin docs" },
          { route: { method: "GET", path: "/docs/default/index", handler }, owner: "plugin wiki" },
        ],
        port: 0,
        host: "127.0.0.1",
        log: pino({ level: "silent" }),
      }),
    ).rejects.toThrow(
      /\/docs\/:namespace\/\* \(plugin docs\) and GET \/docs\/default\/index \(plugin wiki\)/,
    );
    await expect(
      startHttpServer({
        routes: [{ route: { method: "GET", path: "/:page", handler }, owner: "plugin pages" }],
        port: 0,
        host: "127.0.0.1",
        log: pino({ level: "silent" }),
      }),
    ).rejects.toThrow(/Callboard's health check/);
  });
});
