import Database from 'better-sqlite3';
import pg from 'pg';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { yamlMonitorId } from '../../src/domain/ids.js';
import { CLI } from '../helpers/cli.js';
import { describeWithDatabase, uniqueName } from '../helpers/databases.js';
import { EchoServer } from '../helpers/receivers.js';
import { tempDir } from '../helpers/temp.js';
import { freePort, until } from '../helpers/wait.js';

/**
 * `vigil start` as people run it: a real process, real signals, a real port. Every wait
 * polls for a condition with a generous deadline; nothing asserts on a fixed sleep.
 */

const WAREHOUSE_PASSWORD = 'Pg-Passw0rd-nobody-may-read';
const URL_TOKEN = 'T0KEN-in-the-hook-path-4e5f6a7b';
const HEADER_SECRET = 'header-secret-value-8c9d0e1f';
const SIGNING_SECRET = 'webhook-signing-secret-2a3b4c5d';
const SLACK_TOKEN = 'xoxSlackPathTokenCC11DD22';
const SECRETS = [WAREHOUSE_PASSWORD, URL_TOKEN, HEADER_SECRET, SIGNING_SECRET, SLACK_TOKEN];



/** GET on the ops server; undefined while nothing answers. */
async function get(url: string): Promise<{ status: number; body: string } | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    return { status: response.status, body: await response.text() };
  } catch {
    return undefined;
  }
}

/** A running `vigil` process, with everything it wrote so far. */
class Vigil {
  stdout = '';
  stderr = '';
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    // 'close', not 'exit': every byte of stdout and stderr has arrived.
    this.exit = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with the exit when it comes within timeoutMs; rejects otherwise. */
  async exited(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`vigil did not exit within ${timeoutMs} ms; stderr:\n${this.stderr.slice(-4000)}`)), timeoutMs);
    });
    try {
      const exit = await Promise.race([this.exit, timeout]);
      return { ...exit, ms: Date.now() - started };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Waits until it says it is running (its signal handlers are in place from then on). */
  async running(timeoutMs = 60_000): Promise<void> {
    await until('"vigil is running" on stdout', () => {
      if (!this.alive) throw new Error(`vigil exited before running; stderr:\n${this.stderr}`);
      return this.stdout.includes('vigil is running');
    }, timeoutMs);
  }

  /** The stderr lines, each parsed as JSON (it throws, naming the line, when one is not). */
  logLines(): Array<Record<string, unknown>> {
    return this.stderr
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        try {
          return JSON.parse(line) as Record<string, unknown>;
        } catch {
          throw new Error(`a stderr line is not JSON: ${line}`);
        }
      });
  }
}

const processes: Vigil[] = [];

