import { describe, expect, it } from 'vitest';
import type { MetricConfig, MetricType } from '../../src/domain/metric.js';
import { checkTargetShape, resolveCondition, resolveSchedule, type TargetShape } from '../../src/domain/rules.js';

function shape(metricType: MetricType, rest: Partial<Omit<TargetShape, 'metricType'>> = {}): TargetShape {
  const metricConfig: MetricConfig = rest.metricConfig ?? {};
  return { metricType, hasTable: rest.hasTable ?? true, column: rest.column, metricConfig };
}

describe('checkTargetShape', () => {
  it.each<MetricType>(['row_count', 'freshness'])('%s: a table-level metric accepts a table alone', (metricType) => {
    const metricConfig = metricType === 'freshness' ? { timestamp_column: 'updated_at' } : {};
    expect(checkTargetShape(shape(metricType, { metricConfig }))).toEqual([]);
  });

  it.each<MetricType>(['null_percentage', 'unique_percentage', 'cardinality', 'min', 'max', 'mean'])(
    '%s: a column metric accepts a table and a column',
    (metricType) => {
      expect(checkTargetShape(shape(metricType, { column: 'amount' }))).toEqual([]);
    },
  );

  it('accepts a where filter on a standard metric', () => {
    expect(checkTargetShape(shape('row_count', { metricConfig: { where: "status = 'paid'" } }))).toEqual([]);
  });

  it.each<MetricType>(['row_count', 'freshness', 'mean'])('%s needs a table', (metricType) => {
    const problems = checkTargetShape(
      shape(metricType, {
        hasTable: false,
        column: metricType === 'mean' ? 'amount' : undefined,
        metricConfig: metricType === 'freshness' ? { timestamp_column: 'ts' } : {},
      }),
    );
    expect(problems).toEqual([{ field: ['table'], message: `${metricType} needs a table` }]);
  });

  it.each<MetricType>(['row_count', 'freshness'])('%s rejects a column', (metricType) => {
    const metricConfig = metricType === 'freshness' ? { timestamp_column: 'ts' } : {};
    expect(checkTargetShape(shape(metricType, { column: 'amount', metricConfig }))).toEqual([
      { field: ['column'], message: `${metricType} is a table-level metric; remove column or use a column metric` },
    ]);
  });

  it.each<MetricType>(['null_percentage', 'unique_percentage', 'cardinality', 'min', 'max', 'mean'])(
    '%s needs a column, reported on the monitor itself',
    (metricType) => {
      expect(checkTargetShape(shape(metricType))).toEqual([{ field: [], message: `${metricType} is a column metric: set column` }]);
    },
  );

  it('freshness needs a timestamp_column', () => {
    expect(checkTargetShape(shape('freshness'))).toEqual([
      {
        field: ['metric_config'],
        message: 'freshness needs metric_config.timestamp_column: the column whose newest value dates the data (only Snowflake and BigQuery can date a table from their own metadata)',
      },
    ]);
  });

  it('freshness needs no timestamp_column where the warehouse dates its tables (Snowflake, BigQuery), but then takes no where', () => {
    expect(checkTargetShape({ ...shape('freshness'), metadataFreshness: true })).toEqual([]);
    expect(checkTargetShape({ ...shape('freshness', { metricConfig: { where: 'x > 1' } }), metadataFreshness: true })).toEqual([
      { field: ['metric_config', 'where'], message: "freshness from the warehouse's metadata dates the whole table: where needs a timestamp_column" },
    ]);
    expect(checkTargetShape({ ...shape('freshness', { metricConfig: { where: 'x > 1', timestamp_column: 'ts' } }), metadataFreshness: true })).toEqual([]);
  });

  it('only freshness takes a timestamp_column, named by its lower-case label', () => {
    expect(checkTargetShape(shape('null_percentage', { column: 'a', metricConfig: { timestamp_column: 'ts' } }))).toEqual([
      { field: ['metric_config', 'timestamp_column'], message: 'only freshness uses timestamp_column, not null percentage' },
    ]);
  });

  it('custom_sql needs neither table nor column, only a query', () => {
    expect(checkTargetShape(shape('custom_sql', { hasTable: false, metricConfig: { query_select: 'SELECT 1' } }))).toEqual([]);
  });

  it.each<[string, string | undefined]>([
    ['missing', undefined],
    ['blank', '  \n '],
  ])('custom_sql with a %s query_select', (_, query_select) => {
    expect(checkTargetShape(shape('custom_sql', { hasTable: false, metricConfig: { query_select } }))).toEqual([
      { field: ['metric_config'], message: 'custom_sql needs metric_config.query_select: a query returning one number' },
    ]);
  });

  it('custom_sql rejects where', () => {
    expect(
      checkTargetShape(shape('custom_sql', { hasTable: false, metricConfig: { query_select: 'SELECT 1', where: 'x > 1' } })),
    ).toEqual([{ field: ['metric_config', 'where'], message: 'custom_sql ignores where: filter inside query_select' }]);
  });

  it('query_select belongs to custom_sql only', () => {
    expect(checkTargetShape(shape('row_count', { metricConfig: { query_select: 'SELECT 1' } }))).toEqual([
      { field: ['metric_config', 'query_select'], message: 'query_select is for custom_sql monitors, not row count' },
    ]);
  });

  it('reports every problem of one monitor, in a fixed order', () => {
    const problems = checkTargetShape(shape('freshness', { hasTable: false, column: 'c', metricConfig: { query_select: 'SELECT 1' } }));
    expect(problems.map((p) => p.field.join('.'))).toEqual(['table', 'column', 'metric_config', 'metric_config.query_select']);
  });
});

