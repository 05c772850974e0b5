import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';
import { DAY, gaussian, random } from '../helpers/series.js';

/** `vigil backtest` as a person runs it on a CSV export of a metric. */

function csv(dir: string, name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function dailyRows(n: number, value: (i: number) => number | null): string[] {
  const start = Date.UTC(2026, 0, 5);
  return ['timestamp,value', ...Array.from({ length: n }, (_, i) => `${new Date(start + i * DAY).toISOString().replace('.000', '')},${value(i) ?? ''}`)];
}

describe('vigil backtest', () => {
  const dir = tempDir();
  const rnd = random(21);
  const lines = dailyRows(60, (i) => (i === 20 ? null : i === 45 ? 180 : Math.round(100 + 2 * gaussian(rnd))));
  const file = csv(dir, 'orders.csv', lines);

  it('prints one JSON row per input row, in order, with its verdict', async () => {
    const result = await runCli(['backtest', '--input', file, '--metric', 'row_count']);
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(60);
    expect(rows.map((r) => r.timestamp)).toEqual(lines.slice(1).map((l) => l.split(',')[0]));
    expect(Object.keys(rows[0]!)).toEqual(['timestamp', 'value', 'lower_threshold', 'upper_threshold', 'is_anomaly', 'status']);
    expect(rows.slice(0, 7).every((r) => r.status === 'learning' && r.is_anomaly === false)).toBe(true);
    expect(rows[20]).toMatchObject({ value: null, status: 'missing', is_anomaly: false, lower_threshold: null, upper_threshold: null });
    expect(rows[45]).toMatchObject({ value: 180, status: 'anomaly', is_anomaly: true });
    expect(rows.filter((r) => r.is_anomaly).map((r) => r.timestamp)).toEqual([lines[46]!.split(',')[0]]);
    const band = rows[44]!;
    expect(band.lower_threshold as number).toBeLessThan(100);
    expect(band.upper_threshold as number).toBeGreaterThan(100);
  });

  it('prints CSV and a table for people', async () => {
    const asCsv = await runCli(['backtest', '-i', file, '--metric', 'row_count', '--format', 'csv']);
    const csvLines = asCsv.stdout.trim().split('\n');
    expect(csvLines[0]).toBe('timestamp,value,lower_threshold,upper_threshold,is_anomaly,status');
    expect(csvLines).toHaveLength(61);
    expect(csvLines[21]).toMatch(/^2026-01-25T00:00:00Z,,,,false,missing$/);
    const table = await runCli(['backtest', '-i', file, '--metric', 'row_count', '--format', 'table']);
    expect(table.stdout).toMatch(/^TIMESTAMP\s+VALUE\s+LOWER\s+UPPER\s+STATUS$/m);
    expect(table.stdout).toMatch(/^2026-02-19T00:00:00Z\s+180\s+\d+\s+\d+\s+ANOMALY$/m);
    expect(table.stdout).toContain('60 rows: 1 anomalous, 1 alerts');
  });

  it('takes a manual band and which side alerts', async () => {
    const result = await runCli(['backtest', '-i', file, '--metric', 'row_count', '--min', '90', '--max', '150', '--bounds', 'lower']);
    const rows = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
    expect(rows[0]).toMatchObject({ lower_threshold: 90, upper_threshold: 150, status: 'normal' });
    expect(rows[45]).toMatchObject({ is_anomaly: false }); // above max, but only the lower side alerts
  });

  it('sweeps sensitivities 1-10 so a person can pick one', async () => {
    const result = await runCli(['backtest', '-i', file, '--metric', 'row_count', '--sweep', '--format', 'json']);
    expect(result.code).toBe(0);
    const sweep = JSON.parse(result.stdout) as Array<{ sensitivity: number; alerts: number; anomalous_points: number }>;
    expect(sweep.map((s) => s.sensitivity)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(sweep[4]!.alerts).toBe(1);
    for (let i = 1; i < 10; i++) expect(sweep[i]!.anomalous_points).toBeGreaterThanOrEqual(sweep[i - 1]!.anomalous_points);
    const table = await runCli(['backtest', '-i', file, '--metric', 'row_count', '--sweep', '--format', 'table']);
    expect(table.stdout).toMatch(/^SENSITIVITY\s+ALERTS\s+ANOMALOUS POINTS\s+FIRST ALERT$/m);
  });

  const bad: Array<[string, string[], string[], RegExp]> = [
    ['a wrong header', ['time,val', '2026-01-01T00:00:00Z,1'], [], /bad\.csv:1: expected the header "timestamp,value", got "time,val"/],
    ['an unreadable timestamp', ['timestamp,value', 'yesterday,1'], [], /bad\.csv:2: cannot read the timestamp "yesterday"/],
    ['an unreadable value', ['timestamp,value', '2026-01-01T00:00:00Z,lots'], [], /bad\.csv:2: cannot read the value "lots" as a number/],
    ['rows out of order', ['timestamp,value', '2026-01-02T00:00:00Z,1', '2026-01-01T00:00:00Z,1'], [], /bad\.csv:3: 2026-01-01T00:00:00Z is earlier than the row before it; sort the file by time/],
    ['an unknown metric', ['timestamp,value'], ['--metric', 'rows'], /--metric: expected one of row_count/],
    ['a sensitivity out of range', ['timestamp,value'], ['--sensitivity', '11'], /--sensitivity: expected 1 to 10, got 11/],
    ['a sensitivity with a manual band', ['timestamp,value'], ['--sensitivity', '5', '--max', '3'], /either sensitivity .* or min\/max/],
  ];
  it.each(bad)('exits 2 on %s, saying where', async (_, content, extra, message) => {
    const input = csv(dir, 'bad.csv', content);
    const args = ['backtest', '-i', input, ...(extra.includes('--metric') ? [] : ['--metric', 'row_count']), ...extra];
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });
});
