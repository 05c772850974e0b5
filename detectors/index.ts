import type { BandResult, HistoryPoint } from '../src/domain/measurement.js';
import type { MetricType } from '../src/domain/metric.js';
import type { Condition } from '../src/domain/monitor.js';
import { Learner } from './learner.js';
import { manualBand } from './manual.js';
import { sensitivityFactor } from './sensitivity.js';

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
export const HISTORY_LIMIT = 10_000;

/** Whether the band needs history at all (manual bands do not). */
export function needsHistory(condition: Condition): boolean {
  return condition.sensitivity !== null;
}

/**
 * The band for the next point. A learned band replays the monitor's history through a
 * learner exactly as `vigil backtest` does, with each point's stored flag: a point that was
 * flagged (and not marked normal by a person) does not train it.
 */
export function bandFor(input: BandInput): BandResult {
  const { condition } = input;
  if (condition.sensitivity === null) return manualBand(condition);
  const learner = new Learner(input.metricType, sensitivityFactor(condition.sensitivity));
  for (const point of input.history) {
    if (point.value === null) continue;
    learner.observe(point.at.getTime(), point.value, point.isAnomaly && !point.markedNormal);
  }
  const band = learner.band(input.now.getTime());
  if (band.state === 'learning') return band;
  return { state: 'band', lower: band.lower, upper: band.upper };
}

export { backtest, type BacktestResult, type BacktestRow } from './backtest.js';
export { judge, type Verdict } from './verdict.js';
