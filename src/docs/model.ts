/**
 * The built-site model: what the docs build produces and what the serving half (page layouts, /docs routes,
 * unfurls, suggestions) renders. It is plain data, serialisable as JSON, so built output can be persisted and
 * read back after a restart without rebuilding. The builder owns writing it; everything else only reads it,
 * through DocsLibrary.
 */

/** Where a note came from and how bad it is. Notes are shown to operators (logs, `docs rebuild`), not readers. */
export interface BuildNote {
  level: "info" | "warning" | "error";
  /** What happened and what to do, naming the file (relative to the docs root), line or field. */
  message: string;
  /** File relative to the site's root folder (where mkdocs.yml is), when the note is about one. */
  file?: string;
  line?: number;
}

/** One entry of a site's navigation, in order. */
export interface NavItem {
  title: string;
  /** A page of this site: its served path (a key of BuiltSite.pages), e.g. "guides/setup/" or "" for home. */
  path?: string;
  /** An external link (http/https/mailto only); exclusive with `path`. */
  url?: string;
  /** A section: its entries. A section has no page of its own (no `path`). */
  children?: NavItem[];
}

/** One heading in a page's table of contents (h2..h6 nest under the nearest shallower heading). */
export interface TocEntry {
  /** 1..6 */
  level: number;
  /** The anchor: Python-Markdown toc slugify, duplicates `_1`, `_2` — exactly as mkdocs. */
  id: string;
  /** Heading text as plain text. */
  title: string;
  children: TocEntry[];
}

/** A searchable part of a page: the text from one heading up to the next (the first one is the page intro). */
export interface DocSection {
  /** Heading anchor; "" for the text before the first heading (the page itself). */
  anchor: string;
  /** Heading text; the page title for the intro section. */
  heading: string;
  /** Heading level (0 for the intro). */
  level: number;
  /** Plain text of the section, whitespace collapsed, capped (see LIMITS.sectionTextChars). */
  text: string;
}

export interface BuiltPage {
  /** Served path, mkdocs directory URLs: `guides/setup.md` → `guides/setup/`, `index.md` → ``, `a/index.md` → `a/`. */
  path: string;
  /** Nav title if the nav names one, else the first h1, else the file name. */
  title: string;
  /**
   * Sanitised HTML of the page body (no layout). Links and images are relative to the page's directory URL, as
   * mkdocs writes them, so serve the page at its path with the trailing slash.
   */
  html: string;
  toc: TocEntry[];
  sections: DocSection[];
  /** "Edit this page" link, when repo_url/edit_uri are known. */
  editUrl?: string;
  /** The markdown file, relative to the site's docs_dir (for monorepo sub-sites: `<prefix>/<file>`). */
  sourcePath: string;
  /** sha256 of the source file content (incremental builds). */
  hash: string;
  /** Plain text of the first paragraph, for unfurls and link previews (capped). */
  summary: string;
}

/** An image or other static file from docs_dir, served as is under the site. */
export interface BuiltAsset {
  /** Served path relative to the site root, e.g. "img/diagram.png" or "guides/img/x.svg". */
  path: string;
  /** From the file extension, one of ASSET_TYPES; anything else is not copied (a note says so). */
  contentType: string;
  size: number;
  /** sha256 of the content. */
  hash: string;
}

/** The identity of the entity that owns a site: lower-case triplet, as in the URL `/docs/<ns>/<kind>/<name>/`. */
export interface SiteKey {
  namespace: string;
  kind: string;
  name: string;
}

export interface BuiltSite {
  /** Canonical entity ref of the entity whose techdocs-ref was built, e.g. "component:default/payments-api". */
  entityRef: string;
  key: SiteKey;
  siteName: string;
  description?: string;
  repoUrl?: string;
  /** Owner ref of the entity (for /docs listing and filters), when known. */
  owner?: string;
  /** Entity title (falls back to its name). */
  entityTitle: string;
  nav: NavItem[];
  /** Pages by served path. Order of insertion is nav order, then the rest by file order. */
  pages: Record<string, BuiltPage>;
  /** Assets by served path. Content is read with DocsLibrary.getAsset. */
  assets: Record<string, BuiltAsset>;
  notes: BuildNote[];
  /** Hash over every source file and the config: unchanged means the site is not rebuilt. */
  sourceHash: string;
  /** ISO time of the last build that changed something. */
  builtAt: string;
}

