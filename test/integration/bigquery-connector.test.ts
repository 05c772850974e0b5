import { DuckDBInstance } from '@duckdb/node-api';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBigQueryConnector } from '../../connectors/bigquery/connector.js';
import type { VigilError } from '../../src/domain/errors.js';
import type { BigQueryWarehouseConfig } from '../../src/domain/warehouse.js';
import { runCli } from '../helpers/cli.js';
import { connectorFailure } from '../helpers/connectors.js';
import { tempDir } from '../helpers/temp.js';
import { freePort } from '../helpers/wait.js';
import { startBigQueryEmulator, type BigQueryEmulator } from '../emulators/bigquery/server.js';

/**
 * The BigQuery connector beyond the conformance suite: what each job carries (labels,
 * location, the timeout, the bytes guard), the values it must normalise, and what each
 * failure is classified as. The real @google-cloud/bigquery client, against the emulator.
 */
const dir = tempDir('vigil-bq-');
const ACCOUNT = 'vigil@vigil-test.iam.gserviceaccount.com';
const keyPair = () => generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
const keys = keyPair();
let emulator: BigQueryEmulator;
let keyFile: string;

function settings(extra: Partial<BigQueryWarehouseConfig> = {}): BigQueryWarehouseConfig {
  return {
    type: 'bigquery',
    project: 'vigil-test',
    location: 'US',
    key_file: keyFile,
    api_endpoint: emulator.apiEndpoint,
    labels: { app: 'vigil', team: 'data' },
    max_concurrency: 2,
    query_timeout_seconds: 20,
    connect_timeout_seconds: 5,
    ...extra,
  };
}

function failure(config: BigQueryWarehouseConfig, sql = 'SELECT 1'): Promise<VigilError> {
  return connectorFailure(() => createBigQueryConnector('bq', config), sql);
}

beforeAll(async () => {
  const path = join(dir, 'bq.duckdb');
  const instance = await DuckDBInstance.create(path);
  const c = await instance.connect();
  await c.run(`
    CREATE SCHEMA shop;
    CREATE TABLE shop.types (n DECIMAL(10,2), big DECIMAL(38,10), i BIGINT, f DOUBLE, ts TIMESTAMPTZ, dt TIMESTAMP, d DATE, s VARCHAR);
    INSERT INTO shop.types VALUES (10.50, 12345678901234567890.0123456789, 7, 2.5, TIMESTAMPTZ '2026-01-02 03:04:05.5+00', TIMESTAMP '2026-01-02 03:04:05', DATE '2026-02-28', 'x'),
                                  (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    CREATE TABLE shop.secret (x BIGINT);
    CREATE TABLE shop.big AS SELECT range AS x FROM range(1000);
  `);
  c.closeSync();
  instance.closeSync();
  emulator = await startBigQueryEmulator({
    duckdbPath: path,
    projectId: 'vigil-test',
    serviceAccounts: { [ACCOUNT]: keys.publicKey },
    deniedTables: { [ACCOUNT]: ['shop.secret'] },
    bytesPerRow: 100,
  });
  keyFile = emulator.writeKeyFile(dir, ACCOUNT, keys.privateKey);
});
afterAll(async () => {
  await emulator?.close();
});

