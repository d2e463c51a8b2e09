/**
 * The typo layer's vocabulary: every term the index holds, kept sorted so the typo walk
 * (src/text/typo-neighbours.ts) can find the terms within an edit distance of a query term.
 */
import { mergeSorted } from "../text/sorted-strings.ts";
import { compareCodeUnits, lowerBound, typoNeighbours, type TypoCandidate } from "../text/typo-neighbours.ts";

export type { TypoCandidate };

export class TypoVocabulary {
  private terms: string[] = [];

  get size(): number {
    return this.terms.length;
  }

  /** Replace the vocabulary (the input need not be sorted or unique). */
  replace(terms: Iterable<string>): void {
    this.terms = [...new Set(terms)].sort(compareCodeUnits);
  }

  add(terms: Iterable<string>): void {
    const fresh = [...new Set(terms)].filter((term) => !this.has(term));
    // Many new terms (a large import) are merged in one linear pass; a splice each would move the array each
    // time, and sorting every term again would cost the whole vocabulary's sort for a small change.
    if (fresh.length > 64) this.terms = mergeSorted(this.terms, fresh.sort(compareCodeUnits));
    else for (const term of fresh) this.splice(term);
  }

  private splice(term: string): void {
    const at = lowerBound(this.terms, term);
    if (this.terms[at] !== term) this.terms.splice(at, 0, term);
  }

  has(term: string): boolean {
    return this.terms[lowerBound(this.terms, term)] === term;
  }

  /** Terms at distance 1..maxDistance from `query`, closest first. `limit` bounds how many come back. */
  near(query: string, maxDistance: number, limit = 16): TypoCandidate[] {
    return typoNeighbours(this.terms, query, maxDistance, limit);
  }
}
