/**
 * Detector benchmark: `npm run bench:detectors`.
 *
 * 1. Backtest throughput: 1,000 series of 1,000 points each (hourly and daily data-quality
 *    shapes: hours of the day, weekdays, growth, noise, a few incidents), replayed exactly as
 *    `vigil backtest` does; points per second on one core.
 * 2. Learning one band from 10,000 points of history, as the daemon does before each
 *    measurement (bandFor over the stored history); milliseconds per band.
 *
 * Targets (issue 3): at least 200,000 points a second; at most 5 ms per band.
 */
import { performance } from 'node:perf_hooks';
import { backtest, type BacktestRow } from '../detectors/backtest.js';
import { bandFor } from '../detectors/index.js';
import type { HistoryPoint } from '../src/domain/measurement.js';
import type { Condition } from '../src/domain/monitor.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const AUTO: Condition = { sensitivity: 5, min: null, max: null, bounds: 'both' };

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rnd: () => number): number {
  return (rnd() + rnd() + rnd() + rnd() + rnd() + rnd() - 3) * Math.SQRT2;
}

/** A data-quality-like series: every other one hourly, the rest daily. */
function makeSeries(seed: number, n: number): BacktestRow[] {
  const rnd = random(seed);
  const hourly = seed % 2 === 0;
  const step = hourly ? HOUR : DAY;
  const start = Date.UTC(2025, 0, 6);
  const base = 1000 + rnd() * 100_000;
  const growth = 1 + rnd() * (hourly ? 0.0002 : 0.003);
  const rows: BacktestRow[] = [];
  for (let i = 0; i < n; i++) {
    const t = start + i * step;
    const d = new Date(t);
    const shape = hourly ? [0.3, 0.2, 0.2, 0.3, 0.5, 0.8, 1, 1.1, 1.2, 1.2, 1.1, 1, 1, 1.1, 1.2, 1.2, 1.1, 1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4][d.getUTCHours()]! : [0.5, 1, 1, 1, 1, 1, 0.6][d.getUTCDay()]!;
    let value = base * growth ** i * shape * (1 + 0.03 * gaussian(rnd));
    if (rnd() < 0.003) value *= rnd() < 0.5 ? 0.3 : 2.5; // an incident
    rows.push({ t, value: rnd() < 0.01 ? null : Math.round(value) });
  }
  return rows;
}

function throughput(): void {
  const series = Array.from({ length: 1000 }, (_, i) => makeSeries(i + 1, 1000));
  const points = series.reduce((sum, s) => sum + s.length, 0);
  backtest(series[0]!, 'row_count', AUTO); // warm-up
  const runs: number[] = [];
  let anomalies = 0;
  for (let r = 0; r < 3; r++) {
    const started = performance.now();
    anomalies = 0;
    for (const s of series) for (const row of backtest(s, 'row_count', AUTO)) if (row.isAnomaly) anomalies++;
    runs.push(performance.now() - started);
  }
  runs.sort((a, b) => a - b);
  const median = runs[1]!;
  const rate = points / (median / 1000);
  console.log('Backtest throughput');
  console.log('-------------------');
  console.log(`series: ${series.length} x 1,000 points = ${points.toLocaleString('en-US')} points (hourly and daily shapes)`);
  console.log(`runs (ms): ${runs.map((x) => x.toFixed(0)).join(', ')}; median ${median.toFixed(0)} ms`);
  console.log(`throughput: ${Math.round(rate).toLocaleString('en-US')} points/s on one core (target >= 200,000): ${rate >= 200_000 ? 'met' : 'MISSED'}`);
  console.log(`anomalies flagged: ${anomalies} (${((1000 * anomalies) / points).toFixed(2)} per 1,000 points)`);
}

function oneBand(): void {
  const rows = makeSeries(42, 10_001);
  const flags = backtest(rows, 'row_count', AUTO).map((r) => r.isAnomaly);
  const history: HistoryPoint[] = rows.slice(0, 10_000).map((r, i) => ({ at: new Date(r.t), value: r.value, isAnomaly: flags[i]!, markedNormal: false }));
  const now = new Date(rows[10_000]!.t);
  for (let i = 0; i < 5; i++) bandFor({ metricType: 'row_count', condition: AUTO, history, now }); // warm-up
  const times: number[] = [];
  let band = bandFor({ metricType: 'row_count', condition: AUTO, history, now });
  for (let i = 0; i < 50; i++) {
    const started = performance.now();
    band = bandFor({ metricType: 'row_count', condition: AUTO, history, now });
    times.push(performance.now() - started);
  }
  const mean = times.reduce((sum, x) => sum + x, 0) / times.length;
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  console.log('Learning one band from 10,000 points of history');
  console.log('-----------------------------------------------');
  console.log(`history: 10,000 hourly points (${flags.slice(0, 10_000).filter(Boolean).length} flagged); band: ${JSON.stringify(band)}`);
  console.log(`per band (ms): median ${median.toFixed(2)}, mean ${mean.toFixed(2)} (garbage collection included), min ${times[0]!.toFixed(2)}, max ${times[times.length - 1]!.toFixed(2)} over ${times.length} runs`);
  console.log(`target <= 5 ms: median ${median <= 5 ? 'met' : 'MISSED'}, mean ${mean <= 5 ? 'met' : 'MISSED'}`);
}

// The band first: it is what the daemon does per measurement, in a process not holding the
// throughput run's million rows.
oneBand();
console.log('');
throughput();
