import { describe, expect, it } from 'vitest';
import { bandFor, judge } from '../../detectors/index.js';
import { singleCell, toMeasurementValue } from '../../src/engine/normalise.js';
import { MAX_BATCH_SIZE, planRuns } from '../../src/engine/plan.js';
import { exitCodeFor } from '../../src/cli/exit-codes.js';
import { formatNumber } from '../../src/cli/output.js';
import type { RunResult } from '../../src/engine/run.js';
import { monitor } from '../helpers/monitors.js';

describe('toMeasurementValue', () => {
  it('keeps finite numbers and null (an aggregate over no rows)', () => {
    expect(toMeasurementValue(42.5, 'mean')).toEqual({ ok: true, value: 42.5 });
    expect(toMeasurementValue(0, 'row_count')).toEqual({ ok: true, value: 0 });
    expect(toMeasurementValue(null, 'max')).toEqual({ ok: true, value: null });
  });

  it('refuses anything else, saying what came back', () => {
    expect(toMeasurementValue(Number.NaN, 'custom_sql')).toEqual({ ok: false, message: 'the query returned NaN, not a finite number' });
    expect(toMeasurementValue(Infinity, 'mean')).toEqual({ ok: false, message: 'the query returned Infinity, not a finite number' });
    expect(toMeasurementValue('12', 'custom_sql')).toEqual({ ok: false, message: 'the query returned the text "12", not a number' });
    expect(toMeasurementValue('abc', 'min')).toEqual({ ok: false, message: 'the query returned the text "abc", not a number: min needs a numeric column' });
    expect(toMeasurementValue(true, 'custom_sql')).toEqual({ ok: false, message: 'the query returned the boolean true, not a number' });
    expect(toMeasurementValue(new Date('2026-01-01T00:00:00Z'), 'custom_sql')).toEqual({
      ok: false,
      message: 'the query returned the timestamp 2026-01-01T00:00:00.000Z, not a number; to watch how old data is, use freshness',
    });
    expect(toMeasurementValue(new Date('2026-01-01T00:00:00Z'), 'max')).toMatchObject({ ok: false, message: expect.stringMatching(/max needs a numeric column$/) });
  });
});

describe('singleCell', () => {
  it('takes the one cell of one row and one column', () => {
    expect(singleCell({ columns: ['n'], rows: [[7]] })).toEqual({ ok: true, cell: 7 });
  });
  it('says how many columns and rows came back otherwise', () => {
    expect(singleCell({ columns: ['a', 'b', 'c', 'd', 'e', 'f'], rows: [[1, 2, 3, 4, 5, 6]] })).toMatchObject({ ok: false, message: expect.stringMatching(/^query_select returned 6 columns \(a, b, c, d, e, \.\.\.\)/) });
    expect(singleCell({ columns: ['n'], rows: [] })).toMatchObject({ ok: false, message: expect.stringMatching(/^query_select returned no rows/) });
    expect(singleCell({ columns: ['n'], rows: [[1], [2]] })).toMatchObject({ ok: false, message: expect.stringMatching(/^query_select returned more than one row/) });
  });
});

