/**
 * A set of strings kept in code-unit order for prefix and typo walks, changed a little at a time.
 *
 * Sorting every key again after a change costs O(n log n): with 200,000 names that is a few hundred
 * milliseconds, and it used to land on the first command after any catalog change, holding the event loop
 * for everyone. Here changes wait in two small sets and are merged in one O(n + k log k) pass when the
 * sorted view is next read (or when the writer settles a large batch itself), so a webhook that changes
 * one entity costs the next reader one linear copy, not a sort.
 */
import { compareCodeUnits } from "./typo-neighbours.ts";

export class SortedStrings {
  private sorted: string[] = [];
  /** In the set but not yet in `sorted`. */
  private readonly added = new Set<string>();
  /** In `sorted` but no longer in the set. */
  private readonly removed = new Set<string>();

  /** Changes waiting to be merged. */
  get pending(): number {
    return this.added.size + this.removed.size;
  }

  /** Record that `value` joined the set; the caller knows it was not in it. */
  add(value: string): void {
    if (!this.removed.delete(value)) this.added.add(value);
  }

  /** Record that `value` left the set; the caller knows it was in it. */
  delete(value: string): void {
    if (!this.added.delete(value)) this.removed.add(value);
  }

  /** The set in code-unit order, with every change so far merged in. Do not modify it. */
  view(): readonly string[] {
    if (this.pending > 0) this.settle();
    return this.sorted;
  }

  /** Merge the waiting changes now: O(n + k log k) for k changes over n values. */
  settle(): void {
    if (this.pending === 0) return;
    const additions = [...this.added].sort(compareCodeUnits);
    this.sorted = mergeSorted(this.sorted, additions, this.removed);
    this.added.clear();
    this.removed.clear();
  }
}

/**
 * `sorted` without `removals`, with `additions` (sorted, none already in `sorted`) merged in, as a new
 * array. Both inputs are in code-unit order.
 */
export function mergeSorted(
  sorted: readonly string[],
  additions: readonly string[],
  removals: ReadonlySet<string> = new Set(),
): string[] {
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < sorted.length || j < additions.length) {
    if (j >= additions.length || (i < sorted.length && sorted[i]! < additions[j]!)) {
      const value = sorted[i++]!;
      if (removals.size === 0 || !removals.has(value)) out.push(value);
    } else {
      out.push(additions[j++]!);
    }
  }
  return out;
}
