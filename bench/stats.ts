/** Percentiles over many runs: timings on a shared 2-core machine are noisy, so only medians and tails count. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export const round = (value: number, digits = 3): number => Number(value.toFixed(digits));

export function summary(samples: number[]): { p50: number; p99: number; n: number } {
  return { p50: round(percentile(samples, 50)), p99: round(percentile(samples, 99)), n: samples.length };
}
