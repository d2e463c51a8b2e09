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
