import { validateDetailed } from 'node-cron';
import { METRIC_LABEL, METRIC_LEVEL, type MetricConfig, type MetricType } from './metric.js';
import { DEFAULT_SENSITIVITY, type Condition, type ConditionBounds } from './monitor.js';
import type { Cadence, Schedule } from './schedule.js';

/**
 * The rules a monitor must follow whichever way it was written (YAML or API). Each problem
 * names the field it is about, relative to the monitor, so each caller can say where.
 */
export interface Problem {
  field: ReadonlyArray<string>;
  message: string;
}

type Result<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

export interface TargetShape {
  metricType: MetricType;
  hasTable: boolean;
  column: string | undefined;
  metricConfig: MetricConfig;
  /** Whether the warehouse records when each table last changed (Snowflake, BigQuery). */
  metadataFreshness?: boolean | undefined;
}

/** Which of table, column and metric_config a metric needs, allows and forbids. */
export function checkTargetShape(shape: TargetShape): Problem[] {
  const { metricType, hasTable, column, metricConfig } = shape;
  const level = METRIC_LEVEL[metricType];
  const label = METRIC_LABEL[metricType].toLowerCase();
  const problems: Problem[] = [];
  if (level !== 'query' && !hasTable) problems.push({ field: ['table'], message: `${metricType} needs a table` });
  if (level === 'table' && column !== undefined) {
    problems.push({ field: ['column'], message: `${metricType} is a table-level metric; remove column or use a column metric` });
  }
  if (level === 'column' && column === undefined) {
    problems.push({ field: [], message: `${metricType} is a column metric: set column` });
  }
  if (metricType === 'freshness' && metricConfig.timestamp_column === undefined && shape.metadataFreshness !== true) {
    problems.push({
      field: ['metric_config'],
      message: 'freshness needs metric_config.timestamp_column: the column whose newest value dates the data (only Snowflake and BigQuery can date a table from their own metadata)',
    });
  }
  if (metricType === 'freshness' && metricConfig.timestamp_column === undefined && shape.metadataFreshness === true && metricConfig.where !== undefined) {
    problems.push({
      field: ['metric_config', 'where'],
      message: "freshness from the warehouse's metadata dates the whole table: where needs a timestamp_column",
    });
  }
  if (metricType !== 'freshness' && metricConfig.timestamp_column !== undefined) {
    problems.push({ field: ['metric_config', 'timestamp_column'], message: `only freshness uses timestamp_column, not ${label}` });
  }
  if (metricType === 'custom_sql') {
    if (metricConfig.query_select === undefined || metricConfig.query_select.trim() === '') {
      problems.push({ field: ['metric_config'], message: 'custom_sql needs metric_config.query_select: a query returning one number' });
    }
    if (metricConfig.where !== undefined) {
      problems.push({ field: ['metric_config', 'where'], message: 'custom_sql ignores where: filter inside query_select' });
    }
  } else if (metricConfig.query_select !== undefined) {
    problems.push({ field: ['metric_config', 'query_select'], message: `query_select is for custom_sql monitors, not ${label}` });
  }
  return problems;
}

export interface RawCondition {
  sensitivity?: number | null | undefined;
  min?: number | null | undefined;
  max?: number | null | undefined;
  bounds?: ConditionBounds | undefined;
}

/**
 * A learned band at a sensitivity (default 5), or a manual band when only min and max are
 * given or sensitivity is null. Freshness only ever alerts on its upper side.
 */
