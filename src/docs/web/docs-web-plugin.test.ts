import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Registry } from "../../plugins/registry.ts";
import { serveDocsPlugins } from "../../../test/fixtures/docs/docs-server.ts";
import {
  sampleLibrary,
  TINY_PNG,
  type MemoryDocsLibrary,
} from "../../../test/fixtures/docs/memory-library.ts";
import { docsWebPlugin } from "./docs-web-plugin.ts";
import { PAGE_CSP } from "./headers.ts";

let server: Awaited<ReturnType<typeof serveDocsPlugins>>["server"];
let registry: Registry;
let library: MemoryDocsLibrary;
const BASE = "http://docs.acme.test";

beforeAll(async () => {
  library = sampleLibrary();
  ({ server, registry } = await serveDocsPlugins([docsWebPlugin({ library, baseUrl: BASE })], BASE));
});
afterAll(() => server.close());

/** The status for a request path exactly as written. */
function rawStatus(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const { port } = new URL(server.url);
    request({ host: "127.0.0.1", port, path, method: "GET" }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on("error", reject)
      .end();
  });
}

const get = (path: string, init?: RequestInit) =>
  fetch(`${server.url}${path}`, { redirect: "manual", ...init });

describe("docs pages", () => {
  it("serves a page with the layout: nav, breadcrumbs, toc, previous/next, edit link, strict CSP", async () => {
    const response = await get("/docs/default/component/payments-api/runbooks/rotate-credentials/");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("content-security-policy")).toBe(PAGE_CSP);
    expect(PAGE_CSP).not.toContain("unsafe-inline");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    const html = await response.text();
    expect(html).toContain("<title>Rotate database credentials · Payments API · Callboard docs</title>");
    expect(html).toContain('aria-current="page"');
    expect(html).toMatch(/<details open>\s*<summary>Runbooks<\/summary>/);
    expect(html).toContain('href="https://status.acme.example"');
    expect(html).toContain('<a href="#verify-the-rotation">Verify the rotation</a>');
    expect(html).toMatch(/class="previous" rel="prev" href="\/docs\/default\/component\/payments-api\/"/);
    expect(html).toMatch(
      /class="next" rel="next" href="\/docs\/default\/component\/payments-api\/architecture\/overview\/"/,
    );
    expect(html).toContain(
      '<li><a href="/docs/default/component/payments-api/">Payments API</a></li><li>Runbooks</li>',
    );
    // No inline script or style anywhere in the layout.
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    const home = await (await get("/docs/default/component/payments-api/")).text();
    expect(home).toContain('href="https://github.com/acme/payments-api/edit/main/docs/index.md"');
  });

  it("answers 304 to a browser that has the page", async () => {
    const first = await get("/docs/default/component/payments-api/");
    const etag = first.headers.get("etag")!;
    const again = await get("/docs/default/component/payments-api/", { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
  });

  it("redirects to the canonical address, where relative links resolve as written", async () => {
    const bare = await get("/docs/default/component/payments-api/runbooks/rotate-credentials");
    expect(bare.status).toBe(301);
    expect(bare.headers.get("location")).toBe(
      "/docs/default/component/payments-api/runbooks/rotate-credentials/",
    );
    const home = await get("/docs/Default/Component/Payments-API");
    expect(home.headers.get("location")).toBe("/docs/default/component/payments-api/");
  });

  it("serves the site's images with their type and the search index in mkdocs' format", async () => {
    const image = await get("/docs/default/component/payments-api/img/flow.png");
    expect(image.status).toBe(200);
    expect(image.headers.get("content-type")).toBe("image/png");
    expect(image.headers.get("content-security-policy")).toContain("sandbox");
    expect(Buffer.from(await image.arrayBuffer())).toEqual(TINY_PNG);
    const index = await get("/docs/default/component/payments-api/search/search_index.json");
    expect(index.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(((await index.json()) as { docs: unknown[] }).docs.length).toBeGreaterThan(3);
  });

  it("lists every site with its owner, filtered by ?q= without script", async () => {
    const all = await (await get("/docs")).text();
    expect(all).toContain("Payments API");
    expect(all).toContain("Owner: team-payments");
    expect(all).toContain("Search indexer");
    const filtered = await (await get("/docs?q=team-search")).text();
    expect(filtered).toMatch(/<li data-filter-text="[^"]*payments[^"]*" hidden>/);
    expect(filtered).toMatch(/<li data-filter-text="[^"]*team-search[^"]*">/);
  });

  it("searches one site's sections: JSON for the search box, a page without script", async () => {
    const json = (await (
      await get("/docs-search/default/component/payments-api?format=json&q=rotat")
    ).json()) as { hits: { url: string; heading: string }[] };
    expect(json.hits[0]!.url).toBe("/docs/default/component/payments-api/runbooks/rotate-credentials/");
    const verify = (await (
      await get("/docs-search/default/component/payments-api?format=json&q=new%20credentials")
    ).json()) as { hits: { url: string }[] };
    expect(verify.hits.map((h) => h.url)).toContain(
      "/docs/default/component/payments-api/runbooks/rotate-credentials/#verify-the-rotation",
    );
    const other = (await (
      await get("/docs-search/default/component/payments-api?format=json&q=kafka")
    ).json()) as { hits: unknown[] };
    expect(other.hits).toEqual([]);
    const page = await (await get("/docs-search/default/component/payments-api?q=vault")).text();
    expect(page).toContain("/docs/default/component/payments-api/runbooks/rotate-credentials/#steps");
  });

  it("helps on a 404: close pages of the site, or close sites", async () => {
    const page = await get("/docs/default/component/payments-api/runbooks/rotate-credential/");
    expect(page.status).toBe(404);
    const html = await page.text();
    expect(html).toContain("Did you mean");
    expect(html).toContain('href="/docs/default/component/payments-api/runbooks/rotate-credentials/"');
    const site = await (await get("/docs/default/component/payment-api/")).text();
    expect(site).toContain("There are no docs for component:default/payment-api.");
    expect(site).toContain('href="/docs/default/component/payments-api/"');
  });

  it("helps on an address short of a site, and never links a javascript: nav entry", async () => {
    const short = await get("/docs/payments");
    expect(short.status).toBe(404);
    expect(await short.text()).toContain('href="/docs/default/component/payments-api/"');
    library.put({
      ...library.getSite("component:default/search-indexer")!,
      nav: [
        { title: "Evil", url: "javascript:alert(1)" },
        { title: "Home", path: "" },
      ],
      sourceHash: "evil",
    });
    const html = await (await get("/docs/default/component/search-indexer/")).text();
    expect(html).not.toContain("javascript:");
    expect(html).toContain("<span>Evil</span>");
  });

  it("refuses hostile paths without looking anything up", async () => {
    for (const path of [
      "/docs/default/component/payments-api/%2e%2e/%2e%2e/etc/passwd",
      "/docs/default/component/payments-api/..%2f..%2fsecret",
      "/docs/default/component/payments-api/a%5cb",
      "/docs/default/component/payments-api/a%00b",
      "/docs/default/component/payments-api/__proto__",
      "/docs/default/component/__proto__/",
      `/docs/default/component/payments-api/${"a/".repeat(2000)}`,
      `/docs/default/component/${"x".repeat(300)}/`,
    ]) {
      // As sent: fetch would resolve dot segments (also encoded ones) before they reach the server.
      expect(await rawStatus(path), path).toBe(400);
    }
    expect(await rawStatus("/docs/default/component/payments-api/%E0%A4%A")).toBe(400);
  });

  it("serves its stylesheet and script from hashed files, cached for a year", async () => {
    const html = await (await get("/docs")).text();
    const css = /href="(\/docs-assets\/docs\.[0-9a-f]{10}\.css)"/.exec(html)![1]!;
    const js = /src="(\/docs-assets\/docs\.[0-9a-f]{10}\.js)"/.exec(html)![1]!;
    const style = await get(css);
    expect(style.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(style.headers.get("cache-control")).toContain("immutable");
    expect((await get(js)).headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect((await get("/docs-assets/docs.0000000000.css")).status).toBe(404);
  });

  it("follows a borrowed site to its lender", async () => {
    library.lend({
      entityRef: "api:default/payments-rest",
      key: { namespace: "default", kind: "api", name: "payments-rest" },
      siteEntityRef: "component:default/payments-api",
      path: "architecture/overview/",
    });
    const response = await get("/docs/default/api/payments-rest/");
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(
      "/docs/default/component/payments-api/architecture/overview/",
    );
  });
});

describe("docs link previews", () => {
  const unfurl = (url: string) => registry.unfurlers.get("docs")!.unfurl(new URL(url));

  it("shows the page title, the anchor's section and its first paragraph", async () => {
    const preview = await unfurl(
      `${BASE}/docs/default/component/payments-api/runbooks/rotate-credentials/#steps`,
    );
    expect(preview!.blocks).toEqual([
      { type: "header", text: "Rotate database credentials" },
      { type: "section", text: "**Steps**" },
      { type: "section", text: "Create the new secret in Vault. Restart the pods." },
      { type: "context", text: "Payments API docs · component:default/payments-api" },
    ]);
  });

  it("shows the page's first paragraph without an anchor, and ignores other links", async () => {
    const preview = await unfurl(`${BASE}/docs/default/component/payments-api/runbooks/rotate-credentials/`);
    expect(preview!.text).toContain("Rotate the payments database password every ninety days");
    expect(await unfurl("https://elsewhere.test/docs/default/component/payments-api/")).toBeUndefined();
    expect(await unfurl(`${BASE}/docs/default/component/payments-api/missing/`)).toBeUndefined();
    expect(await unfurl(`${BASE}/docs/default/component/payments-api/%E0%A4%A`)).toBeUndefined();
  });
});
