import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli, ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

/** The `vigil` binary as a user runs it: exit codes, output, and nothing written on bad input. */

function demoCopy(): string {
  const dir = tempDir();
  cpSync(join(ROOT, 'config.example.yaml'), join(dir, 'vigil.yaml'));
  mkdirSync(join(dir, 'fixtures', 'demo'), { recursive: true });
  cpSync(join(ROOT, 'fixtures', 'demo', 'seed.sql'), join(dir, 'fixtures', 'demo', 'seed.sql'));
  return dir;
}

function writeConfig(dir: string, yaml: string): string {
  const file = join(dir, 'vigil.yaml');
  writeFileSync(file, yaml);
  return file;
}

const DEMO_MONITORS = [
  'Average order amount',
  'Countries',
  'Null percentage of order amounts',
  'Orders freshness',
  'Orders row count',
  'Paid orders',
  'Refund rate',
  'Smallest order amount',
  'Unique customer emails',
];

describe('vigil run-now', () => {
  it('runs the demo on the embedded default and exits 0', async () => {
    const dir = demoCopy();
    const result = await runCli(['run-now', '--config', join(dir, 'vigil.yaml')], { env: { VIGIL_STORE: undefined } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^MONITOR\s+VALUE\s+BAND\s+STATUS\s+TIME$/);
    for (const name of DEMO_MONITORS) expect(result.stdout).toContain(name);
    expect(result.stdout).toMatch(/^Orders row count\s+10000\s+learning\s+learning\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/m);
    expect(result.stdout).toMatch(/^Null percentage of order amounts\s+2\s+<= 5\s+normal/m);
    expect(result.stdout).toContain('9 monitors: 7 normal, 2 learning, 0 out of range, 0 errors');
    expect(existsSync(join(dir, '.vigil', 'vigil.db'))).toBe(true);
    expect(existsSync(join(dir, '.vigil', 'demo.db'))).toBe(true);
  });

  it('prints JSON for machines', async () => {
    const dir = demoCopy();
    const result = await runCli(['run-now', '-c', join(dir, 'vigil.yaml'), '--format', 'json', '--monitor', 'Refund rate', '--monitor', 'Countries']);
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout) as { summary: Record<string, number>; results: Array<Record<string, unknown>> };
    expect(out.summary).toMatchObject({ total: 2, normal: 2, error: 0 });
    expect(out.results.map((r) => r.name)).toEqual(['Refund rate', 'Countries']);
    expect(out.results[0]).toMatchObject({ metric_type: 'custom_sql', status: 'normal', value: 5, lower_threshold: null, upper_threshold: 10, error: null, warehouse: 'demo', table: null });
    expect(out.results[1]).toMatchObject({ metric_type: 'cardinality', value: 5, lower_threshold: 3, upper_threshold: 50, table: 'customers', column: 'country' });
    expect(typeof out.results[0]!.id).toBe('string');
    expect(Date.parse(out.results[0]!.measured_at as string)).not.toBeNaN();
  });

  it('exits 1 when a monitor breaches its band', async () => {
    const dir = demoCopy();
    const yaml = `store: sqlite:./vigil.db\nwarehouses: { demo: { type: sqlite, path: ./demo.db, seed: ./fixtures/demo/seed.sql } }\nmonitors:\n  - { name: too many orders, warehouse: demo, table: orders, metric_type: row_count, condition: { max: 9999 } }\n  - { name: fine, warehouse: demo, table: customers, metric_type: row_count, condition: { min: 1 } }\n`;
    const result = await runCli(['run-now', '-c', writeConfig(dir, yaml)]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^too many orders\s+10000\s+<= 9999\s+incident/m);
    expect(result.stdout).toContain('2 monitors: 1 normal, 0 learning, 1 out of range, 0 errors');
  });

  it('exits 2 when a warehouse refuses connections, and still runs the others', async () => {
    const dir = demoCopy();
    const yaml = `store: sqlite:./vigil.db
warehouses:
  demo: { type: sqlite, path: ./demo.db, seed: ./fixtures/demo/seed.sql }
  shop: { type: mysql, url: "mysql://vigil@127.0.0.1:1/shop" }
monitors:
  - { name: demo orders, warehouse: demo, table: orders, metric_type: row_count, condition: { min: 1 } }
  - { name: shop orders, warehouse: shop, table: orders, metric_type: row_count }
`;
    const result = await runCli(['run-now', '-c', writeConfig(dir, yaml)]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^demo orders\s+10000\s+>= 1\s+normal/m);
    expect(result.stdout).toMatch(/^shop orders\s+-\s+-\s+error/m);
    expect(result.stdout).toContain('shop orders: warehouse shop (mysql): connection refused: is the server running and listening on that host and port? (ECONNREFUSED)');
  });

  it('exits 2 naming an unknown --monitor', async () => {
    const dir = demoCopy();
    const result = await runCli(['run-now', '-c', join(dir, 'vigil.yaml'), '--monitor', 'Nope']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no monitor has the name or id "Nope"');
  });

  // [what, the monitor line, the text the error must point at, the message after the path]
  const badConfigs: Array<[string, string, string, string]> = [
    ['a wrong type', '  - { warehouse: demo, table: orders, metric_type: row_count, condition: { max: lots } }', 'lots', 'monitors[0].condition.max: expected number, got the text "lots"'],
    ['an unknown warehouse', '  - { warehouse: dmeo, table: orders, metric_type: row_count }', 'dmeo', 'monitors[0].warehouse: unknown warehouse "dmeo" (did you mean demo?); configured: demo'],
    ['a missing environment variable', '  - { warehouse: demo, table: "${ORDERS_TABLE}", metric_type: row_count }', '"${', 'monitors[0].table: environment variable ORDERS_TABLE is not set'],
    ['an unknown metric_type', '  - { warehouse: demo, table: orders, metric_type: rowcount }', 'rowcount', 'monitors[0].metric_type: expected one of row_count, freshness, null_percentage, unique_percentage, cardinality, min, max, mean, custom_sql, got "rowcount" (did you mean row_count?)'],
    ['a column on a table-level metric', '  - { warehouse: demo, table: orders, column: id, metric_type: row_count }', 'id,', 'monitors[0].column: row_count is a table-level metric; remove column or use a column metric'],
  ];
  it.each(badConfigs)('exits 2 on %s with file:line:col, and writes nothing', async (_, monitorLine, pointAt, message) => {
    const dir = tempDir();
    mkdirSync(join(dir, 'fixtures', 'demo'), { recursive: true });
    cpSync(join(ROOT, 'fixtures', 'demo', 'seed.sql'), join(dir, 'fixtures', 'demo', 'seed.sql'));
    const yaml = `store: sqlite:./state/vigil.db\nwarehouses:\n  demo: { type: sqlite, path: ./state/demo.db, seed: ./fixtures/demo/seed.sql }\n\nmonitors:\n${monitorLine}\n`;
    writeConfig(dir, yaml);
    const result = await runCli(['run-now', '-c', 'vigil.yaml'], { cwd: dir, env: { ORDERS_TABLE: undefined } });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`vigil.yaml:6:${monitorLine.indexOf(pointAt) + 1} ${message}\n`);
    expect(existsSync(join(dir, 'state'))).toBe(false);
  });

  it('exits 2 when the config file does not exist', async () => {
    const result = await runCli(['run-now', '-c', '/nonexistent/vigil.yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('/nonexistent/vigil.yaml: cannot read the config file: no such file\n');
  });

  it('exits 2 on an unknown option', async () => {
    const result = await runCli(['run-now', '--formt', 'json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--formt'");
  });
});

describe('vigil validate and migrate', () => {
  it('validate exits 0 on a valid file and 2 on an invalid one, touching nothing', async () => {
    const ok = await runCli(['validate', '-c', 'config.example.yaml']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('config.example.yaml: valid: 1 warehouses, 9 monitors (9 enabled)\n');

    const dir = tempDir();
    writeConfig(dir, 'warehouses:\n  w: { type: sqlite, path: ./w.db }\nmonitors:\n  - { warehouse: w, table: t, metric_type: mean }\n');
    const bad = await runCli(['validate', '-c', 'vigil.yaml'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('vigil.yaml:4:5 monitors[0]: mean is a column metric: set column\n');
    expect(existsSync(join(dir, 'vigil.db'))).toBe(false);
  });

  it('lets several processes start on a new SQLite store at once', async () => {
    const dir = tempDir();
    writeConfig(dir, 'store: sqlite:./vigil.db\nwarehouses:\n  w: { type: sqlite, path: ./w.db }\n');
    const results = await Promise.all(Array.from({ length: 6 }, () => runCli(['migrate', '-c', 'vigil.yaml'], { cwd: dir })));
    expect(results.map((r) => [r.code, r.stderr])).toEqual(Array.from({ length: 6 }, () => [0, '']));
    expect(results.filter((r) => r.stdout.includes('(applied 0001-initial, 0002-daemon, 0003-api-keys, 0004-measurement-pages, 0005-slot-claims)'))).toHaveLength(1);
  });

  it('leaves a SQLite store as it was when a migration fails part-way', async () => {
    const dir = tempDir();
    writeConfig(dir, 'store: sqlite:./vigil.db\nwarehouses:\n  w: { type: sqlite, path: ./w.db }\n');
    // A table in the way of migration 0003: 0001 and 0002 apply, then 0003 fails.
    const store = new Database(join(dir, 'vigil.db'));
    store.exec('create table api_keys (id text)');
    store.close();
    const failed = await runCli(['migrate', '-c', 'vigil.yaml'], { cwd: dir });
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain('0003-api-keys');
    const after = new Database(join(dir, 'vigil.db'), { readonly: true });
    const tables = after.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name").pluck().all();
    after.close();
    expect(tables).toEqual(['api_keys']);
  });

  it('starts on an up-to-date SQLite store while another process holds its write lock', async () => {
    const dir = tempDir();
    writeConfig(dir, 'store: sqlite:./vigil.db\nwarehouses:\n  w: { type: sqlite, path: ./w.db }\n');
    expect((await runCli(['migrate', '-c', 'vigil.yaml'], { cwd: dir })).code).toBe(0);
    const writer = new Database(join(dir, 'vigil.db'));
    writer.exec('begin immediate');
    try {
      // Nothing to migrate: only read, so it does not wait for the writer (which would fail it after the busy timeout).
      const result = await runCli(['migrate', '-c', 'vigil.yaml'], { cwd: dir });
      expect([result.code, result.stdout, result.stderr]).toEqual([0, `sqlite:${join(dir, 'vigil.db')}: schema is up to date\n`, '']);
    } finally {
      writer.exec('rollback');
      writer.close();
    }
  });

  it('refuses a SQLite store migrated by a newer Vigil, naming the migration it does not know', async () => {
    const dir = tempDir();
    writeConfig(dir, 'store: sqlite:./vigil.db\nwarehouses:\n  w: { type: sqlite, path: ./w.db }\n');
    expect((await runCli(['migrate', '-c', 'vigil.yaml'], { cwd: dir })).code).toBe(0);
    const store = new Database(join(dir, 'vigil.db'));
    store.prepare('insert into kysely_migration (name, timestamp) values (?, ?)').run('9999-from-the-future', new Date().toISOString());
    store.close();
    const result = await runCli(['migrate', '-c', 'vigil.yaml'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the store was migrated by a newer Vigil: it has migration 9999-from-the-future');
  });

  it('migrate creates the store schema, then reports it up to date', async () => {
    const dir = tempDir();
    writeConfig(dir, 'store: sqlite:./vigil.db\nwarehouses:\n  w: { type: sqlite, path: ./w.db }\n');
    const first = await runCli(['migrate', '-c', 'vigil.yaml'], { cwd: dir });
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(`sqlite:${join(dir, 'vigil.db')}: schema is up to date (applied 0001-initial, 0002-daemon, 0003-api-keys, 0004-measurement-pages, 0005-slot-claims)\n`);
    const second = await runCli(['migrate', '-c', 'vigil.yaml'], { cwd: dir });
    expect(second.stdout).toBe(`sqlite:${join(dir, 'vigil.db')}: schema is up to date\n`);
  });
});
