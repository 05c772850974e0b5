import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { join } from 'node:path';
import { SqliteThreadError, SqliteWorkers } from '../../connectors/sqlite/workers.js';
import { tempDir } from '../helpers/temp.js';

/** The SQLite connector's query threads, on a real database file. */

const SLOW = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5000000) SELECT COUNT(*) FROM c';
const pools: SqliteWorkers[] = [];

afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.close();
});

function database(): string {
  const path = join(tempDir(), 'w.sqlite');
  const db = new Database(path);
  db.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, blob BLOB, big INTEGER);
           INSERT INTO t VALUES (1, 'a', x'68656c6c6f', 9007199254740993), (2, NULL, NULL, NULL);`);
  db.close();
  return path;
}

function pool(path: string, size: number, queryTimeoutMs = 30_000, depth = 1): SqliteWorkers {
  const workers = new SqliteWorkers({ path, size, depth, queryTimeoutMs, busyTimeoutMs: 1000 });
  pools.push(workers);
  return workers;
}

describe('SqliteWorkers', () => {
  it('answers with columns and plain cells: blobs as text, big integers as numbers, nulls', async () => {
    const workers = pool(database(), 1);
    const result = await workers.query('SELECT id, name, blob, big FROM t ORDER BY id');
    expect(result.columns).toEqual(['id', 'name', 'blob', 'big']);
    expect(result.rows).toEqual([
      [1, 'a', 'hello', 9007199254740992],
      [2, null, null, null],
    ]);
  });

  it('runs queries side by side: a fast one is not held up by a slow one on another thread', async () => {
    const workers = pool(database(), 2);
    const finished: string[] = [];
    const slow = workers.query(SLOW).then((r) => (finished.push('slow'), r));
    const fast = await workers.query('SELECT COUNT(*) FROM t').then((r) => (finished.push('fast'), r));
    expect(fast.rows).toEqual([[2]]);
    expect((await slow).rows).toEqual([[5000000]]);
    expect(finished).toEqual(['fast', 'slow']);
  });

  it('queues past its size and answers every query in order of arrival', async () => {
    const workers = pool(database(), 2);
    const answers = await Promise.all(Array.from({ length: 9 }, (_, i) => workers.query(`SELECT ${i} AS i`)));
    expect(answers.map((a) => a.rows[0]![0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('fails a query past its timeout as a timeout, and the next query gets a fresh thread', async () => {
    const workers = pool(database(), 1, 300);
    const error = await workers.query(SLOW).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SqliteThreadError);
    expect((error as SqliteThreadError).reason).toBe('timeout');
    await expect(workers.query('SELECT COUNT(*) FROM t')).resolves.toMatchObject({ rows: [[2]] });
  });

  it('with depth 2, sends a thread its next query while it runs one, and says how long that one waited', async () => {
    const workers = pool(database(), 1, 30_000, 2);
    await workers.query('SELECT 1'); // the thread is up: its start-up is no one's wait
    const finished: string[] = [];
    const slow = workers.query(SLOW).then((r) => (finished.push('slow'), r));
    const next = workers.query('SELECT COUNT(*) FROM t').then((r) => (finished.push('next'), r));
    const third = workers.query('SELECT 3').then((r) => (finished.push('third'), r));
    const [s, n, t] = await Promise.all([slow, next, third]);
    expect([s.rows, n.rows, t.rows]).toEqual([[[5000000]], [[2]], [[3]]]);
    expect(finished).toEqual(['slow', 'next', 'third']);
    // `next` waited in the thread for the whole slow query; `slow` and `third` (sent once a place was free) hardly at all.
    expect(n.waitedMs!).toBeGreaterThan(100);
    expect(s.waitedMs!).toBeLessThan(n.waitedMs! / 2);
    expect(t.waitedMs!).toBeLessThan(n.waitedMs! / 2);
  });

  it('with depth 2, times a query from when it runs, not from when it was sent', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const workers = pool(database(), 1, 30_000, 2);
      const first = workers.query(SLOW);
      const second = workers.query('SELECT COUNT(*) FROM t');
      // Only the running query's timeout is set; the one waiting behind it gets its own when it starts.
      expect(vi.getTimerCount()).toBe(1);
      await first;
      expect(vi.getTimerCount()).toBe(1);
      await second;
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('with depth 2, puts the query waiting behind one that timed out back in line, on a fresh thread', async () => {
    const workers = pool(database(), 1, 300, 2);
    const timedOut = workers.query(SLOW).catch((e: unknown) => e);
    const behind = workers.query('SELECT COUNT(*) FROM t');
    expect(await timedOut).toMatchObject({ reason: 'timeout' });
    await expect(behind).resolves.toMatchObject({ rows: [[2]] });
  });

  it('passes SQLite errors on with their code, and writes are refused', async () => {
    const workers = pool(database(), 1);
    await expect(workers.query('SELECT nope FROM t')).rejects.toMatchObject({ message: expect.stringMatching(/no such column: nope/), code: 'SQLITE_ERROR' });
    await expect(workers.query("INSERT INTO t (id) VALUES (3)")).rejects.toThrow(/returns no rows|readonly|read-only/i);
    await expect(workers.query('SELECT COUNT(*) FROM t')).resolves.toMatchObject({ rows: [[2]] });
  });

  it('says what is wrong with a file that cannot be opened, on each query', async () => {
    const workers = pool(join(tempDir(), 'missing.sqlite'), 1);
    await expect(workers.query('SELECT 1')).rejects.toMatchObject({ code: 'SQLITE_CANTOPEN' });
  });

  it('refuses queries once closed, including those still waiting', async () => {
    const workers = pool(database(), 1);
    const running = expect(workers.query(SLOW)).rejects.toThrow(/closed/);
    const waiting = expect(workers.query('SELECT 1')).rejects.toThrow(/closed/);
    await workers.close();
    await running;
    await waiting;
    await expect(workers.query('SELECT 1')).rejects.toThrow(/closed/);
  });
});
