import { describe, expect, it } from 'vitest';
import { backtest, type BacktestResult } from '../../../detectors/backtest.js';
import { bandFor } from '../../../detectors/index.js';
import type { HistoryPoint } from '../../../src/domain/measurement.js';
import type { Condition } from '../../../src/domain/monitor.js';
import { DAY, HOUR, gaussian, random, series } from '../../helpers/series.js';

/**
 * What the learned band must get right, each on a series built here to show it. The labelled
 * families of fixtures/series/dq score the same behaviours at scale (labelled-series.test.ts).
 */

const AUTO: Condition = { sensitivity: 5, min: null, max: null, bounds: 'both' };

const anomalies = (results: readonly BacktestResult[]) => results.flatMap((r, i) => (r.isAnomaly ? [i] : []));

/** Alerts as incidents would open: a breach opens one; three normal points close it. */
function alerts(results: readonly BacktestResult[]): number {
  let count = 0;
  let open = false;
  let quiet = 0;
  for (const r of results) {
    if (r.isAnomaly) {
      if (!open) count++;
      open = true;
      quiet = 0;
    } else if (r.status === 'normal' && open && ++quiet >= 3) open = false;
  }
  return count;
}

describe('the scored point is never in its own statistics', () => {
  it('alerts from the eighth point: 7 points of history make a band', () => {
    const rnd = random(1);
    const rows = series(12, DAY, (i) => (i === 7 ? 140 : 100 + gaussian(rnd)));
    const results = backtest(rows, 'row_count', AUTO);
    expect(results.slice(0, 7).every((r) => r.status === 'learning')).toBe(true);
    expect(results[7]).toMatchObject({ status: 'anomaly', isAnomaly: true });
    expect(results[7]!.upper!).toBeLessThan(140);
    expect(anomalies(results)).toEqual([7]);
  });

  it('gives the first k rows the same output whatever rows come after them', () => {
    const rnd = random(2);
    const rows = series(400, HOUR, (i) => 50 + 10 * Math.sin((2 * Math.PI * i) / 24) + gaussian(rnd) + (i === 300 ? 40 : 0));
    const full = backtest(rows, 'custom_sql', AUTO);
    for (const k of [7, 8, 50, 299, 300, 301]) {
      expect(backtest(rows.slice(0, k), 'custom_sql', AUTO)).toEqual(full.slice(0, k));
    }
  });

  it('bands the daemon way exactly as the backtest: the history with its flags gives the same band', () => {
    const rnd = random(3);
    const rows = series(300, DAY, (i, t) => (new Date(t).getUTCDay() % 6 === 0 ? 60 : 100) + 2 * gaussian(rnd) + (i === 200 ? -50 : 0) + (i > 250 ? 30 : 0));
    const results = backtest(rows, 'row_count', AUTO);
    for (const i of [7, 30, 150, 201, 255, 299]) {
      const history: HistoryPoint[] = rows.slice(0, i).map((row, j) => ({ at: new Date(row.t), value: row.value, isAnomaly: results[j]!.isAnomaly, markedNormal: false }));
      const band = bandFor({ metricType: 'row_count', condition: AUTO, history, now: new Date(rows[i]!.t) });
      expect(band).toEqual(results[i]!.status === 'learning' ? expect.objectContaining({ state: 'learning' }) : { state: 'band', lower: results[i]!.lower, upper: results[i]!.upper });
    }
  });
});

