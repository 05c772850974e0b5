import { DuckDBInstance } from '@duckdb/node-api';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSnowflakeConnector } from '../../connectors/snowflake/connector.js';
import type { VigilError } from '../../src/domain/errors.js';
import type { SnowflakeWarehouseConfig } from '../../src/domain/warehouse.js';
import { runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/wait.js';
import { connectorFailure } from '../helpers/connectors.js';
import { tempDir } from '../helpers/temp.js';
import { startSnowflakeEmulator, type SnowflakeEmulator } from '../emulators/snowflake/server.js';

/**
 * The Snowflake connector beyond the conformance suite: key pairs, what each failure is
 * classified as (so the daemon retries only what is transient), what every statement
 * carries, and the values it must normalise. The real snowflake-sdk, against the emulator.
 */
const dir = tempDir('vigil-sf-');
const passphrase = 'correct horse battery staple';
const keyPair = () =>
  generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase },
  });
const keys = keyPair();
const otherKeys = keyPair();
let emulator: SnowflakeEmulator;

function settings(extra: Partial<SnowflakeWarehouseConfig> = {}): SnowflakeWarehouseConfig {
  return {
    type: 'snowflake',
    account: 'testaccount',
    user: 'vigil',
    password: 'hunter2',
    database: 'ANALYTICS',
    schema: 'PUBLIC',
    warehouse: 'COMPUTE_WH',
    role: 'VIGIL_READER',
    query_tag: 'vigil-it',
    access_url: emulator.accessUrl,
    max_concurrency: 2,
    query_timeout_seconds: 20,
    connect_timeout_seconds: 5,
    ...extra,
  };
}

function failure(config: SnowflakeWarehouseConfig, sql = 'SELECT 1'): Promise<VigilError> {
  return connectorFailure(() => createSnowflakeConnector('sf', config), sql);
}

beforeAll(async () => {
  const path = join(dir, 'sf.duckdb');
  const instance = await DuckDBInstance.create(path);
  const c = await instance.connect();
  await c.run('CREATE SCHEMA "PUBLIC"');
  await c.run('CREATE TABLE "PUBLIC"."ITEMS" (ID BIGINT, AMOUNT DECIMAL(10,2))');
  await c.run('INSERT INTO "PUBLIC"."ITEMS" VALUES (1, 10.25), (2, NULL)');
  await c.run('CREATE TABLE "PUBLIC"."SECRETS" (S VARCHAR)');
  await c.run('CREATE TABLE "PUBLIC"."TYPES" (N DECIMAL(38,0), F DOUBLE, TZ TIMESTAMPTZ, NTZ TIMESTAMP, D DATE, T VARCHAR)');
  await c.run(`INSERT INTO "PUBLIC"."TYPES" VALUES (12345678901234567890, 2.5, TIMESTAMPTZ '2026-01-02 03:04:05.678+00', TIMESTAMP '2026-01-02 03:04:05', DATE '2026-02-28', 'x'), (NULL, NULL, NULL, NULL, NULL, NULL)`);
  c.closeSync();
  instance.closeSync();
  emulator = await startSnowflakeEmulator({
    duckdbPath: path,
    database: 'ANALYTICS',
    users: { vigil: { password: 'hunter2', deniedTables: ['ANALYTICS.PUBLIC.SECRETS'] }, KEYED: { publicKeyPem: keys.publicKey } },
  });
});
afterAll(async () => {
  await emulator?.close();
});