/**
 * An entity that borrows another entity's docs (`backstage.io/techdocs-entity`): no second build, links go to
 * the owner's site (at `path`, from `backstage.io/techdocs-entity-path`, "" for home).
 */
export interface BorrowedDocs {
  entityRef: string;
  key: SiteKey;
  /** The entity whose site is shown. */
  siteEntityRef: string;
  /** Served page path within that site. */
  path: string;
}

/** Served URL path of a page, under the HTTP server's base URL: `/docs/<ns>/<kind>/<name>/<path>`. */
export function sitePath(key: SiteKey, pagePath = ""): string {
  const seg = (s: string) => encodeURIComponent(s.toLowerCase());
  return `/docs/${seg(key.namespace)}/${seg(key.kind)}/${seg(key.name)}/${pagePath}`;
}

/** Site key of a canonical ref "kind:namespace/name". */
export function siteKeyOf(entityRef: string): SiteKey {
  const colon = entityRef.indexOf(":");
  const slash = entityRef.indexOf("/", colon + 1);
  return {
    kind: entityRef.slice(0, colon).toLowerCase(),
    namespace: entityRef.slice(colon + 1, slash).toLowerCase(),
    name: entityRef.slice(slash + 1).toLowerCase(),
  };
}

/** Content types the docs serve for assets; anything else in docs_dir is ignored. */
export const ASSET_TYPES: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
  ".pdf": "application/pdf",
  ".txt": "text/plain; charset=utf-8",
};

export const LIMITS = {
  /** A markdown page larger than this is refused with a note, not read. */
  pageBytes: 1024 * 1024,
  /** An asset larger than this is refused with a note, not copied. */
  assetBytes: 5 * 1024 * 1024,
  /** mkdocs.yml larger than this is refused. */
  configBytes: 256 * 1024,
  /** Files in one site's docs_dir (pages + assets); the rest is refused with a note. */
  filesPerSite: 5000,
  /** Nav nesting deeper than this is cut with a note. */
  navDepth: 10,
  /** Text kept per section (for search and snippets). */
  sectionTextChars: 4000,
  summaryChars: 300,
} as const;

/** What changed in the library, for subscribers (page cache, index, unfurl cache). */
export interface DocsChange {
  /** Sites built or rebuilt (entity refs). */
  changed: string[];
  /** Sites removed (entity no longer has docs). */
  removed: string[];
}

/** The read side of built docs: what the serving half uses. All reads are from memory. */
export interface DocsLibrary {
  /** Every built site (no borrowed entries), for the /docs index. */
  listSites(): BuiltSite[];
  /** A site by its owner's entity ref or its URL key; borrowed entries resolve to the lender's site. */
  getSite(refOrKey: string | SiteKey): BuiltSite | undefined;
  /** Borrowing: where an entity's docs link goes, when it has `backstage.io/techdocs-entity`. */
  getBorrowed(refOrKey: string | SiteKey): BorrowedDocs | undefined;
  /** A page by served path; also accepts the path without its trailing slash and "index.html" forms. */
  getPage(site: SiteKey, path: string): BuiltPage | undefined;
  /** An asset's bytes and content type, undefined when unknown or no longer readable. */
  getAsset(site: SiteKey, path: string): Promise<{ asset: BuiltAsset; body: Buffer } | undefined>;
  /** The site's mkdocs search_index.json, as written. */
  getSearchIndex(site: SiteKey): string | undefined;
  /** Called after each build that changed something; returns an unsubscribe. */
  subscribe(listener: (change: DocsChange) => void): () => void;
}