describe('flagged points and a person\'s "normal" mark', () => {
  const rnd = random(4);
  const rows = series(60, DAY, () => 100 + gaussian(rnd));
  const base: HistoryPoint[] = rows.map((r) => ({ at: new Date(r.t), value: r.value, isAnomaly: false, markedNormal: false }));
  const now = new Date(rows[59]!.t + DAY);
  // Two days of a broken load, flagged when they happened.
  const broken = [...base.slice(0, 57), ...[400, 420].map((v, i) => ({ at: new Date(rows[57 + i]!.t), value: v, isAnomaly: true, markedNormal: false })), base[59]!];

  it('keeps flagged points out of training: the band stays where the data was healthy', () => {
    const clean = bandFor({ metricType: 'row_count', condition: AUTO, history: base, now });
    const after = bandFor({ metricType: 'row_count', condition: AUTO, history: broken, now });
    expect(after).toMatchObject({ state: 'band' });
    if (clean.state !== 'band' || after.state !== 'band') return;
    expect(after.upper!).toBeLessThan(120);
    expect(Math.abs(after.upper! - clean.upper!)).toBeLessThan(5);
  });

  it('keeps flagged points out even when the stored history starts with them', () => {
    const start = rows[0]!.t - 3 * DAY;
    const history = [
      ...[1e6, 2e6, 3e6].map((value, i) => ({ at: new Date(start + i * DAY), value, isAnomaly: true, markedNormal: false })),
      ...base,
    ];
    const band = bandFor({ metricType: 'row_count', condition: AUTO, history, now });
    expect(band).toMatchObject({ state: 'band' });
    if (band.state === 'band') expect(band.upper!).toBeLessThan(120);
  });

  it('says learning rather than give a band it cannot compute', () => {
    const huge: HistoryPoint[] = Array.from({ length: 20 }, (_, i) => ({ at: new Date(rows[0]!.t + i * DAY), value: i % 2 === 0 ? 1.7e308 : -1.7e308, isAnomaly: false, markedNormal: false }));
    expect(bandFor({ metricType: 'custom_sql', condition: AUTO, history: huge, now: new Date(rows[0]!.t + 20 * DAY) })).toMatchObject({ state: 'learning' });
  });

  it('trains on a flagged point once a person marks it normal', () => {
    const marked = broken.map((p) => (p.isAnomaly ? { ...p, markedNormal: true } : p));
    const before = bandFor({ metricType: 'row_count', condition: AUTO, history: broken, now });
    const after = bandFor({ metricType: 'row_count', condition: AUTO, history: marked, now });
    if (before.state !== 'band' || after.state !== 'band') throw new Error('expected bands');
    expect(after.upper!).toBeGreaterThan(before.upper! + 20);
  });
});

describe('a sustained new level', () => {
  it('alerts once, then is the new normal within a season instead of alerting for weeks', () => {
    const rnd = random(5);
    // A daily table with a weekly pattern; a new source doubles it from day 120.
    const rows = series(220, DAY, (i, t) => {
      const weekend = [0, 6].includes(new Date(t).getUTCDay());
      return Math.round((i >= 120 ? 1.6 : 1) * (weekend ? 5000 : 10000) * (1 + 0.02 * gaussian(rnd)));
    });
    const results = backtest(rows, 'row_count', AUTO);
    expect(anomalies(results).filter((i) => i < 120)).toEqual([]);
    expect(results[120]!.isAnomaly).toBe(true);
    expect(alerts(results.slice(120))).toBe(1);
    expect(anomalies(results).filter((i) => i >= 127)).toEqual([]);
  });

  it('comes back quietly when a level turns out to be a transient', () => {
    const rnd = random(6);
    // Six hours at half the volume, then back to normal: one alert, no second one on the way back.
    const rows = series(24 * 30, HOUR, (i) => Math.round(1000 * (i >= 500 && i < 506 ? 0.5 : 1) * (1 + 0.02 * gaussian(rnd))));
    const results = backtest(rows, 'row_count', AUTO);
    expect(results[500]!.isAnomaly).toBe(true);
    expect(alerts(results)).toBe(1);
    expect(anomalies(results).filter((i) => i >= 506)).toEqual([]);
  });

  it('goes back to the quiet level after a burst over a weekend, and catches the next burst', () => {
    const rnd = random(6);
    // Hourly crash counts of 0-45 from a Tuesday, with bursts to ~2,000 (one from Saturday noon
    // to Sunday evening). The weekend model shifted up with the burst and down again, so it
    // alone says the burst level is the old normal on Monday; the plain level says otherwise.
    const bursts = [[40, 45], [108, 137], [153, 165], [220, 227]] as const;
    const rows = series(24 * 12, HOUR, (i) => {
      const burst = bursts.find(([a, z]) => i >= a && i <= z);
      return burst === undefined ? Math.round(rnd() * rnd() * 45) : Math.round(Math.min(2200, 1600 + 120 * (i - burst[0])) + 60 * (rnd() - 0.5));
    }, Date.UTC(2026, 0, 6));
    const results = backtest(rows, 'custom_sql', AUTO);
    expect(results[8 * 24 + 12]!.upper!).toBeLessThan(500);
    expect(results[220]!.isAnomaly).toBe(true);
  });
});

