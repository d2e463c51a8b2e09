/**
 * The docs as web pages: `/docs` lists every site, `/docs/<namespace>/<kind>/<name>/<path>` serves a page (or an
 * image of the site), `/docs-search/<namespace>/<kind>/<name>?q=` searches one site's sections (JSON for the
 * search box, a page without script), and the stylesheet and script come from `/docs-assets/`. A pasted docs
 * link unfurls in chat with the page's title, the section its anchor names and the first paragraph.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { DocsLibrary, SiteKey } from "../model.ts";
import { LIMITS, sitePath, siteKeyOf } from "../model.ts";
import type { Plugin } from "../../plugins/api.ts";
import { fileHeaders, jsonHeaders, pageHeaders } from "./headers.ts";
import { PageRenderer, type Rendered } from "./page-renderer.ts";
import { checkPagePath, checkSiteKey } from "./route-input.ts";
import { SectionIndex, sectionPath, snippetOf, matchRanges, termsOf } from "./section-index.ts";
import { ASSET_PREFIX, StaticAssets } from "./static-assets.ts";
import { docsLinkPreview } from "./docs-unfurl.ts";

/** Longest search query read, in characters. */
const MAX_QUERY = 200;
/** Sections a site search returns. */
const SEARCH_HITS = 12;

export interface DocsWebDeps {
  library: DocsLibrary;
  /** The public base URL: pages link under its path, and pasted links on its origin are ours. */
  baseUrl: string;
  /** Shared with the doc suggestions, so both read one index. */
  sections?: SectionIndex;
}

function send(req: IncomingMessage, res: ServerResponse, status: number, rendered: Rendered): void {
  if (status === 200 && req.headers["if-none-match"] === rendered.etag) {
    res.writeHead(304, pageHeaders({ etag: rendered.etag })).end();
    return;
  }
  res
    .writeHead(status, pageHeaders({ etag: rendered.etag, "cache-control": "no-cache" }))
    .end(req.method === "HEAD" ? undefined : rendered.html);
}

function redirect(res: ServerResponse, location: string, status = 301): void {
  res.writeHead(status, { location, "content-type": "text/plain; charset=utf-8" }).end(`See ${location}\n`);
}

