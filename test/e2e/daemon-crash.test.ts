import Database from 'better-sqlite3';
import pg from 'pg';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { yamlMonitorId } from '../../src/domain/ids.js';
import { CLI } from '../helpers/cli.js';
import { describeWithDatabase, uniqueName } from '../helpers/databases.js';
import { HttpReceiver } from '../helpers/receivers.js';
import { tempDir } from '../helpers/temp.js';
import { freePort, until } from '../helpers/wait.js';

/**
 * kill -9 in the middle of a batch and while notifications are pending, then start again:
 * no measurement lost or duplicated, no second incident for the same breach, and every
 * notification delivered exactly once.
 */



function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describeWithDatabase('TEST_PG_URL', 'vigil start survives kill -9', (url) => {
  const schema = uniqueName('vigil_crash');
  const admin = new pg.Client({ connectionString: url });
  const receiver = new HttpReceiver();
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.query(`CREATE TABLE ${schema}.orders (id serial PRIMARY KEY, amount numeric)`);
    await admin.query(`INSERT INTO ${schema}.orders (amount) SELECT g FROM generate_series(1, 100) g`);
    // A view that takes a second to read: a batch is in flight half of the time.
    await admin.query(`CREATE FUNCTION ${schema}.slow(s float) RETURNS boolean LANGUAGE plpgsql AS 'BEGIN PERFORM pg_sleep(s); RETURN true; END'`);
    await admin.query(`CREATE VIEW ${schema}.slow_orders AS SELECT * FROM ${schema}.orders WHERE (SELECT ${schema}.slow(1.0))`);
    await receiver.start();
  });

  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  afterAll(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
    await receiver.stop();
  });

  it('loses and duplicates nothing, opens one incident, and delivers every notification once', async () => {
    const dir = tempDir();
    const port = await freePort();
    writeFileSync(
      join(dir, 'vigil.yaml'),
      `
store: sqlite:./vigil.db
api: { port: ${port} }
daemon: { shutdown_grace_seconds: 10, retries: 0 }
warehouses:
  shop: { type: postgres, url: "${url}" }
monitors:
  - { name: rows, warehouse: shop, table: ${schema}.slow_orders, metric_type: row_count, schedule: { cron: "*/2 * * * * *" }, condition: { max: 50 } }
  - { name: biggest, warehouse: shop, table: ${schema}.slow_orders, column: amount, metric_type: max, schedule: { cron: "*/2 * * * * *" }, condition: { min: 0, max: 1000 } }
  - { name: nulls, warehouse: shop, table: ${schema}.slow_orders, column: amount, metric_type: null_percentage, schedule: { cron: "*/2 * * * * *" }, condition: { max: 10 } }
notifications:
  - { type: webhook, name: hook, url: "${receiver.url}/hook", secret: a-secret-of-enough-length }
`,
    );
    const start = () => {
      const child = spawn(process.execPath, [CLI, 'start', '--config', join(dir, 'vigil.yaml'), '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.resume();
      child.stderr!.resume();
      children.push(child);
      return child;
    };
    const store = () => new Database(join(dir, 'vigil.db'), { readonly: true, fileMustExist: true });
    const read = <T>(query: string, ...params: unknown[]): T[] => {
      const db = store();
      try {
        return db.prepare(query).all(...params) as T[];
      } finally {
        db.close();
      }
    };
    const ids = ['rows', 'biggest', 'nulls'].map((name) => yamlMonitorId(name));
    const inFlight = async () => {
      const { rows } = await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%slow_orders%' AND pid <> pg_backend_pid()`);
      return rows[0].n > 0;
    };

    // First life: notifications cannot get through (the receiver holds them), and it dies mid-batch.
    receiver.mode = 'hang';
    const first = start();
    await until('two batches stored', () => {
      try {
        return read<{ n: number }>('SELECT count(DISTINCT scheduled_for) AS n FROM measurements')[0]!.n >= 2;
      } catch {
        return false;
      }
    });
    await until('the notification to be held by the receiver', () => receiver.attempts.length > 0);
    await until('a batch in flight', inFlight);
    first.kill('SIGKILL');
    await exited(first);

    const before = read<{ id: string; next_run_at: string }>('SELECT id, next_run_at FROM monitors');
    const interrupted = new Map(before.map((m) => [m.id, m.next_run_at]));
    const measuredBefore = read<{ n: number }>('SELECT count(*) AS n FROM measurements')[0]!.n;
    expect(read<{ n: number }>("SELECT count(*) AS n FROM outbox WHERE status = 'pending'")[0]!.n).toBeGreaterThan(0);
    expect(receiver.accepted).toHaveLength(0);

    // Second life: the receiver answers; the interrupted slot runs again, the outbox empties.
    receiver.mode = 'ok';
    const second = start();
    await until('the interrupted slot measured, and the outbox delivered', () => {
      const slots = read<{ monitor_id: string; scheduled_for: string }>('SELECT monitor_id, scheduled_for FROM measurements');
      const rerun = ids.every((id) => slots.some((s) => s.monitor_id === id && s.scheduled_for === interrupted.get(id)));
      const pending = read<{ n: number }>("SELECT count(*) AS n FROM outbox WHERE status <> 'sent'")[0]!.n;
      return rerun && pending === 0;
    });
    second.kill('SIGTERM');
    expect(await exited(second)).toBe(0);

    // Nothing lost: every monitor has the slot that was in flight. Nothing duplicated: one measurement per slot.
    const measurements = read<{ monitor_id: string; scheduled_for: string }>('SELECT monitor_id, scheduled_for FROM measurements');
    expect(measurements.length).toBeGreaterThan(measuredBefore);
    for (const id of ids) {
      const slots = measurements.filter((m) => m.monitor_id === id).map((m) => m.scheduled_for);
      expect(new Set(slots).size).toBe(slots.length);
      expect(slots).toContain(interrupted.get(id));
    }
    // One incident for the breach, opened once, notified once.
    const incidents = read<{ id: string; monitor_id: string; status: string }>('SELECT id, monitor_id, status FROM incidents');
    expect(incidents).toEqual([{ id: incidents[0]!.id, monitor_id: yamlMonitorId('rows'), status: 'active' }]);
    const actions = read<{ type: string }>('SELECT type FROM incident_actions WHERE incident_id = ? ORDER BY at, id', incidents[0]!.id);
    expect(actions.map((a) => a.type)).toEqual(['created', 'notification_initial']);
    // Exactly once at the receiver: every outbox row accepted once, under its own delivery id.
    const sent = read<{ id: string }>('SELECT id FROM outbox');
    const deliveries = receiver.acceptedAt('/hook').map((r) => r.headers['x-vigil-delivery']);
    expect(deliveries.sort()).toEqual(sent.map((s) => s.id).sort());
    expect(receiver.acceptedAt('/hook').map((r) => JSON.parse(r.body).event)).toEqual(['incident_created']);
  }, 120_000);
});
