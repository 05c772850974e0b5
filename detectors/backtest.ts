import type { MetricType } from '../src/domain/metric.js';
import type { Condition } from '../src/domain/monitor.js';
import { Learner } from './learner.js';
import { manualBand } from './manual.js';
import type { DetectorParams } from './params.js';
import { sensitivityFactor } from './sensitivity.js';
import { judge } from './verdict.js';

export interface BacktestRow {
  /** Epoch milliseconds. */
  t: number;
  /** null: a missing bucket. */
  value: number | null;
}

export interface BacktestResult {
  t: number;
  value: number | null;
  lower: number | null;
  upper: number | null;
  isAnomaly: boolean;
  status: 'learning' | 'normal' | 'anomaly' | 'missing';
}

/**
 * Replays a series as the daemon would live: each row is judged against the band learnt
 * from the rows before it, and rows flagged then do not train the bands after them.
 */
export function backtest(rows: readonly BacktestRow[], metric: MetricType, condition: Condition, params: Partial<DetectorParams> = {}): BacktestResult[] {
  const learner = condition.sensitivity === null ? null : new Learner(metric, sensitivityFactor(condition.sensitivity), params);
  const bounds = metric === 'freshness' ? 'upper' : condition.bounds;
  return rows.map(({ t, value }) => {
    if (value === null) return { t, value, lower: null, upper: null, isAnomaly: false, status: 'missing' as const };
    const band = learner === null ? manualBand(condition) : learner.band(t);
    const verdict = judge(value, band.state === 'band' ? { state: 'band', lower: band.lower, upper: band.upper } : band, bounds);
    const isAnomaly = verdict.status === 'anomaly';
    learner?.observe(t, value, isAnomaly);
    return { t, value, lower: verdict.lower, upper: verdict.upper, isAnomaly, status: verdict.status };
  });
}
