import { backtest, type BacktestResult } from '../../detectors/backtest.js';
import { VigilError } from '../domain/errors.js';
import { METRIC_TYPES, normaliseMetricType, type MetricType } from '../domain/metric.js';
import type { Condition, ConditionBounds } from '../domain/monitor.js';
import { resolveCondition } from '../domain/rules.js';
import { formatNumber, table as renderColumns } from './output.js';
import { readSeriesCsv, type SeriesRow } from './series-csv.js';

export interface BacktestOptions {
  input: string;
  metric: string;
  sensitivity?: string;
  min?: string;
  max?: string;
  bounds?: ConditionBounds;
  format: 'json' | 'csv' | 'table';
  sweep?: boolean;
}

function numberOption(name: string, text: string | undefined, integer = false): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new VigilError('invalid_argument', `--${name}: expected ${integer ? 'a whole number' : 'a number'}, got ${JSON.stringify(text)}`);
  }
  return value;
}

function conditionOf(options: BacktestOptions, metric: MetricType): Condition {
  const sensitivity = numberOption('sensitivity', options.sensitivity, true);
  if (sensitivity !== undefined && (sensitivity < 1 || sensitivity > 10)) {
    throw new VigilError('invalid_argument', `--sensitivity: expected 1 to 10, got ${sensitivity}`);
  }
  const resolved = resolveCondition(
    { sensitivity, min: numberOption('min', options.min), max: numberOption('max', options.max), bounds: options.bounds },
    metric,
  );
  if (!resolved.ok) {
    throw new VigilError('invalid_argument', resolved.problems.map((p) => `--${p.field.join('.') || 'condition'}: ${p.message}`).join('\n'));
  }
  return resolved.value;
}

/** Alerts as a person would get them: a breach opens one, three in-range points close it. */
export function countAlerts(results: readonly BacktestResult[]): number {
  let alerts = 0;
  let open = false;
  let quiet = 0;
  for (const r of results) {
    if (r.status === 'anomaly') {
      if (!open) alerts++;
      open = true;
      quiet = 0;
    } else if (r.status === 'normal' && open && ++quiet >= 3) {
      open = false;
    }
  }
  return alerts;
}

function rowsOut(rows: readonly SeriesRow[], results: readonly BacktestResult[]) {
  return results.map((r, i) => ({
    timestamp: rows[i]!.timestamp,
    value: r.value,
    lower_threshold: r.lower,
    upper_threshold: r.upper,
    is_anomaly: r.isAnomaly,
    status: r.status,
  }));
}

function render(format: BacktestOptions['format'], rows: readonly SeriesRow[], results: readonly BacktestResult[]): string {
  const out = rowsOut(rows, results);
  if (format === 'json') return `${JSON.stringify(out)}\n`;
  const cell = (v: number | null) => (v === null ? '' : String(v));
  if (format === 'csv') {
    const lines = ['timestamp,value,lower_threshold,upper_threshold,is_anomaly,status'];
    for (const r of out) lines.push([r.timestamp, cell(r.value), cell(r.lower_threshold), cell(r.upper_threshold), r.is_anomaly, r.status].join(','));
    return `${lines.join('\n')}\n`;
  }
  const table = [['TIMESTAMP', 'VALUE', 'LOWER', 'UPPER', 'STATUS']];
  for (const r of out) table.push([r.timestamp, formatNumber(r.value), formatNumber(r.lower_threshold), formatNumber(r.upper_threshold), r.is_anomaly ? 'ANOMALY' : r.status]);
  const lines = [renderColumns(table)];
  const anomalies = results.filter((r) => r.isAnomaly).length;
  lines.push('', `${results.length} rows: ${anomalies} anomalous, ${countAlerts(results)} alerts`);
  return `${lines.join('\n')}\n`;
}

function renderSweep(format: BacktestOptions['format'], rows: readonly SeriesRow[], metric: MetricType, condition: Condition): string {
  const sweep = Array.from({ length: 10 }, (_, i) => {
    const results = backtest(rows, metric, { ...condition, sensitivity: i + 1, min: null, max: null });
    const first = results.findIndex((r) => r.isAnomaly);
    return { sensitivity: i + 1, alerts: countAlerts(results), anomalous_points: results.filter((r) => r.isAnomaly).length, first_alert: first === -1 ? null : rows[first]!.timestamp };
  });
  if (format === 'json') return `${JSON.stringify(sweep)}\n`;
  if (format === 'csv') return `sensitivity,alerts,anomalous_points,first_alert\n${sweep.map((s) => `${s.sensitivity},${s.alerts},${s.anomalous_points},${s.first_alert ?? ''}`).join('\n')}\n`;
  const lines = ['SENSITIVITY  ALERTS  ANOMALOUS POINTS  FIRST ALERT'];
  for (const s of sweep) lines.push(`${String(s.sensitivity).padEnd(11)}  ${String(s.alerts).padEnd(6)}  ${String(s.anomalous_points).padEnd(16)}  ${s.first_alert ?? '-'}`);
  lines.push('', `${rows.length} rows; the default is 5. An alert opens at a breach and closes after 3 normal points.`);
  return `${lines.join('\n')}\n`;
}

/** `vigil backtest`: replays a CSV series through the detector as the daemon would have, live. */
export function backtestCommand(options: BacktestOptions): number {
  const metric = normaliseMetricType(options.metric);
  if (metric === undefined) {
    throw new VigilError('invalid_argument', `--metric: expected one of ${METRIC_TYPES.join(', ')}, got ${JSON.stringify(options.metric)}`);
  }
  const condition = conditionOf(options, metric);
  if (options.sweep === true && condition.sensitivity === null) {
    throw new VigilError('invalid_argument', '--sweep compares sensitivities; it does not combine with --min/--max');
  }
  const rows = readSeriesCsv(options.input);
  if (options.sweep === true) {
    process.stdout.write(renderSweep(options.format, rows, metric, condition));
    return 0;
  }
  process.stdout.write(render(options.format, rows, backtest(rows, metric, condition)));
  return 0;
}
