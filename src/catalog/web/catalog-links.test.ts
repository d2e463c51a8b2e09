import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { item, entity, smallGraph } from "../../../test/fixtures/catalog-commands/small-catalog.ts";
import { readRawBody, type HttpRoute, type PluginApi } from "../../plugins/api.ts";
import { RouteTable } from "../../plugins/route-table.ts";
import { catalogLinksPlugin, catalogUrlFor, entityPath, entityPreview, refFromUrl } from "./catalog-links.ts";

const base = new URL("https://callboard.example.com/portal/");

describe("catalog addresses", () => {
  it("round-trips a ref through its URL, under a base path", () => {
    const url = catalogUrlFor(base.href)("component:default/payments-api");
    expect(url).toBe("https://callboard.example.com/portal/catalog/default/component/payments-api");
    expect(refFromUrl(new URL(url), base)).toBe("component:default/payments-api");
  });

  it("ignores links that are not ours or not entity pages", () => {
    expect(
      refFromUrl(new URL("https://evil.example.com/portal/catalog/default/component/x"), base),
    ).toBeUndefined();
    expect(
      refFromUrl(new URL("https://callboard.example.com/portal/catalog/default/component"), base),
    ).toBeUndefined();
    expect(
      refFromUrl(new URL("https://callboard.example.com/portal/catalog/%E0%A4%A/component/x"), base),
    ).toBeUndefined();
  });

  it("encodes what a URL cannot carry as is", () => {
    expect(entityPath("component:default/a.b_c")).toBe("/catalog/default/component/a.b_c");
    expect(entityPath("group:team space/x")).toBe("/catalog/team%20space/group/x");
  });
});

describe("entityPreview", () => {
  it("gives title, owner and summary", () => {
    const preview = entityPreview(smallGraph(), "component:default/payments-api")!;
    expect(preview.text).toContain("owned by");
    expect(preview.blocks[1]).toEqual({ type: "section", text: "Takes card payments." });
    expect(JSON.stringify(preview.blocks)).toContain('"label":"Owner"');
  });

  it("has nothing to say about an unknown entity", () => {
    expect(entityPreview(smallGraph(), "component:default/nope")).toBeUndefined();
  });
});

/** The plugin's routes on a plain HTTP server, dispatched as the app's server does (the route table). */
async function serveRoutes(routes: HttpRoute[]): Promise<{ url: string; close(): Promise<void> }> {
  const table = new RouteTable(routes.map((route) => ({ route, owner: "plugin catalog-links" })));
  const server: Server = createServer((req, res) => {
    const found = table.match(req.method ?? "", (req.url ?? "/").split("?")[0]!);
    if (!found) return void res.writeHead(404).end();
    void found.route.handler(req, res, { params: found.params, readBody: () => readRawBody(req, 1024) });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe("catalog pages over HTTP", () => {
  let server: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    const graph = smallGraph();
    graph.upsert([
      item(
        "component:default/sneaky",
        entity(
          "component:default/sneaky",
          { type: "service", lifecycle: "production", owner: "team-payments" },
          {
            description: '<script>alert("x")</script>',
            links: [{ url: "javascript:alert(1)", title: "bad" }],
          },
        ),
      ),
    ]);
    const log = pino({ level: "silent" });
    // Only routes matter here; the other contributions are tested through the router elsewhere.
    const routes: HttpRoute[] = [];
    const api = { log, addHttpRoute: (r: HttpRoute) => routes.push(r), addLinkUnfurler: () => undefined };
    await catalogLinksPlugin({ graph, baseUrl: "http://127.0.0.1/" }).register(api as unknown as PluginApi);
    server = await serveRoutes(routes);
  });
  afterAll(() => server.close());

  it("serves an entity page", async () => {
    const response = await fetch(`${server.url}/catalog/default/component/payments-api`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("<h1>payments-api</h1>");
    expect(html).toContain('href="https://grafana.acme.test/d/payments"');
  });

  it("escapes what descriptor files say and drops non-http links", async () => {
    const html = await (await fetch(`${server.url}/catalog/default/component/sneaky`)).text();
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;");
    expect(html).not.toContain("javascript:");
  });

  it("answers 404 for an unknown entity", async () => {
    expect((await fetch(`${server.url}/catalog/default/component/nope`)).status).toBe(404);
  });
});
