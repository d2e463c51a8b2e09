/**
 * Every built section of every site, in an inverted index kept in memory and rebuilt when the library says a
 * site changed. It answers the search box of a site (words and the prefix being typed) and gives the doc
 * suggestions a measure of how well a question matches a section. Lookups touch only the postings of the
 * query's words, so a query costs the same whatever the number of sites.
 */
import type { DocsLibrary, SiteKey } from "../model.ts";
import { sitePath } from "../model.ts";

export interface IndexedSection {
  site: SiteKey;
  siteName: string;
  entityRef: string;
  pagePath: string;
  pageTitle: string;
  anchor: string;
  heading: string;
  text: string;
}

export interface SectionHit {
  section: IndexedSection;
  /** Sum over matched query terms of their weight (idf; a heading match counts double). */
  score: number;
  /** Share of the query's weight that this section matches, 0..1. */
  coverage: number;
  /** Query terms found in the section. */
  matched: string[];
  /** Query terms found in its heading or page title. */
  inHeading: string[];
}

/** Words that carry no topic: never indexed, never searched. */
const STOP_WORDS = new Set(
  (
    "a an and are as at be been but by can could do does did for from has have how i if in into is it its " +
    "me my no not of on or our should so that the their them then there these they this to was we were what " +
    "when where which who why will with would you your any anyone anybody know does get got use using used " +
    "about also just like need want way there here some all one out up"
  ).split(" "),
);

/** Query words read, at most: a question is a sentence or two. */
const MAX_QUERY_TERMS = 24;
/** Vocabulary words a prefix may expand to. */
const MAX_PREFIX_EXPANSION = 20;

/** Lower-case, drop a plural or verb ending so "rotating", "rotated" and "rotates" meet "rotate". */
export function stem(word: string): string {
  let w = word.toLowerCase();
  if (w.length > 5 && w.endsWith("ing")) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith("ed")) w = w.slice(0, -2);
  else if (w.length > 4 && w.endsWith("es") && !w.endsWith("ses")) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith("s") && !w.endsWith("ss")) w = w.slice(0, -1);
  if (w.length > 4 && w.endsWith("e")) w = w.slice(0, -1);
  return w;
}

/** The topic words of a text, stemmed, in order (repeats kept). */
export function termsOf(text: string, limit = Number.POSITIVE_INFINITY): string[] {
  const terms: string[] = [];
  for (const match of text.toLowerCase().matchAll(/[a-z0-9][a-z0-9_]*/g)) {
    const word = match[0];
    if (word.length < 2 || STOP_WORDS.has(word)) continue;
    terms.push(stem(word));
    if (terms.length >= limit) break;
  }
  return terms;
}

const keyText = (key: SiteKey) => `${key.namespace}/${key.kind}/${key.name}`;

/** One term's postings: the sections holding it, and for each whether in its heading (2) and/or text (1). */
interface Postings {
  ids: Int32Array;
  bits: Uint8Array;
}

export class SectionIndex {
  private sections: IndexedSection[] = [];
  private siteOf = new Int32Array(0);
  private siteIds = new Map<string, number>();
  private postings = new Map<string, Postings>();
  private vocabulary: string[] = [];
  private stale = true;
  /** Per-query scratch, reused: scores and which query terms each section matched (as bit masks). */
  private scores = new Float64Array(0);
  private weightsHit = new Float64Array(0);
  private matchedMask = new Int32Array(0);
  private headingMask = new Int32Array(0);
  private touched = new Int32Array(0);

  constructor(private readonly library: DocsLibrary) {
    library.subscribe(() => {
      this.stale = true;
    });
  }

  get size(): number {
    this.refresh();
    return this.sections.length;
  }

  /** Rebuilds after a change; sites change on a build, queries come far more often. */
  private refresh(): void {
    if (!this.stale) return;
    this.stale = false;
    const sections: IndexedSection[] = [];
    const building = new Map<string, Map<number, number>>();
    const add = (term: string, id: number, bit: number) => {
      let list = building.get(term);
      if (!list) building.set(term, (list = new Map()));
      list.set(id, (list.get(id) ?? 0) | bit);
    };
    const siteOf: number[] = [];
    const siteIds = new Map<string, number>();
    for (const site of this.library.listSites()) {
      const siteId = siteIds.size;
      siteIds.set(keyText(site.key), siteId);
      for (const page of Object.values(site.pages)) {
        for (const section of page.sections) {
          const id = sections.length;
          const heading = section.anchor === "" ? page.title : section.heading;
          sections.push({
            site: site.key,
            siteName: site.siteName,
            entityRef: site.entityRef,
            pagePath: page.path,
            pageTitle: page.title,
            anchor: section.anchor,
            heading,
            text: section.text,
          });
          siteOf.push(siteId);
          for (const term of termsOf(`${heading} ${page.title}`)) add(term, id, 2);
          for (const term of termsOf(section.text)) add(term, id, 1);
        }
      }
    }
    const postings = new Map<string, Postings>();
    for (const [term, list] of building) {
      postings.set(term, { ids: Int32Array.from(list.keys()), bits: Uint8Array.from(list.values()) });
    }
    this.sections = sections;
    this.siteOf = Int32Array.from(siteOf);
    this.siteIds = siteIds;
    this.postings = postings;
    this.vocabulary = [...postings.keys()].sort();
    const n = sections.length;
    this.scores = new Float64Array(n);
    this.weightsHit = new Float64Array(n);
    this.matchedMask = new Int32Array(n);
    this.headingMask = new Int32Array(n);
    this.touched = new Int32Array(n);
  }

