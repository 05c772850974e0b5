import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, ROOT } from '../helpers/cli.js';
import { describeWithDatabase, uniqueName } from '../helpers/databases.js';
import { tempDir } from '../helpers/temp.js';

/** `vigil test-connection`: reachable, credentials, permissions, and which of them failed. */

function config(dir: string, yaml: string): string {
  const file = join(dir, 'vigil.yaml');
  writeFileSync(file, yaml);
  return file;
}

describe('vigil test-connection on the embedded demo', () => {
  it('passes every step and checks each table the monitors read', async () => {
    const dir = tempDir();
    cpSync(join(ROOT, 'config.example.yaml'), join(dir, 'vigil.yaml'));
    mkdirSync(join(dir, 'fixtures', 'demo'), { recursive: true });
    cpSync(join(ROOT, 'fixtures', 'demo', 'seed.sql'), join(dir, 'fixtures', 'demo', 'seed.sql'));
    const result = await runCli(['test-connection', 'demo', '--config', join(dir, 'vigil.yaml')]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^warehouse demo \(sqlite\)\n {2}reachable {4}ok\n {2}credentials {2}ok\n {2}permissions {2}ok: every table its monitors read \(\d+\) can be queried\n$/);
    expect(result.code).toBe(0);
  });

  it('names an unknown warehouse with the configured ones, exit 2', async () => {
    const dir = tempDir();
    const file = config(dir, 'warehouses:\n  shop: { type: sqlite, path: x.db }\n');
    const result = await runCli(['test-connection', 'shp', '--config', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no warehouse "shp" in .*vigil\.yaml \(did you mean shop\?\); configured: shop/);
  });
});

describeWithDatabase('TEST_PG_URL', 'vigil test-connection on PostgreSQL', (url) => {
  const schema = uniqueName('vigil_tc');
  beforeAll(async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`CREATE TABLE ${schema}.orders (id int)`);
    await client.end();
  });
  afterAll(async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  const parsed = new URL(url);
  const run = (warehouse: string, monitors = '') => {
    const file = config(tempDir(), `warehouses:\n  shop:\n${warehouse}\n${monitors}`);
    return runCli(['test-connection', 'shop', '--config', file]);
  };

  it('passes every step on a reachable database whose tables can be read', async () => {
    const result = await run(`    type: postgres\n    url: ${url}`, `monitors:\n  - { warehouse: shop, table: ${schema}.orders, metric_type: row_count }`);
    expect(result.stdout).toContain('permissions  ok: every table its monitors read (1) can be queried');
    expect(result.code).toBe(0);
  });

  it('says the server is not reachable when nothing listens', async () => {
    const result = await run('    type: postgres\n    url: postgres://postgres@127.0.0.1:1/test\n    connect_timeout_seconds: 2');
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/reachable {4}FAILED: warehouse shop \(postgres\): connection refused.*\n {2}credentials {2}not checked\n {2}permissions {2}not checked/);
  });

  it('says the credentials failed for a user the server does not know', async () => {
    const result = await run(`    type: postgres\n    host: ${parsed.hostname}\n    port: ${parsed.port || 5432}\n    user: nobody_${schema}\n    database: test`);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/reachable {4}ok\n {2}credentials {2}FAILED: .*nobody_.*\(SQLSTATE 28000\)/);
  });

  it('names each table that cannot be queried', async () => {
    const result = await run(
      `    type: postgres\n    url: ${url}`,
      `monitors:\n  - { warehouse: shop, table: ${schema}.orders, metric_type: row_count }\n  - { warehouse: shop, table: ${schema}.nope, metric_type: row_count }`,
    );
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('credentials  ok');
    expect(result.stdout).toMatch(new RegExp(`permissions {2}FAILED: 1 of 2 tables cannot be queried:\\n {4}${schema}\\.nope: .*does not exist`));
  });
});
