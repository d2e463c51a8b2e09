/**
 * How a name a person typed becomes an entity ref. The catalog graph offers a name-based resolver;
 * the search service offers a typo-tolerant one. Commands depend only on this interface.
 */
export type Resolution =
  | { status: "found"; ref: string }
  /** Nothing certain: `candidates` are refs, best first (may be empty). */
  | { status: "ambiguous" | "missing"; candidates: string[] };

export interface EntityResolver {
  /** `kinds` narrows the match to these lower-case kinds (e.g. ["group", "user"] for owners). */
  resolve(query: string, options?: { kinds?: string[] }): Promise<Resolution>;
}

/**
 * Ask `exact` first and `fuzzy` only when it is not sure: exact names resolve at memory speed, and only
 * typos and partial names pay for a search.
 */
export function firstFound(exact: EntityResolver, fuzzy: EntityResolver): EntityResolver {
  return {
    async resolve(query, options) {
      const first = await exact.resolve(query, options);
      if (first.status === "found") return first;
      const second = await fuzzy.resolve(query, options);
      if (second.status === "found" || second.candidates.length > 0) return second;
      return first;
    },
  };
}
