import { SortedStrings } from "../../text/sorted-strings.ts";
import { lowerBound, typoNeighbours } from "../../text/typo-neighbours.ts";

const ALREADY_NORMAL = /^[a-z0-9.]+(?:-[a-z0-9.]+)*$/;

/**
 * Folds what people type into the shape entity names have: lower case, and runs of spaces,
 * underscores and other punctuation become one hyphen, so "Payments API" and "payments_api" both
 * meet `payments-api`.
 */
export function normaliseName(text: string): string {
  // Most names are already in shape; skip the replacements for them (this runs once per entity on load).
  if (ALREADY_NORMAL.test(text)) return text;
  return text
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

export interface NearName {
  /** The normalised key that matched. */
  key: string;
  refs: readonly string[];
  distance: number;
  /** The query is a prefix of the key (distance is then the length difference). */
  prefix: boolean;
}

const MAX_TYPOS = 2;
/** Prefix matches looked at before ranking; a one-letter prefix must not walk the whole catalog. */
const PREFIX_SCAN = 200;
/** Typo matches looked at before ranking, closest first: a short query can be near thousands of names. */
const TYPO_SCAN = 200;

/**
 * Changes this many, or an eighth of the keys if more, are merged into the sorted keys by the writer, not by
 * the next reader: a reader's merge stays small (sorting under an eighth of the keys), and a load in pages
 * merges a geometric series of times, not once a page.
 */
const SETTLE_BATCH = 1_000;
const SETTLE_SHARE = 8;

/**
 * Names to refs, exact and normalised (names and titles), with the keys kept sorted for prefix and typo
 * lookups. Exact lookups are one Map hit; typo lookups walk the sorted keys with pruning. A change to the
 * catalog merges its keys into the sorted ones (sorted-strings.ts): the next lookup after a webhook pays a
 * linear merge, not a sort of every key.
 */
export class NameIndex {
  /** A lone ref is kept as itself, not in a one-element array: nearly every name has exactly one. */
  private readonly exact = new Map<string, Refs>();
  private readonly normalised = new Map<string, Refs>();
  private readonly sorted = new SortedStrings();

  add(ref: string, name: string, title?: string): void {
    push(this.exact, name.toLowerCase(), ref);
    for (const key of this.keysFor(name, title)) {
      if (push(this.normalised, key, ref)) this.sorted.add(key);
    }
  }

  remove(ref: string, name: string, title?: string): void {
    pull(this.exact, name.toLowerCase(), ref);
    for (const key of this.keysFor(name, title)) {
      if (pull(this.normalised, key, ref)) this.sorted.delete(key);
    }
  }

  /**
   * The writer calls this at the end of a batch: a large batch (an import) is merged now, on the ingest
   * path whose cost it is, so the first command after it does not pay for it; `all` merges whatever waits
   * (the end of a load in pages).
   */
  settle(all = false): void {
    if (all) return this.sorted.settle();
    if (this.sorted.pending >= Math.max(SETTLE_BATCH, this.normalised.size / SETTLE_SHARE))
      this.sorted.settle();
  }

  /** Refs whose metadata.name equals `name`, ignoring case. */
  byName(name: string): readonly string[] {
    return list(this.exact.get(name.trim().toLowerCase()));
  }

  /** Refs whose name or title normalises to the same key as `text`. */
  byNormalised(text: string): readonly string[] {
    return list(this.normalised.get(normaliseName(text)));
  }

  /** Keys starting with the normalised `prefix`, in sorted order, at most `limit`. */
  withPrefix(prefix: string, limit: number): Array<{ key: string; refs: readonly string[] }> {
    const sorted = this.sortedKeys();
    const wanted = normaliseName(prefix);
    const out: Array<{ key: string; refs: readonly string[] }> = [];
    for (let i = lowerBound(sorted, wanted); i < sorted.length && out.length < limit; i++) {
      const key = sorted[i]!;
      if (!key.startsWith(wanted)) break;
      out.push({ key, refs: list(this.normalised.get(key)) });
    }
    return out;
  }

  /**
   * Keys within two edits (Damerau-Levenshtein, optimal string alignment) of `text`, or that it starts,
   * best first. Short queries get one edit: two edits from a four-letter word reach half the catalog.
   */
  near(text: string, limit: number): NearName[] {
    const query = normaliseName(text);
    if (query.length === 0) return [];
    const found = new Map<string, NearName>();

    if (query.length >= 2) {
      for (const { key, refs } of this.withPrefix(query, PREFIX_SCAN)) {
        if (key === query) continue;
        found.set(key, { key, refs, distance: key.length - query.length, prefix: true });
      }
    }

    const budget = Math.min(MAX_TYPOS, Math.max(1, Math.floor(query.length / 3)));
    for (const [key, distance] of this.typos(query, budget, Math.max(limit, TYPO_SCAN))) {
      const seen = found.get(key);
      if (!seen || distance < seen.distance || seen.prefix) {
        found.set(key, { key, refs: list(this.normalised.get(key)), distance, prefix: false });
      }
    }

    return [...found.values()]
      .sort((a, b) => rank(a) - rank(b) || a.key.length - b.key.length || (a.key < b.key ? -1 : 1))
      .slice(0, limit);
  }

  private keysFor(name: string, title: string | undefined): string[] {
    const keys = [normaliseName(name)];
    if (title) {
      const key = normaliseName(title);
      if (key.length > 0 && key !== keys[0]) keys.push(key);
    }
    return keys;
  }

  private sortedKeys(): readonly string[] {
    return this.sorted.view();
  }

  /** The `limit` closest keys within `budget` edits of `query` (the search index's pruned walk over sorted terms). */
  private typos(query: string, budget: number, limit: number): Array<[string, number]> {
    return typoNeighbours(this.sortedKeys(), query, budget, limit).map((c) => [c.term, c.distance]);
  }
}

/** A name the query starts counts like one typo: "checkout" should offer checkout-web before far typos. */
function rank(near: NearName): number {
  return near.prefix ? 1 : near.distance;
}

type Refs = string | string[];

function list(refs: Refs | undefined): readonly string[] {
  return refs === undefined ? [] : typeof refs === "string" ? [refs] : refs;
}

/** Adds `ref` under `key`; true when the key is new to the map. */
function push(map: Map<string, Refs>, key: string, ref: string): boolean {
  const refs = map.get(key);
  if (refs === undefined) {
    map.set(key, ref);
    return true;
  }
  if (typeof refs === "string") {
    if (refs !== ref) map.set(key, [refs, ref]);
  } else if (!refs.includes(ref)) refs.push(ref);
  return false;
}

/** Takes `ref` from under `key`; true when the key has left the map. */
function pull(map: Map<string, Refs>, key: string, ref: string): boolean {
  const refs = map.get(key);
  if (refs === undefined) return false;
  if (typeof refs === "string") {
    if (refs !== ref) return false;
    map.delete(key);
    return true;
  }
  const at = refs.indexOf(ref);
  if (at !== -1) refs.splice(at, 1);
  if (refs.length === 1) map.set(key, refs[0]!);
  else if (refs.length === 0) {
    map.delete(key);
    return true;
  }
  return false;
}
