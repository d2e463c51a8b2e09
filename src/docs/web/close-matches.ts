/**
 * What a 404 offers instead: the pages of the site whose path or title is closest to what was asked for, or
 * the sites whose name is. Words are compared with a bounded edit distance, so a typo still finds its page and
 * the work stays linear in the number of candidates.
 */
import { editDistance } from "../../search/edit-distance.ts";

/** Words of a path or title: lower-case runs of letters and digits, at most a dozen. */
export function wordsOf(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9]+/g) ?? [])
    .filter((w) => w !== "index" && w !== "html")
    .slice(0, 12);
}

/** How well `wanted` matches a candidate's words: each wanted word counts once, a near miss half. */
function score(wanted: string[], candidate: string[]): number {
  let total = 0;
  for (const word of wanted) {
    let best = 0;
    for (const other of candidate) {
      if (other === word) best = 1;
      else if (best < 1 && word.length >= 4 && (other.startsWith(word) || word.startsWith(other)))
        best = 0.75;
      else if (best < 0.5 && word.length >= 4 && editDistance(word, other, 2) <= 2) best = 0.5;
    }
    total += best;
  }
  return total;
}

/** The best few candidates for `asked`, best first; none when nothing shares a word. */
export function closeMatches<T>(
  asked: string,
  candidates: T[],
  textOf: (candidate: T) => string,
  limit = 5,
): T[] {
  const wanted = wordsOf(asked);
  if (wanted.length === 0) return [];
  return candidates
    .map((candidate) => ({ candidate, score: score(wanted, wordsOf(textOf(candidate))) }))
    .filter((c) => c.score > 0)
    .sort((a, b) => b.score - a.score)
    .slice(0, limit)
    .map((c) => c.candidate);
}
