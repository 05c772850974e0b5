import type { BandResult, MeasurementStatus } from '../src/domain/measurement.js';
import type { ConditionBounds } from '../src/domain/monitor.js';

export interface Verdict {
  status: MeasurementStatus;
  lower: number | null;
  upper: number | null;
}

/**
 * Judges a value against its band. Only the sides named by `bounds` alert; a null value
 * (an aggregate over no rows) is never out of range, since there is nothing to compare.
 */
export function judge(value: number | null, band: BandResult, bounds: ConditionBounds): Verdict {
  if (band.state === 'learning') return { status: 'learning', lower: null, upper: null };
  const { lower, upper } = band;
  if (value === null) return { status: 'normal', lower, upper };
  const tooHigh = bounds !== 'lower' && upper !== null && value > upper;
  const tooLow = bounds !== 'upper' && lower !== null && value < lower;
  return { status: tooHigh || tooLow ? 'anomaly' : 'normal', lower, upper };
}
