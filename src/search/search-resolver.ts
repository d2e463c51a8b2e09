/**
 * Resolves what a person typed ("paymnets-api", "Payments API", "component:payments-api") to one entity
 * through the search index, or says which entities it might mean.
 *
 * The decision does not depend on an engine's score scale: a typo match is only taken as meant when its name
 * is within the typo budget of what was typed and strictly closer than every other candidate's name.
 */
import type { EntityResolver, Resolution } from "../catalog/resolver.ts";
import { parseQuery } from "../catalog/resolver.ts";
import { tokenize, typoBudget } from "./query-text.ts";
import type { SearchIndex, SearchResultHit } from "./search-index.ts";

const CANDIDATES = 5;

export class SearchEntityResolver implements EntityResolver {
  constructor(private readonly index: SearchIndex) {}

  async resolve(query: string, options?: { kinds?: string[] }): Promise<Resolution> {
    const typed = parseQuery(query);
    const kinds = options?.kinds?.map((k) => k.toLowerCase());
    const words = tokenize(typed.name);
    if (words.length === 0) return { status: "missing", candidates: [] };

    // A kind typed in the query is a filter: "api:petstore" must not come back as the component petstore.
    const kindFilter = typed.kind ? [typed.kind] : kinds;
    const result = await this.index.search({
      q: words.join(" "),
      filters: { type: ["entity"], ...(kindFilter ? { kind: kindFilter } : {}) },
      limit: 10,
    });
    const hits = result.hits.filter(
      (h) =>
        (!kinds || kinds.includes(h.kind.toLowerCase())) &&
        (!typed.kind || h.kind.toLowerCase() === typed.kind) &&
        (!typed.namespace || h.namespace.toLowerCase() === typed.namespace),
    );
    if (hits.length === 0) return { status: "missing", candidates: [] };

    const wanted = words.join(" ");
    const sameName = hits.filter((h) => nameKey(h) === wanted);
    if (sameName.length === 1) return { status: "found", ref: sameName[0]!.ref, match: "exact" };
    if (sameName.length > 1) return { status: "ambiguous", candidates: refs(sameName) };

    // Even a single hit is only taken as meant when its name is close to what was typed: a lone match in
    // a description ("refunds" inside payments-api's) must come back as "did you mean", not as the answer.
    const budget = words.reduce((sum, w) => sum + typoBudget(w), 0);
    const distances = hits.map((h) => editDistance(wanted, nameKey(h), budget));
    const best = Math.min(...distances);
    const winners = distances.filter((d) => d === best).length;
    if (best <= budget && winners === 1) {
      return { status: "found", ref: hits[distances.indexOf(best)]!.ref, match: "corrected" };
    }
    // Names equally within the typo budget, then looser hits in relevance order, are only suggestions.
    const close = hits.filter((_, i) => distances[i]! <= budget);
    return { status: "missing", candidates: refs([...close, ...hits.filter((h) => !close.includes(h))]) };
  }
}

function refs(hits: SearchResultHit[]): string[] {
  return [...new Set(hits.map((h) => h.ref))].slice(0, CANDIDATES);
}

function nameKey(hit: SearchResultHit): string {
  return tokenize(hit.name, 64).join(" ");
}

/** Counts the DP cells editDistance fills, so tests can show it is bounded without timing it. */
export interface EditWork {
  cells: number;
}

/**
 * Optimal string alignment distance: insert, delete, substitute, or swap neighbours, each one edit. With
 * `max`, anything over it comes back as max + 1, and only the band |i - j| <= max of the table is filled:
 * (2 * max + 1) cells per character of `a`, however long `b` is.
 */
export function editDistance(a: string, b: string, max = Number.POSITIVE_INFINITY, work?: EditWork): number {
  if (a === b) return 0;
  const k = Math.min(max, Math.max(a.length, b.length));
  const over = k + 1;
  if (Math.abs(a.length - b.length) > k) return over;
  const width = b.length + 2;
  // Three rows are enough: the swap looks two rows back.
  let before = new Int32Array(width).fill(over);
  let prev = new Int32Array(width).fill(over);
  let row = new Int32Array(width).fill(over);
  for (let j = 0; j <= Math.min(b.length, k); j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const lo = Math.max(1, i - k);
    const hi = Math.min(b.length, i + k);
    row[0] = i <= k ? i : over;
    row[lo - 1] = lo === 1 ? row[0] : over;
    let min = row[lo - 1]!;
    for (let j = lo; j <= hi; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (
        i > 1 &&
        j > 1 &&
        a.charCodeAt(i - 1) === b.charCodeAt(j - 2) &&
        a.charCodeAt(i - 2) === b.charCodeAt(j - 1)
      ) {
        v = Math.min(v, before[j - 2]! + 1);
      }
      row[j] = v > over ? over : v;
      if (row[j]! < min) min = row[j]!;
    }
    row[hi + 1] = over;
    if (work) work.cells += hi - lo + 1;
    if (min > k) return over;
    [before, prev, row] = [prev, row, before];
  }
  return prev[b.length]!;
}
