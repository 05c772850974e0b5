import type { Cell, QueryResult } from '../domain/connector.js';
import { needsNumericColumn, type MetricType } from '../domain/metric.js';

export type Normalised = { ok: true; value: number | null } | { ok: false; message: string };

function show(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}...` : text);
}

/**
 * A cell as a measurement: a finite number, or null when the aggregate had no rows to
 * work on. Anything else is an error that says what came back, never a silent 0.
 */
export function toMeasurementValue(cell: Cell, metricType: MetricType): Normalised {
  if (cell === null) return { ok: true, value: null };
  if (typeof cell === 'number') {
    if (Number.isFinite(cell)) return { ok: true, value: cell };
    return { ok: false, message: `the query returned ${String(cell)}, not a finite number` };
  }
  const numericColumn = needsNumericColumn(metricType);
  const hint = numericColumn ? `: ${metricType} needs a numeric column` : '';
  if (typeof cell === 'string') return { ok: false, message: `the query returned the text ${show(cell)}, not a number${hint}` };
  if (typeof cell === 'boolean') return { ok: false, message: `the query returned the boolean ${String(cell)}, not a number${hint}` };
  return {
    ok: false,
    message: `the query returned the timestamp ${cell.toISOString()}, not a number${hint || '; to watch how old data is, use freshness'}`,
  };
}

/** A custom query must return exactly one row of exactly one column. */
export function singleCell(result: QueryResult): { ok: true; cell: Cell } | { ok: false; message: string } {
  const expect = 'query_select must return exactly one row with one numeric column';
  if (result.columns.length !== 1) {
    const names = result.columns.slice(0, 5).join(', ') + (result.columns.length > 5 ? ', ...' : '');
    return { ok: false, message: `query_select returned ${result.columns.length} columns (${names}); ${expect}` };
  }
  if (result.rows.length === 0) return { ok: false, message: `query_select returned no rows; ${expect}` };
  if (result.rows.length > 1) return { ok: false, message: `query_select returned more than one row; ${expect}` };
  return { ok: true, cell: result.rows[0]![0] ?? null };
}

/**
 * What a lenient warehouse read, beside the metric: a freshness that came out NULL although
 * the column has a newest value could not read it as a time; a mean over text averaged
 * zeros. Either is an error that shows the value, not a quiet null or 0.
 */
export function checkProbe(metricType: MetricType, value: number | null, probe: Cell | undefined, column: string): string | undefined {
  if (probe === undefined || probe === null) return undefined;
  if (metricType === 'freshness' && value === null) {
    const shown = probe instanceof Date ? probe.toISOString() : typeof probe === 'string' ? show(probe) : String(probe);
    return `cannot read the newest ${column}, ${shown}, as a time: freshness needs a timestamp or date column (on SQLite: ISO-8601 text or unix seconds)`;
  }
  if (metricType === 'mean' && typeof probe !== 'number') {
    const shown = probe instanceof Date ? probe.toISOString() : typeof probe === 'string' ? show(probe) : String(probe);
    return `mean needs a numeric column: ${column} holds ${shown}`;
  }
  return undefined;
}