function badRequest(res: ServerResponse, why: string): void {
  res.writeHead(400, { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" });
  res.end(`This is not a docs address: it needs ${why}.\n`);
}

/** The query string's `q` (first one), capped; "" when absent or malformed. */
function queryOf(req: IncomingMessage, name = "q"): string {
  const raw = req.url ?? "";
  const at = raw.indexOf("?");
  if (at === -1) return "";
  try {
    return (new URLSearchParams(raw.slice(at + 1, at + 1 + 4 * MAX_QUERY)).get(name) ?? "")
      .slice(0, MAX_QUERY)
      .trim();
  } catch {
    return "";
  }
}

export function docsWebPlugin(deps: DocsWebDeps): Plugin {
  const base = new URL(deps.baseUrl);
  const basePath = base.pathname.replace(/\/+$/, "");
  const assets = new StaticAssets();
  const renderer = new PageRenderer(deps.library, assets, basePath);
  const sections = deps.sections ?? new SectionIndex(deps.library);
  const { library } = deps;

  async function servePage(req: IncomingMessage, res: ServerResponse, params: Record<string, string>) {
    const key = checkSiteKey(params);
    if (!key.ok) return badRequest(res, key.why);
    const path = checkPagePath(params["*"]);
    if (!path.ok) return badRequest(res, path.why);
    const borrowed = library.getBorrowed(key.value);
    if (borrowed) {
      const lender = siteKeyOf(borrowed.siteEntityRef);
      return redirect(res, `${basePath}${sitePath(lender, path.value || borrowed.path)}`, 302);
    }
    const site = library.getSite(key.value);
    if (!site) return send(req, res, 404, renderer.notFound({ key: key.value, path: path.value }));
    if (path.value === "search/search_index.json") {
      const index = library.getSearchIndex(key.value);
      if (index !== undefined) {
        res.writeHead(200, jsonHeaders({ "cache-control": "no-cache" })).end(index);
        return;
      }
    }
    if (Object.hasOwn(site.assets, path.value)) return serveAsset(req, res, key.value, path.value);
    const page = library.getPage(key.value, path.value);
    if (!page || !Object.hasOwn(site.pages, page.path)) {
      return send(req, res, 404, renderer.notFound({ site, path: path.value }));
    }
    // One address per page, the one relative links in it were written for ("a/b/" resolves "../x" as mkdocs does).
    if (page.path !== path.value) return redirect(res, renderer.href(key.value, page.path));
    send(req, res, 200, renderer.page(site, page));
  }

  async function serveAsset(req: IncomingMessage, res: ServerResponse, key: SiteKey, path: string) {
    const found = await library.getAsset(key, path);
    if (!found || found.body.length > LIMITS.assetBytes) {
      res
        .writeHead(404, { "content-type": "text/plain; charset=utf-8" })
        .end("No such file in these docs.\n");
      return;
    }
    const etag = `"${found.asset.hash.slice(0, 32)}"`;
    if (req.headers["if-none-match"] === etag) {
      res.writeHead(304, fileHeaders(found.asset.contentType, { etag })).end();
      return;
    }
    res.writeHead(
      200,
      fileHeaders(found.asset.contentType, {
        etag,
        "content-length": String(found.body.length),
        "cache-control": "no-cache",
      }),
    );
    res.end(req.method === "HEAD" ? undefined : found.body);
  }

  function serveSearch(req: IncomingMessage, res: ServerResponse, params: Record<string, string>) {
    const key = checkSiteKey(params);
    if (!key.ok) return badRequest(res, key.why);
    const site = library.getSite(key.value);
    const query = queryOf(req);
    const wantsJson = queryOf(req, "format") === "json";
    if (!site) {
      if (wantsJson) {
        res.writeHead(404, jsonHeaders()).end(JSON.stringify({ error: "No docs site here.", hits: [] }));
        return;
      }
      return send(req, res, 404, renderer.notFound({ key: key.value, path: "" }));
    }
    const terms = termsOf(query, 24);
    const hits = sections.search(query, { site: site.key, limit: SEARCH_HITS, prefix: true }).map((hit) => {
      const snippet = snippetOf(hit.section.text, hit.matched);
      return {
        url: `${basePath}${sectionPath(hit.section)}`,
        heading: hit.section.heading,
        headingMatches: matchRanges(hit.section.heading, hit.matched.length ? hit.matched : terms),
        page: hit.section.pageTitle,
        snippet: snippet.text,
        snippetMatches: snippet.ranges,
      };
    });
    if (wantsJson) {
      res.writeHead(200, jsonHeaders({ "cache-control": "no-cache" })).end(JSON.stringify({ query, hits }));
      return;
    }
    send(req, res, 200, renderer.search(site, query, hits));
  }

  return {
    id: "docs-web",
    register(api) {
      api.addHttpRoute({
        method: "GET",
        path: `${basePath}/docs`,
        handler: (req, res) => send(req, res, 200, renderer.index(queryOf(req))),
      });
      // Addresses short of a site: the 404 that offers the sites closest to what was typed.
      for (const partial of ["/docs/:namespace", "/docs/:namespace/:kind"]) {
        api.addHttpRoute({
          method: "GET",
          path: `${basePath}${partial}`,
          handler: (req, res, { params }) => {
            const asked = (params.kind ?? params.namespace ?? "").slice(0, 253);
            send(req, res, 404, renderer.notFound({ path: asked }));
          },
        });
      }
      // Without the trailing slash a site's home would resolve its relative links one level up.
      api.addHttpRoute({
        method: "GET",
        path: `${basePath}/docs/:namespace/:kind/:name`,
        handler: (req, res, { params }) => {
          const key = checkSiteKey(params);
          if (!key.ok) return badRequest(res, key.why);
          redirect(res, renderer.href(key.value));
        },
      });
      api.addHttpRoute({
        method: "GET",
        path: `${basePath}/docs/:namespace/:kind/:name/*`,
        handler: (req, res, { params }) => servePage(req, res, params),
      });
      api.addHttpRoute({
        method: "GET",
        path: `${basePath}/docs-search/:namespace/:kind/:name`,
        handler: (req, res, { params }) => serveSearch(req, res, params),
      });
      api.addHttpRoute({
        method: "GET",
        path: `${basePath}${ASSET_PREFIX}/:file`,
        handler: (req, res, { params }) => {
          const asset = assets.get(params.file ?? "");
          if (!asset) {
            res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("No such asset.\n");
            return;
          }
          res.writeHead(200, {
            "content-type": asset.contentType,
            "cache-control": "public, max-age=31536000, immutable",
            "x-content-type-options": "nosniff",
          });
          res.end(asset.body);
        },
      });
      api.addLinkUnfurler({
        id: "docs",
        unfurl: async (url) => docsLinkPreview(library, base, url),
      });
    },
  };
}
