import { describe, expect, it } from 'vitest';
import { parseSeriesCsv, parseTime } from '../../src/cli/series-csv.js';

describe('reading a timestamp,value CSV', () => {
  it('reads ISO-8601 times, without an offset as UTC, and unix seconds or milliseconds', () => {
    expect(parseTime('2026-01-31T06:30:00Z')).toBe(Date.UTC(2026, 0, 31, 6, 30));
    expect(parseTime('2026-01-31 06:30:00')).toBe(Date.UTC(2026, 0, 31, 6, 30));
    expect(parseTime('2026-01-31T06:30')).toBe(Date.UTC(2026, 0, 31, 6, 30));
    expect(parseTime('2026-01-31')).toBe(Date.UTC(2026, 0, 31));
    expect(parseTime('2026-01-31T06:30:00.250+02:00')).toBe(Date.UTC(2026, 0, 31, 4, 30, 0, 250));
    expect(parseTime('2026-01-31T06:30:00+0200')).toBe(Date.UTC(2026, 0, 31, 4, 30));
    expect(parseTime('1769841000')).toBe(1_769_841_000_000);
    expect(parseTime('1769841000000')).toBe(1_769_841_000_000);
    for (const bad of ['Jan 12 2025 00:00', 'Mar 1', '2026/01/31', 'yesterday', '0x10', '']) expect(parseTime(bad)).toBeNaN();
  });

  it('takes a BOM, CRLF, spaces, blank lines and scientific notation; refuses hex and infinities', () => {
    const rows = parseSeriesCsv('\uFEFFtimestamp,value\r\n2026-01-01T00:00:00Z, 1.5e3 \r\n2026-01-02T00:00:00Z,\r\n\r\n', 'x.csv');
    expect(rows).toEqual([
      { timestamp: '2026-01-01T00:00:00Z', t: Date.UTC(2026, 0, 1), value: 1500 },
      { timestamp: '2026-01-02T00:00:00Z', t: Date.UTC(2026, 0, 2), value: null },
    ]);
    expect(() => parseSeriesCsv('timestamp,value\n2026-01-01T00:00:00Z,0x62\n', 'x.csv')).toThrow(/x\.csv:2: cannot read the value "0x62"/);
    expect(() => parseSeriesCsv('timestamp,value\n2026-01-01T00:00:00Z,1e400\n', 'x.csv')).toThrow(/x\.csv:2: cannot read the value "1e400"/);
    expect(() => parseSeriesCsv('timestamp,value\n2026-01-01T00:00:00Z,Infinity\n', 'x.csv')).toThrow(/x\.csv:2/);
  });
});