describe('planRuns', () => {
  it('batches the monitors of a table, keeps custom queries apart, and groups by warehouse', () => {
    const a1 = monitor({ warehouse: 'a', table: ['s', 't'], metricType: 'row_count' });
    const a2 = monitor({ warehouse: 'a', table: ['s', 't'], column: 'x', metricType: 'max' });
    const a3 = monitor({ warehouse: 'a', table: ['s', 'u'], metricType: 'row_count' });
    const a4 = monitor({ warehouse: 'a', table: null, metricType: 'custom_sql', metricConfig: { query_select: 'select 1' } });
    const b1 = monitor({ warehouse: 'b', table: ['s', 't'], metricType: 'row_count' });
    const plan = planRuns([a1, b1, a2, a3, a4]);
    expect([...plan.keys()]).toEqual(['a', 'b']);
    expect(plan.get('a')!.map((u) => (u.kind === 'batch' ? u.monitors.map((m) => m.id) : [u.monitor.id]))).toEqual([[a1.id, a2.id], [a3.id], [a4.id]]);
    expect(plan.get('b')!.map((u) => u.kind)).toEqual(['batch']);
  });

  it("reads a freshness without a timestamp column from the warehouse's metadata, apart from the table's batch", () => {
    const count = monitor({ warehouse: 'sf', table: ['s', 't'], metricType: 'row_count' });
    const dated = monitor({ warehouse: 'sf', table: ['s', 't'], metricType: 'freshness', metricConfig: { timestamp_column: 'ts' } });
    const metadata = monitor({ warehouse: 'sf', table: ['s', 't'], metricType: 'freshness' });
    const units = planRuns([count, metadata, dated]).get('sf')!;
    expect(units.map((u) => u.kind)).toEqual(['batch', 'metadata']);
    expect(units[0]!.kind === 'batch' && units[0]!.monitors.map((m) => m.id)).toEqual([count.id, dated.id]);
    expect(units[1]).toMatchObject({ kind: 'metadata', table: ['s', 't'], monitor: { id: metadata.id } });
  });

  it(`splits a table's batch past ${MAX_BATCH_SIZE} monitors`, () => {
    const many = Array.from({ length: MAX_BATCH_SIZE + 1 }, () => monitor({ table: ['t'], metricType: 'row_count' }));
    const units = planRuns(many).get('wh')!;
    expect(units.map((u) => (u.kind === 'batch' ? u.monitors.length : 0))).toEqual([MAX_BATCH_SIZE, 1]);
  });
});

describe('bands and verdicts', () => {
  const manual = { sensitivity: null, min: 10, max: 20, bounds: 'both' as const };
  it('a manual band is the condition min and max', () => {
    expect(bandFor({ metricType: 'row_count', condition: manual, history: [], now: new Date() })).toEqual({ state: 'band', lower: 10, upper: 20 });
  });
  it('a learned band reports learning until the detectors exist, so it never alerts', () => {
    const band = bandFor({ metricType: 'row_count', condition: { ...manual, sensitivity: 5, min: null, max: null }, history: [], now: new Date() });
    expect(band.state).toBe('learning');
    expect(judge(1e9, band, 'both')).toEqual({ status: 'learning', lower: null, upper: null });
  });
  it('judges only the sides that bounds names', () => {
    const band = { state: 'band' as const, lower: 10, upper: 20 };
    expect(judge(15, band, 'both').status).toBe('normal');
    expect(judge(10, band, 'both').status).toBe('normal');
    expect(judge(20, band, 'both').status).toBe('normal');
    expect(judge(21, band, 'both').status).toBe('anomaly');
    expect(judge(9, band, 'both').status).toBe('anomaly');
    expect(judge(9, band, 'upper').status).toBe('normal');
    expect(judge(21, band, 'lower').status).toBe('normal');
    expect(judge(21, { state: 'band', lower: 10, upper: null }, 'both').status).toBe('normal');
    expect(judge(null, band, 'both')).toEqual({ status: 'normal', lower: 10, upper: 20 });
  });
});

describe('run-now output', () => {
  const result = (status: RunResult['status']): RunResult => ({
    monitor: monitor({ metricType: 'row_count' }),
    status,
    value: null,
    lower: null,
    upper: null,
    measuredAt: new Date(),
    measurementId: null,
    error: null,
  });
  it('exits 0 in range, 1 on a breach, 2 on any error', () => {
    expect(exitCodeFor([])).toBe(0);
    expect(exitCodeFor([result('normal'), result('learning')])).toBe(0);
    expect(exitCodeFor([result('normal'), result('incident')])).toBe(1);
    expect(exitCodeFor([result('incident'), result('error')])).toBe(2);
  });
  it('formats numbers for people', () => {
    expect(formatNumber(null)).toBe('-');
    expect(formatNumber(10000)).toBe('10000');
    expect(formatNumber(98.125)).toBe('98.125');
    expect(formatNumber(33.333333333)).toBe('33.3333');
    expect(formatNumber(0.0167932)).toBe('0.016793');
    expect(formatNumber(123456.789)).toBe('123456.8');
  });
});
