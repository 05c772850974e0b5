import { readFileSync } from 'node:fs';
import { VigilError, messageOf } from '../domain/errors.js';

export interface SeriesRow {
  /** The timestamp as written, echoed back in the output. */
  timestamp: string;
  t: number;
  value: number | null;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * ISO-8601 (a time without an offset is UTC, as every time in Vigil), or unix seconds;
 * numbers of 1e11 and more are unix milliseconds (seconds that large are past the year 5000).
 * NaN when it is neither.
 */
export function parseTime(text: string): number {
  if (NUMBER.test(text)) {
    const n = Number(text);
    return Math.abs(n) >= 1e11 ? n : n * 1000;
  }
  const m = ISO.exec(text);
  if (m === null) return Number.NaN;
  const zone = m[8] === undefined ? 'Z' : m[8].toUpperCase() === 'Z' ? 'Z' : m[8].length === 5 ? `${m[8].slice(0, 3)}:${m[8].slice(3)}` : m[8];
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}${m[7] ?? ''}${zone}`;
  return Date.parse(iso);
}

/**
 * Reads a `timestamp,value` CSV: ISO-8601 times (or unix seconds) in time order, one plain
 * decimal number per row, an empty value for a missing bucket. Every problem names file:line.
 */
export function parseSeriesCsv(text: string, file: string): SeriesRow[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').replace(/^\uFEFF/, '').trim().toLowerCase().replace(/\s+/g, '');
  if (header !== 'timestamp,value') {
    throw new VigilError('invalid_argument', `${file}:1: expected the header "timestamp,value", got ${JSON.stringify(lines[0] ?? '')}`);
  }
  const rows: SeriesRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const where = `${file}:${i + 1}`;
    const cells = line.split(',');
    if (cells.length !== 2) throw new VigilError('invalid_argument', `${where}: expected 2 cells (timestamp,value), got ${cells.length}`);
    const [rawTime, rawValue] = cells.map((c) => c.trim()) as [string, string];
    const t = parseTime(rawTime);
    if (!Number.isFinite(t)) throw new VigilError('invalid_argument', `${where}: cannot read the timestamp ${JSON.stringify(rawTime)}; use ISO-8601 like 2026-01-31T00:00:00Z (or unix seconds)`);
    const previous = rows[rows.length - 1];
    if (previous !== undefined && t < previous.t) {
      throw new VigilError('invalid_argument', `${where}: ${rawTime} is earlier than the row before it; sort the file by time`);
    }
    let value: number | null = null;
    if (rawValue !== '') {
      value = NUMBER.test(rawValue) ? Number(rawValue) : Number.NaN;
      if (!Number.isFinite(value)) throw new VigilError('invalid_argument', `${where}: cannot read the value ${JSON.stringify(rawValue)} as a number (leave it empty for a missing bucket)`);
    }
    rows.push({ timestamp: rawTime, t, value });
  }
  return rows;
}

export function readSeriesCsv(file: string): SeriesRow[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as { code?: string }).code === 'ENOENT' ? 'no such file' : messageOf(error);
    throw new VigilError('invalid_argument', `${file}: cannot read the input: ${reason}`, { cause: error });
  }
  return parseSeriesCsv(text, file);
}
