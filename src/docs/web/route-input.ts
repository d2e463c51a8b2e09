/**
 * Checks what a request names before anything looks it up. Sites, pages and assets are found by exact key in
 * memory, never by touching the file system here, but the keys still come from a stranger: a path that tries
 * to climb (`..`, also when encoded), carries control characters or backslashes, or is far longer than any
 * real page is refused up front, so nothing downstream has to think about it.
 */
import type { SiteKey } from "../model.ts";

/** Longest page path accepted, in characters: real ones are a few dozen. */
export const MAX_PAGE_PATH = 1024;
/** Longest namespace, kind or name: Backstage's own limits are 63 and 253. */
const MAX_NAME = 253;
/** Keys JavaScript objects answer for without holding them. */
const INHERITED = new Set(["__proto__", "constructor", "prototype"]);

export type Checked<T> = { ok: true; value: T } | { ok: false; why: string };

/** The site a request names (lower-case, as in the URL), or why it cannot name one. */
export function checkSiteKey(params: Record<string, string>): Checked<SiteKey> {
  const parts = [params.namespace, params.kind, params.name];
  for (const part of parts) {
    if (typeof part !== "string" || part.length === 0 || part.length > MAX_NAME) {
      return { ok: false, why: "a namespace, kind and name of 1 to 253 characters" };
    }
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(part) || INHERITED.has(part)) {
      return {
        ok: false,
        why: "letters, digits, dots, dashes and underscores in the namespace, kind and name",
      };
    }
  }
  const [namespace, kind, name] = parts.map((p) => p!.toLowerCase()) as [string, string, string];
  return { ok: true, value: { namespace, kind, name } };
}

/** A page or asset path within a site ("" for its home), or why it is refused. */
export function checkPagePath(path: string | undefined): Checked<string> {
  const value = path ?? "";
  if (value.length > MAX_PAGE_PATH)
    return { ok: false, why: `a path of at most ${MAX_PAGE_PATH} characters` };
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f\\]/.test(value))
    return { ok: false, why: "no control characters or backslashes" };
  const segments = value.split("/");
  if (value.startsWith("/") || segments.some((s) => s === "." || s === ".." || INHERITED.has(s))) {
    return { ok: false, why: "a path inside the site (no `.`, `..` or leading `/`)" };
  }
  return { ok: true, value };
}
