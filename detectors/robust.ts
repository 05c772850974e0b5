import { quantileSorted } from 'simple-statistics';

/** Robust statistics of absolute deviations, small and pure: what simple-statistics does not have. */

/**
 * A robust scale from absolute deviations in ascending order: the MAD-based one, or, when
 * deviations are mostly zero (a sparse series), 1.2533 times the mean of the smallest 95%
 * of them, whichever is larger.
 */
export function robustScale(ascending: Float64Array): number {
  const n = ascending.length;
  if (n === 0) return 0;
  const mad = 1.4826 * quantileSorted(ascending as unknown as number[], 0.5);
  const cut = quantileSorted(ascending as unknown as number[], Math.min(0.95, 1 - 2 / n));
  let sum = 0;
  let count = 0;
  for (let i = 0; i < n && ascending[i]! <= cut; i++) {
    sum += ascending[i]!;
    count++;
  }
  return Math.max(mad, count > 0 ? (1.2533 * sum) / count : 0);
}

/** A high quantile of ascending values that never reaches the two largest, however few there are. */
export function robustTail(ascending: Float64Array, p: number): number {
  const n = ascending.length;
  if (n < 3) return 0;
  return ascending[Math.min(n - 3, Math.floor(p * (n - 1)))]!;
}