describe('what keeps happening is the series\' noise', () => {
  it('stops alerting on spikes that came four times within two weeks of hourly data', () => {
    const rnd = random(18);
    const spikes = [200, 260, 320, 380, 440, 500];
    const rows = series(600, HOUR, (i) => 100 + 2 * gaussian(rnd) + (spikes.includes(i) ? 30 : 0));
    const results = backtest(rows, 'custom_sql', AUTO);
    // The first four alert; from then on a spike that size is within the band.
    expect(anomalies(results).filter((i) => i >= 48)).toEqual(spikes.slice(0, 4));
  });

  it('keeps the deviation that completes the pattern out of the noise it learns', () => {
    const rnd = random(20);
    // Two small spikes and two outage-sized ones in two weeks, then a mid-sized spike.
    const extra: Record<number, number> = { 200: 30, 260: 30, 320: 300, 380: 300, 440: 120 };
    const rows = series(500, HOUR, (i) => 100 + 2 * gaussian(rnd) + (extra[i] ?? 0));
    const results = backtest(rows, 'custom_sql', AUTO);
    // Had the fourth joined the noise, the typical accepted deviation would be an outage
    // and the band would reach about 280: the spike at 440 would pass unseen.
    expect(anomalies(results).filter((i) => i >= 48)).toEqual([200, 260, 320, 380, 440]);
    expect(results[441]!.upper!).toBeLessThan(200);
  });

  it('keeps all of the event that completes the pattern out, not only its first point', () => {
    const rnd = random(23);
    // Three small spikes; a three-hour burst completes the pattern; four mid-sized spikes complete it again.
    const extra: Record<number, number> = { 200: 30, 260: 30, 320: 30, 380: 300, 381: 300, 382: 300, 440: 70, 500: 70, 560: 70, 620: 70, 700: 80 };
    const rows = series(760, HOUR, (i) => 100 + 2 * gaussian(rnd) + (extra[i] ?? 0));
    const results = backtest(rows, 'custom_sql', AUTO);
    // Had the burst's later hours joined the noise, the band would reach about 320 and miss 700.
    expect(anomalies(results).filter((i) => i >= 48)).toEqual([200, 260, 320, 380, 381, 382, 440, 500, 560, 620, 700]);
    expect(results[700]!.upper!).toBeLessThan(200);
  });

  it('never takes outages for noise, however often they come', () => {
    const rnd = random(21);
    const outages = [200, 260, 320, 380, 700, 1000];
    const rows = series(1100, HOUR, (i) => (outages.includes(i) ? 0 : 100 + 2 * gaussian(rnd)));
    const results = backtest(rows, 'row_count', AUTO);
    expect(anomalies(results).filter((i) => i >= 48)).toEqual(outages);
    expect(results[999]!.lower!).toBeGreaterThan(80);
  });

  it('never takes a daily series\' incidents for noise, even four in two weeks', () => {
    const rnd = random(22);
    const incidents = [60, 63, 66, 69, 120, 200];
    const rows = series(220, DAY, (i) => 1000 + 20 * gaussian(rnd) + (incidents.includes(i) ? 600 : 0));
    expect(anomalies(backtest(rows, 'row_count', AUTO))).toEqual(incidents);
  });

  it('keeps alerting on a daily series whose incidents are weeks apart', () => {
    const rnd = random(19);
    const incidents = [40, 70, 100, 130, 160, 190];
    const rows = series(220, DAY, (i) => 100 + 2 * gaussian(rnd) + (incidents.includes(i) ? 30 : 0));
    expect(anomalies(backtest(rows, 'custom_sql', AUTO))).toEqual(incidents);
  });
});

describe('robust scale with floors', () => {
  it('keeps a 100.00 -> 99.99 wobble on a unique percentage quiet', () => {
    const rnd = random(7);
    const rows = series(200, DAY, () => (rnd() < 0.2 ? 99.99 : rnd() < 0.05 ? 99.98 : 100));
    expect(anomalies(backtest(rows, 'unique_percentage', AUTO))).toEqual([]);
  });

  it('alerts on 0% -> 0.4% nulls in a column that is always 0', () => {
    const rows = series(120, DAY, (i) => (i === 100 ? 0.4 : 0));
    const results = backtest(rows, 'null_percentage', AUTO);
    expect(anomalies(results)).toEqual([100]);
  });

  it('is not moved by an outlier among the history it learns from', () => {
    const rnd = random(8);
    const rows = series(60, DAY, (i) => (i === 3 ? 10_000 : 100 + gaussian(rnd)) + (i === 40 ? 15 : 0));
    const results = backtest(rows, 'custom_sql', AUTO);
    expect(results[40]!.isAnomaly).toBe(true);
    expect(results[40]!.upper!).toBeLessThan(115);
  });
});

