import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openConnector } from '../../connectors/registry.js';
import { createApp, engineDeps, runNow, selectMonitors, type App } from '../../src/app.js';
import { WarehouseConnectors } from '../../src/engine/connectors.js';
import { runMonitors } from '../../src/engine/run.js';
import { parseConfig } from '../../src/config/load.js';
import { ManualClock } from '../../src/domain/clock.js';
import type { Connector, QueryResult } from '../../src/domain/connector.js';
import { yamlMonitorId } from '../../src/domain/ids.js';
import { seedDuckdb, seedSqlite, type SeededWarehouse } from './conformance/targets.js';
import { tempDir } from '../helpers/temp.js';

/** The engine end to end on real parts: a SQLite store, real warehouses, an injected clock. */

const apps: App[] = [];

function fileOf(seeded: SeededWarehouse): string {
  if (seeded.config.type !== 'sqlite' && seeded.config.type !== 'duckdb') throw new Error('not a file warehouse');
  return seeded.config.path;
}
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function appFor(yaml: string, dir: string, clock = new ManualClock('2026-11-28T12:00:00Z'), openWith = openConnector): Promise<App> {
  const config = parseConfig(yaml, join(dir, 'vigil.yaml'), {}, 'vigil.yaml');
  const app = await createApp(config, { clock, openConnector: openWith });
  apps.push(app);
  return app;
}