export function resolveCondition(raw: RawCondition, metricType: MetricType): Result<Condition> {
  const problems: Problem[] = [];
  const min = raw.min ?? null;
  const max = raw.max ?? null;
  const manual = min !== null || max !== null;
  if (manual && raw.sensitivity !== undefined && raw.sensitivity !== null) {
    problems.push({
      field: ['sensitivity'],
      message: 'set either sensitivity (a learned band) or min/max (a manual band), not both',
    });
  }
  if (min !== null && max !== null && min > max) {
    problems.push({ field: ['min'], message: `min (${min}) is greater than max (${max})` });
  }
  if (raw.sensitivity === null && !manual) {
    problems.push({ field: ['sensitivity'], message: 'sensitivity is null, so a manual band needs min or max' });
  }
  if (metricType === 'freshness' && raw.bounds !== undefined && raw.bounds !== 'upper') {
    problems.push({ field: ['bounds'], message: 'freshness alerts only when data is late: bounds must be upper' });
  }
  // A manual band that watches only a side it has no limit on could never alert.
  const bounds = metricType === 'freshness' ? 'upper' : (raw.bounds ?? 'both');
  if (manual && min !== null && max === null && bounds === 'upper') {
    problems.push({
      field: [metricType === 'freshness' ? 'min' : 'bounds'],
      message: metricType === 'freshness'
        ? 'freshness alerts only when data is late: set max (hours), not min'
        : 'bounds is upper but only min is set, so nothing could alert: set max, or bounds lower',
    });
  }
  if (manual && max !== null && min === null && bounds === 'lower') {
    problems.push({ field: ['bounds'], message: 'bounds is lower but only max is set, so nothing could alert: set min, or bounds upper' });
  }
  if (problems.length > 0) return { ok: false, problems };
  const sensitivity = manual ? null : (raw.sensitivity ?? DEFAULT_SENSITIVITY);
  return { ok: true, value: { sensitivity, min, max, bounds } };
}

export interface RawSchedule {
  cadence?: Cadence | undefined;
  frequency?: number | undefined;
  day?: number | undefined;
  hour?: number | undefined;
  cron?: string | undefined;
  timezone?: string | undefined;
}

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * A cadence (hourly every `frequency` hours; daily, weekly on `day` 0-6, monthly on `day`
 * 1-31, at `hour` UTC), or a cron string with an IANA time zone. Fields a cadence does not
 * use (a day on a daily schedule) are accepted and ignored, as the reference API sends them.
 */
export function resolveSchedule(raw: RawSchedule): Result<Schedule> {
  const problems: Problem[] = [];
  if (raw.cron !== undefined) {
    for (const field of ['cadence', 'frequency', 'day', 'hour'] as const) {
      if (raw[field] !== undefined) problems.push({ field: [field], message: 'a cron schedule takes only cron and timezone' });
    }
    const check = validateDetailed(raw.cron);
    if (!check.valid) {
      const detail = check.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
      problems.push({ field: ['cron'], message: `not a valid cron expression${detail ? ` (${detail})` : ''}` });
    }
    if (raw.timezone !== undefined && !isTimeZone(raw.timezone)) {
      problems.push({ field: ['timezone'], message: `unknown time zone ${JSON.stringify(raw.timezone)}: use an IANA name such as Europe/Paris` });
    }
    if (problems.length > 0) return { ok: false, problems };
    return { ok: true, value: { cron: raw.cron, timezone: raw.timezone ?? 'UTC' } };
  }
  if (raw.timezone !== undefined) {
    problems.push({ field: ['timezone'], message: 'timezone applies to cron schedules; cadence hours are UTC' });
  }
  const cadence = raw.cadence ?? 'daily';
  const frequency = raw.frequency ?? 1;
  if (cadence === 'weekly' && raw.day !== undefined && raw.day > 6) {
    problems.push({ field: ['day'], message: `a weekly day is 0 (Sunday) to 6 (Saturday), got ${raw.day}` });
  }
  if (cadence === 'monthly' && raw.day !== undefined && raw.day < 1) {
    problems.push({ field: ['day'], message: `a monthly day is 1 to 31, got ${raw.day}` });
  }
  if (problems.length > 0) return { ok: false, problems };
  switch (cadence) {
    case 'hourly':
      return { ok: true, value: { cadence, frequency } };
    case 'daily':
      return { ok: true, value: { cadence, frequency, hour: raw.hour ?? 0 } };
    case 'weekly':
      return { ok: true, value: { cadence, frequency, day: raw.day ?? 1, hour: raw.hour ?? 0 } };
    case 'monthly':
      return { ok: true, value: { cadence, frequency, day: raw.day ?? 1, hour: raw.hour ?? 0 } };
  }
}