describe('snowflake connector', () => {
  it('logs in with a key pair read from private_key_path, with its passphrase', async () => {
    const keyFile = join(dir, 'vigil.p8');
    writeFileSync(keyFile, keys.privateKey);
    const connector = await createSnowflakeConnector('sf', settings({ user: 'keyed', password: undefined, private_key_path: keyFile, private_key_passphrase: passphrase }));
    try {
      expect((await connector.query('SELECT COUNT(*) AS N FROM ITEMS')).rows).toEqual([[2]]);
    } finally {
      await connector.close();
    }
  });

  it('normalises what Snowflake sends as text: NUMBER, floats, times (NTZ read as UTC), nulls', async () => {
    const connector = await createSnowflakeConnector('sf', settings());
    try {
      const result = await connector.query('SELECT N, F, TZ, NTZ, D, T FROM TYPES ORDER BY N NULLS LAST');
      expect(result.columns).toEqual(['N', 'F', 'TZ', 'NTZ', 'D', 'T']);
      expect(result.rows[0]).toEqual([12345678901234567890, 2.5, new Date('2026-01-02T03:04:05.678Z'), new Date('2026-01-02T03:04:05Z'), new Date('2026-02-28T00:00:00Z'), 'x']);
      expect(result.rows[1]).toEqual([null, null, null, null, null, null]);
      expect(typeof result.rows[0]![0]).toBe('number');
    } finally {
      await connector.close();
    }
  });

  it('sends every statement with UTC, the query tag, the statement timeout and one statement at most', async () => {
    const connector = await createSnowflakeConnector('sf', settings({ query_timeout_seconds: 42.5 }));
    try {
      await connector.query('SELECT 1');
    } finally {
      await connector.close();
    }
    const sent = emulator.requests.filter((r) => r.path.startsWith('/queries/v1/query-request')).at(-1)!.body as { sqlText: string; parameters: Record<string, unknown> };
    expect(sent.sqlText).toBe('SELECT 1');
    expect(sent.parameters).toMatchObject({ TIMEZONE: 'UTC', QUERY_TAG: 'vigil-it', STATEMENT_TIMEOUT_IN_SECONDS: 43, MULTI_STATEMENT_COUNT: 1 });
    const login = emulator.requests.filter((r) => r.path.startsWith('/session/v1/login-request')).at(-1)!;
    expect(login.path).toMatch(/roleName=VIGIL_READER/);
    expect(login.path).toMatch(/warehouse=COMPUTE_WH/);
  });

  it('classifies each failure so that only transient ones are retried, with what to fix', async () => {
    const wrongPassword = await failure(settings({ password: 'nope' }));
    expect(wrongPassword).toMatchObject({ kind: 'auth', isTransient: false });
    expect(wrongPassword.message).toMatch(/^warehouse sf \(snowflake\): Incorrect username or password was specified\. \(390100\): check user and password/);

    const keyFile = join(dir, 'other.p8');
    writeFileSync(keyFile, otherKeys.privateKey);
    const wrongKey = await failure(settings({ user: 'keyed', password: undefined, private_key_path: keyFile, private_key_passphrase: passphrase }));
    expect(wrongKey).toMatchObject({ kind: 'auth' });
    expect(wrongKey.message).toMatch(/390144.*RSA_PUBLIC_KEY/);

    const noKey = await failure(settings({ password: undefined, private_key_path: join(dir, 'missing.p8') }));
    expect(noKey).toMatchObject({ kind: 'auth' });
    expect(noKey.message).toMatch(/cannot read private_key_path .*missing\.p8/);

    const denied = await failure(settings(), 'SELECT COUNT(*) FROM SECRETS');
    expect(denied).toMatchObject({ kind: 'permission', isTransient: false });
    expect(denied.message).toMatch(/003001.*grant the role SELECT/);

    const missing = await failure(settings(), 'SELECT COUNT(*) FROM NOPE');
    expect(missing).toMatchObject({ kind: 'sql', isTransient: false });
    expect(missing.message).toMatch(/NOPE.*does not exist.*upper case/);

    const port = await freePort();
    const down = await failure(settings({ access_url: `http://127.0.0.1:${port}` }));
    expect(down).toMatchObject({ kind: 'network', isTransient: true });
    expect(down.message).toMatch(/connection refused/);
  });

  it('logs in again after Snowflake forgot the session: the query that found out fails as transient, the next one runs', async () => {
    const path = join(dir, 'restart.duckdb');
    const instance = await DuckDBInstance.create(path);
    instance.closeSync();
    const options = { duckdbPath: path, database: 'ANALYTICS', users: { vigil: { password: 'hunter2' } } };
    const first = await startSnowflakeEmulator(options);
    const port = Number(new URL(first.accessUrl).port);
    const connector = await createSnowflakeConnector('sf', settings({ access_url: first.accessUrl }));
    let second: SnowflakeEmulator | undefined;
    try {
      expect((await connector.query('SELECT 1 AS one')).rows).toEqual([[1]]);
      await first.close();
      second = await startSnowflakeEmulator({ ...options, port });
      const lost = await connector.query('SELECT 2 AS two').then(
        () => undefined,
        (error: unknown) => error as VigilError,
      );
      expect(lost).toMatchObject({ kind: 'network', isTransient: true });
      expect((await connector.query('SELECT 3 AS three')).rows).toEqual([[3]]);
      expect(second.requests.filter((r) => r.path.startsWith('/session/v1/login-request'))).toHaveLength(1);
    } finally {
      await connector.close();
      await second?.close();
    }
  });

  it('refuses anything but one query before it reaches Snowflake', async () => {
    const before = emulator.statements.length;
    const write = await failure(settings(), 'DELETE FROM ITEMS');
    expect(write).toMatchObject({ kind: 'sql' });
    expect(write.message).toMatch(/only a query \(SELECT or WITH\) may run, not DELETE/);
    expect(emulator.statements.length).toBe(before);
  });

  it('test-connection says which step failed', async () => {
    const yaml = (extra: string) =>
      `warehouses:\n  sf:\n    type: snowflake\n    account: testaccount\n    user: vigil\n    database: ANALYTICS\n    schema: PUBLIC\n    access_url: ${emulator.accessUrl}\n${extra}\nmonitors:\n  - { warehouse: sf, table: public.items, metric_type: row_count }\n  - { warehouse: sf, table: public.secrets, metric_type: row_count }\n`;
    const file = join(dir, 'vigil.yaml');
    writeFileSync(file, yaml('    password: nope'));
    const wrong = await runCli(['test-connection', 'sf', '--config', file]);
    expect(wrong.code).toBe(2);
    expect(wrong.stdout).toMatch(/reachable {4}ok\n {2}credentials {2}FAILED: .*390100/);
    writeFileSync(file, yaml('    password: hunter2'));
    const denied = await runCli(['test-connection', 'sf', '--config', file]);
    expect(denied.code).toBe(2);
    expect(denied.stdout).toMatch(/credentials {2}ok\n {2}permissions {2}FAILED: 1 of 2 tables cannot be queried:\n {4}public\.secrets: .*003001/);
  });
});
