/**
 * Terms within a few typos of a query, found by walking a sorted term list as an implicit trie. Edits are
 * Damerau (optimal string alignment): insert, delete, substitute, or swap two neighbours, as Meilisearch
 * counts them, so "paymnets" is one typo from "payments". Consecutive terms share their prefix's DP rows,
 * and once every cell of a row exceeds the budget the whole block of terms with that prefix is skipped by
 * binary search: well under a millisecond on a few hundred thousand terms, with no extra memory.
 * Used by the search index's vocabulary and by the catalog graph's name index.
 */
export interface TypoCandidate {
  term: string;
  distance: number;
}

/** Counts the DP rows and cells a walk fills, so tests can show the work is bounded without timing it. */
export interface TypoWork {
  rows: number;
  cells: number;
}

/**
 * Longer queries get no typo candidates. Names are at most 63 characters (Backstage's rule) and search terms
 * are cut at 48, so nothing a person types by hand is lost; a pasted blob costs nothing.
 */
export const MAX_TYPO_QUERY = 64;

/**
 * Terms of `terms` (sorted by code unit, unique) at distance 1..maxDistance from `query`, closest first,
 * at most `limit`. Shared by the search index's vocabulary and the catalog graph's name index.
 *
 * Only the diagonal band |d - j| <= maxDistance of each DP row is filled (a cell outside it is already over
 * the budget), so a term costs at most (2 * maxDistance + 1) cells per character whatever the query's length.
 */
export function typoNeighbours(
  terms: readonly string[],
  query: string,
  maxDistance: number,
  limit = 16,
  work?: TypoWork,
): TypoCandidate[] {
  if (maxDistance <= 0 || terms.length === 0 || query.length > MAX_TYPO_QUERY) return [];
  const m = query.length;
  const k = maxDistance;
  // Cells outside the band, and any value over the budget, read as `over`: exact values above k never matter.
  const over = k + 1;
  const maxLen = m + k;
  const rows: Int32Array[] = [];
  for (let d = 0; d <= maxLen; d++) rows.push(new Int32Array(m + 2).fill(over));
  for (let j = 0; j <= Math.min(m, k); j++) rows[0]![j] = j;

  const found: TypoCandidate[] = [];
  let computed = "";
  let validDepth = 0;
  let i = 0;
  while (i < terms.length) {
    const word = terms[i]!;
    let start = 0;
    const shared = Math.min(validDepth, word.length);
    while (start < shared && word.charCodeAt(start) === computed.charCodeAt(start)) start++;
    let pruneAt = -1;
    const end = Math.min(word.length, maxLen);
    for (let d = start + 1; d <= end; d++) {
      const row = rows[d]!;
      const prev = rows[d - 1]!;
      const c = word.charCodeAt(d - 1);
      const lo = Math.max(1, d - k);
      const hi = Math.min(m, d + k);
      row[0] = d <= k ? d : over;
      // The cells just outside the band are read by the next row and by this row's first cell.
      row[lo - 1] = lo === 1 ? row[0] : over;
      let min = row[lo - 1]!;
      for (let j = lo; j <= hi; j++) {
        const cost = query.charCodeAt(j - 1) === c ? 0 : 1;
        let v = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
        if (
          d > 1 &&
          j > 1 &&
          c === query.charCodeAt(j - 2) &&
          word.charCodeAt(d - 2) === query.charCodeAt(j - 1)
        ) {
          v = Math.min(v, rows[d - 2]![j - 2]! + 1);
        }
        if (v > over) v = over;
        row[j] = v;
        if (v < min) min = v;
      }
      row[hi + 1] = over;
      if (work) {
        work.rows++;
        work.cells += hi - lo + 1;
      }
      if (min > k) {
        pruneAt = d;
        break;
      }
    }
    computed = word;
    if (pruneAt > 0) {
      validDepth = pruneAt;
      i = skipPrefix(terms, word.slice(0, pruneAt), i);
      continue;
    }
    validDepth = end;
    if (Math.abs(word.length - m) <= k) {
      const distance = rows[word.length]![m]!;
      if (distance > 0 && distance <= k) found.push({ term: word, distance });
    }
    i++;
  }
  found.sort((a, b) => a.distance - b.distance || compareCodeUnits(a.term, b.term));
  return found.slice(0, limit);
}

export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function lowerBound(sorted: readonly string[], value: string, from = 0): number {
  let lo = from;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index after `from` whose term does not start with `prefix`. */
function skipPrefix(sorted: readonly string[], prefix: string, from: number): number {
  return Math.max(from + 1, lowerBound(sorted, prefix + "\uffff", from));
}
