import { boundedEditDistance } from "./edit-distance.ts";

/**
 * Folds what people type into the shape entity names have: lower case, and runs of spaces,
 * underscores and other punctuation become one hyphen, so "Payments API" and "payments_api" both
 * meet `payments-api`.
 */
export function normaliseName(text: string): string {
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

/** 32 bits standing for which characters occur: letters one bit each, digits and punctuation share bits. */
function charMask(key: string): number {
  let mask = 0;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    const bit = c >= 97 && c <= 122 ? c - 97 : c >= 48 && c <= 57 ? 26 + ((c - 48) % 5) : 31;
    mask |= 1 << bit;
  }
  return mask;
}

function popcount(value: number): number {
  let v = value - ((value >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

interface LengthBucket {
  keys: string[];
  masks: Int32Array;
}

/**
 * Names to refs, exact and normalised, with a typo index built on demand. Exact lookups are one Map
 * hit; the typo scan only visits names within two characters of the query's length, and skips most of
 * those with a character-set mask (two edits change at most four bits) before computing a distance.
 */
export class NameIndex {
  private readonly exact = new Map<string, string[]>();
  private readonly normalised = new Map<string, string[]>();
  private buckets: Map<number, LengthBucket> | undefined;
  private sorted: string[] | undefined;

  add(ref: string, name: string, title?: string): void {
    push(this.exact, name.toLowerCase(), ref);
    for (const key of this.keysFor(name, title)) push(this.normalised, key, ref);
    this.invalidate();
  }

  remove(ref: string, name: string, title?: string): void {
    pull(this.exact, name.toLowerCase(), ref);
    for (const key of this.keysFor(name, title)) pull(this.normalised, key, ref);
    this.invalidate();
  }

  /** Refs whose metadata.name equals `name`, ignoring case. */
  byName(name: string): readonly string[] {
    return this.exact.get(name.trim().toLowerCase()) ?? [];
  }

  /** Refs whose name or title normalises to the same key as `text`. */
  byNormalised(text: string): readonly string[] {
    return this.normalised.get(normaliseName(text)) ?? [];
  }

  /** Keys starting with the normalised `prefix`, in sorted order, at most `limit`. */
  withPrefix(prefix: string, limit: number): Array<{ key: string; refs: readonly string[] }> {
    const sorted = this.sortedKeys();
    const wanted = normaliseName(prefix);
    const out: Array<{ key: string; refs: readonly string[] }> = [];
    for (let i = lowerBound(sorted, wanted); i < sorted.length && out.length < limit; i++) {
      const key = sorted[i]!;
      if (!key.startsWith(wanted)) break;
      out.push({ key, refs: this.normalised.get(key) ?? [] });
    }
    return out;
  }

  /** Keys within two edits of `text`, or that it starts, best first. */
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
    const queryMask = charMask(query);
    const buckets = this.lengthBuckets();
    for (let length = query.length - budget; length <= query.length + budget; length++) {
      const bucket = buckets.get(length);
      if (!bucket) continue;
      const { keys, masks } = bucket;
      for (let i = 0; i < keys.length; i++) {
        if (popcount(masks[i]! ^ queryMask) > budget * 2) continue;
        const key = keys[i]!;
        if (key === query) continue;
        const distance = boundedEditDistance(query, key, budget);
        if (distance > budget) continue;
        const seen = found.get(key);
        if (!seen || distance < seen.distance) {
          found.set(key, { key, refs: this.normalised.get(key) ?? [], distance, prefix: false });
        }
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

  private invalidate(): void {
    this.buckets = undefined;
    this.sorted = undefined;
  }

  private sortedKeys(): string[] {
    this.sorted ??= [...this.normalised.keys()].sort();
    return this.sorted;
  }

  private lengthBuckets(): Map<number, LengthBucket> {
    if (this.buckets) return this.buckets;
    const grouped = new Map<number, string[]>();
    for (const key of this.normalised.keys()) {
      let list = grouped.get(key.length);
      if (!list) grouped.set(key.length, (list = []));
      list.push(key);
    }
    const buckets = new Map<number, LengthBucket>();
    for (const [length, keys] of grouped) {
      const masks = new Int32Array(keys.length);
      for (let i = 0; i < keys.length; i++) masks[i] = charMask(keys[i]!);
      buckets.set(length, { keys, masks });
    }
    this.buckets = buckets;
    return buckets;
  }
}

/** A name the query starts counts like one typo: "checkout" should offer checkout-web before far typos. */
function rank(near: NearName): number {
  return near.prefix ? 1 : near.distance;
}

function push(map: Map<string, string[]>, key: string, ref: string): void {
  const list = map.get(key);
  if (!list) map.set(key, [ref]);
  else if (!list.includes(ref)) list.push(ref);
}

function pull(map: Map<string, string[]>, key: string, ref: string): void {
  const list = map.get(key);
  if (!list) return;
  const at = list.indexOf(ref);
  if (at !== -1) list.splice(at, 1);
  if (list.length === 0) map.delete(key);
}

function lowerBound(sorted: string[], value: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid]! < value) low = mid + 1;
    else high = mid;
  }
  return low;
}