describe('seasonality chosen from the data, and trend', () => {
  it('learns weekends: no weekend alerts after the first weeks, a weekday drop alerts', () => {
    const rnd = random(9);
    const rows = series(140, DAY, (i, t) => {
      const weekend = [0, 6].includes(new Date(t).getUTCDay());
      return Math.round((weekend ? 4000 : 10000) * (1 + 0.02 * gaussian(rnd)) * (i === 100 ? 0.6 : 1));
    });
    const results = backtest(rows, 'row_count', AUTO);
    expect(new Date(rows[100]!.t).getUTCDay()).not.toBe(0);
    expect(anomalies(results).filter((i) => i >= 21)).toEqual([100]);
  });

  it('learns hours of the day on hourly data', () => {
    const rnd = random(10);
    const rows = series(24 * 28, HOUR, (i, t) => {
      const hour = new Date(t).getUTCHours();
      return Math.round((hour < 6 ? 100 : hour < 18 ? 1000 : 400) * (1 + 0.03 * gaussian(rnd)) * (i === 600 ? 0.3 : 1));
    });
    const results = backtest(rows, 'row_count', AUTO);
    expect(anomalies(results).filter((i) => i >= 24 * 7)).toEqual([600]);
  });

  it('learns a month-end load: quiet at month ends after the first months', () => {
    const rnd = random(11);
    const rows = series(400, DAY, (i, t) => {
      const d = new Date(t);
      const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate() === d.getUTCDate();
      return Math.round((last ? 30_000 : 10_000) * (1 + 0.02 * gaussian(rnd)));
    });
    const results = backtest(rows, 'row_count', AUTO);
    expect(anomalies(results).filter((i) => i >= 120)).toEqual([]);
  });

  /**
   * 430 days from 2025-01-01 of a table with weekends, and a load on one day of every month,
   * except on day `missing`, and on day `extra` too.
   */
  function monthlyLoad(seed: number, o: { weekend: number; dayOfMonth: number; load: number; missing: number; extra: number }) {
    const rnd = random(seed);
    return series(
      430,
      DAY,
      (i, t) => {
        const d = new Date(t);
        const weekend = d.getUTCDay() % 6 === 0;
        const load = (d.getUTCDate() === o.dayOfMonth && i !== o.missing) || i === o.extra ? o.load : 0;
        return Math.round(((weekend ? o.weekend : 3_000) + load) * (1 + 0.03 * gaussian(rnd)));
      },
      Date.UTC(2025, 0, 1),
    );
  }

  it('on a table with weekends and a month-start load, catches a load mid-month and a missing one', () => {
    // Starts on the 1st: the first value is a load day, not the level.
    const rows = monthlyLoad(17, { weekend: 600, dayOfMonth: 1, load: 9_000, missing: 365, extra: 290 });
    const results = backtest(rows, 'row_count', AUTO);
    // Day 290 is 2025-10-18, a Saturday with a load; day 365 is 2026-01-01, its load missing.
    expect(new Date(rows[365]!.t).toISOString().slice(0, 10)).toBe('2026-01-01');
    expect(anomalies(results).filter((i) => i >= 120)).toEqual([290, 365]);
  });

  it('on a table with weekends and a month-end load three times a day, catches partial loads of 30-70%', () => {
    const lastOfMonth = (t: number) => new Date(t + DAY).getUTCDate() === 1;
    const partial = new Map([
      [201, 0.3],
      [222, 0.5],
      [243, 0.7],
    ]);
    for (let seed = 1; seed <= 6; seed++) {
      const rnd = random(seed * 5);
      const expected = (t: number) => 20_000 * ([0, 6].includes(new Date(t).getUTCDay()) ? 0.5 : 1) * (lastOfMonth(t) ? 3 : 1);
      const rows = series(300, DAY, (i, t) => Math.round(expected(t) * (1 + 0.02 * gaussian(rnd)) * (partial.get(i) ?? 1)), Date.UTC(2025, 0, 1));
      const found = anomalies(backtest(rows, 'row_count', AUTO));
      expect([...partial.keys()].filter((i) => found.includes(i))).toEqual([...partial.keys()]);
    }
  });

  it('learns a load on the 15th of every month once it recurs, then catches it missing or on the wrong day', () => {
    // Payroll on the 15th; 2025-09-15 (day 257) it does not run, 2025-11-12 (day 315) one runs early.
    const rows = monthlyLoad(18, { weekend: 1_000, dayOfMonth: 15, load: 6_000, missing: 257, extra: 315 });
    const results = backtest(rows, 'row_count', AUTO);
    expect(new Date(rows[257]!.t).toISOString().slice(0, 10)).toBe('2025-09-15');
    expect(new Date(rows[315]!.t).toISOString().slice(0, 10)).toBe('2025-11-12');
    const fifteenths = rows.flatMap((r, i) => (new Date(r.t).getUTCDate() === 15 ? [i] : []));
    // The first two loads alert (one is no pattern yet); from then on only the two incidents.
    expect(anomalies(results).filter((i) => fifteenths.includes(i) && i < 60)).toEqual([14, 45]);
    expect(anomalies(results).filter((i) => i >= 60)).toEqual([257, 315]);
  });

  it('forgets a day of the month that two incidents made look like a pattern, without alerting on it', () => {
    const rnd = random(20);
    const start = Date.UTC(2025, 0, 1);
    // Incidents on 2025-04-15 and 2025-05-15, the same day of two months; the 15th is normal
    // after them, so when another like them comes on 2025-08-15, it is an incident again.
    const rows = series(300, DAY, (i) => Math.round(5_000 * (1 + 0.02 * gaussian(rnd)) * ([104, 134, 226].includes(i) ? 1.5 : 1)), start);
    expect([104, 134, 226].map((i) => new Date(rows[i]!.t).toISOString().slice(0, 10))).toEqual(['2025-04-15', '2025-05-15', '2025-08-15']);
    const results = backtest(rows, 'row_count', AUTO);
    expect(anomalies(results)).toEqual([104, 134, 226]);
  });

  it('never learns outages that fall on the same day of the month as a pattern', () => {
    const rnd = random(23);
    const start = Date.UTC(2025, 0, 1);
    // The load fails on the 12th of five months running, then runs again.
    const failed = [42, 70, 101, 131, 162];
    const rows = series(300, DAY, (i) => Math.round(5_000 * (1 + 0.02 * gaussian(rnd)) * (failed.includes(i) ? 0.1 : 1)), start);
    expect(failed.map((i) => new Date(rows[i]!.t).getUTCDate())).toEqual([12, 12, 12, 12, 12]);
    expect(anomalies(backtest(rows, 'row_count', AUTO))).toEqual(failed);
  });

  it('learns a job on the 29th, which is a month edge in 30-day months', () => {
    const rnd = random(24);
    const start = Date.UTC(2025, 0, 1);
    const rows = series(400, DAY, (i, t) => Math.round((new Date(t).getUTCDate() === 29 ? 15_000 : 5_000) * (1 + 0.02 * gaussian(rnd))), start);
    const alertsOn29th = anomalies(backtest(rows, 'row_count', AUTO)).filter((i) => new Date(rows[i]!.t).getUTCDate() === 29);
    expect(alertsOn29th.length).toBeLessThanOrEqual(2);
    expect(alertsOn29th.every((i) => i < 120)).toBe(true);
  });

  it('does not learn one-off deviations that only happen to fall on the same day of the month', () => {
    const rnd = random(19);
    const rows = series(300, DAY, (i) => Math.round(5_000 * (1 + 0.02 * gaussian(rnd)) * ([100, 220].includes(i) ? 2 : i === 130 ? 0.7 : 1)));
    // Days 100 and 130 are on the same day of the month but on opposite sides; 220 comes four months after 100.
    const results = backtest(rows, 'row_count', AUTO);
    expect(anomalies(results)).toEqual([100, 130, 220]);
  });

  it('follows a growing table without tripping its upper bound', () => {
    const rnd = random(12);
    const rows = series(300, DAY, (i) => Math.round(50_000 * 1.01 ** i * (1 + 0.01 * gaussian(rnd))));
    expect(anomalies(backtest(rows, 'row_count', AUTO))).toEqual([]);
  });

  it('keeps the band of a growing table on the trend, tight enough to catch a 10% drop', () => {
    const rnd = random(16);
    const rows = series(160, DAY, (i) => Math.round(50_000 * 1.01 ** i * (1 + 0.01 * gaussian(rnd)) * (i === 130 ? 0.9 : 1)));
    const results = backtest(rows, 'row_count', AUTO);
    expect(anomalies(results)).toEqual([130]);
    const expected = 50_000 * 1.01 ** 129;
    expect(results[129]!.lower!).toBeGreaterThan(expected * 0.92);
    expect(results[129]!.upper!).toBeLessThan(expected * 1.08);
  });
});

