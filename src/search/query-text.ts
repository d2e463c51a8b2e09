import type { SearchDocumentType, SearchFilters, SearchQuery } from "./search-index.ts";

/** More words than this add nothing to a chat search and only cost time. */
export const MAX_TERMS = 10;
/** Longer "words" are pasted noise (hashes, base64); cut them so the typo layer stays bounded. */
export const MAX_TERM_LENGTH = 48;
const MAX_INPUT = 2_000;
/** Values one filter takes (`owner:a,b,c`); each is another alternative FTS5 looks up and every hit is checked against. */
export const MAX_FILTER_VALUES = 20;

/**
 * Split text into search terms the way SQLite's unicode61 tokenizer (remove_diacritics 2) does: letters and
 * digits form words, everything else (punctuation, operators, emoji) separates them, case and accents fold.
 * Because only these terms ever reach an engine, no query-language syntax can.
 */
export function tokenize(text: string, maxTerms = MAX_TERMS, maxInput = MAX_INPUT): string[] {
  const cut = text.length > maxInput ? text.slice(0, maxInput) : text;
  // Most names and descriptions are ASCII; folding them needs no Unicode normalisation.
  const ascii = !/\P{ASCII}/u.test(cut);
  const folded = ascii
    ? cut.toLowerCase()
    : cut
        .normalize("NFKD")
        .replace(/\p{M}+/gu, "")
        .toLowerCase();
  const terms: string[] = [];
  for (const match of folded.matchAll(ascii ? /[a-z0-9]+/g : /[\p{L}\p{N}]+/gu)) {
    terms.push(match[0].slice(0, MAX_TERM_LENGTH));
    if (terms.length >= maxTerms) break;
  }
  return terms;
}

/** Meilisearch's default typo budget: none below 5 characters, one from 5, two from 9. */
export function typoBudget(term: string): number {
  const length = [...term].length;
  return length >= 9 ? 2 : length >= 5 ? 1 : 0;
}

const FILTER_KEYS = new Set(["kind", "owner", "tag", "lifecycle", "type"]);

export interface ParseOptions {
  /**
   * Turns an owner as typed into the form documents carry (the catalog's: `team-a` → `group:default/team-a`).
   * Search does not know what an owner is; by default the value is only trimmed and lower-cased.
   */
  ownerRef?: (typed: string) => string;
}

/**
 * Pull inline filters out of what a person typed:
 * `kafka consumer kind:api owner:team-payments tag:grpc` → q "kafka consumer" plus filters.
 * Values may be comma-separated (`kind:api,component`).
 */
export function parseSearchText(text: string, options: ParseOptions = {}): SearchQuery {
  const ownerRef = options.ownerRef ?? ((typed: string) => typed.trim().toLowerCase());
  const filters: SearchFilters = {};
  const words: string[] = [];
  for (const word of text.slice(0, MAX_INPUT).split(/\s+/)) {
    const match = /^([a-z]+):(.+)$/i.exec(word);
    const key = match?.[1]?.toLowerCase();
    if (!match || !key || !FILTER_KEYS.has(key)) {
      if (word) words.push(word);
      continue;
    }
    const values = (match[2] ?? "")
      .split(",")
      .map((v) => v.trim().replace(/^["']|["']$/g, ""))
      .filter((v) => v !== "");
    for (const value of values) addFilter(filters, key, key === "owner" ? ownerRef(value) : value);
  }
  const query: SearchQuery = { q: words.join(" ") };
  if (Object.keys(filters).length > 0) query.filters = filters;
  return query;
}

function addFilter(filters: SearchFilters, key: string, value: string): void {
  switch (key) {
    case "owner":
      push(filters, "owner", value);
      break;
    case "type": {
      const type = value.toLowerCase();
      if (type === "entity" || type === "doc") push(filters, "type", type as SearchDocumentType);
      else if (type === "docs") push(filters, "type", "doc");
      break;
    }
    case "tag":
      push(filters, "tag", value.toLowerCase());
      break;
    case "kind":
    case "lifecycle":
      push(filters, key, value.toLowerCase());
      break;
  }
}

function push<K extends keyof SearchFilters>(
  filters: SearchFilters,
  key: K,
  value: NonNullable<SearchFilters[K]>[number],
): void {
  const list = (filters[key] ?? []) as (typeof value)[];
  if (list.length < MAX_FILTER_VALUES && !list.includes(value)) list.push(value);
  (filters as Record<string, unknown>)[key] = list;
}