describe('runMonitors', () => {
  it('stores each measurement with its band and updates every monitor field', async () => {
    const dir = tempDir();
    const seeded = await seedSqlite(dir);
    const clock = new ManualClock('2026-11-28T12:00:00Z');
    const app = await appFor(
      `
store: sqlite:./state/vigil.db
warehouses:
  wh: { type: sqlite, path: ${fileOf(seeded)} }
monitors:
  - { name: rows, warehouse: wh, table: items, metric_type: row_count, condition: { min: 5, max: 20 } }
  - { name: too many rows, warehouse: wh, table: items, metric_type: row_count, condition: { max: 9 } }
  - { name: nulls, warehouse: wh, table: items, column: amount, metric_type: null_percentage }
  - { name: upper only, warehouse: wh, table: items, column: amount, metric_type: min, condition: { min: 0, max: 1000, bounds: upper } }
`,
      dir,
      clock,
    );
    const results = await runNow(app);
    expect(results.map((r) => [r.monitor.name, r.status, r.value, r.lower, r.upper])).toEqual([
      ['nulls', 'learning', 20, null, null],
      ['rows', 'normal', 10, 5, 20],
      ['too many rows', 'incident', 10, null, 9],
      ['upper only', 'normal', -5, 0, 1000], // -5 < min, but only the upper side alerts
    ]);

    const stored = await app.db.selectFrom('monitors').selectAll().where('id', '=', yamlMonitorId('too many rows')).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({
      status: 'incident',
      last_attempted_at: '2026-11-28T12:00:00.000Z',
      last_success_at: '2026-11-28T12:00:00.000Z',
      last_error_at: null,
      last_error_message: '',
      last_measurement_value: 10,
      frequency: 24,
    });
    const measurement = await app.db.selectFrom('measurements').selectAll().where('id', '=', stored.last_measurement!).executeTakeFirstOrThrow();
    expect(measurement).toMatchObject({ monitor_id: stored.id, value: 10, lower_threshold: null, upper_threshold: 9, status: 'anomaly', is_anomaly: 1, created_at: '2026-11-28T12:00:00.000Z' });

    clock.advance(3_600_000);
    await runNow(app);
    const count = await app.db.selectFrom('measurements').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(8);
    const again = await app.db.selectFrom('monitors').select(['last_success_at']).where('id', '=', stored.id).executeTakeFirstOrThrow();
    expect(again.last_success_at).toBe('2026-11-28T13:00:00.000Z');
  });

  it('isolates a warehouse that refuses connections: its monitors are error with a readable message, the others still run', async () => {
    const dir = tempDir();
    const seeded = await seedSqlite(dir);
    const app = await appFor(
      `
store: sqlite:./vigil.db
warehouses:
  good: { type: sqlite, path: ${fileOf(seeded)} }
  down: { type: postgres, url: "postgres://vigil@127.0.0.1:1/nothing", connect_timeout_seconds: 2 }
monitors:
  - { name: good rows, warehouse: good, table: items, metric_type: row_count, condition: { max: 100 } }
  - { name: down rows, warehouse: down, table: public.orders, metric_type: row_count }
  - { name: down nulls, warehouse: down, table: public.customers, column: email, metric_type: null_percentage }
  - { name: down max, warehouse: down, table: public.payments, column: amount, metric_type: max }
notifications:
  - { type: webhook, name: hook, url: "http://127.0.0.1:9/never-called" }
`,
      dir,
    );
    const results = await runNow(app);
    // A warehouse that is down is announced once, not once per monitor.
    const errors = await app.db.selectFrom('outbox').select(['event', 'monitor_id']).execute();
    expect(errors).toHaveLength(1);
    expect(errors[0]!.event).toBe('monitor_error');
    const byName = Object.fromEntries(results.map((r) => [r.monitor.name, r]));
    expect(byName['good rows']).toMatchObject({ status: 'normal', value: 10 });
    for (const name of ['down rows', 'down nulls', 'down max']) {
      expect(byName[name]!.status).toBe('error');
      expect(byName[name]!.error?.kind).toBe('network');
      expect(byName[name]!.error?.message).toMatch(/^warehouse down \(postgres\): connection refused.*ECONNREFUSED/);
    }
    const row = await app.db.selectFrom('monitors').selectAll().where('id', '=', yamlMonitorId('down rows')).executeTakeFirstOrThrow();
    expect(row.status).toBe('error');
    expect(row.last_error_at).toBe('2026-11-28T12:00:00.000Z');
    expect(row.last_error_message).toMatch(/connection refused/);
    expect(row.last_measurement).toBeNull();
    const measurements = await app.db.selectFrom('measurements').select('monitor_id').execute();
    expect(measurements.map((m) => m.monitor_id)).toEqual([yamlMonitorId('good rows')]);
  });

  it('turns a store that fails into errors of the monitors it could not save, and finishes the run', async () => {
    const dir = tempDir();
    const seeded = await seedSqlite(dir);
    const app = await appFor(
      `store: sqlite:./vigil.db\nwarehouses: { wh: { type: sqlite, path: ${fileOf(seeded)} } }\nmonitors:\n  - { name: a, warehouse: wh, table: items, metric_type: row_count, condition: { max: 100 } }\n  - { name: b, warehouse: wh, table: items, column: amount, metric_type: max, condition: { max: 1000 } }\n`,
      dir,
    );
    await sql`DROP TABLE measurements`.execute(app.db);
    const results = await runNow(app);
    expect(results.map((r) => [r.monitor.name, r.status, r.value, r.error?.code])).toEqual([
      ['a', 'error', 10, 'store'],
      ['b', 'error', 100.5, 'store'],
    ]);
    expect(results[0]!.error!.message).toMatch(/^the store could not save this run: no such table: measurements/);
  });

  it('learns a band from the stored history, flags a breach, keeps it out of training, and opens then resolves an incident', async () => {
    const dir = tempDir();
    const path = join(dir, 'events.db');
    const writer = new Database(path);
    writer.exec('CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT)');
    const setRows = (n: number) => {
      writer.exec('DELETE FROM events');
      const insert = writer.prepare('INSERT INTO events (kind) VALUES (?)');
      writer.transaction(() => {
        for (let i = 0; i < n; i++) insert.run('x');
      })();
    };
    const clock = new ManualClock('2026-03-02T06:00:00Z');
    const app = await appFor(
      `store: sqlite:./vigil.db\nwarehouses: { wh: { type: sqlite, path: ${path} } }\nmonitors:\n  - { name: events, warehouse: wh, table: events, metric_type: row_count }\n`,
      dir,
      clock,
    );
    const statuses: string[] = [];
    const counts = [1000, 1012, 995, 1004, 990, 1008, 1001, 997, 1010, 1003, 3000, 1006, 999, 1002];
    for (const count of counts) {
      setRows(count);
      const [result] = await runNow(app);
      statuses.push(result!.status);
      clock.advance(86_400_000);
    }
    writer.close();
    // The incident stays open through two good runs; the third resolves it.
    expect(statuses).toEqual([...Array(7).fill('learning'), 'normal', 'normal', 'normal', 'incident', 'incident', 'incident', 'normal']);
    const incidents = await app.db.selectFrom('incidents').selectAll().execute();
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ status: 'resolved', value: 3000, good_runs: 3 });
    const actions = await app.db.selectFrom('incident_actions').select('type').where('incident_id', '=', incidents[0]!.id).orderBy('at').execute();
    expect(actions.map((a) => a.type)).toEqual(['created', 'auto_resolved']);
    const measurements = await app.db.selectFrom('measurements').select(['value', 'status', 'is_anomaly', 'lower_threshold', 'upper_threshold']).orderBy('created_at').execute();
    expect(measurements[10]).toMatchObject({ value: 3000, status: 'anomaly', is_anomaly: 1 });
    expect(await app.db.selectFrom('measurements').select('id').where('incident_id', '=', incidents[0]!.id).execute()).toHaveLength(1);
    // The breach stayed out of training: the band after it is as tight as before it.
    expect(measurements[11]!.upper_threshold!).toBeLessThan(1100);
    expect(measurements[7]!.lower_threshold!).toBeGreaterThan(900);
  });

  /** Connectors that count their queries, how many are out at once at most, and what each answer says it waited. */
  function tracking(delayMs = 0) {
    const seen = { queries: 0, peak: 0, waited: [] as Array<number | undefined> };
    let inFlight = 0;
    const open = async (name: string, config: Parameters<typeof openConnector>[1]): Promise<Connector> => {
      const real = await openConnector(name, config);
      const track = async (work: () => Promise<QueryResult>) => {
        seen.queries += 1;
        inFlight += 1;
        seen.peak = Math.max(seen.peak, inFlight);
        try {
          if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
          const result = await work();
          seen.waited.push(result.waitedMs);
          return result;
        } finally {
          inFlight -= 1;
        }
      };
      return { query: (sql) => track(() => real.query(sql)), queryReadOnly: (sql) => track(() => real.queryReadOnly(sql)), close: () => real.close() };
    };
    return { open, seen };
  }

  it('keeps to each warehouse its concurrency limit', async () => {
    const dir = tempDir();
    const seeded = await seedDuckdb(dir);
    const { open, seen } = tracking(20);
    const path = fileOf(seeded);
    const monitors = Array.from({ length: 8 }, (_, i) => `  - { name: q${i}, warehouse: duck, metric_type: custom_sql, metric_config: { query_select: "SELECT ${i} + COUNT(*) FROM items" } }`).join('\n');
    const app = await appFor(`store: sqlite:./vigil.db\nwarehouses:\n  duck: { type: duckdb, path: ${path}, max_concurrency: 2 }\nmonitors:\n${monitors}\n`, dir, undefined, open);
    const results = await runNow(app);
    expect(results.map((r) => r.value)).toEqual([10, 11, 12, 13, 14, 15, 16, 17]);
    expect(seen.queries).toBe(8);
    expect(seen.peak).toBe(2);
  });

  it("hands each SQLite query thread its next query while it runs one (2 a thread), and each answer says how long it waited", async () => {
    const dir = tempDir();
    const seeded = await seedSqlite(dir);
    const { open, seen } = tracking();
    const slow = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000) SELECT COUNT(*) - 300000 FROM c';
    const monitors = Array.from({ length: 6 }, (_, i) => `  - { name: q${i}, warehouse: lite, metric_type: custom_sql, metric_config: { query_select: "SELECT ${i} + (${slow}) + COUNT(*) FROM items" } }`).join('\n');
    const app = await appFor(`store: sqlite:./vigil.db\nwarehouses:\n  lite: { type: sqlite, path: ${fileOf(seeded)}, max_concurrency: 1 }\nmonitors:\n${monitors}\n`, dir, undefined, open);
    const results = await runNow(app);
    expect(results.map((r) => r.value)).toEqual([10, 11, 12, 13, 14, 15]);
    // One thread: one query running, the next waiting in the thread, never more.
    expect(seen.peak).toBe(2);
    expect(seen.waited).toHaveLength(6);
    expect(seen.waited.every((ms) => typeof ms === 'number' && ms >= 0)).toBe(true);
    expect(Math.max(...(seen.waited as number[]))).toBeGreaterThan(0);
  });

  it("starts every query of a run before storing any of its results (the store's writes take no CPU from them)", async () => {
    const dir = tempDir();
    const seeded = await seedDuckdb(dir);
    const events: string[] = [];
    const slow = async (name: string, config: Parameters<typeof openConnector>[1]): Promise<Connector> => {
      const real = await openConnector(name, config);
      const run = async (sql: string) => {
        events.push('query');
        await new Promise((r) => setTimeout(r, 30));
        return real.queryReadOnly(sql);
      };
      return { query: run, queryReadOnly: run, close: () => real.close() };
    };
    const monitors = Array.from({ length: 6 }, (_, i) => `  - { name: q${i}, warehouse: duck, metric_type: custom_sql, metric_config: { query_select: "SELECT ${i} + COUNT(*) FROM items" } }`).join('\n');
    const app = await appFor(`store: sqlite:./vigil.db\nwarehouses:\n  duck: { type: duckdb, path: ${fileOf(seeded)}, max_concurrency: 1 }\nmonitors:\n${monitors}\n`, dir);
    const results = await runMonitors(engineDeps(app, { connectors: new WarehouseConnectors(app.config.warehouses, slow), onStored: () => events.push('stored') }), await selectMonitors(app, []));
    expect(results.map((r) => r.value)).toEqual([10, 11, 12, 13, 14, 15]);
    // One query at a time, 30 ms each: results of the first ones are in long before the last starts.
    expect(events).toEqual([...Array<string>(6).fill('query'), ...Array<string>(6).fill('stored')]);
  });

  it('runs the monitors of one table in one query, and other tables in their own', async () => {
    const dir = tempDir();
    const seeded = await seedSqlite(dir);
    const issued: string[] = [];
    const recording = async (name: string, config: Parameters<typeof openConnector>[1]): Promise<Connector> => {
      const real = await openConnector(name, config);
      return { query: (sql) => (issued.push(sql), real.query(sql)), queryReadOnly: (sql) => (issued.push(sql), real.queryReadOnly(sql)), close: () => real.close() };
    };
    const path = fileOf(seeded);
    const app = await appFor(
      `
store: sqlite:./vigil.db
warehouses: { wh: { type: sqlite, path: ${path} } }
monitors:
  - { warehouse: wh, table: items, metric_type: row_count }
  - { warehouse: wh, table: items, column: amount, metric_type: max }
  - { warehouse: wh, table: items, column: category, metric_type: cardinality }
  - { warehouse: wh, table: canary, metric_type: row_count }
`,
      dir,
      undefined,
      recording,
    );
    const results = await runNow(app);
    expect(results.every((r) => r.status === 'learning')).toBe(true);
    expect(issued).toHaveLength(2);
    expect(issued.filter((sql) => sql.includes('"items"'))).toHaveLength(1);
  });

  it('syncs YAML monitors with stable ids and disables, without deleting, those removed from the file', async () => {
    const dir = tempDir();
    const seeded = await seedSqlite(dir);
    const path = fileOf(seeded);
    const head = `store: sqlite:./vigil.db\nwarehouses: { wh: { type: sqlite, path: ${path} } }\nmonitors:\n`;
    const first = await appFor(`${head}  - { name: a, warehouse: wh, table: items, metric_type: row_count }\n  - { name: b, warehouse: wh, table: items, metric_type: row_count }\n`, dir);
    await runNow(first);
    await first.close();
    apps.splice(apps.indexOf(first), 1);
    const second = await appFor(`${head}  - { name: a, warehouse: wh, table: items, metric_type: row_count, condition: { max: 5 }, schedule: { cadence: hourly, frequency: 6 } }\n`, dir);
    const rows = await second.db.selectFrom('monitors').select(['id', 'name', 'is_enabled', 'last_measurement_value', 'condition_auto_sensitivity', 'condition_manual_max', 'frequency']).orderBy('name').execute();
    expect(rows).toEqual([
      { id: yamlMonitorId('a'), name: 'a', is_enabled: 1, last_measurement_value: 10, condition_auto_sensitivity: null, condition_manual_max: 5, frequency: 6 },
      { id: yamlMonitorId('b'), name: 'b', is_enabled: 0, last_measurement_value: 10, condition_auto_sensitivity: 5, condition_manual_max: null, frequency: 24 },
    ]);
    const results = await runNow(second);
    expect(results.map((r) => r.monitor.name)).toEqual(['a']);
  });
});
