import { fork } from 'node:child_process';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Connector, QueryResult } from '../src/domain/connector.js';

/** What every benchmark shares: its settings from the environment, and how it prints. */

/** An integer setting from the environment (underscores allowed: 1_000_000), or the fallback. */
export function intFromEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  return value;
}

/** A yes/no setting: set and not 0. */
export function flagFromEnv(name: string): boolean {
  const raw = process.env[name];
  return raw !== undefined && raw !== '' && raw !== '0';
}

export const say = (line = '') => process.stdout.write(`${line}\n`);

export const heading = (title: string) => {
  say();
  say(title);
  say('-'.repeat(title.length));
};

export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
export const n = (value: number) => value.toLocaleString('en-US');

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

/** A database file's size with its write-ahead log. */
export function databaseBytes(file: string): number {
  let total = 0;
  for (const suffix of ['', '-wal']) {
    try {
      total += statSync(file + suffix).size;
    } catch {
      // no such file
    }
  }
  return total;
}

/**
 * Runs `script` again as a child process with `args` (and `send` as its first message, if
 * given), and resolves with the last message it sends before exiting 0: seeding and load
 * generation happen there, so the benchmark measures only its own process.
 */
export function inChild<T>(script: string, args: readonly string[], what: string, send?: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(script), [...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: T | undefined;
    child.on('message', (message) => {
      result = message as T;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && result !== undefined) resolve(result);
      else reject(new Error(`the ${what} process exited with code ${String(code)}`));
    });
    if (send !== undefined) child.send(send as object);
  });
}

/** The same connector, with every query going through `around` (to time or record it). */
export function aroundQueries(inner: Connector, around: (sql: string, run: () => Promise<QueryResult>) => Promise<QueryResult>): Connector {
  return {
    query: (sql) => around(sql, () => inner.query(sql)),
    queryReadOnly: (sql) => around(sql, () => inner.queryReadOnly(sql)),
    close: () => inner.close(),
  };
}