describe('a growing table with weekends', () => {
  // 0.3% a day compounding (three times the size in a year), weekends at half a weekday, 1.5% noise.
  const expected = (i: number, t: number) => 40_000 * 1.003 ** i * ([0, 6].includes(new Date(t).getUTCDay()) ? 0.5 : 1);
  const weekend = (t: number) => [0, 6].includes(new Date(t).getUTCDay());

  it('grows its weekend gap with the table: weekend bands stay as narrow as the noise allows, and quiet', () => {
    const rnd = random(21);
    const rows = series(300, DAY, (i, t) => Math.round(expected(i, t) * (1 + 0.015 * gaussian(rnd))));
    const results = backtest(rows, 'row_count', AUTO);
    expect(anomalies(results).filter((i) => i >= 60)).toEqual([]);
    // Half-widths as a share of the expected value, on the weekends of the last five months.
    const halves = results.flatMap((r, i) => (i >= 150 && weekend(r.t) ? [(r.upper! - r.lower!) / 2 / expected(i, r.t)] : [])).sort((a, b) => a - b);
    expect(halves[Math.floor(halves.length / 2)]!).toBeLessThan(0.12);
  });

  it('catches 10-12% partial loads on weekdays and weekends of a table growing 0.5% a day', () => {
    const growing = (i: number, t: number) => 40_000 * 1.005 ** i * (weekend(t) ? 0.5 : 1);
    let caught = 0;
    let others = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const rnd = random(200 + seed);
      // Day 199 is a Thursday (a 10% partial load), day 250 a Saturday (12%).
      const rows = series(300, DAY, (i, t) => Math.round(growing(i, t) * (1 + 0.01 * gaussian(rnd)) * (i === 199 ? 0.9 : i === 250 ? 0.88 : 1)));
      const found = anomalies(backtest(rows, 'row_count', AUTO)).filter((i) => i >= 60);
      caught += [199, 250].filter((i) => found.includes(i)).length;
      others += found.filter((i) => i !== 199 && i !== 250).length;
    }
    expect(caught).toBeGreaterThanOrEqual(18);
    expect(others).toBe(0);
  });

  it('starts again once a small table has held ten times its size with weekends: the band fits the new table', () => {
    // 2,000 rows a day for a month (a trial), then 20,000 with weekends at half: what was
    // learnt in the trial says nothing about the table's shape or noise.
    for (const seed of [3, 4, 5]) {
      const rnd = random(seed);
      const after = (i: number, t: number) => 20_000 * 1.002 ** i * (weekend(t) ? 0.5 : 1);
      const rows = series(300, DAY, (i, t) => Math.round((i < 30 ? 2_000 : after(i, t)) * (1 + (i < 30 ? 0.05 : 0.02) * gaussian(rnd)) * (i === 120 || i === 220 ? 0.75 : 1)));
      const results = backtest(rows, 'row_count', AUTO);
      // The jump alerts; monitoring never pauses.
      expect(results[30]!.isAnomaly).toBe(true);
      expect(results.slice(30).every((r) => r.status !== 'learning')).toBe(true);
      const found = anomalies(results).filter((i) => i >= 60);
      expect(found).toEqual([120, 220]);
      const widest = Math.max(...results.slice(100).map((r, j) => r.upper! / after(100 + j, r.t)));
      expect(widest).toBeLessThan(1.5);
      // The daemon, folding the stored history with its flags, starts again the same way.
      for (const i of [36, 58, 64, 121]) {
        const history: HistoryPoint[] = rows.slice(0, i).map((row, j) => ({ at: new Date(row.t), value: row.value, isAnomaly: results[j]!.isAnomaly, markedNormal: false }));
        const band = bandFor({ metricType: 'row_count', condition: AUTO, history, now: new Date(rows[i]!.t) });
        expect(band).toEqual(results[i]!.status === 'learning' ? expect.objectContaining({ state: 'learning' }) : { state: 'band', lower: results[i]!.lower, upper: results[i]!.upper });
      }
    }
  });
});

