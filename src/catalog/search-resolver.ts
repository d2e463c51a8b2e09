/**
 * Resolves what a person typed ("paymnets-api", "Payments API", "component:payments-api") to one entity
 * through the search index, or says which entities it might mean.
 *
 * The decision does not depend on an engine's score scale: a typo match is only taken as meant when its name
 * is within the typo budget of what was typed and strictly closer than every other candidate's name.
 */
import { editDistance } from "../search/edit-distance.ts";
import { tokenize, typoBudget } from "../search/query-text.ts";
import type { SearchIndex, SearchResultHit } from "../search/search-index.ts";
import type { EntityResolver, Resolution } from "./resolver.ts";
import { parseQuery } from "./resolver.ts";

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