function startVigil(dir: string, args: readonly string[] = []): Vigil {
  const child = spawn(process.execPath, [CLI, 'start', '--config', 'vigil.yaml', ...args], {
    cwd: dir,
    env: { ...process.env, VIGIL_STORE: undefined },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const vigil = new Vigil(child);
  processes.push(vigil);
  return vigil;
}

afterEach(async () => {
  for (const vigil of processes.splice(0)) {
    if (vigil.alive) {
      vigil.child.kill('SIGKILL');
      await vigil.exit;
    }
  }
});

/** Counts rows in the store, read-only, while the daemon may be writing. */
function storeCount(dir: string, query: string, ...params: unknown[]): number {
  const db = new Database(join(dir, 'vigil.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(query).get(...params) as { n: number }).n;
  } finally {
    db.close();
  }
}

/** A folder with a SQLite warehouse (`orders`, 10 rows) and vigil.yaml. */
function sqliteSetup(yaml: (dir: string) => string): string {
  const dir = tempDir('vigil-daemon-');
  const db = new Database(join(dir, 'w.db'));
  db.exec('CREATE TABLE orders (id INTEGER PRIMARY KEY, amount REAL)');
  const insert = db.prepare('INSERT INTO orders (amount) VALUES (?)');
  for (let i = 1; i <= 10; i++) insert.run(i * 10);
  db.close();
  writeFileSync(join(dir, 'vigil.yaml'), yaml(dir));
  return dir;
}


describe('vigil start, as a process', () => {
  const echo = new EchoServer(500);

  beforeAll(async () => {
    await echo.start();
  });

  afterAll(async () => {
    await echo.stop();
  });

  it('says it is running, serves /healthz, /readyz and /metrics, and stores the runs of a per-second schedule', async () => {
    const port = await freePort();
    const dir = sqliteSetup(
      () => `store: sqlite:./vigil.db
api: { port: ${port} }
warehouses:
  w: { type: sqlite, path: ./w.db }
monitors:
  - { name: orders rows, warehouse: w, table: orders, metric_type: row_count, schedule: { cron: "* * * * * *" }, condition: { min: 1, max: 100 } }
`,
    );
    const vigil = startVigil(dir);
    await vigil.running();
    expect(vigil.stdout).toMatch(new RegExp(`^vigil is running: 1 monitors? scheduled; .*http://127\\.0\\.0\\.1:${port}\\n$`));

    const health = await get(`http://127.0.0.1:${port}/healthz`);
    expect(health?.status).toBe(200);
    expect(JSON.parse(health!.body)).toEqual({ status: 'ok' });
    const ready = await get(`http://127.0.0.1:${port}/readyz`);
    expect(ready?.status).toBe(200);

    // Runs happen every second: two distinct slots stored, each a whole second.
    const id = yamlMonitorId('orders rows');
    await until('two runs stored', () => storeCount(dir, 'SELECT count(DISTINCT scheduled_for) AS n FROM measurements WHERE monitor_id = ?', id) >= 2);
    const db = new Database(join(dir, 'vigil.db'), { readonly: true, fileMustExist: true });
    const rows = db.prepare('SELECT value, status, scheduled_for FROM measurements WHERE monitor_id = ? ORDER BY scheduled_for').all(id) as Array<{ value: number; status: string; scheduled_for: string }>;
    db.close();
    for (const row of rows) {
      expect(row).toMatchObject({ value: 10, status: 'normal' });
      expect(row.scheduled_for).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    }

    const metrics = await until('a run counted in /metrics', async () => {
      const body = (await get(`http://127.0.0.1:${port}/metrics`))?.body ?? '';
      const runs = /^vigil_monitor_runs_total\{warehouse="w",status="normal"\} (\d+)$/m.exec(body);
      return runs !== null && Number(runs[1]) >= 1 ? body : undefined;
    });
    expect(metrics).toMatch(/^# TYPE vigil_monitor_runs_total counter$/m);
    expect(metrics).toMatch(/^vigil_run_duration_seconds_count\{warehouse="w"\} \d+$/m);

    vigil.child.kill('SIGTERM');
    expect((await vigil.exited(30_000)).code).toBe(0);
  }, 120_000);

  it('stops on SIGTERM with exit code 0 within the grace period; its logs are JSON lines without a secret', async () => {
    const port = await freePort();
    const refused = await freePort();
    const grace = 20;
    const dir = sqliteSetup(
      () => `store: sqlite:./vigil.db
api: { port: ${port} }
daemon: { shutdown_grace_seconds: ${grace}, retries: 0 }
warehouses:
  w: { type: sqlite, path: ./w.db }
  shop: { type: postgres, url: "postgres://vigil:${WAREHOUSE_PASSWORD}@127.0.0.1:${refused}/shop", connect_timeout_seconds: 5 }
monitors:
  - { name: orders rows, warehouse: w, table: orders, metric_type: row_count, schedule: { cron: "* * * * * *" }, condition: { max: 5 } }
  - { name: shop orders, warehouse: shop, table: public.orders, metric_type: row_count, schedule: { cron: "* * * * * *" } }
notifications:
  - { type: webhook, name: hook, url: "${echo.url}/hooks/${URL_TOKEN}", secret: ${SIGNING_SECRET}, headers: { Authorization: "Bearer ${HEADER_SECRET}" } }
  - { type: slack, name: team, webhook_url: "http://127.0.0.1:${refused}/services/T000/B000/${SLACK_TOKEN}" }
`,
    );
    const vigil = startVigil(dir, ['--log-level', 'debug']);
    await vigil.running();
    // Everything that could leak has happened: a warehouse refused, a receiver echoed, a channel was unreachable.
    await until('the warehouse failure, an incident and its notifications tried', () => {
      const logs = vigil.stderr;
      return logs.includes('warehouse shop (postgres)') && logs.includes('notification will be retried: webhook channel') && logs.includes('notification will be retried: slack channel') && echo.hits.length >= 2;
    });

    vigil.child.kill('SIGTERM');
    const exit = await vigil.exited(grace * 1000 + 30_000);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.ms).toBeLessThan(grace * 1000);

    const logs = vigil.logLines();
    for (const line of logs) {
      expect(typeof line.level).toBe('number');
      expect(typeof line.time).toBe('number');
      expect(typeof line.msg).toBe('string');
    }
    const messages = logs.map((l) => l.msg as string);
    expect(messages).toContain('vigil started');
    expect(messages.some((m) => m.startsWith('stopping'))).toBe(true);
    expect(messages.at(-1)).toBe('vigil stopped');
    for (const secret of SECRETS) {
      expect(vigil.stderr).not.toContain(secret);
      expect(vigil.stdout).not.toContain(secret);
    }
    expect(vigil.stderr).not.toContain(`${echo.url}/hooks`);
    // The receiver's echo of the URL and the Authorization header was seen, and cut.
    expect(vigil.stderr).toContain('[redacted]');
    // Nor did they get into the store, where the API would show them.
    const db = new Database(join(dir, 'vigil.db'), { readonly: true, fileMustExist: true });
    const stored = JSON.stringify([db.prepare('SELECT last_error_message FROM monitors').all(), db.prepare('SELECT last_error FROM outbox').all()]);
    db.close();
    for (const secret of SECRETS) expect(stored).not.toContain(secret);
    // The server is gone.
    expect(await get(`http://127.0.0.1:${port}/healthz`)).toBeUndefined();
  }, 120_000);

  it('stops on SIGINT with exit code 0', async () => {
    const port = await freePort();
    const dir = sqliteSetup(
      () => `store: sqlite:./vigil.db
api: { port: ${port} }
warehouses:
  w: { type: sqlite, path: ./w.db }
monitors:
  - { name: orders rows, warehouse: w, table: orders, metric_type: row_count, schedule: { cron: "* * * * * *" }, condition: { min: 1 } }
`,
    );
    const vigil = startVigil(dir);
    await vigil.running();
    await until('a run stored', () => storeCount(dir, 'SELECT count(*) AS n FROM measurements') >= 1);
    vigil.child.kill('SIGINT');
    const exit = await vigil.exited(30_000);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(vigil.logLines().find((l) => l.signal === 'SIGINT')).toMatchObject({ msg: expect.stringMatching(/^stopping/) });
  }, 120_000);

  it('exits 2 on a bad config with file:line:col, serving and writing nothing', async () => {
    const port = await freePort();
    const dir = sqliteSetup(
      () => `store: sqlite:./state/vigil.db
api: { port: ${port} }
warehouses:
  w: { type: sqlite, path: ./w.db }
monitors:
  - { name: orders rows, warehouse: w, table: orders, metric_type: rowcount, schedule: { cron: "* * * * * *" } }
`,
    );
    const vigil = startVigil(dir);
    const exit = await vigil.exited(30_000);
    expect(exit.code).toBe(2);
    expect(vigil.stdout).toBe('');
    expect(vigil.stderr).toMatch(/^vigil\.yaml:6:\d+ monitors\[0\]\.metric_type: expected one of .*got "rowcount"/);
    expect(vigil.stderr).toContain('(did you mean row_count?)');
    expect(existsSync(join(dir, 'state'))).toBe(false);
    expect(await get(`http://127.0.0.1:${port}/healthz`)).toBeUndefined();
  }, 60_000);

  it('exits 2 naming the port when the API port is in use, and leaves nothing running', async () => {
    const taken = createNetServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const dir = sqliteSetup(
        () => `store: sqlite:./vigil.db
api: { port: ${port} }
warehouses:
  w: { type: sqlite, path: ./w.db }
monitors:
  - { name: orders rows, warehouse: w, table: orders, metric_type: row_count, schedule: { cron: "* * * * * *" } }
`,
      );
      const vigil = startVigil(dir);
      // It exits by itself: no scheduler, timer, pool or server keeps it alive.
      const exit = await vigil.exited(30_000);
      expect(exit.code).toBe(2);
      expect(vigil.stdout).toBe('');
      expect(vigil.stderr).toContain(String(port));
      expect(vigil.stderr).toMatch(/in use/);
      expect(vigil.stderr).not.toMatch(/unexpected failure|\n\s+at /);
      // No run ever started.
      if (existsSync(join(dir, 'vigil.db'))) expect(storeCount(dir, 'SELECT count(*) AS n FROM measurements')).toBe(0);
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  }, 60_000);
});

describeWithDatabase('TEST_PG_URL', 'vigil start, stopping with a run in flight (PostgreSQL)', (url) => {
  const schema = uniqueName('vigil_stop');
  const tag = uniqueName('vigil_e2e');
  const admin = new pg.Client({ connectionString: url });
  /** Holds an ACCESS EXCLUSIVE lock on the table while a test wants runs to hang. */
  let locker: pg.Client | null = null;

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.query(`CREATE TABLE ${schema}.orders (id serial PRIMARY KEY, amount numeric)`);
    await admin.query(`INSERT INTO ${schema}.orders (amount) SELECT g FROM generate_series(1, 100) g`);
  });

  afterEach(async () => {
    await release();
    // A process killed mid-query leaves its backend behind: end it.
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [tag]);
  });

  afterAll(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });

  /** Until release(), any query on the table waits: a run that stays in flight as long as the test wants. */
  async function hold(): Promise<void> {
    locker = new pg.Client({ connectionString: url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query(`LOCK TABLE ${schema}.orders IN ACCESS EXCLUSIVE MODE`);
  }

  async function release(): Promise<void> {
    if (locker === null) return;
    const client = locker;
    locker = null;
    await client.query('COMMIT').catch(() => undefined);
    await client.end();
  }

  /** The daemon's query, waiting on the lock. */
  async function runWaiting(): Promise<boolean> {
    const { rows } = await admin.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND state = 'active' AND wait_event_type = 'Lock'`,
      [tag],
    );
    return rows[0]!.n > 0;
  }

  async function startOnPostgres(): Promise<{ vigil: Vigil; dir: string; port: number }> {
    const port = await freePort();
    const dir = tempDir('vigil-daemon-pg-');
    writeFileSync(
      join(dir, 'vigil.yaml'),
      `store: sqlite:./vigil.db
api: { port: ${port} }
daemon: { shutdown_grace_seconds: 30, retries: 0 }
warehouses:
  shop: { type: postgres, url: "${url}", query_tag: ${tag} }
monitors:
  - name: orders counted
    warehouse: shop
    metric_type: custom_sql
    metric_config: { query_select: "SELECT count(*) AS n FROM ${schema}.orders" }
    schedule: { cron: "* * * * * *" }
    condition: { min: 1 }
`,
    );
    const vigil = startVigil(dir);
    await vigil.running();
    return { vigil, dir, port };
  }

  it('the first SIGTERM waits for the run in flight, stores it, then exits 0', async () => {
    await hold();
    const { vigil, dir, port } = await startOnPostgres();
    await until('a run waiting on the table', runWaiting);

    vigil.child.kill('SIGTERM');
    await until('"stopping" in the logs', () => vigil.stderr.includes('"stopping'));
    // Stopping: not ready any more, but still there, and the run not stored yet.
    const ready = await get(`http://127.0.0.1:${port}/readyz`);
    expect(ready?.status).toBe(503);
    expect(vigil.alive).toBe(true);
    expect(await runWaiting()).toBe(true);
    expect(storeCount(dir, 'SELECT count(*) AS n FROM measurements')).toBe(0);

    await release();
    const exit = await vigil.exited(60_000);
    expect(exit).toMatchObject({ code: 0, signal: null });
    const db = new Database(join(dir, 'vigil.db'), { readonly: true, fileMustExist: true });
    const rows = db.prepare('SELECT value, status FROM measurements').all();
    db.close();
    expect(rows).toEqual([{ value: 100, status: 'normal' }]);
    expect(vigil.logLines().at(-1)).toMatchObject({ msg: 'vigil stopped' });
  }, 120_000);

  it('a second signal while stopping exits at once with a non-zero code', async () => {
    await hold();
    const { vigil, dir } = await startOnPostgres();
    await until('a run waiting on the table', runWaiting);

    vigil.child.kill('SIGTERM');
    await until('"stopping" in the logs', () => vigil.stderr.includes('"stopping'));
    expect(vigil.alive).toBe(true);
    vigil.child.kill('SIGTERM');
    // The run is still held by the lock and the grace period is 30 s: exiting well before is exiting at once.
    const exit = await vigil.exited(20_000);
    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    expect(await runWaiting()).toBe(true);
    expect(storeCount(dir, 'SELECT count(*) AS n FROM measurements')).toBe(0);
    expect(vigil.stderr).toContain('second signal');
  }, 120_000);
});