describe('per-metric rules', () => {
  const rnd = random(13);
  it('keeps percentages within 0-100', () => {
    const rows = series(60, DAY, () => Math.min(100, 99.5 + 0.5 * rnd()));
    for (const r of backtest(rows, 'unique_percentage', AUTO).slice(7)) {
      expect(r.lower!).toBeGreaterThanOrEqual(0);
      expect(r.upper!).toBeLessThanOrEqual(100);
    }
  });

  it('alerts when a steady count moves by one', () => {
    const rows = series(60, DAY, (i) => (i === 40 ? 6 : i === 50 ? 4 : 5));
    const results = backtest(rows, 'cardinality', AUTO);
    expect(anomalies(results)).toEqual([40, 50]);
    expect(results[39]).toMatchObject({ lower: 5, upper: 5 });
  });

  it('keeps counts whole and never negative', () => {
    const rows = series(60, DAY, () => Math.round(3 + 3 * rnd()));
    for (const r of backtest(rows, 'row_count', AUTO).slice(7)) {
      expect(Number.isInteger(r.lower!) && Number.isInteger(r.upper!)).toBe(true);
      expect(r.lower!).toBeGreaterThanOrEqual(0);
    }
  });

  it('alerts on freshness only when data is late, never when it is early', () => {
    const rows = series(80, HOUR, (i) => (i === 60 ? 0 : i === 70 ? 40 : 2 + (i % 3)));
    const results = backtest(rows, 'freshness', AUTO);
    expect(results.slice(7).every((r) => r.lower === null)).toBe(true);
    expect(anomalies(results)).toEqual([70]);
  });
});

