/**
 * How a name a person typed becomes an entity ref. The catalog graph offers a name-based resolver;
 * the search service offers a typo-tolerant one. Commands depend only on this interface.
 */
import { trimEdges } from "../text/trim-edges.ts";

export type Resolution =
  /**
   * `exact`: the ref, name or title as typed, whatever the case or separators; `corrected`: a typo or a
   * partial name taken as meant, which the answer must say it did.
   */
  | { status: "found"; ref: string; match: "exact" | "corrected" }
  /** Equally good matches (the same name in two kinds or namespaces): the person has to pick, best first. */
  | { status: "ambiguous"; candidates: string[] }
  /** Nothing certain: `candidates` are near misses, best first (may be empty). */
  | { status: "missing"; candidates: string[] };

export interface EntityResolver {
  /**
   * `kinds` are the lower-case kinds the command wants (e.g. ["group"] for team): they win over other
   * kinds of the same name. A kind typed in the query ("api:petstore") is stricter: only that kind answers.
   */
  resolve(query: string, options?: { kinds?: string[] }): Promise<Resolution>;
}

export interface ParsedQuery {
  /** The name part, as typed but trimmed of quotes and trailing punctuation. */
  name: string;
  /** Lower-case kind when the query is written as a ref with one ("api:petstore"). */
  kind?: string;
  /** Lower-case namespace when the query names one ("ops/billing", "component:ops/billing"). */
  namespace?: string;
}

const REF = /^(?:([a-z][a-z0-9-]*):)?(?:([a-z0-9][\w.-]*)\/)?([\w.-]+)$/i;

/**
 * What a person typed, split into the parts of a ref when it is written as one. A kind or namespace the
 * person typed is a filter, not a hint: "api:petstore" never answers with the component petstore.
 */
export function parseQuery(query: string): ParsedQuery {
  // One pass over each end: a regular expression like /[?!.]+$/ is quadratic in a long run of dots.
  const text = trimEdges(query.trim(), "`'\"<", "`'\">?!.,;:").trim();
  const ref = REF.exec(text);
  if (ref) {
    return {
      name: ref[3]!,
      ...(ref[1] ? { kind: ref[1].toLowerCase() } : {}),
      ...(ref[2] ? { namespace: ref[2].toLowerCase() } : {}),
    };
  }
  // Not a ref (a URL, a path): its last segment is the likeliest name.
  if (/[:/]/.test(text) && !/\s/.test(text)) {
    return { name: text.slice(Math.max(text.lastIndexOf("/"), text.lastIndexOf(":")) + 1) };
  }
  return { name: text };
}

/**
 * Ask `exact` first and `fuzzy` only when it finds nothing: exact names resolve at memory speed, and only
 * typos and partial names pay for a search. Equal exact matches are the answer ("which one?"); a search
 * must not replace them with its own guesses.
 */
export function firstFound(exact: EntityResolver, fuzzy: EntityResolver): EntityResolver {
  return {
    async resolve(query, options) {
      const first = await exact.resolve(query, options);
      if (first.status !== "missing") return first;
      const second = await fuzzy.resolve(query, options);
      if (second.status !== "missing") return second;
      // Both unsure: the exact resolver's suggestions (the same name in another kind, near spellings)
      // come before the search's looser ones; the kinds the command wants come first of all.
      const merged = [...new Set([...first.candidates, ...second.candidates])];
      const kinds = options?.kinds?.map((k) => k.toLowerCase()) ?? [];
      const wanted = merged.filter((ref) => kinds.includes(ref.slice(0, ref.indexOf(":"))));
      return {
        status: "missing",
        candidates: [...wanted, ...merged.filter((ref) => !wanted.includes(ref))],
      };
    },
  };
}