  /** Terms of the vocabulary starting with `prefix`, alphabetically, a few. */
  private expand(prefix: string): string[] {
    const found: string[] = [];
    let lo = 0;
    let hi = this.vocabulary.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.vocabulary[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.vocabulary.length && found.length < MAX_PREFIX_EXPANSION; i++) {
      const word = this.vocabulary[i]!;
      if (!word.startsWith(prefix)) break;
      // The word itself is searched already; its longer forms are the expansion.
      if (word !== prefix) found.push(word);
    }
    return found;
  }

  /**
   * Sections matching `query`, best first. `site` keeps one site's; `prefix` lets the last word be the start of
   * one (a search box while typing). Work is one pass over the postings of the query's terms, and a top-k
   * selection, however many sections match.
   */
  search(query: string, options: { site?: SiteKey; limit?: number; prefix?: boolean } = {}): SectionHit[] {
    this.refresh();
    const limit = Math.max(1, Math.min(options.limit ?? 10, 100));
    const terms = [...new Set(termsOf(query, MAX_QUERY_TERMS))];
    if (terms.length === 0 || this.sections.length === 0) return [];
    const wanted = options.site ? this.siteIds.get(keyText(options.site)) : undefined;
    if (options.site && wanted === undefined) return [];
    const total = this.sections.length;
    const weights = terms.map((term) =>
      Math.log(1 + total / (1 + (this.postings.get(term)?.ids.length ?? 0))),
    );
    const queryWeight = weights.reduce((a, b) => a + b, 0);
    const { scores, weightsHit, matchedMask, headingMask, touched, siteOf } = this;
    let touchedCount = 0;

    terms.forEach((term, index) => {
      const bit = 1 << index;
      const last = index === terms.length - 1;
      const variants = options.prefix && last ? [term, ...this.expand(term)] : [term];
      for (const variant of variants) {
        const list = this.postings.get(variant);
        if (!list) continue;
        const weight = variant === term ? weights[index]! : weights[index]! * 0.8;
        const { ids, bits } = list;
        for (let i = 0; i < ids.length; i++) {
          const id = ids[i]!;
          if (wanted !== undefined && siteOf[id] !== wanted) continue;
          if (matchedMask[id]! & bit) continue;
          if (matchedMask[id] === 0) touched[touchedCount++] = id;
          matchedMask[id]! |= bit;
          const inHeading = (bits[i]! & 2) !== 0;
          scores[id]! += inHeading ? weight * 2 : weight;
          weightsHit[id]! += weights[index]!;
          if (inHeading) headingMask[id]! |= bit;
        }
      }
    });

    // Top-k by score (ties: index order), kept sorted; k is small.
    const best: number[] = [];
    for (let t = 0; t < touchedCount; t++) {
      const id = touched[t]!;
      const score = scores[id]!;
      if (best.length === limit) {
        const worst = best[limit - 1]!;
        if (score < scores[worst]! || (score === scores[worst]! && id > worst)) continue;
        best.pop();
      }
      let at = best.length;
      while (
        at > 0 &&
        (scores[best[at - 1]!]! < score || (scores[best[at - 1]!]! === score && best[at - 1]! > id))
      )
        at--;
      best.splice(at, 0, id);
    }
    const hits = best.map((id) => ({
      section: this.sections[id]!,
      score: scores[id]!,
      coverage: queryWeight > 0 ? weightsHit[id]! / queryWeight : 0,
      matched: terms.filter((_, i) => matchedMask[id]! & (1 << i)),
      inHeading: terms.filter((_, i) => headingMask[id]! & (1 << i)),
    }));
    for (let t = 0; t < touchedCount; t++) {
      const id = touched[t]!;
      scores[id] = 0;
      weightsHit[id] = 0;
      matchedMask[id] = 0;
      headingMask[id] = 0;
    }
    return hits;
  }
}

/** The URL path of a section: its page, and its anchor when it has one. */
export function sectionPath(section: IndexedSection): string {
  return `${sitePath(section.site, section.pagePath)}${section.anchor ? `#${section.anchor}` : ""}`;
}

/** `[start, end)` ranges of `text` where a query term starts a word, in order, for highlighting. */
export function matchRanges(text: string, terms: string[]): [number, number][] {
  const ranges: [number, number][] = [];
  if (terms.length === 0) return ranges;
  for (const match of text.matchAll(/[A-Za-z0-9][A-Za-z0-9_]*/g)) {
    const word = match[0];
    const stemmed = stem(word);
    if (terms.some((t) => stemmed === t || (t.length >= 3 && stemmed.startsWith(t)))) {
      ranges.push([match.index, match.index + word.length]);
      if (ranges.length >= 50) break;
    }
  }
  return ranges;
}

/** A passage of `text` around its first match, at most `max` characters, with its match ranges. */
export function snippetOf(
  text: string,
  terms: string[],
  max = 180,
): { text: string; ranges: [number, number][] } {
  const all = matchRanges(text, terms);
  const first = all[0]?.[0] ?? 0;
  let start = Math.max(0, first - 60);
  if (start > 0) {
    const space = text.indexOf(" ", start);
    if (space !== -1 && space < first) start = space + 1;
  }
  const end = Math.min(text.length, start + max);
  const prefix = start > 0 ? "…" : "";
  const suffix = end < text.length ? "…" : "";
  const cut = `${prefix}${text.slice(start, end)}${suffix}`;
  const shift = prefix.length - start;
  const ranges = all
    .filter(([s, e]) => s >= start && e <= end)
    .map(([s, e]): [number, number] => [s + shift, e + shift]);
  return { text: cut, ranges };
}
