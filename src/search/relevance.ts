/**
 * Relevance for the embedded engine: how query terms widen into FTS5 alternatives, and how candidates are
 * ranked once FTS5 has found them. The tiers follow what people expect from a name search: the exact name,
 * then every word in the name, by prefix, with typos, then title and tags, then descriptions.
 */
import type { WordMatcher } from "./highlight.ts";
import { tokenize } from "./query-text.ts";
import type { SearchDocument } from "./search-index.ts";

/** How one query term may match a document word. */
export interface TermMatcher {
  term: string;
  prefix: boolean;
  /** Index terms within the typo budget, with their distance. */
  typos: Map<string, number>;
}

/** Terms are letters and digits only (see tokenize), and are quoted anyway: nothing becomes FTS5 syntax. */
export function quote(term: string): string {
  return `"${term.replace(/"/g, '""')}"`;
}

export function matchExpression(
  matchers: TermMatcher[],
  join: " AND " | " OR ",
  columns = "name title tags text",
): string {
  return matchers
    .map((m) => {
      const alternatives = [quote(m.term)];
      if (m.prefix) alternatives.push(`${quote(m.term)}*`);
      for (const typo of m.typos.keys()) alternatives.push(quote(typo));
      return `{${columns}} : (${alternatives.join(" OR ")})`;
    })
    .join(join);
}

/** 0 exact, 1 prefix, 2 + distance for a typo; undefined when the word does not match the term. */
function matchQuality(word: string, m: TermMatcher): number | undefined {
  if (word === m.term) return 0;
  if (m.prefix && word.startsWith(m.term)) return 1;
  const distance = m.typos.get(word);
  return distance === undefined ? undefined : 2 + distance;
}

function bestQuality(words: string[], m: TermMatcher): number | undefined {
  let best: number | undefined;
  for (const w of words) {
    const q = matchQuality(w, m);
    if (q !== undefined && (best === undefined || q < best)) best = q;
    if (best === 0) break;
  }
  return best;
}

export function wordMatcher(matchers: TermMatcher[]): WordMatcher {
  return (word) => matchers.some((m) => matchQuality(word, m) !== undefined);
}

function typoCount(qualities: number[]): number {
  return qualities.reduce((sum, q) => sum + (q >= 2 ? q - 2 : 0), 0);
}

/**
 * Integer tiers (closeness, in [0, 1), only breaks ties inside one): exact whole name 100; every word in
 * the name exactly 80, by prefix 70, with typos 60 minus typos; every word in name, title or tags 40 (doc
 * sections 38) minus typos; otherwise 20 minus typos, minus 2 per query word not found (OR fallback).
 */
export function rankDocument(doc: SearchDocument, queryKey: string, matchers: TermMatcher[]): number {
  const nameWords = tokenize(doc.name, 64);
  return tier(doc, nameWords, queryKey, matchers) + closeness(nameWords.length, matchers.length);
}

/** In [0, 1): within a tier, a name with fewer words beyond those asked for is the closer match. */
function closeness(nameWordCount: number, queryWordCount: number): number {
  return 1 / (2 + Math.max(0, nameWordCount - queryWordCount));
}

function tier(doc: SearchDocument, nameWords: string[], queryKey: string, matchers: TermMatcher[]): number {
  if (doc.type === "entity") {
    if (nameWords.join(" ") === queryKey) return 100;
    const inName = matchers.map((m) => bestQuality(nameWords, m));
    if (inName.every((q) => q !== undefined)) {
      const worst = Math.max(...(inName as number[]));
      if (worst === 0) return 80;
      if (worst === 1) return 70;
      return 60 - typoCount(inName as number[]);
    }
  }
  const labelWords = [...nameWords, ...tokenize(doc.title, 64), ...doc.tags.flatMap((t) => tokenize(t, 8))];
  const inLabels = matchers.map((m) => bestQuality(labelWords, m));
  if (inLabels.every((q) => q !== undefined)) {
    return (doc.type === "entity" ? 40 : 38) - typoCount(inLabels as number[]);
  }
  const textWords = tokenize(doc.text, 400, 20_000);
  const anywhere = matchers.map((m, i) => inLabels[i] ?? bestQuality(textWords, m));
  const found = anywhere.filter((q): q is number => q !== undefined);
  return 20 - typoCount(found) - 2 * (matchers.length - found.length);
}
