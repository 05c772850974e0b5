import { DuckDBInstance } from '@duckdb/node-api';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Column, Connection, ConnectionOptions, RowStatement, SnowflakeError, StatementOption } from 'snowflake-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.js';
import { startSnowflakeEmulator, type SnowflakeEmulator } from './snowflake/server.js';

// The SDK probes cloud metadata endpoints (169.254.169.254, metadata.google.internal, AWS STS)
// as soon as it is loaded, unless this is set; so set it first and load the SDK after.
process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION = 'true';
const snowflake = (await import('snowflake-sdk')).default;
snowflake.configure({ logLevel: 'OFF', additionalLogToConsole: false, useEnvProxy: false });

const SLOW_QUERY = 'SELECT COUNT(*) FROM range(1000000000000) AS t(x) WHERE x % 7 = 3';
const HOSTILE_TABLE = 'a"; drop table canary; --';
const HOSTILE_COLUMN = 'b`c"d; drop table canary; --';
const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

const dir = tempDir('vigil-snowflake-');
const seededAt = new Date();
const lastAltered = new Date(seededAt.getTime() - 5 * 3_600_000);
const passphrase = 'correct horse battery staple';
const keys = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase },
});
const otherKeys = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
let emulator: SnowflakeEmulator;
let duckdbPath: string;

function hoursAgo(hours: number): string {
  return new Date(seededAt.getTime() - hours * 3_600_000).toISOString().replace('T', ' ').replace('Z', '');
}

async function seed(path: string): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const c = await instance.connect();
  await c.run('CREATE SCHEMA "PUBLIC"');
  for (const [table, category] of [['ITEMS', 'CATEGORY'], [HOSTILE_TABLE, HOSTILE_COLUMN]] as const) {
    await c.run(`CREATE TABLE "PUBLIC".${q(table)} (ID BIGINT, AMOUNT DECIMAL(10,2), ${q(category)} VARCHAR, UPDATED_AT TIMESTAMP)`);
    await c.run(`INSERT INTO "PUBLIC".${q(table)} VALUES
      (1, 10.00, 'a', TIMESTAMP '${hoursAgo(1)}'),
      (2, 20.50, 'a', TIMESTAMP '${hoursAgo(5)}'),
      (3, NULL, 'b', TIMESTAMP '${hoursAgo(30)}'),
      (4, 33.25, NULL, NULL),
      (5, 69.00, 'c', TIMESTAMP '${hoursAgo(48)}')`);
  }
  await c.run('CREATE TABLE "PUBLIC"."CANARY" (X INTEGER)');
  await c.run('CREATE TABLE "PUBLIC"."SECRETS" (S VARCHAR)');
  await c.run(`CREATE TABLE "PUBLIC"."TYPES" (I INTEGER, F DOUBLE, B BOOLEAN, D DATE, TZ TIMESTAMPTZ, N DECIMAL(38,0))`);
  await c.run(`INSERT INTO "PUBLIC"."TYPES" VALUES (7, 2.5, true, DATE '2024-02-29', TIMESTAMPTZ '2024-01-02 03:04:05.678+00', 12345678901234567890)`);
  c.closeSync();
  instance.closeSync();
}

function connect(options: Partial<ConnectionOptions> = {}, target = emulator): Promise<Connection> {
  const connection = snowflake.createConnection({
    account: 'testaccount',
    accessUrl: target.accessUrl,
    username: 'vigil',
    password: 'hunter2',
    database: 'ANALYTICS',
    schema: 'PUBLIC',
    warehouse: 'COMPUTE_WH',
    role: 'VIGIL_READER',
    ...options,
  } as ConnectionOptions);
  return new Promise((resolve, reject) => connection.connect((err, conn) => (err ? reject(err) : resolve(conn))));
}

interface Executed {
  rows: unknown[];
  statement: RowStatement;
}

function execute(connection: Connection, sqlText: string, options: Partial<StatementOption> = {}): Promise<Executed> {
  return new Promise((resolve, reject) => {
    connection.execute({
      sqlText,
      ...options,
      complete: (err, statement, rows) => (err ? reject(err) : resolve({ rows: rows ?? [], statement })),
    });
  });
}

