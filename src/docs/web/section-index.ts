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

export class SectionIndex {
  private sections: IndexedSection[] = [];
  /** term → section ids that contain it, and whether in the heading (bit 1) or the text (bit 0). */
  private postings = new Map<string, Map<number, number>>();
  private vocabulary: string[] = [];
  private stale = true;

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
    const postings = new Map<string, Map<number, number>>();
    const add = (term: string, id: number, bit: number) => {
      let list = postings.get(term);
      if (!list) postings.set(term, (list = new Map()));
      list.set(id, (list.get(id) ?? 0) | bit);
    };
    for (const site of this.library.listSites()) {
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
          for (const term of termsOf(`${heading} ${page.title}`)) add(term, id, 2);
          for (const term of termsOf(section.text)) add(term, id, 1);
        }
      }
    }
    this.sections = sections;
    this.postings = postings;
    this.vocabulary = [...postings.keys()].sort();
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
      if (!this.vocabulary[i]!.startsWith(prefix)) break;
      found.push(this.vocabulary[i]!);
    }
    return found;
  }

  /**
   * Sections matching `query`, best first. `site` keeps one site's; `prefix` lets the last word be the start of
   * one (a search box while typing).
   */
  search(query: string, options: { site?: SiteKey; limit?: number; prefix?: boolean } = {}): SectionHit[] {
    this.refresh();
    const limit = options.limit ?? 10;
    const terms = [...new Set(termsOf(query, MAX_QUERY_TERMS))];
    if (terms.length === 0 || this.sections.length === 0) return [];
    const wanted = options.site ? keyText(options.site) : undefined;
    const total = this.sections.length;
    const idf = (term: string) => Math.log(1 + total / (1 + (this.postings.get(term)?.size ?? 0)));
    const weights = new Map(terms.map((term) => [term, idf(term)]));
    const queryWeight = [...weights.values()].reduce((a, b) => a + b, 0);
    const scores = new Map<
      number,
      { score: number; weight: number; matched: string[]; inHeading: string[] }
    >();

    terms.forEach((term, index) => {
      const last = index === terms.length - 1;
      const variants = options.prefix && last ? [term, ...this.expand(term)] : [term];
      const seen = new Set<number>();
      for (const variant of variants) {
        const list = this.postings.get(variant);
        if (!list) continue;
        const weight = variant === term ? weights.get(term)! : weights.get(term)! * 0.8;
        for (const [id, bits] of list) {
          if (seen.has(id)) continue;
          seen.add(id);
          if (wanted && keyText(this.sections[id]!.site) !== wanted) continue;
          let entry = scores.get(id);
          if (!entry) scores.set(id, (entry = { score: 0, weight: 0, matched: [], inHeading: [] }));
          entry.score += bits & 2 ? weight * 2 : weight;
          entry.weight += weights.get(term)!;
          entry.matched.push(term);
          if (bits & 2) entry.inHeading.push(term);
        }
      }
    });
    return [...scores.entries()]
      .sort((a, b) => b[1].score - a[1].score || a[0] - b[0])
      .slice(0, limit)
      .map(([id, entry]) => ({
        section: this.sections[id]!,
        score: entry.score,
        coverage: queryWeight > 0 ? entry.weight / queryWeight : 0,
        matched: entry.matched,
        inHeading: entry.inHeading,
      }));
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