describe('bigquery connector', () => {
  it('normalises NUMERIC and BIGNUMERIC (Big), TIMESTAMP, DATETIME (as UTC) and DATE to numbers and Dates; nulls stay null', async () => {
    const connector = await createBigQueryConnector('bq', settings());
    try {
      const result = await connector.query('SELECT n, big, i, f, ts, dt, d, s FROM `shop`.`types` ORDER BY n NULLS LAST');
      expect(result.columns).toEqual(['n', 'big', 'i', 'f', 'ts', 'dt', 'd', 's']);
      expect(result.rows[0]).toEqual([10.5, 12345678901234567890.0123456789, 7, 2.5, new Date('2026-01-02T03:04:05.500Z'), new Date('2026-01-02T03:04:05Z'), new Date('2026-02-28T00:00:00Z'), 'x']);
      expect(result.rows[1]).toEqual([null, null, null, null, null, null, null, null]);
    } finally {
      await connector.close();
    }
  });

  it('runs each query as a standard-SQL job with the labels, the location and a server-side timeout', async () => {
    const connector = await createBigQueryConnector('bq', settings({ query_timeout_seconds: 42, maximum_bytes_billed: 10_000_000 }));
    try {
      await connector.query('SELECT COUNT(*) FROM `shop`.`big`');
    } finally {
      await connector.close();
    }
    const insert = emulator.requests.filter((r) => r.method === 'POST' && /\/projects\/vigil-test\/(jobs|queries)$/.test(r.path)).at(-1)!;
    const body = insert.body as { configuration?: { query?: Record<string, unknown>; jobTimeoutMs?: string; labels?: Record<string, string> }; jobReference?: { location?: string } };
    expect(body.configuration?.query).toMatchObject({ query: 'SELECT COUNT(*) FROM `shop`.`big`', useLegacySql: false, maximumBytesBilled: '10000000' });
    expect(body.configuration?.labels).toEqual({ app: 'vigil', team: 'data' });
    expect(Number(body.configuration?.jobTimeoutMs)).toBe(42_000);
    expect(body.jobReference?.location).toBe('US');
    expect(insert.authorization).toMatch(/^Bearer /);
  });

  it('fails a query that would bill more than maximum_bytes_billed, saying what to do, before it runs', async () => {
    const before = emulator.statements.length;
    const error = await failure(settings({ maximum_bytes_billed: 5_000 }), 'SELECT COUNT(*) FROM `shop`.`big`');
    expect(error).toMatchObject({ kind: 'sql', isTransient: false });
    expect(error.message).toMatch(/^warehouse bq \(bigquery\): Query exceeded limit for bytes billed: 5000\. 100000 or higher required\. \(bytesBilledLimitExceeded\): .*raise it, or filter/);
    expect(emulator.statements.length).toBe(before);
  });

  it('classifies each failure so that only transient ones are retried, with what to fix', async () => {
    const other = keyPair();
    const wrongKey = await failure(settings({ key_file: emulator.writeKeyFile(dir, ACCOUNT, other.privateKey) }));
    expect(wrongKey).toMatchObject({ kind: 'auth', isTransient: false });
    expect(wrongKey.message).toMatch(/check key_file/);

    const missingKey = await failure(settings({ key_file: join(dir, 'missing.json') }));
    expect(missingKey).toMatchObject({ kind: 'auth' });
    expect(missingKey.message).toMatch(/missing\.json/);

    const denied = await failure(settings(), 'SELECT COUNT(*) FROM `shop`.`secret`');
    expect(denied).toMatchObject({ kind: 'permission', isTransient: false });
    expect(denied.message).toMatch(/Access Denied.*\(accessDenied\): grant the service account roles\/bigquery\.dataViewer/);

    const missing = await failure(settings(), 'SELECT COUNT(*) FROM `shop`.`nope`');
    expect(missing).toMatchObject({ kind: 'sql', isTransient: false });
    expect(missing.message).toMatch(/Not found: Table vigil-test:shop\.nope.*\(notFound\)/);

    const syntax = await failure(settings(), 'SELECT FROM WHERE');
    expect(syntax).toMatchObject({ kind: 'sql' });
    expect(syntax.message).toMatch(/invalidQuery/);

    const down = await failure(settings({ api_endpoint: `http://127.0.0.1:${await freePort()}` }));
    expect(down).toMatchObject({ kind: 'network', isTransient: true });
    expect(down.message).toMatch(/connection refused/);
  });

  it('never sends a script or a write: BigQuery would run every statement of it', async () => {
    const before = emulator.requests.length;
    for (const sql of ['SELECT 1; DROP TABLE `shop`.`types`', 'DROP TABLE `shop`.`types`', 'SELECT 1 # ;\n; DELETE FROM `shop`.`types` WHERE true']) {
      const error = await failure(settings(), sql);
      expect(error).toMatchObject({ kind: 'sql' });
      expect(error.message).toMatch(/only one statement|only a query/);
    }
    expect(emulator.requests.length).toBe(before);
  });

  it('uses application default credentials without key_file (GOOGLE_APPLICATION_CREDENTIALS here)', async () => {
    const saved = process.env.GOOGLE_APPLICATION_CREDENTIALS;
    process.env.GOOGLE_APPLICATION_CREDENTIALS = keyFile;
    try {
      const connector = await createBigQueryConnector('bq', settings({ key_file: undefined }));
      try {
        expect((await connector.query('SELECT COUNT(*) AS n FROM `shop`.`types`')).rows).toEqual([[2]]);
      } finally {
        await connector.close();
      }
    } finally {
      if (saved === undefined) delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
      else process.env.GOOGLE_APPLICATION_CREDENTIALS = saved;
    }
  });

  it('test-connection says which step failed', async () => {
    const yaml = (key: string) =>
      `warehouses:\n  bq:\n    type: bigquery\n    project: vigil-test\n    key_file: ${key}\n    api_endpoint: ${emulator.apiEndpoint}\nmonitors:\n  - { warehouse: bq, table: shop.types, metric_type: row_count }\n  - { warehouse: bq, table: shop.secret, metric_type: row_count }\n`;
    const file = join(dir, 'vigil.yaml');
    writeFileSync(file, yaml(emulator.writeKeyFile(dir, ACCOUNT, keyPair().privateKey)));
    const wrong = await runCli(['test-connection', 'bq', '--config', file]);
    expect(wrong.code).toBe(2);
    expect(wrong.stdout).toMatch(/reachable {4}ok\n {2}credentials {2}FAILED: .*check key_file/);
    writeFileSync(file, yaml(keyFile));
    const denied = await runCli(['test-connection', 'bq', '--config', file]);
    expect(denied.code).toBe(2);
    expect(denied.stdout).toMatch(/credentials {2}ok\n {2}permissions {2}FAILED: 1 of 2 tables cannot be queried:\n {4}shop\.secret: .*accessDenied/);
  });
});
