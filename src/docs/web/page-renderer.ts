/**
 * Lays out built pages, the /docs index, search results and the helpful 404 with eta templates. The page body
 * is the builder's sanitised HTML and goes in as is; everything else is escaped by the templates. A rendered
 * page is kept until its site is rebuilt, so serving one is a map lookup.
 */
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { Eta } from "eta";
import type { BuiltPage, BuiltSite, DocsLibrary, SiteKey } from "../model.ts";
import { sitePath } from "../model.ts";
import { closeMatches } from "./close-matches.ts";
import { placeOf, readingOrder } from "./site-navigation.ts";
import type { StaticAssets } from "./static-assets.ts";

export interface Rendered {
  html: string;
  /** Strong validator: the same text gives the same tag. */
  etag: string;
}

export interface SearchHitView {
  url: string;
  heading: string;
  page: string;
  snippet: string;
}

/** Rendered pages kept at most; a site's go when it is rebuilt. */
const CACHE_LIMIT = 2000;

const keyText = (key: SiteKey) => `${key.namespace}/${key.kind}/${key.name}`;

function etagOf(html: string): string {
  return `"${createHash("sha1").update(html).digest("base64url")}"`;
}

export class PageRenderer {
  private readonly eta = new Eta({
    views: fileURLToPath(new URL("./views", import.meta.url)),
    autoEscape: true,
    cache: true,
  });
  private readonly cache = new Map<string, Rendered>();

  constructor(
    private readonly library: DocsLibrary,
    private readonly assets: StaticAssets,
    /** The server's base path ("" or "/callboard"), which every URL on a page starts with. */
    private readonly basePath: string,
  ) {
    library.subscribe(() => this.cache.clear());
  }

  /** The URL path of a page of a site. */
  href(key: SiteKey, pagePath = ""): string {
    return `${this.basePath}${sitePath(key, pagePath)}`;
  }

  searchHref(key: SiteKey): string {
    return `${this.basePath}/docs-search/${encodeURIComponent(key.namespace)}/${encodeURIComponent(key.kind)}/${encodeURIComponent(key.name)}`;
  }

  get indexHref(): string {
    return `${this.basePath}/docs`;
  }

  private common(site: BuiltSite | undefined) {
    return {
      cssUrl: this.assets.url(this.basePath, this.assets.css),
      jsUrl: this.assets.url(this.basePath, this.assets.js),
      indexUrl: this.indexHref,
      site: site
        ? { name: site.siteName, homeUrl: this.href(site.key), searchUrl: this.searchHref(site.key) }
        : undefined,
    };
  }

  page(site: BuiltSite, page: BuiltPage): Rendered {
    const cacheKey = `${keyText(site.key)}|${site.sourceHash}|${page.path}`;
    const kept = this.cache.get(cacheKey);
    if (kept) return kept;
    const place = placeOf(site, page.path, (path) => this.href(site.key, path));
    const neighbour = (n: { title: string; path: string } | undefined) =>
      n ? { title: n.title, href: this.href(site.key, n.path) } : undefined;
    const html = this.eta.render("./page", {
      ...this.common(site),
      title: page.path === "" ? site.siteName : `${page.title} · ${site.siteName}`,
      description: page.summary || site.description,
      nav: place.nav,
      breadcrumbs: place.breadcrumbs,
      previous: neighbour(place.previous),
      next: neighbour(place.next),
      toc: page.toc.length === 1 && page.toc[0]!.level === 1 ? page.toc[0]!.children : page.toc,
      html: page.html,
      editUrl: page.editUrl && /^https?:\/\//i.test(page.editUrl) ? page.editUrl : undefined,
    });
    const rendered = { html, etag: etagOf(html) };
    if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(cacheKey, rendered);
    return rendered;
  }

  /** Every site, with the ones matching `query` shown (the page's filter box refines it in the browser). */
  index(query: string): Rendered {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean).slice(0, 20);
    const sites = this.library
      .listSites()
      .slice()
      .sort((a, b) => a.siteName.localeCompare(b.siteName))
      .map((site) => {
        const owner = site.owner?.replace(/^group:default\//, "").replace(/^user:default\//, "");
        const filterText = [
          site.siteName,
          site.entityTitle,
          site.description ?? "",
          site.owner ?? "",
          site.entityRef,
        ]
          .join(" ")
          .toLowerCase();
        return {
          name: site.siteName,
          description: site.description,
          owner,
          ref: site.entityRef,
          href: this.href(site.key),
          pages: Object.keys(site.pages).length,
          filterText,
          shown: words.every((w) => filterText.includes(w)),
        };
      });
    const html = this.eta.render("./index", {
      ...this.common(undefined),
      title: "Documentation",
      sites,
      query,
      shownCount: sites.filter((s) => s.shown).length,
    });
    return { html, etag: etagOf(html) };
  }

  search(site: BuiltSite, query: string, hits: SearchHitView[]): Rendered {
    const html = this.eta.render("./search", {
      ...this.common(site),
      title: `Search ${site.siteName}`,
      query,
      hits,
    });
    return { html, etag: etagOf(html) };
  }

  /**
   * The 404: what was asked for, the pages of the site closest to it (or the sites closest to the name asked
   * for, when there is no such site), and the way home.
   */
  notFound(asked: { site?: BuiltSite; key?: SiteKey; path: string }): Rendered {
    const { site } = asked;
    let message: string;
    let pages: { title: string; href: string }[] = [];
    let sites: { title: string; href: string }[] = [];
    if (site) {
      message = `${site.siteName} has no page at “${asked.path}”.`;
      const order = readingOrder(site);
      pages = closeMatches(asked.path, order, (p) => `${p.path} ${p.title}`).map((p) => ({
        title: p.title,
        href: this.href(site.key, p.path),
      }));
    } else {
      const named = asked.key
        ? `${asked.key.kind}:${asked.key.namespace}/${asked.key.name}`
        : `“${asked.path}”`;
      message = `There are no docs for ${named}.`;
      const all = this.library.listSites();
      sites = closeMatches(asked.key?.name ?? asked.path, all, (s) => `${s.key.name} ${s.siteName}`).map(
        (s) => ({
          title: `${s.siteName} (${s.entityRef})`,
          href: this.href(s.key),
        }),
      );
    }
    const html = this.eta.render("./not-found", {
      ...this.common(site),
      title: "Page not found",
      message,
      pages,
      sites,
    });
    return { html, etag: etagOf(html) };
  }
}
