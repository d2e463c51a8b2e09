import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ResponseUrlError, ResponseUrlPoster } from "./response-url.ts";

const servers: { close(): void; closeAllConnections(): void }[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

async function hook(status: number): Promise<{ url: string; received: { body: string; type?: string }[] }> {
  const received: { body: string; type?: string }[] = [];
  const sockets = new Set<unknown>();
  const server = createServer((req: IncomingMessage, res) => {
    sockets.add(req.socket);
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      received.push({ body, type: req.headers["content-type"] });
      res.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "ok" : "expired_url");
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign({ url: `http://127.0.0.1:${port}/commands/T0/123/abc`, received }, { sockets });
}

describe("ResponseUrlPoster", () => {
  it("posts the message as JSON and reuses one connection for answers in turn", async () => {
    const target = (await hook(200)) as Awaited<ReturnType<typeof hook>> & { sockets: Set<unknown> };
    const poster = new ResponseUrlPoster();
    await poster.post(target.url, { response_type: "in_channel", text: "Owned by *team-a*" });
    await poster.post(target.url, { text: "second" });
    poster.close();
    expect(target.received.map((r) => JSON.parse(r.body))).toEqual([
      { response_type: "in_channel", text: "Owned by *team-a*" },
      { text: "second" },
    ]);
    expect(target.received[0]!.type).toBe("application/json");
    expect(target.sockets.size).toBe(1);
  });

  it("fails with the status and Slack's text when the URL is refused", async () => {
    const target = await hook(404);
    const poster = new ResponseUrlPoster();
    const failure = poster.post(target.url, { text: "late" });
    await expect(failure).rejects.toBeInstanceOf(ResponseUrlError);
    await expect(failure).rejects.toThrow("response_url answered 404: expired_url");
    poster.close();
  });

  it("refuses a response_url that is not http(s)", async () => {
    await expect(new ResponseUrlPoster().post("file:///etc/passwd", {})).rejects.toThrow(
      "not an http(s) URL",
    );
  });
});
