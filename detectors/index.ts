import type { BandResult, HistoryPoint } from '../src/domain/measurement.js';
import type { MetricType } from '../src/domain/metric.js';
import type { Condition } from '../src/domain/monitor.js';
import { manualBand } from './manual.js';

/**
 * The detector seam: what the engine asks of the statistics. Given a monitor's condition
 * and its history before now, the band its next value is judged against.
 */
export interface BandInput {
  metricType: MetricType;
  condition: Condition;
  /** Oldest first; never includes the point being judged. */
  history: readonly HistoryPoint[];
  now: Date;
}

/** How many past points the engine loads for a learned band. */
export const HISTORY_LIMIT = 1000;

/** Whether the band needs history at all (manual bands do not). */
export function needsHistory(condition: Condition): boolean {
  return condition.sensitivity !== null;
}

export function bandFor(input: BandInput): BandResult {
  if (input.condition.sensitivity === null) return manualBand(input.condition);
  // Learned bands come with the anomaly-detection core; until then such monitors record
  // their measurements (which will be their training history) and raise nothing.
  return {
    state: 'learning',
    reason: 'learned thresholds are not in this version yet; set condition min/max for a manual band',
  };
}

export { judge, type Verdict } from './verdict.js';