describe('resolveCondition', () => {
  it('refuses a manual band that could never alert', () => {
    expect(resolveCondition({ min: 1 }, 'freshness')).toEqual({
      ok: false,
      problems: [{ field: ['min'], message: 'freshness alerts only when data is late: set max (hours), not min' }],
    });
    expect(resolveCondition({ max: 5, bounds: 'lower' }, 'row_count')).toEqual({
      ok: false,
      problems: [{ field: ['bounds'], message: 'bounds is lower but only max is set, so nothing could alert: set min, or bounds upper' }],
    });
    expect(resolveCondition({ min: 5, bounds: 'upper' }, 'row_count')).toEqual({
      ok: false,
      problems: [{ field: ['bounds'], message: 'bounds is upper but only min is set, so nothing could alert: set max, or bounds lower' }],
    });
    expect(resolveCondition({ min: 1, max: 24 }, 'freshness')).toMatchObject({ ok: true, value: { bounds: 'upper' } });
    expect(resolveCondition({ min: 5, bounds: 'lower' }, 'row_count')).toMatchObject({ ok: true });
  });

  it('defaults to a learned band at sensitivity 5 on both sides', () => {
    expect(resolveCondition({}, 'row_count')).toEqual({ ok: true, value: { sensitivity: 5, min: null, max: null, bounds: 'both' } });
  });

  it('keeps an explicit sensitivity and bounds', () => {
    expect(resolveCondition({ sensitivity: 8, bounds: 'lower' }, 'mean')).toEqual({
      ok: true,
      value: { sensitivity: 8, min: null, max: null, bounds: 'lower' },
    });
  });

  it('makes a manual band when min or max is given (zero counts)', () => {
    expect(resolveCondition({ min: 0 }, 'min')).toEqual({ ok: true, value: { sensitivity: null, min: 0, max: null, bounds: 'both' } });
    expect(resolveCondition({ max: 5, bounds: 'upper' }, 'null_percentage')).toEqual({
      ok: true,
      value: { sensitivity: null, min: null, max: 5, bounds: 'upper' },
    });
  });

  it('accepts min equal to max, and an explicit null sensitivity with a band', () => {
    expect(resolveCondition({ min: 3, max: 3, sensitivity: null }, 'cardinality')).toEqual({
      ok: true,
      value: { sensitivity: null, min: 3, max: 3, bounds: 'both' },
    });
  });

  it('treats null min and max as absent', () => {
    expect(resolveCondition({ min: null, max: null }, 'row_count')).toEqual({
      ok: true,
      value: { sensitivity: 5, min: null, max: null, bounds: 'both' },
    });
  });

  it('rejects sensitivity together with min or max', () => {
    expect(resolveCondition({ sensitivity: 3, max: 10 }, 'row_count')).toEqual({
      ok: false,
      problems: [{ field: ['sensitivity'], message: 'set either sensitivity (a learned band) or min/max (a manual band), not both' }],
    });
  });

  it('rejects min greater than max', () => {
    expect(resolveCondition({ min: 10, max: 1 }, 'row_count')).toEqual({
      ok: false,
      problems: [{ field: ['min'], message: 'min (10) is greater than max (1)' }],
    });
  });

  it('rejects a null sensitivity without a band', () => {
    expect(resolveCondition({ sensitivity: null }, 'row_count')).toEqual({
      ok: false,
      problems: [{ field: ['sensitivity'], message: 'sensitivity is null, so a manual band needs min or max' }],
    });
  });

  it('freshness is always upper, by default', () => {
    expect(resolveCondition({}, 'freshness')).toEqual({ ok: true, value: { sensitivity: 5, min: null, max: null, bounds: 'upper' } });
    expect(resolveCondition({ bounds: 'upper', max: 48 }, 'freshness')).toEqual({
      ok: true,
      value: { sensitivity: null, min: null, max: 48, bounds: 'upper' },
    });
  });

  it.each(['both', 'lower'] as const)('freshness rejects bounds %s', (bounds) => {
    expect(resolveCondition({ bounds }, 'freshness')).toEqual({
      ok: false,
      problems: [{ field: ['bounds'], message: 'freshness alerts only when data is late: bounds must be upper' }],
    });
  });

  it('reports every problem at once', () => {
    const result = resolveCondition({ sensitivity: 2, min: 9, max: 1, bounds: 'lower' }, 'freshness');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((p) => p.field[0])).toEqual(['sensitivity', 'min', 'bounds']);
  });
});

