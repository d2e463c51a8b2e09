/**
 * Runs `work` on every item with at most `limit` at once, keeping the order: a page of pull requests asks
 * for each one's reviews without sending GitHub thirty requests at the same moment (its secondary rate
 * limits punish bursts).
 */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
