import type { MetricType } from '../src/domain/metric.js';

/**
 * What each metric's values can be, applied to the learned band: percentages live in
 * 0-100, counts are whole and never negative, freshness only alerts when data is late.
 */
const PERCENTAGES = new Set<MetricType>(['null_percentage', 'unique_percentage']);
const COUNTS = new Set<MetricType>(['row_count', 'cardinality']);

/**
 * The smallest half-width worth alerting beyond, in the metric's own unit: 0.05 percentage
 * points on a percentage; half a row on a count (so a steady count alerts on a change of 1).
 */
export function absoluteFloor(metric: MetricType): number {
  if (PERCENTAGES.has(metric)) return 0.05;
  if (COUNTS.has(metric)) return 0.5;
  return 0;
}

export interface RawBand {
  lower: number;
  upper: number;
}

export function applyMetricRules(metric: MetricType, band: RawBand): { lower: number | null; upper: number | null } {
  let { lower, upper } = band;
  if (PERCENTAGES.has(metric)) {
    lower = Math.max(0, lower);
    upper = Math.min(100, upper);
  }
  if (COUNTS.has(metric)) {
    // Whole numbers inside the band: a count is in range exactly when it lies in [lower, upper].
    lower = Math.max(0, Math.ceil(lower));
    upper = Math.max(lower, Math.floor(upper));
  }
  if (metric === 'freshness') return { lower: null, upper: Math.max(0, upper) };
  return { lower, upper };
}