describe('missing buckets, irregular times and short histories', () => {
  it('reports missing buckets and carries on', () => {
    const rnd = random(14);
    const rows = series(60, DAY, (i) => (i % 9 === 4 ? null : i === 50 ? 200 : 100 + gaussian(rnd)));
    const results = backtest(rows, 'row_count', AUTO);
    expect(results.filter((r) => r.status === 'missing')).toHaveLength(rows.filter((r) => r.value === null).length);
    expect(results[4]).toEqual({ t: rows[4]!.t, value: null, lower: null, upper: null, isAnomaly: false, status: 'missing' });
    expect(anomalies(results)).toEqual([50]);
  });

  it('copes with timestamps off the hour and skipped days', () => {
    const rnd = random(15);
    const start = Date.UTC(2026, 0, 5);
    const rows = [];
    let t = start;
    for (let i = 0; i < 120; i++) {
      t += DAY * (rnd() < 0.1 ? 2 : 1) + Math.round((rnd() - 0.5) * 40 * 60_000);
      rows.push({ t, value: i === 100 ? 160 : 100 + gaussian(rnd) });
    }
    expect(anomalies(backtest(rows, 'custom_sql', AUTO))).toEqual([100]);
  });

  it('reads the cadence from the data: a few runs by hand, then daily, is daily', () => {
    const rnd = random(17);
    const start = Date.UTC(2026, 0, 5, 9);
    const byHand = Array.from({ length: 8 }, (_, i) => ({ t: start + i * 5 * 60_000, value: 100 + gaussian(rnd) }));
    const daily = Array.from({ length: 120 }, (_, i) => ({ t: start + (i + 1) * DAY, value: i === 100 ? 150 : 100 + gaussian(rnd) }));
    const results = backtest([...byHand, ...daily], 'custom_sql', AUTO);
    expect(results.filter((r) => r.status === 'learning').length).toBeLessThanOrEqual(30);
    expect(anomalies(results)).toEqual([108]);
  });

  it('stays learning, never alerting, until it has 7 points', () => {
    const rows = series(7, DAY, (i) => (i === 6 ? 1e9 : 1));
    expect(backtest(rows, 'custom_sql', AUTO).map((r) => r.status)).toEqual(Array(7).fill('learning'));
  });
});
