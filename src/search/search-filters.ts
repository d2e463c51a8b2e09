/**
 * Filters for the embedded engine. Each filterable value of a document becomes one opaque token in a hidden
 * FTS column, so a filter is one more AND clause that FTS5 intersects inside its index: no join with the
 * documents table, which was the slow part (p99 ~250 ms at 120k documents when the match set was large).
 */
import type { SearchDocument, SearchFilters } from "./search-index.ts";

type FilterKey = keyof SearchFilters;

/** FNV-1a over two lanes: 52 bits is plenty for tokens, and results are re-checked with matchesFilters. */
function hash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x5bd1e995) >>> 0;
  }
  return ((a >>> 0) * 2 ** 20 + (b >>> 12)).toString(36);
}

/**
 * Tokens already made: a catalog has few distinct kinds, owners, lifecycles and tags, and hashing them again
 * for every document was ~0.3 s of a 100k-entity index write. Bounded, so odd input cannot grow it forever.
 */
const made = new Map<string, string>();
const MADE_LIMIT = 50_000;

/** Tokens start with "zzf" plus digits and letters only, so unicode61 keeps each one whole. */
export function facetToken(key: FilterKey, value: string): string {
  const text = `${key}=${value.toLowerCase()}`;
  let token = made.get(text);
  if (token === undefined) {
    token = `zzf${hash(text)}`;
    if (made.size >= MADE_LIMIT) made.clear();
    made.set(text, token);
  }
  return token;
}

export function facetTokens(doc: SearchDocument): string[] {
  const tokens = [facetToken("type", doc.type), facetToken("kind", doc.kind)];
  if (doc.owner) tokens.push(facetToken("owner", doc.owner));
  if (doc.lifecycle) tokens.push(facetToken("lifecycle", doc.lifecycle));
  for (const tag of doc.tags) tokens.push(facetToken("tag", tag));
  return tokens;
}

function values(filters: SearchFilters | undefined, key: FilterKey): string[] {
  const list = filters?.[key];
  return Array.isArray(list) ? list.filter((v): v is NonNullable<typeof v> => typeof v === "string") : [];
}

const KEYS: FilterKey[] = ["type", "kind", "owner", "lifecycle", "tag"];

/** An FTS5 expression over the facets column, or undefined when there are no filters. */
export function filterExpression(filters: SearchFilters | undefined): string | undefined {
  const clauses: string[] = [];
  for (const key of KEYS) {
    const list = values(filters, key);
    if (list.length > 0) clauses.push(`(${list.map((v) => `"${facetToken(key, v)}"`).join(" OR ")})`);
  }
  return clauses.length === 0 ? undefined : `{facets} : (${clauses.join(" AND ")})`;
}

export function matchesFilters(doc: SearchDocument, filters: SearchFilters | undefined): boolean {
  const lower = (v: string | undefined) => v?.toLowerCase();
  const check = (key: FilterKey, actual: (string | undefined)[]) => {
    const list = values(filters, key).map((v) => v.toLowerCase());
    return list.length === 0 || actual.some((a) => a !== undefined && list.includes(a));
  };
  return (
    check("type", [doc.type]) &&
    check("kind", [lower(doc.kind)]) &&
    check("owner", [lower(doc.owner)]) &&
    check("lifecycle", [lower(doc.lifecycle)]) &&
    check(
      "tag",
      doc.tags.map((t) => t.toLowerCase()),
    )
  );
}