function failure(promise: Promise<unknown>): Promise<SnowflakeError> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err as SnowflakeError,
  );
}

function destroy(connection: Connection): Promise<void> {
  return new Promise((resolve, reject) => connection.destroy((err) => (err ? reject(err) : resolve())));
}

async function canaryCount(connection: Connection): Promise<number> {
  const { rows } = await execute(connection, 'SELECT COUNT(*) AS N FROM "ANALYTICS"."PUBLIC"."CANARY"', { rowMode: 'array' });
  return (rows[0] as number[])[0]!;
}

beforeAll(async () => {
  duckdbPath = join(dir, 'warehouse.duckdb');
  await seed(duckdbPath);
  emulator = await startSnowflakeEmulator({
    duckdbPath,
    database: 'ANALYTICS',
    users: {
      vigil: { password: 'hunter2', deniedTables: ['ANALYTICS.PUBLIC.SECRETS'] },
      KEYED: { publicKeyPem: keys.publicKey },
    },
    lastAltered: { 'PUBLIC.ITEMS': lastAltered },
  });
});

afterAll(async () => {
  await emulator?.close();
});

describe('snowflake emulator, driven by the real snowflake-sdk', () => {
  it('logs in with a password and returns values the SDK parses', async () => {
    const connection = await connect();
    const { rows, statement } = await execute(
      connection,
      `SELECT ID, AMOUNT, CATEGORY, UPDATED_AT, CAST(AMOUNT AS DOUBLE) AS F, ID > 1 AS B FROM "ANALYTICS"."PUBLIC"."ITEMS" ORDER BY ID`,
      { rowMode: 'array' },
    );
    const byName = new Map((statement.getColumns() ?? []).map((c: Column) => [c.getName(), c]));
    expect(byName.get('ID')?.getType()).toBe('fixed');
    expect(byName.get('ID')?.getScale()).toBe(0);
    expect(byName.get('AMOUNT')?.getType()).toBe('fixed');
    expect([byName.get('AMOUNT')?.getPrecision(), byName.get('AMOUNT')?.getScale()]).toEqual([10, 2]);
    expect(byName.get('CATEGORY')?.getType()).toBe('text');
    expect(byName.get('UPDATED_AT')?.getType()).toBe('timestamp_ntz');
    expect(byName.get('F')?.getType()).toBe('real');
    expect(byName.get('B')?.getType()).toBe('boolean');
    const first = rows[0] as unknown[];
    expect(first.slice(0, 3)).toEqual([1, 10, 'a']);
    expect(first[3]).toBeInstanceOf(Date);
    expect((first[3] as Date).toISOString()).toBe(`${hoursAgo(1).replace(' ', 'T')}Z`);
    expect(first[4]).toBe(10);
    expect(first[5]).toBe(false);
    // NULLs come back as null, whatever the type.
    expect((rows[2] as unknown[])[1]).toBeNull();
    expect((rows[3] as unknown[]).slice(2, 4)).toEqual([null, null]);
    expect((rows[1] as unknown[])[1]).toBe(20.5);
    await destroy(connection);
  });

  it('sends NUMBER as strings, and other types as the SDK expects them', async () => {
    const connection = await connect();
    const { rows } = await execute(connection, 'SELECT AMOUNT, ID FROM ITEMS ORDER BY ID LIMIT 2', { fetchAsString: ['Number'] });
    // Rows as objects (the default), NUMBER kept as Snowflake's text with its scale.
    expect(rows).toEqual([
      { AMOUNT: '10.00', ID: '1' },
      { AMOUNT: '20.50', ID: '2' },
    ]);
    const types = await execute(connection, 'SELECT I, F, B, D, TZ, N FROM TYPES', { rowMode: 'array' });
    const [i, f, b, d, tz, n] = types.rows[0] as unknown[];
    expect([i, f, b]).toEqual([7, 2.5, true]);
    expect((d as Date).toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect((tz as Date).toISOString()).toBe('2024-01-02T03:04:05.678Z');
    expect(types.statement.getColumns()?.map((c) => c.getType())).toEqual(['fixed', 'real', 'boolean', 'date', 'timestamp_ltz', 'fixed']);
    // A NUMBER(38,0) beyond 2^53: exact only as a string.
    const big = await execute(connection, 'SELECT N FROM TYPES', { rowMode: 'array', fetchAsString: ['Number'] });
    expect(big.rows).toEqual([['12345678901234567890']]);
    // A trap for the connector: as strings, a NULL is 'NULL' unless representNullAsStringNull
    // is false (a process-wide SDK setting, changed by any connection that passes it).
    const nullText = await execute(connection, 'SELECT AMOUNT FROM ITEMS WHERE ID = 3', { rowMode: 'array', fetchAsString: ['Number'] });
    expect(nullText.rows).toEqual([['NULL']]);
    await destroy(connection);
    const strict = await connect({ representNullAsStringNull: false });
    const nullValue = await execute(strict, 'SELECT AMOUNT FROM ITEMS WHERE ID = 3', { rowMode: 'array', fetchAsString: ['Number'] });
    expect(nullValue.rows).toEqual([[null]]);
    await destroy(strict);
  });

  it('runs the SQL the connector generates', async () => {
    const connection = await connect();
    const { rows } = await execute(
      connection,
      `SELECT
  COUNT(*) AS "m0",
  DATEDIFF('millisecond', MAX("UPDATED_AT"), CURRENT_TIMESTAMP) / 3600000 AS "m1",
  CAST(COUNT(*) - COUNT("AMOUNT") AS DOUBLE) * 100 / NULLIF(COUNT(*), 0) AS "m2",
  CAST(COUNT(DISTINCT CASE WHEN (ID > 3) THEN "CATEGORY" END) AS DOUBLE) * 100 / NULLIF(COUNT(CASE WHEN (ID > 3) THEN "CATEGORY" END), 0) AS "m3",
  MIN("AMOUNT") AS "m4", AVG("AMOUNT") AS "m5"
FROM "ANALYTICS"."PUBLIC"."ITEMS"
WHERE (id > 0)`,
      { rowMode: 'array' },
    );
    const [m0, m1, m2, m3, m4, m5] = rows[0] as number[];
    expect(m0).toBe(5);
    expect(m1).toBeGreaterThanOrEqual(1);
    expect(m1).toBeLessThan(1.1);
    expect(m2).toBe(20);
    expect(m3).toBe(100);
    expect(m4).toBe(10);
    expect(m5).toBeCloseTo(33.1875, 6);

    const hours = await execute(
      connection,
      `SELECT DATEDIFF('millisecond', LAST_ALTERED, CURRENT_TIMESTAMP) / 3600000 AS "hours" FROM "ANALYTICS".INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = 'PUBLIC' AND TABLE_NAME = 'ITEMS'`,
      { rowMode: 'array' },
    );
    expect((hours.rows[0] as number[])[0]).toBeGreaterThanOrEqual(5);
    expect((hours.rows[0] as number[])[0]).toBeLessThan(5.1);
    const dataType = await execute(
      connection,
      `SELECT DATA_TYPE FROM "ANALYTICS".INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = 'PUBLIC' AND TABLE_NAME = 'ITEMS' AND COLUMN_NAME = 'AMOUNT'`,
      { rowMode: 'array' },
    );
    expect(dataType.rows).toEqual([['NUMBER']]);
    const wrapped = await execute(connection, 'SELECT * FROM (\nSELECT ID, CATEGORY FROM ITEMS ORDER BY ID\n) AS vigil_custom LIMIT 2', { rowMode: 'array' });
    expect(wrapped.rows).toEqual([
      [1, 'a'],
      [2, 'a'],
    ]);
    await destroy(connection);
  });

  it('exposes INFORMATION_SCHEMA with Snowflake names, qualified or not', async () => {
    const connection = await connect();
    const tables = await execute(connection, `SELECT TABLE_CATALOG, TABLE_SCHEMA, TABLE_NAME, LAST_ALTERED FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = 'PUBLIC' ORDER BY TABLE_NAME`);
    const items = tables.rows.find((r) => (r as Record<string, unknown>).TABLE_NAME === 'ITEMS') as Record<string, unknown>;
    expect(items).toMatchObject({ TABLE_CATALOG: 'ANALYTICS', TABLE_SCHEMA: 'PUBLIC' });
    expect((items.LAST_ALTERED as Date).getTime()).toBe(lastAltered.getTime());
    expect(tables.statement.getColumn('LAST_ALTERED').getType()).toBe('timestamp_ltz');
    // Tables without a configured LAST_ALTERED get the emulator's start time.
    const canary = tables.rows.find((r) => (r as Record<string, unknown>).TABLE_NAME === 'CANARY') as Record<string, unknown>;
    expect((canary.LAST_ALTERED as Date).getTime()).toBeGreaterThanOrEqual(seededAt.getTime() - 1000);
    const columns = await execute(connection, `SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.columns WHERE TABLE_SCHEMA = 'PUBLIC' AND TABLE_NAME IN ('ITEMS', 'TYPES') ORDER BY TABLE_NAME, ORDINAL_POSITION`, {
      rowMode: 'array',
    });
    expect(columns.rows).toEqual([
      ['ID', 'NUMBER'],
      ['AMOUNT', 'NUMBER'],
      ['CATEGORY', 'TEXT'],
      ['UPDATED_AT', 'TIMESTAMP_NTZ'],
      ['I', 'NUMBER'],
      ['F', 'FLOAT'],
      ['B', 'BOOLEAN'],
      ['D', 'DATE'],
      ['TZ', 'TIMESTAMP_TZ'],
      ['N', 'NUMBER'],
    ]);
    const other = await failure(execute(connection, 'SELECT * FROM "OTHERDB".INFORMATION_SCHEMA.TABLES'));
    expect(other.code).toBe('002003');
    await destroy(connection);
  });

  it('makes the login database and schema current, and follows USE', async () => {
    const connection = await connect({ database: 'analytics', schema: 'public' });
    const current = await execute(connection, 'SELECT CURRENT_DATABASE(), CURRENT_SCHEMA(), COUNT(*) FROM ITEMS, PUBLIC.CANARY', { rowMode: 'array' });
    expect(current.rows).toEqual([['ANALYTICS', 'PUBLIC', 0]]);
    expect(current.statement.getSessionState()).toBeDefined();
    const none = await connect({ database: undefined, schema: undefined });
    const noTable = await failure(execute(none, 'SELECT * FROM ITEMS'));
    expect(noTable.code).toBe('002003');
    await execute(none, 'USE SCHEMA ANALYTICS.PUBLIC');
    expect((await execute(none, 'SELECT COUNT(*) FROM ITEMS', { rowMode: 'array' })).rows).toEqual([[5]]);
    const missing = await failure(execute(none, 'USE DATABASE NOPE'));
    expect(missing.code).toBe('002043');
    await destroy(none);
    await destroy(connection);
  });

  it('quotes hostile names like Snowflake and runs nothing smuggled in them', async () => {
    const connection = await connect();
    const { rows } = await execute(connection, `SELECT COUNT(${q(HOSTILE_COLUMN)}) FROM "ANALYTICS"."PUBLIC".${q(HOSTILE_TABLE)}`, { rowMode: 'array' });
    expect(rows).toEqual([[4]]);
    const { rows: info } = await execute(connection, `SELECT DATA_TYPE FROM "ANALYTICS".INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME = '${HOSTILE_TABLE.replace(/'/g, "''")}' AND COLUMN_NAME = '${HOSTILE_COLUMN}'`, {
      rowMode: 'array',
    });
    expect(info).toEqual([['TEXT']]);
    expect(await canaryCount(connection)).toBe(0);
    await destroy(connection);
  });

  it('logs in with a key pair (SNOWFLAKE_JWT), from a key or a key file', async () => {
    const fromKey = await connect({ username: 'keyed', password: undefined, authenticator: 'SNOWFLAKE_JWT', privateKey: keys.privateKey, privateKeyPass: passphrase });
    expect((await execute(fromKey, 'SELECT 1 AS ONE', { rowMode: 'array' })).rows).toEqual([[1]]);
    await destroy(fromKey);
    const keyPath = join(dir, 'rsa_key.p8');
    writeFileSync(keyPath, keys.privateKey);
    const fromFile = await connect({ username: 'keyed', password: undefined, authenticator: 'SNOWFLAKE_JWT', privateKeyPath: keyPath, privateKeyPass: passphrase });
    await destroy(fromFile);
    const login = emulator.requests.filter((r) => r.path.startsWith('/session/v1/login-request')).at(-1)!.body as { data: Record<string, unknown> };
    expect(login.data.AUTHENTICATOR).toBe('SNOWFLAKE_JWT');
    expect(login.data.PASSWORD).toBeUndefined();

    const wrongKey = await failure(connect({ username: 'keyed', password: undefined, authenticator: 'SNOWFLAKE_JWT', privateKey: otherKeys.privateKey }));
    expect(wrongKey.code).toBe('390144');
    expect(wrongKey.message).toBe('JWT token is invalid.');
  });

  it('refuses a wrong password or an unknown user with 390100', async () => {
    const wrong = await failure(connect({ password: 'nope' }));
    expect(wrong.code).toBe('390100');
    expect(wrong.message).toBe('Incorrect username or password was specified.');
    expect(wrong.name).toBe('OperationFailedError');
    const unknown = await failure(connect({ username: 'mallory' }));
    expect(unknown.code).toBe('390100');
    // Only a key is configured for this one.
    expect((await failure(connect({ username: 'KEYED', password: 'x' }))).code).toBe('390100');
  });

  it('answers a missing table or column with Snowflake compilation errors', async () => {
    const connection = await connect();
    const table = await failure(execute(connection, 'SELECT * FROM "ANALYTICS"."PUBLIC"."NOPE"'));
    expect(table).toMatchObject({ code: '002003', sqlState: '42S02', message: "SQL compilation error:\nObject 'NOPE' does not exist or not authorized." });
    expect(table.data?.queryId).toMatch(/^[0-9a-f-]{36}$/);
    const column = await failure(execute(connection, 'SELECT nope FROM ITEMS'));
    expect(column).toMatchObject({ code: '000904', sqlState: '42000' });
    expect(column.message).toBe("SQL compilation error: error line 1 at position 7\ninvalid identifier 'NOPE'");
    const syntax = await failure(execute(connection, 'SELEC 1'));
    expect(syntax).toMatchObject({ code: '001003', sqlState: '42000' });
    expect(syntax.message).toContain('syntax error');
    await destroy(connection);
  });

  it('refuses a text with two statements before running either', async () => {
    const connection = await connect();
    const before = emulator.statements.length;
    const refused = await failure(execute(connection, 'SELECT 1; DROP TABLE "ANALYTICS"."PUBLIC"."CANARY"'));
    expect(refused).toMatchObject({ code: '000008', message: 'Actual statement count 2 did not match the desired statement count 1.' });
    expect(emulator.statements.length).toBe(before);
    expect(await canaryCount(connection)).toBe(0);
    // Statements really run when the count is allowed, writes included: refusing them is the connector's job.
    const { rows } = await execute(connection, 'CREATE TABLE PUBLIC.SCRATCH (X INTEGER); INSERT INTO PUBLIC.SCRATCH VALUES (1), (2)', { parameters: { MULTI_STATEMENT_COUNT: 2 } });
    expect(rows).toEqual([{ status: 'Statement executed successfully.' }]);
    const deleted = await execute(connection, 'DELETE FROM PUBLIC.SCRATCH');
    expect(deleted.statement.getNumUpdatedRows()).toBe(2);
    await execute(connection, 'DROP TABLE PUBLIC.SCRATCH');
    await destroy(connection);
  });

  it('refuses a denied table with the access-control error', async () => {
    const connection = await connect();
    const denied = await failure(execute(connection, 'SELECT * FROM (SELECT S FROM "ANALYTICS"."PUBLIC"."SECRETS") AS vigil_custom LIMIT 2'));
    expect(denied).toMatchObject({ code: '003001', sqlState: '42501', message: "SQL access control error:\nInsufficient privileges to operate on table 'SECRETS'" });
    expect((await failure(execute(connection, 'select count(*) from secrets'))).code).toBe('003001');
    expect((await failure(execute(connection, 'DELETE FROM PUBLIC.SECRETS'))).code).toBe('003001');
    await destroy(connection);
  });

  it('cancels a statement past STATEMENT_TIMEOUT_IN_SECONDS with 000630', async () => {
    const connection = await connect();
    await execute(connection, 'ALTER SESSION SET STATEMENT_TIMEOUT_IN_SECONDS = 1');
    const started = Date.now();
    const timedOut = await failure(execute(connection, SLOW_QUERY));
    expect(timedOut).toMatchObject({ code: '000630', sqlState: '57014', message: 'Statement reached its statement or warehouse timeout of 1 second(s) and was canceled.' });
    expect(Date.now() - started).toBeLessThan(5000);
    // The same through the statement's own parameters.
    const viaParameters = await failure(execute(connection, SLOW_QUERY, { parameters: { STATEMENT_TIMEOUT_IN_SECONDS: 1 } }));
    expect(viaParameters.code).toBe('000630');
    await destroy(connection);
  });

  it('answers "in progress" for a long query and serves the result the SDK polls for', async () => {
    // A second emulator on its own file (DuckDB locks a file to one instance), answering
    // "in progress" after 100 ms instead of Snowflake's 45 s.
    const path = join(dir, 'polling.duckdb');
    await seed(path);
    const patient = await startSnowflakeEmulator({ duckdbPath: path, database: 'ANALYTICS', users: { vigil: { password: 'hunter2' } }, resultWaitMs: 100 });
    try {
      const connection = await connect({}, patient);
      const { rows } = await execute(connection, 'SELECT COUNT(*) FROM range(300000000) AS t(x) WHERE x % 7 = 3', { rowMode: 'array' });
      expect(rows).toEqual([[42857143]]);
      expect(patient.requests.some((r) => r.method === 'GET' && /^\/queries\/[0-9a-f-]{36}\/result/.test(r.path))).toBe(true);
      // Once the SDK knows the query id, cancel goes to /queries/{id}/abort-request.
      const err = await new Promise<SnowflakeError | undefined>((resolve) => {
        const statement = connection.execute({ sqlText: SLOW_QUERY, complete: (e) => resolve(e) });
        setTimeout(() => statement.cancel(), 400);
      });
      expect(err).toMatchObject({ code: '000604', sqlState: '57014' });
      expect(patient.requests.some((r) => /^\/queries\/[0-9a-f-]{36}\/abort-request/.test(r.path))).toBe(true);
      await destroy(connection);
    } finally {
      await patient.close();
    }
  });

  it('cancels a running statement when the SDK asks', async () => {
    const connection = await connect();
    const result = new Promise<SnowflakeError | undefined>((resolve) => {
      const statement = connection.execute({ sqlText: SLOW_QUERY, complete: (err) => resolve(err) });
      setTimeout(() => statement.cancel(), 300);
    });
    const err = await result;
    expect(err).toMatchObject({ code: '000604', sqlState: '57014', message: 'SQL execution canceled' });
    await destroy(connection);
  });

  it('records the session parameters, query tag, role and warehouse the SDK sent', async () => {
    const connection = await connect({ queryTag: 'vigil-test', clientSessionKeepAlive: false });
    await execute(connection, "ALTER SESSION SET TIMEZONE = 'UTC', QUERY_TAG = 'vigil-session'");
    const { statement } = await execute(connection, 'SELECT CURRENT_TIMESTAMP() AS NOW', { parameters: { TIMEZONE: 'America/New_York' } });
    expect(statement.getColumn('NOW').getType()).toBe('timestamp_ltz');
    // TIMEZONE decides how wall-clock times become instants, and how the SDK prints them.
    const wallClock = "SELECT CAST(TIMESTAMP '2024-01-01 00:00:00' AS TIMESTAMP_LTZ) AS T";
    const newYork = (await execute(connection, wallClock, { rowMode: 'array', parameters: { TIMEZONE: 'America/New_York' } })).rows[0] as Date[];
    expect(newYork[0]!.getTime()).toBe(Date.parse('2024-01-01T05:00:00Z'));
    expect(newYork[0]!.toJSON()).toBe('2024-01-01 00:00:00.000 -0500');
    const utc = (await execute(connection, wallClock, { rowMode: 'array' })).rows[0] as Date[];
    expect(utc[0]!.getTime()).toBe(Date.parse('2024-01-01T00:00:00Z'));
    const login = emulator.requests.filter((r) => r.path.startsWith('/session/v1/login-request')).at(-1)!;
    const loginUrl = new URL(login.path, emulator.accessUrl);
    expect(Object.fromEntries(loginUrl.searchParams)).toMatchObject({ databaseName: 'ANALYTICS', schemaName: 'PUBLIC', warehouse: 'COMPUTE_WH', roleName: 'VIGIL_READER' });
    const loginData = (login.body as { data: { SESSION_PARAMETERS: Record<string, unknown>; CLIENT_ENVIRONMENT: Record<string, unknown> } }).data;
    expect(loginData.SESSION_PARAMETERS).toMatchObject({ QUERY_TAG: 'vigil-test', CLIENT_SESSION_KEEP_ALIVE: false });
    // Platform detection is off: the SDK reached for no cloud metadata endpoint.
    expect(loginData.CLIENT_ENVIRONMENT.PLATFORM).toEqual(['disabled']);
    const query = emulator.requests.find((r) => r.path.startsWith('/queries/v1/query-request') && (r.body as { sqlText?: string }).sqlText === 'SELECT CURRENT_TIMESTAMP() AS NOW')!
      .body as { sqlText: string; parameters: Record<string, unknown> };
    expect(query.sqlText).toBe('SELECT CURRENT_TIMESTAMP() AS NOW');
    expect(query.parameters).toEqual({ TIMEZONE: 'America/New_York', QUERY_TAG: 'vigil-test' });
    expect(emulator.statements).toContain("ALTER SESSION SET TIMEZONE = 'UTC', QUERY_TAG = 'vigil-session'");
    const bad = await failure(execute(connection, "ALTER SESSION SET TIMEZONE = 'Mars/Olympus'"));
    expect(bad.code).toBe('001003');
    expect(await connection.isValidAsync()).toBe(true);
    await destroy(connection);
    expect(emulator.requests.some((r) => r.method === 'POST' && r.path.startsWith('/session?delete=true'))).toBe(true);
  });

  it('answers malformed requests with 400 and keeps serving', async () => {
    const garbage = await fetch(`${emulator.accessUrl}/session/v1/login-request`, { method: 'POST', body: '{not json', headers: { 'content-type': 'application/json' } });
    expect(garbage.status).toBe(400);
    const empty = await fetch(`${emulator.accessUrl}/session/v1/login-request`, { method: 'POST', body: '{}' });
    expect(empty.status).toBe(400);
    // The SDK may gzip bodies; the emulator reads them either way.
    const gzipped = await fetch(`${emulator.accessUrl}/session/v1/login-request`, {
      method: 'POST',
      body: gzipSync(JSON.stringify({ data: { LOGIN_NAME: 'vigil', PASSWORD: 'wrong', ACCOUNT_NAME: 'testaccount' } })),
      headers: { 'content-encoding': 'gzip' },
    });
    expect(await gzipped.json()).toMatchObject({ success: false, code: '390100' });
    const unknown = await fetch(`${emulator.accessUrl}/nowhere`);
    expect(unknown.status).toBe(404);
    const noToken = await fetch(`${emulator.accessUrl}/queries/v1/query-request`, { method: 'POST', body: JSON.stringify({ sqlText: 'SELECT 1' }) });
    expect(await noToken.json()).toMatchObject({ success: false, code: '390104' });
    const connection = await connect();
    expect((await execute(connection, 'SELECT 1 AS ONE')).rows).toEqual([{ ONE: 1 }]);
    await destroy(connection);
  });

  it('reports a refused connection as a network error', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const err = await failure(connect({ sfRetryMaxLoginRetries: 0 }, { accessUrl: `http://127.0.0.1:${port}` } as SnowflakeEmulator));
    expect(err.name).toBe('NetworkError');
    expect(err.code).toBe(401001);
    expect((err.cause as { code?: string } | undefined)?.code).toBe('ECONNREFUSED');
  });
});
