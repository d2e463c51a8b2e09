/**
 * The docs pages' own stylesheet and script, served as files under names that carry their content hash, so a
 * browser keeps them for a year and a new version is a new URL. Being files (not inline) is what lets the
 * pages' Content-Security-Policy forbid every inline script and style.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

export interface StaticAsset {
  /** The served file name, e.g. "docs.3f2a9c1b0d.css". */
  name: string;
  contentType: string;
  body: Buffer;
}

/** Where the assets are served: a prefix of its own, apart from the sites under /docs/. */
export const ASSET_PREFIX = "/docs-assets";

function load(file: string, contentType: string): StaticAsset {
  const body = readFileSync(new URL(`./assets/${file}`, import.meta.url));
  const hash = createHash("sha256").update(body).digest("hex").slice(0, 10);
  const dot = file.lastIndexOf(".");
  return { name: `${file.slice(0, dot)}.${hash}${file.slice(dot)}`, contentType, body };
}

export class StaticAssets {
  readonly css = load("docs.css", "text/css; charset=utf-8");
  readonly js = load("docs.js", "text/javascript; charset=utf-8");
  private readonly byName = new Map([this.css, this.js].map((a) => [a.name, a]));

  /** The URL path of an asset, under the server's base path. */
  url(basePath: string, asset: StaticAsset): string {
    return `${basePath}${ASSET_PREFIX}/${asset.name}`;
  }

  get(name: string): StaticAsset | undefined {
    return this.byName.get(name);
  }
}
