import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BacktestRow } from '../../detectors/backtest.js';

export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** A seeded generator (mulberry32), so every built series is the same on every run. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Roughly normal noise from a uniform generator. */
export function gaussian(rnd: () => number): number {
  return (rnd() + rnd() + rnd() + rnd() + rnd() + rnd() - 3) * Math.SQRT2;
}

/** Rows every `stepMs` from 2026-01-05 (a Monday), with values from `value(i, t)`. */
export function series(n: number, stepMs: number, value: (i: number, t: number) => number | null, start = Date.UTC(2026, 0, 5)): BacktestRow[] {
  return Array.from({ length: n }, (_, i) => ({ t: start + i * stepMs, value: value(i, start + i * stepMs) }));
}

export interface LabelledSeries {
  name: string;
  metric: string;
  windows: Array<[number, number]>;
  rows: BacktestRow[];
}

/** The labelled series of a folder in the benchmark's format (NAME.csv + labels.json). */
export function loadLabelled(dir: string): LabelledSeries[] {
  const labels = JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8')) as Record<string, { metric: string; windows: Array<[number, number]> }>;
  return Object.entries(labels).map(([name, label]) => {
    const lines = readFileSync(join(dir, `${name}.csv`), 'utf8').trim().split('\n').slice(1);
    const rows = lines.map((line) => {
      const [t, v] = line.split(',');
      return { t: Date.parse(t!), value: v === undefined || v === '' ? null : Number(v) };
    });
    return { name, metric: label.metric, windows: label.windows, rows };
  });
}

/** Event-level scoring as the benchmark does it: windows caught, runs of false alarms. */
export function eventScore(flags: readonly boolean[], windows: ReadonlyArray<[number, number]>) {
  const inside = new Set<number>();
  for (const [a, b] of windows) for (let i = a; i <= b; i++) inside.add(i);
  const detected = windows.filter(([a, b]) => flags.slice(a, b + 1).some(Boolean)).length;
  let falseAlarms = 0;
  let falseEvents = 0;
  let previous = false;
  flags.forEach((flag, i) => {
    const out = flag && !inside.has(i);
    if (out) falseAlarms++;
    if (out && !previous) falseEvents++;
    previous = out;
  });
  return { detected, windows: windows.length, falseEvents, falseAlarms, points: flags.length };
}
