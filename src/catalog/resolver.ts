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