describe('resolveSchedule', () => {
  it('defaults to daily at hour 0 UTC, every day', () => {
    expect(resolveSchedule({})).toEqual({ ok: true, value: { cadence: 'daily', frequency: 1, hour: 0 } });
  });

  it('hourly takes a frequency and ignores hour', () => {
    expect(resolveSchedule({ cadence: 'hourly', frequency: 6, hour: 4 })).toEqual({ ok: true, value: { cadence: 'hourly', frequency: 6 } });
  });

  it('daily keeps its hour and ignores day', () => {
    expect(resolveSchedule({ cadence: 'daily', hour: 6, day: 20 })).toEqual({ ok: true, value: { cadence: 'daily', frequency: 1, hour: 6 } });
  });

  it('weekly defaults to Monday at hour 0 and accepts days 0 to 6', () => {
    expect(resolveSchedule({ cadence: 'weekly' })).toEqual({ ok: true, value: { cadence: 'weekly', frequency: 1, day: 1, hour: 0 } });
    expect(resolveSchedule({ cadence: 'weekly', day: 0, hour: 23, frequency: 2 })).toEqual({
      ok: true,
      value: { cadence: 'weekly', frequency: 2, day: 0, hour: 23 },
    });
    expect(resolveSchedule({ cadence: 'weekly', day: 6 }).ok).toBe(true);
  });

  it('monthly defaults to day 1 and accepts day 31', () => {
    expect(resolveSchedule({ cadence: 'monthly' })).toEqual({ ok: true, value: { cadence: 'monthly', frequency: 1, day: 1, hour: 0 } });
    expect(resolveSchedule({ cadence: 'monthly', day: 31, hour: 5 })).toEqual({
      ok: true,
      value: { cadence: 'monthly', frequency: 1, day: 31, hour: 5 },
    });
  });

  it('rejects a weekly day above 6', () => {
    expect(resolveSchedule({ cadence: 'weekly', day: 7 })).toEqual({
      ok: false,
      problems: [{ field: ['day'], message: 'a weekly day is 0 (Sunday) to 6 (Saturday), got 7' }],
    });
  });

  it('rejects a monthly day 0', () => {
    expect(resolveSchedule({ cadence: 'monthly', day: 0 })).toEqual({
      ok: false,
      problems: [{ field: ['day'], message: 'a monthly day is 1 to 31, got 0' }],
    });
  });

  it('takes a cron string, in UTC unless a time zone is given', () => {
    expect(resolveSchedule({ cron: '0 6 * * 1-5' })).toEqual({ ok: true, value: { cron: '0 6 * * 1-5', timezone: 'UTC' } });
    expect(resolveSchedule({ cron: '*/15 * * * *', timezone: 'Europe/Paris' })).toEqual({
      ok: true,
      value: { cron: '*/15 * * * *', timezone: 'Europe/Paris' },
    });
  });

  it('rejects an invalid cron expression, saying why', () => {
    expect(resolveSchedule({ cron: 'not a cron' })).toEqual({
      ok: false,
      problems: [{ field: ['cron'], message: 'not a valid cron expression (expression: expected 5 or 6 fields but got 3)' }],
    });
    const outOfRange = resolveSchedule({ cron: '61 * * * *' });
    expect(outOfRange.ok).toBe(false);
    if (!outOfRange.ok) {
      expect(outOfRange.problems).toHaveLength(1);
      expect(outOfRange.problems[0]!.field).toEqual(['cron']);
      expect(outOfRange.problems[0]!.message).toMatch(/^not a valid cron expression/);
    }
  });

  it('rejects an unknown time zone', () => {
    expect(resolveSchedule({ cron: '0 * * * *', timezone: 'Mars/Olympus' })).toEqual({
      ok: false,
      problems: [{ field: ['timezone'], message: 'unknown time zone "Mars/Olympus": use an IANA name such as Europe/Paris' }],
    });
  });

  it('rejects cadence fields on a cron schedule, one problem per field', () => {
    expect(resolveSchedule({ cron: '0 * * * *', cadence: 'daily', hour: 3 })).toEqual({
      ok: false,
      problems: [
        { field: ['cadence'], message: 'a cron schedule takes only cron and timezone' },
        { field: ['hour'], message: 'a cron schedule takes only cron and timezone' },
      ],
    });
  });

  it('rejects a time zone without cron', () => {
    expect(resolveSchedule({ cadence: 'daily', timezone: 'Europe/Paris' })).toEqual({
      ok: false,
      problems: [{ field: ['timezone'], message: 'timezone applies to cron schedules; cadence hours are UTC' }],
    });
  });

  it('reports every cron problem at once', () => {
    const result = resolveSchedule({ cron: 'nope', timezone: 'Nowhere/City', frequency: 2 });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((p) => p.field[0])).toEqual(['frequency', 'cron', 'timezone']);
  });
});
