import { createHmac } from "node:crypto";
import { createServer, request, type IncomingMessage, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpError, readRawBody } from "./http.ts";

/** A server whose one handler reads the body with `limit` and says what became of it. */
function bodyServer(limit: number, seen: Array<Buffer | Error>): Server {
  return createServer((req, res) => {
    readRawBody(req, limit).then(
      (body) => {
        seen.push(body);
        const signature = createHmac("sha256", "secret").update(body).digest("hex");
        res.writeHead(200).end(signature);
      },
      (error: Error) => {
        seen.push(error);
        const status = error instanceof HttpError ? error.status : 500;
        res.writeHead(status, { connection: "close" }).end(error.message);
      },
    );
  });
}

/** POST `chunks` one by one; `length` false sends them chunked, with no Content-Length. */
function post(port: number, chunks: Buffer[], length = true): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const total = chunks.reduce((n, c) => n + c.length, 0);
    const req = request(
      { port, host: "127.0.0.1", method: "POST", headers: length ? { "content-length": total } : {} },
      (res: IncomingMessage) => {
        let text = "";
        res.on("data", (d) => (text += String(d)));
        res.on("end", () => resolve({ status: res.statusCode!, text }));
      },
    );
    req.on("error", reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe("readRawBody", () => {
  const seen: Array<Buffer | Error> = [];
  const server = bodyServer(1024, seen);
  let port = 0;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("gives the bytes exactly as sent, so a signature over them checks", async () => {
    const body = Buffer.from('{"text":"caf\u00e9 \u2713"}\r\n', "utf8");
    const answer = await post(port, [body.subarray(0, 7), body.subarray(7)]);
    expect(answer.status).toBe(200);
    expect(answer.text).toBe(createHmac("sha256", "secret").update(body).digest("hex"));
  });

  it("refuses a declared length over the limit with 413 before reading", async () => {
    const answer = await post(port, [Buffer.alloc(2048, 120)]);
    expect(answer.status).toBe(413);
    expect(answer.text).toContain("2048 bytes exceeds this endpoint's 1024");
  });

  it("refuses a chunked body once it grows past the limit", async () => {
    const answer = await post(port, [Buffer.alloc(600, 120), Buffer.alloc(600, 120)], false);
    expect(answer.status).toBe(413);
    expect(answer.text).toContain("exceeds this endpoint's 1024 bytes");
    expect(seen.at(-1)).toBeInstanceOf(HttpError);
  });

  it("rejects as a hang-up when the client goes away mid-body", async () => {
    const before = seen.length;
    const socket = connect(port, "127.0.0.1");
    socket.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nonly a little");
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    await expect.poll(() => seen.length).toBe(before + 1);
    expect((seen.at(-1) as Error & { code?: string }).code).toBe("ECONNRESET");
  });
});
