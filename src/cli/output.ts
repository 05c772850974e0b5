import { formatTablePath } from '../domain/monitor.js';
import type { RunResult } from '../engine/run.js';

/** Up to 4 decimals, without trailing zeros; thousands kept plain for copy-paste. */
export function formatNumber(value: number | null): string {
  if (value === null) return '-';
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 1000 ? 1 : abs >= 1 ? 4 : 6;
  return String(Number(value.toFixed(digits)));
}

export function formatBand(result: RunResult): string {
  if (result.status === 'error' || result.status === 'pending') return '-';
  if (result.status === 'learning') return 'learning';
  const { lower, upper } = result;
  const bounds = result.monitor.condition.bounds;
  const low = bounds === 'upper' || lower === null ? null : lower;
  const high = bounds === 'lower' || upper === null ? null : upper;
  if (low === null && high === null) return 'any';
  if (low === null) return `<= ${formatNumber(high)}`;
  if (high === null) return `>= ${formatNumber(low)}`;
  return `${formatNumber(low)} .. ${formatNumber(high)}`;
}

function formatTime(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** Rows as aligned columns, two spaces apart. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  return rows.map((row) => row.map((cell, col) => cell.padEnd(widths[col]!)).join('  ').trimEnd()).join('\n');
}

export function summarise(results: readonly RunResult[]): Record<string, number> {
  const counts: Record<string, number> = { total: results.length, normal: 0, learning: 0, incident: 0, error: 0 };
  for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

/** For people: one line a monitor, then what went wrong, then a summary. */
export function renderTable(results: readonly RunResult[]): string {
  if (results.length === 0) return 'No enabled monitors to run.\n';
  const rows = [['MONITOR', 'VALUE', 'BAND', 'STATUS', 'TIME']];
  for (const r of results) {
    rows.push([r.monitor.name, formatNumber(r.value), formatBand(r), r.status, formatTime(r.measuredAt)]);
  }
  const lines = [table(rows), ''];
  const errors = results.filter((r) => r.error !== null);
  if (errors.length > 0) {
    lines.push('Errors:');
    for (const r of errors) lines.push(`  ${r.monitor.name}: ${r.error!.message}`);
    lines.push('');
  }
  const s = summarise(results);
  lines.push(`${s.total} monitors: ${s.normal} normal, ${s.learning} learning, ${s.incident} out of range, ${s.error} errors`);
  return `${lines.join('\n')}\n`;
}

/** For machines: every field, stable names. */
export function renderJson(results: readonly RunResult[]): string {
  const out = {
    summary: summarise(results),
    results: results.map((r) => ({
      id: r.monitor.id,
      name: r.monitor.name,
      warehouse: r.monitor.warehouse,
      table: r.monitor.table === null ? null : formatTablePath(r.monitor.table),
      column: r.monitor.column,
      metric_type: r.monitor.metricType,
      status: r.status,
      value: r.value,
      lower_threshold: r.lower,
      upper_threshold: r.upper,
      measured_at: r.measuredAt.toISOString(),
      measurement_id: r.measurementId,
      error: r.error === null ? null : { code: r.error.code, kind: r.error.kind ?? null, message: r.error.message },
    })),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}
