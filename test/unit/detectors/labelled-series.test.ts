import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { backtest } from '../../../detectors/backtest.js';
import type { MetricType } from '../../../src/domain/metric.js';
import type { Condition } from '../../../src/domain/monitor.js';
import { eventScore, loadLabelled } from '../../helpers/series.js';

/**
 * The labelled data-quality series of fixtures/series/dq (row counts with weekly patterns
 * and growth, level shifts, always-zero and noisy null percentages, unique percentages at
 * 100, freshness sawtooths, month-end loads, cardinalities, amounts, hourly shapes, missing
 * buckets, short and weekly histories), scored as the benchmark scores: by events.
 */
const DQ = fileURLToPath(new URL('../../../fixtures/series/dq', import.meta.url));
const series = loadLabelled(DQ);

function scoreAll(sensitivity: number) {
  const condition: Condition = { sensitivity, min: null, max: null, bounds: 'both' };
  const total = { detected: 0, windows: 0, falseEvents: 0, falseAlarms: 0, points: 0, flagged: 0 };
  for (const s of series) {
    const flags = backtest(s.rows, s.metric as MetricType, condition).map((r) => r.isAnomaly);
    const score = eventScore(flags, s.windows);
    total.detected += score.detected;
    total.windows += score.windows;
    total.falseEvents += score.falseEvents;
    total.falseAlarms += score.falseAlarms;
    total.points += score.points;
    total.flagged += flags.filter(Boolean).length;
  }
  const recall = total.detected / total.windows;
  const precision = total.detected / (total.detected + total.falseEvents);
  return { ...total, recall, precision, f1: (2 * precision * recall) / (precision + recall), perThousand: (1000 * total.falseAlarms) / total.points };
}

describe('the labelled data-quality series', () => {
  it('has the series it should', () => {
    expect(series.length).toBeGreaterThanOrEqual(100);
  });

  it('at sensitivity 5, catches most incidents with few false alarms', () => {
    const s = scoreAll(5);
    // The best of four public baselines scores F1 0.460 at 3.00 false alarms per 1,000
    // points on this set (fixtures/series/README.md); the target is 1.5x with no more alarms.
    expect(s.f1).toBeGreaterThanOrEqual(0.8);
    expect(s.perThousand).toBeLessThanOrEqual(2);
  });

  it('alerts more as sensitivity rises', () => {
    const flagged = [1, 3, 5, 7, 10].map((sensitivity) => scoreAll(sensitivity).flagged);
    for (let i = 1; i < flagged.length; i++) expect(flagged[i]!).toBeGreaterThanOrEqual(flagged[i - 1]!);
    expect(flagged[4]!).toBeGreaterThan(flagged[0]!);
  });
});
