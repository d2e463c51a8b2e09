/**
 * Links and image paths as mkdocs resolves them: relative to the markdown file they are written in, `page.md`
 * and `page.md#anchor` to that page's directory URL, images and other files to where they are served. The
 * result is relative to the page's own URL, as mkdocs writes it, so a site works wherever it is mounted.
 * Nothing may point outside the docs: such a link loses its target and the site gets a note.
 */
import { posix } from "node:path";

/** What a site holds, by source path relative to the docs root (posix, no leading slash). */
export interface LinkTargets {
  /** Markdown source path → served page path ("guides/setup.md" → "guides/setup/"). */
  pages: ReadonlyMap<string, string>;
  /** Served asset paths (the same as their source paths). */
  assets: ReadonlySet<string>;
}

export type LinkResult =
  | { kind: "keep" }
  | { kind: "rewrite"; url: string }
  | { kind: "drop"; reason: string }
  | { kind: "broken"; reason: string; url: string };

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** Served page path of a markdown source path: `a/b.md` → `a/b/`, `a/index.md` and `a/README.md` → `a/`. */
export function pagePathOf(source: string): string {
  const dir = posix.dirname(source);
  const base = posix.basename(source).replace(/\.(md|markdown)$/i, "");
  const folder = dir === "." ? "" : `${dir}/`;
  if (base === "index" || base.toLowerCase() === "readme") return folder;
  return `${folder}${base}/`;
}

/** A path from the page at served path `from` (a directory URL) to served path `to`. */
export function relativeUrl(from: string, to: string): string {
  const fromParts = from.split("/").filter(Boolean);
  const toParts = to.split("/").filter(Boolean);
  let common = 0;
  while (common < fromParts.length && common < toParts.length - (to.endsWith("/") ? 0 : 1)) {
    if (fromParts[common] !== toParts[common]) break;
    common++;
  }
  const ups = "../".repeat(fromParts.length - common);
  const rest = toParts.slice(common).map(encodeURIComponent).join("/");
  const tail = rest === "" ? "" : to.endsWith("/") ? `${rest}/` : rest;
  return ups + tail || "./";
}

/**
 * Resolve `href` written in the markdown file at `source` (whose page is served at `page`). Absolute URLs,
 * fragments and site-absolute paths are kept (the sanitiser decides which schemes survive).
 */
export function resolveLink(href: string, source: string, page: string, targets: LinkTargets): LinkResult {
  const trimmed = href.trim();
  if (trimmed === "" || trimmed.startsWith("#") || trimmed.startsWith("/") || SCHEME.test(trimmed)) {
    return { kind: "keep" };
  }
  const hashAt = trimmed.indexOf("#");
  const beforeHash = hashAt < 0 ? trimmed : trimmed.slice(0, hashAt);
  const fragment = hashAt < 0 ? "" : trimmed.slice(hashAt);
  const queryAt = beforeHash.indexOf("?");
  const pathPart = queryAt < 0 ? beforeHash : beforeHash.slice(0, queryAt);
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathPart);
  } catch {
    return { kind: "drop", reason: `the link "${short(href)}" is not a valid URL path` };
  }
  if (decoded.includes("\\") || decoded.includes("\0")) {
    return { kind: "drop", reason: `the link "${short(href)}" has a backslash or NUL in its path` };
  }
  const joined = posix.normalize(posix.join(posix.dirname(source), decoded));
  if (joined === ".." || joined.startsWith("../") || posix.isAbsolute(joined)) {
    return { kind: "drop", reason: `the link "${short(href)}" points outside the docs folder` };
  }
  const target = joined === "." ? "" : joined.replace(/\/$/, "");
  const isFolder = decoded.endsWith("/") || target === "";
  const targetPage =
    targets.pages.get(target) ??
    (isFolder || !/\.[^/]*$/.test(target)
      ? (targets.pages.get(posix.join(target, "index.md")) ??
        targets.pages.get(posix.join(target, "README.md")))
      : undefined);
  if (targetPage !== undefined) return { kind: "rewrite", url: relativeUrl(page, targetPage) + fragment };
  if (targets.assets.has(target)) return { kind: "rewrite", url: relativeUrl(page, target) + fragment };
  return {
    kind: "broken",
    reason: `the link "${short(href)}" names ${target || "the docs root"}, which is not in the docs`,
    url: trimmed,
  };
}

function short(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
