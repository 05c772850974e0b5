import { DuckDBInstance } from '@duckdb/node-api';
import { BigQuery, BigQueryDate, BigQueryDatetime, BigQueryInt, BigQueryTimestamp, type BigQueryOptions } from '@google-cloud/bigquery';
import { generateKeyPairSync, sign } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.js';
import { startBigQueryEmulator, type BigQueryEmulator } from './bigquery/server.js';

/**
 * The BigQuery wire emulator driven by the real @google-cloud/bigquery client: nothing inside
 * the client is mocked, it talks HTTP to the emulator on 127.0.0.1.
 */

const PROJECT = 'my-project';
const READER = 'vigil-reader@my-project.iam.gserviceaccount.com';
const STRANGER = 'stranger@other-project.iam.gserviceaccount.com';
/** A table name built to break naive quoting: a backtick, a quote, a statement. */
const HOSTILE_TABLE = 'a`; drop table canary; --';
const HOSTILE_COLUMN = 'b`c"d; drop table canary; --';
const SLOW_QUERY = 'SELECT COUNT(*) AS n FROM range(1000000000000) AS t(x) WHERE x % 7 = 3';
const TABLE = '`my-project`.`shop`.`items`';

/** `name` with BigQuery's escapes inside backticks. */
const bq = (name: string) => `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;

function keyPair(): { publicKey: string; privateKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

/** A JWT bearer assertion, signed the way google-auth-library's gtoken signs one. */
function assertion(email: string, privateKey: string, aud = 'https://oauth2.googleapis.com/token'): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const unsigned = `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ iss: email, scope: 'https://www.googleapis.com/auth/bigquery', aud, iat: now, exp: now + 3600 })}`;
  return `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), privateKey).toString('base64url')}`;
}

interface ClientError {
  code: unknown;
  reason: unknown;
  message: string;
  errors: unknown;
  response: unknown;
}

/** The rejection of `promise`, in the fields a connector reads. */
async function failure(promise: Promise<unknown>): Promise<ClientError> {
  try {
    await promise;
  } catch (e) {
    const err = e as { code?: unknown; errors?: Array<{ reason?: unknown }>; message: string; response?: unknown };
    return { code: err.code, reason: err.errors?.[0]?.reason, message: err.message, errors: err.errors, response: err.response };
  }
  throw new Error('expected the call to fail');
}

// Every host the process tries to reach (fetch for auth, http for the API): the client must
// never leave 127.0.0.1.
const reached: string[] = [];
let watched = 0;
const watch = (host: unknown) => {
  watched++;
  if (typeof host === 'string' && !/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(host)) reached.push(host);
};
const onFetch = (message: unknown) => watch(new URL((message as { request: { origin: string } }).request.origin).host);
const onHttp = (message: unknown) => watch((message as { request: { host?: string } }).request.host);

describe('BigQuery wire emulator, through the real @google-cloud/bigquery client', () => {
  const dir = tempDir('vigil-bigquery-');
  const reader = keyPair();
  const other = keyPair();
  const seededAt = new Date();
  const itemsModified = new Date(seededAt.getTime() - 3 * 3_600_000);
  let emulator: BigQueryEmulator;
  let keyFile: string;
  let client: (extra?: BigQueryOptions) => BigQuery;

  beforeAll(async () => {
    diagnostics.subscribe('undici:request:create', onFetch);
    diagnostics.subscribe('http.client.request.start', onHttp);
    const path = join(dir, 'warehouse.duckdb');
    const instance = await DuckDBInstance.create(path);
    const connection = await instance.connect();
    const at = (hoursAgo: number) => new Date(seededAt.getTime() - hoursAgo * 3_600_000).toISOString().replace('T', ' ').replace('Z', '');
    await connection.run(`
      CREATE SCHEMA shop;
      CREATE TABLE shop.items (id BIGINT, amount DECIMAL(10,2), big DECIMAL(38,10), ratio DOUBLE, category VARCHAR, updated_at TIMESTAMP, loaded_at TIMESTAMPTZ);
      INSERT INTO shop.items VALUES
        (1, 10.50, 12345678901234567890.0123456789, 0.25, 'a', TIMESTAMP '2026-01-02 03:04:05.123456', TIMESTAMPTZ '2026-01-02 03:04:05.5+00'),
        (2, NULL, NULL, NULL, NULL, NULL, NULL),
        (3, 7.25, -1.5, 1.5, 'b', TIMESTAMP '${at(30)}', TIMESTAMPTZ '${at(30)}+00'),
        (4, 3.00, 0, 0.5, 'b', TIMESTAMP '${at(5)}', TIMESTAMPTZ '${at(6)}+00'),
        (5, 12.00, 1, 2, 'c', TIMESTAMP '${at(8)}', TIMESTAMPTZ '${at(9)}+00');
      CREATE TABLE shop.secret (x BIGINT);
      INSERT INTO shop.secret VALUES (1);
      CREATE TABLE shop.canary (x INTEGER);
      CREATE TABLE shop.doomed (x INTEGER);
      CREATE TABLE shop."${HOSTILE_TABLE.replace(/"/g, '""')}" (id BIGINT, "${HOSTILE_COLUMN.replace(/"/g, '""')}" VARCHAR);
      INSERT INTO shop."${HOSTILE_TABLE.replace(/"/g, '""')}" VALUES (1, 'x'), (2, 'y');
    `);
    connection.closeSync();
    instance.closeSync();

    emulator = await startBigQueryEmulator({
      duckdbPath: path,
      projectId: PROJECT,
      serviceAccounts: { [READER]: reader.publicKey },
      deniedTables: { [READER]: ['shop.secret'] },
      lastModified: { 'shop.items': itemsModified },
      bytesPerRow: 100,
      // Any query slower than this goes through the client's polling loop, however fast the machine.
      maxHoldMs: 100,
    });
    keyFile = emulator.writeKeyFile(dir, READER, reader.privateKey);
    // autoRetry stays on (the default), as a connector would leave it.
    client = (extra = {}) => new BigQuery({ projectId: PROJECT, apiEndpoint: emulator.apiEndpoint, keyFilename: keyFile, ...extra });
  });

  afterAll(async () => {
    diagnostics.unsubscribe('undici:request:create', onFetch);
    diagnostics.unsubscribe('http.client.request.start', onHttp);
    await emulator?.close();
  });

  it('authenticates with a key file and returns each type the way the client parses it', async () => {
    const before = emulator.requests.length;
    const [rows] = await client().query({
      query: `SELECT id, amount, big, ratio, category, updated_at, loaded_at, CAST(updated_at AS DATE) AS day, id > 1 AS later FROM ${TABLE} ORDER BY id`,
    });
    expect(rows).toHaveLength(5);
    const [first, empty] = rows as Array<Record<string, unknown>>;
    // INT64 -> number, FLOAT64 -> number, STRING -> string, BOOL -> boolean.
    expect(first!.id).toBe(1);
    expect(first!.ratio).toBe(0.25);
    expect(first!.category).toBe('a');
    expect(first!.later).toBe(false);
    // NUMERIC and BIGNUMERIC -> Big (big.js), canonical digits: 10.50 arrives as 10.5.
    expect((first!.amount as object).constructor.name).toBe('Big');
    expect(String(first!.amount)).toBe('10.5');
    expect((first!.big as object).constructor.name).toBe('Big');
    expect((first!.big as { toFixed(n: number): string }).toFixed(10)).toBe('12345678901234567890.0123456789');
    // DATETIME -> BigQueryDatetime {value: 'YYYY-MM-DDTHH:MM:SS[.ffffff]'}, TIMESTAMP -> BigQueryTimestamp {value: ISO 'Z'}, DATE -> BigQueryDate.
    expect(first!.updated_at).toBeInstanceOf(BigQueryDatetime);
    expect((first!.updated_at as BigQueryDatetime).value).toBe('2026-01-02T03:04:05.123456');
    expect(first!.loaded_at).toBeInstanceOf(BigQueryTimestamp);
    expect((first!.loaded_at as BigQueryTimestamp).value).toBe('2026-01-02T03:04:05.500Z');
    expect(first!.day).toBeInstanceOf(BigQueryDate);
    expect((first!.day as BigQueryDate).value).toBe('2026-01-02');
    // NULL -> null, whatever the type.
    expect(empty).toEqual({ id: 2, amount: null, big: null, ratio: null, category: null, updated_at: null, loaded_at: null, day: null, later: true });

    // One jobs.query call, authorized by a JWT the client signed itself: no token exchange.
    const sent = emulator.requests.slice(before);
    expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual([`POST /bigquery/v2/projects/${PROJECT}/queries`]);
    expect(sent[0]!.authorization).toMatch(/^Bearer eyJ/);
    expect(sent[0]!.body).toMatchObject({ useLegacySql: false, formatOptions: { useInt64Timestamp: true } });

    // wrapIntegers keeps INT64 exact as BigQueryInt.
    const [wrapped] = await client().query({ query: `SELECT id FROM ${TABLE} WHERE id = 3`, wrapIntegers: true });
    expect((wrapped as Array<{ id: unknown }>)[0]!.id).toBeInstanceOf(BigQueryInt);
    expect(String(((wrapped as Array<{ id: BigQueryInt }>)[0]!.id).value)).toBe('3');
  });

  it('refuses a key file signed by another private key: 401 authError', async () => {
    const wrongKey = emulator.writeKeyFile(dir, READER, other.privateKey);
    const err = await failure(client({ keyFilename: wrongKey }).query(`SELECT 1 AS x`));
    expect(err.code).toBe(401);
    expect(err.reason).toBe('authError');
    expect(err.message).toContain('Request had invalid authentication credentials');
    const stranger = emulator.writeKeyFile(dir, STRANGER, other.privateKey);
    expect((await failure(client({ keyFilename: stranger }).query(`SELECT 1 AS x`))).code).toBe(401);
  });

  it('serves the OAuth2 JWT bearer grant at token_uri and 401s calls without a valid bearer', async () => {
    const grant = (assertionJwt: string, grantType = 'urn:ietf:params:oauth:grant-type:jwt-bearer') =>
      fetch(emulator.tokenUri, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: grantType, assertion: assertionJwt }) });
    const granted = await grant(assertion(READER, reader.privateKey));
    expect(granted.status).toBe(200);
    const token = (await granted.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(token).toMatchObject({ token_type: 'Bearer', expires_in: 3599 });

    const tableUrl = `${emulator.apiEndpoint}/bigquery/v2/projects/${PROJECT}/datasets/shop/tables/items`;
    expect((await fetch(tableUrl, { headers: { authorization: `Bearer ${token.access_token}` } })).status).toBe(200);
    // token_uri as the audience works too (Python's client signs that).
    expect((await grant(assertion(READER, reader.privateKey, emulator.tokenUri))).status).toBe(200);

    for (const bad of [assertion(READER, other.privateKey), assertion(STRANGER, other.privateKey), 'not-a-jwt']) {
      const refused = await grant(bad);
      expect(refused.status).toBe(400);
      expect(await refused.json()).toEqual({ error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
    }
    expect((await grant(assertion(READER, reader.privateKey), 'password')).status).toBe(400);

    const anonymous = await fetch(tableUrl);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({
      error: {
        code: 401,
        message: 'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
        errors: [{ message: 'Login Required.', domain: 'global', reason: 'required', location: 'Authorization', locationType: 'header' }],
        status: 'UNAUTHENTICATED',
      },
    });
    const forged = await fetch(tableUrl, { headers: { authorization: 'Bearer ya29.forged' } });
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error: { errors: Array<{ reason: string }> } }).error.errors[0]!.reason).toBe('authError');

    // The wire encoding: TIMESTAMP as int64 microseconds, or float seconds without useInt64Timestamp.
    const query = async (formatOptions: unknown) => {
      const response = await fetch(`${emulator.apiEndpoint}/bigquery/v2/projects/${PROJECT}/queries`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: `SELECT loaded_at, amount, id FROM ${TABLE} WHERE id = 1`, useLegacySql: false, formatOptions }),
      });
      return (await response.json()) as { schema: { fields: unknown[] }; rows: Array<{ f: Array<{ v: unknown }> }>; totalRows: string; jobComplete: boolean };
    };
    const micros = await query({ useInt64Timestamp: true });
    expect(micros.schema.fields).toEqual([
      { name: 'loaded_at', type: 'TIMESTAMP', mode: 'NULLABLE' },
      { name: 'amount', type: 'NUMERIC', mode: 'NULLABLE' },
      { name: 'id', type: 'INTEGER', mode: 'NULLABLE' },
    ]);
    expect(micros).toMatchObject({ totalRows: '1', jobComplete: true, rows: [{ f: [{ v: '1767323045500000' }, { v: '10.5' }, { v: '1' }] }] });
    expect((await query({ useInt64Timestamp: false })).rows[0]!.f[0]!.v).toBe('1.7673230455E9');
  });

  it('answers a missing table with 404 notFound', async () => {
    const err = await failure(client().query(`SELECT * FROM \`my-project\`.\`shop\`.\`nope\``));
    expect(err).toMatchObject({ code: 404, reason: 'notFound', message: 'Not found: Table my-project:shop.nope was not found in location US' });
    // Through jobs.insert (createQueryJob, or query() with jobTimeoutMs) the job is created and
    // DONE with status.errorResult: the client throws an ApiError with no code.
    const viaJob = await failure(client().createQueryJob({ query: `SELECT * FROM \`my-project\`.\`shop\`.\`nope\`` }));
    expect(viaJob).toMatchObject({ code: undefined, reason: 'notFound', message: 'Not found: Table my-project:shop.nope was not found in location US' });
    const dataset = await failure(client().query(`SELECT * FROM \`my-project\`.nowhere.items`));
    expect(dataset).toMatchObject({ code: 404, reason: 'notFound', message: 'Not found: Dataset my-project:nowhere was not found in location US' });
    // A dataset is found only where it lives.
    const elsewhere = await failure(client().query({ query: `SELECT * FROM ${TABLE}`, location: 'EU' }));
    expect(elsewhere).toMatchObject({ code: 404, message: 'Not found: Dataset my-project:shop was not found in location EU' });
  });

  it('answers syntax and binder errors with 400 invalidQuery at [line:column]', async () => {
    const syntax = await failure(client().query(`SELECT id FORM ${TABLE}`));
    expect(syntax).toMatchObject({ code: 400, reason: 'invalidQuery' });
    expect(syntax.message).toMatch(/^Syntax error: Unexpected .* at \[1:\d+\]$/);
    const unclosed = await failure(client().query(`SELECT 'abc FROM ${TABLE}`));
    expect(unclosed).toMatchObject({ code: 400, reason: 'invalidQuery', message: 'Syntax error: Unclosed string literal at [1:8]' });
    const name = await failure(client().query({ query: 'SELECT x FROM items', defaultDataset: { datasetId: 'shop' } }));
    expect(name).toMatchObject({ code: 400, reason: 'invalidQuery', message: 'Unrecognized name: x at [1:8]' });
    const unqualified = await failure(client().query('SELECT id FROM items'));
    expect(unqualified).toMatchObject({ code: 400, reason: 'invalid', message: 'Table name "items" missing dataset while no default dataset is set in the request.' });
    const legacy = await failure(client().query({ query: `SELECT 1`, useLegacySql: true }));
    expect(legacy).toMatchObject({ reason: 'invalid' });
  });

  it('answers a denied table with 403 accessDenied and never runs it', async () => {
    const err = await failure(client().query(`SELECT COUNT(*) AS n FROM \`my-project\`.\`shop\`.\`secret\``));
    expect(err).toMatchObject({
      code: 403,
      reason: 'accessDenied',
      message: 'Access Denied: Table my-project:shop.secret: User does not have permission to query table my-project:shop.secret, or perhaps it does not exist.',
    });
    expect(emulator.statements.some((s) => s.includes('secret'))).toBe(false);
  });

  it('fails a query over maximumBytesBilled with bytesBilledLimitExceeded', async () => {
    // items has 5 rows at 100 bytes each.
    const err = await failure(client().query({ query: `SELECT COUNT(*) AS n FROM ${TABLE}`, maximumBytesBilled: '499' }));
    expect(err).toMatchObject({ code: 400, reason: 'bytesBilledLimitExceeded', message: 'Query exceeded limit for bytes billed: 499. 500 or higher required.' });
    const [rows] = await client().query({ query: `SELECT COUNT(*) AS n FROM ${TABLE}`, maximumBytesBilled: '500' });
    expect(rows).toEqual([{ n: 5 }]);
    const viaJob = await failure(client().createQueryJob({ query: `SELECT COUNT(*) AS n FROM ${TABLE}`, maximumBytesBilled: '1' }));
    expect(viaJob).toMatchObject({ code: undefined, reason: 'bytesBilledLimitExceeded', message: 'Query exceeded limit for bytes billed: 1. 500 or higher required.' });
    // A dry run reports the bill without running anything.
    const executed = emulator.statements.length;
    const [job] = await client().createQueryJob({ query: `SELECT * FROM ${TABLE} JOIN \`my-project\`.shop.canary ON true`, dryRun: true });
    expect(job.metadata.statistics).toMatchObject({ totalBytesProcessed: '500', query: { statementType: 'SELECT' } });
    expect(job.metadata.status).toEqual({ state: 'DONE' });
    expect(emulator.statements.length).toBe(executed);
  });

  it('interrupts a query past jobTimeoutMs: the job fails "stopped" within seconds', async () => {
    const started = Date.now();
    const err = await failure(client().query({ query: SLOW_QUERY, jobTimeoutMs: 1000 }));
    expect(Date.now() - started).toBeLessThan(6000);
    expect(err).toMatchObject({ code: 499, reason: 'stopped', message: 'Job execution was cancelled: Job timed out after 1 sec' });
    const insert = emulator.requests.filter((r) => r.path.endsWith('/jobs')).at(-1)!;
    expect(insert.body).toMatchObject({ configuration: { jobTimeoutMs: '1000', query: { query: SLOW_QUERY, useLegacySql: false } } });
    const jobId = (insert.body as { jobReference: { jobId: string } }).jobReference.jobId;
    const [metadata] = await client().job(jobId, { location: 'US' }).getMetadata();
    expect(metadata.status).toEqual({
      state: 'DONE',
      errorResult: { reason: 'stopped', message: 'Job execution was cancelled: Job timed out after 1 sec' },
      errors: [{ reason: 'stopped', message: 'Job execution was cancelled: Job timed out after 1 sec' }],
    });
  });

  it('answers jobComplete: false while a query runs, and the client polls it to completion', async () => {
    const n = 300_000_000;
    const before = emulator.requests.length;
    const [rows] = await client().query(`SELECT COUNT(*) AS n FROM range(${n}) AS t(x) WHERE x % 7 = 3`);
    expect(rows).toEqual([{ n: Math.floor((n - 1 - 3) / 7) + 1 }]);
    const polls = emulator.requests.slice(before).filter((r) => r.method === 'GET' && r.path.includes('/queries/'));
    expect(polls.length).toBeGreaterThan(0);
    expect(polls[0]!.query).toMatchObject({ location: 'US', 'formatOptions.useInt64Timestamp': 'true' });

    // With the client's own timeoutMs (here or in query(sql, {timeoutMs})), an unfinished query
    // is an error instead of a poll; the job runs on until cancelled.
    const [job] = await client().createQueryJob(SLOW_QUERY);
    const err = await failure(job.getQueryResults({ timeoutMs: 200 }));
    expect(err.message).toBe('The query did not complete before 200ms');
    await job.cancel();
  });

  it('cancels a running job with job.cancel()', async () => {
    const [job] = await client().createQueryJob({ query: SLOW_QUERY, location: 'US' });
    const started = Date.now();
    await job.cancel();
    const err = await failure(job.getQueryResults());
    expect(Date.now() - started).toBeLessThan(5000);
    expect(err).toMatchObject({ code: 499, reason: 'stopped', message: 'Job execution was cancelled: User requested cancellation' });
    const [metadata] = await job.getMetadata();
    expect(metadata.status.state).toBe('DONE');
  });

  it('sends labels, location, defaultDataset and the job options the client was given', async () => {
    const before = emulator.requests.length;
    await client().query({ query: 'SELECT COUNT(*) AS n FROM items', labels: { tool: 'vigil', monitor: 'm-1' }, location: 'US', defaultDataset: { datasetId: 'shop' }, maximumBytesBilled: '1000000' });
    const fast = emulator.requests.slice(before).find((r) => r.path.endsWith('/queries'))!;
    expect(fast.body).toMatchObject({ labels: { tool: 'vigil', monitor: 'm-1' }, location: 'US', defaultDataset: { datasetId: 'shop' }, maximumBytesBilled: '1000000', useLegacySql: false });

    const [job] = await client().createQueryJob({ query: 'SELECT 1 AS x', labels: { tool: 'vigil' }, location: 'US', jobTimeoutMs: 30000, maximumBytesBilled: '1000', defaultDataset: { projectId: PROJECT, datasetId: 'shop' } });
    const insert = emulator.requests.filter((r) => r.path.endsWith('/jobs')).at(-1)!;
    expect(insert.body).toMatchObject({
      jobReference: { projectId: PROJECT, jobId: job.id, location: 'US' },
      configuration: { labels: { tool: 'vigil' }, jobTimeoutMs: '30000', query: { query: 'SELECT 1 AS x', useLegacySql: false, maximumBytesBilled: '1000', defaultDataset: { projectId: PROJECT, datasetId: 'shop' } } },
    });
    const [rows] = await job.getQueryResults();
    expect(rows).toEqual([{ x: 1 }]);
  });

  it("runs the connector's metric query, __TABLES__, INFORMATION_SCHEMA.COLUMNS and wrapped custom SQL", async () => {
    const [metrics] = await client().query(`SELECT
  COUNT(*) AS \`m0\`,
  TIMESTAMP_DIFF(CURRENT_TIMESTAMP(), CAST(MAX(\`updated_at\`) AS TIMESTAMP), MILLISECOND) / 3600000 AS \`m1\`,
  CAST(COUNT(*) - COUNT(\`amount\`) AS FLOAT64) * 100 / NULLIF(COUNT(*), 0) AS \`m2\`,
  CAST(COUNT(DISTINCT CASE WHEN (id > 3) THEN \`category\` END) AS FLOAT64) * 100 / NULLIF(COUNT(CASE WHEN (id > 3) THEN \`category\` END), 0) AS \`m3\`,
  MIN(\`amount\`) AS \`m4\`, AVG(\`amount\`) AS \`m5\`
FROM \`my-project\`.\`shop\`.\`items\`
WHERE (id > 0)`);
    const m = (metrics as Array<Record<string, unknown>>)[0]!;
    expect(m.m0).toBe(5);
    // updated_at (a DATETIME) read as UTC: the newest is 5 hours old.
    expect(m.m1 as number).toBeGreaterThan(4.99);
    expect(m.m1 as number).toBeLessThan(5.1);
    expect(m.m2).toBe(20);
    expect(m.m3).toBe(100);
    expect(String(m.m4)).toBe('3');
    expect(m.m5).toBe(8.1875);

    const [hours] = await client().query("SELECT (UNIX_MILLIS(CURRENT_TIMESTAMP()) - last_modified_time) / 3600000 AS hours FROM `my-project`.`shop`.__TABLES__ WHERE table_id = 'items'");
    const h = (hours as Array<{ hours: number }>)[0]!.hours;
    expect(h).toBeGreaterThan(2.99);
    expect(h).toBeLessThan(3.1);
    const [tables] = await client().query('SELECT table_id, row_count, size_bytes, last_modified_time FROM `my-project`.`shop`.__TABLES__ ORDER BY table_id');
    expect((tables as Array<{ table_id: string }>).map((t) => t.table_id)).toEqual(['a`; drop table canary; --', 'canary', 'doomed', 'items', 'secret']);
    expect((tables as Array<Record<string, unknown>>)[3]).toEqual({ table_id: 'items', row_count: 5, size_bytes: 500, last_modified_time: itemsModified.getTime() });

    const [amount] = await client().query("SELECT data_type FROM `my-project`.`shop`.INFORMATION_SCHEMA.COLUMNS WHERE table_name = 'items' AND column_name = 'amount'");
    expect(amount).toEqual([{ data_type: 'NUMERIC' }]);
    const [columns] = await client().query("SELECT column_name, data_type FROM `my-project`.`shop`.INFORMATION_SCHEMA.COLUMNS WHERE table_name = 'items' ORDER BY ordinal_position");
    expect(columns).toEqual([
      { column_name: 'id', data_type: 'INT64' },
      { column_name: 'amount', data_type: 'NUMERIC' },
      { column_name: 'big', data_type: 'BIGNUMERIC' },
      { column_name: 'ratio', data_type: 'FLOAT64' },
      { column_name: 'category', data_type: 'STRING' },
      { column_name: 'updated_at', data_type: 'DATETIME' },
      { column_name: 'loaded_at', data_type: 'TIMESTAMP' },
    ]);

    const custom = "SELECT SUM(amount) AS total, 'it\\'s' AS note, \"dq\" AS dq FROM `my-project.shop.items` # a comment\nWHERE category IN ('b', 'c')";
    const [wrapped] = await client().query(`SELECT * FROM (\n${custom}\n) AS vigil_custom LIMIT 2`);
    expect(wrapped).toHaveLength(1);
    expect(String((wrapped as Array<{ total: unknown }>)[0]!.total)).toBe('22.25');
    expect((wrapped as Array<{ note: string; dq: string }>)[0]).toMatchObject({ note: "it's", dq: 'dq' });
    expect(emulator.statements).toContain(`SELECT * FROM (\n${custom}\n) AS vigil_custom LIMIT 2`);
  });

  it('keeps hostile names one identifier, and runs a multi-statement script as BigQuery would', async () => {
    const [rows] = await client().query(`SELECT id, ${bq(HOSTILE_COLUMN)} AS v FROM \`my-project\`.\`shop\`.${bq(HOSTILE_TABLE)} ORDER BY id`);
    expect(rows).toEqual([{ id: 1, v: 'x' }, { id: 2, v: 'y' }]);
    const [canary] = await client().dataset('shop').table('canary').getMetadata();
    expect(canary.numRows).toBe('0');

    // BigQuery runs scripts: whoever lets one through really drops the table.
    const [result] = await client().query('SELECT 1 AS x; DROP TABLE `my-project`.`shop`.`doomed`');
    expect(result).toEqual([]);
    const gone = await failure(client().dataset('shop').table('doomed').getMetadata());
    expect(gone).toMatchObject({ code: 404, reason: 'notFound', message: 'Not found: Table my-project:shop.doomed' });
    const [last] = await client().query('CREATE TEMP TABLE t AS SELECT 41 AS v; SELECT v + 1 AS v FROM t');
    expect(last).toEqual([{ v: 42 }]);
  });

  it('answers tables.get with lastModifiedTime, numRows, numBytes and the schema', async () => {
    const [metadata] = await client().dataset('shop').table('items').getMetadata();
    expect(metadata).toMatchObject({
      tableReference: { projectId: PROJECT, datasetId: 'shop', tableId: 'items' },
      numRows: '5',
      numBytes: '500',
      lastModifiedTime: String(itemsModified.getTime()),
      type: 'TABLE',
    });
    expect(metadata.schema.fields.map((f: { name: string; type: string }) => `${f.name}:${f.type}`)).toEqual([
      'id:INTEGER', 'amount:NUMERIC', 'big:BIGNUMERIC', 'ratio:FLOAT', 'category:STRING', 'updated_at:DATETIME', 'loaded_at:TIMESTAMP',
    ]);
    expect(await failure(client().dataset('shop').table('nope').getMetadata())).toMatchObject({ code: 404, reason: 'notFound' });
    expect(await failure(client().dataset('nowhere').getMetadata())).toMatchObject({ code: 404, message: 'Not found: Dataset my-project:nowhere' });
  });

  it('answers malformed requests with 400 and keeps serving', async () => {
    const [job] = await client().createQueryJob('SELECT 1 AS x');
    await job.getQueryResults();
    const authorization = emulator.requests.at(-1)!.authorization!;
    const post = (path: string, body: string) =>
      fetch(`${emulator.apiEndpoint}/bigquery/v2/projects/${PROJECT}${path}`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body });
    for (const [path, body] of [['/queries', '{not json'], ['/queries', '[]'], ['/queries', '{"query": 42}'], ['/jobs', '{}'], ['/jobs', '{"configuration": {"query": {}}}'], ['/queries', '{"query": "SELECT 1", "useLegacySql": false, "labels": [1]}']] as const) {
      const response = await post(path, body);
      expect(response.status, `${path} ${body}`).toBe(400);
      expect(((await response.json()) as { error: { code: number } }).error.code).toBe(400);
    }
    expect((await fetch(`${emulator.apiEndpoint}/bigquery/v2/projects/${PROJECT}/queries/%E0%A4%A`, { headers: { authorization } })).status).toBe(400);
    expect((await fetch(`${emulator.apiEndpoint}/bigquery/v2/projects/${PROJECT}/queries/no-such-job`, { headers: { authorization } })).status).toBe(404);
    const [rows] = await client().query('SELECT 2 AS x');
    expect(rows).toEqual([{ x: 2 }]);
  });

  it('uses application default credentials from GOOGLE_APPLICATION_CREDENTIALS, and says so when there are none', async () => {
    const names = ['GOOGLE_APPLICATION_CREDENTIALS', 'GCE_METADATA_HOST', 'HOME'] as const;
    const saved = names.map((name) => [name, process.env[name]] as const);
    try {
      process.env.GOOGLE_APPLICATION_CREDENTIALS = keyFile;
      const [rows] = await new BigQuery({ projectId: PROJECT, apiEndpoint: emulator.apiEndpoint }).query('SELECT 3 AS x');
      expect(rows).toEqual([{ x: 3 }]);

      // No credentials at all: google-auth-library probes the GCE metadata server (pointed here,
      // instead of 169.254.169.254), gives up, sends the call unauthenticated and reports why.
      delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
      process.env.GCE_METADATA_HOST = emulator.apiEndpoint.replace('http://', '');
      process.env.HOME = dir;
      const before = emulator.requests.length;
      const err = await failure(new BigQuery({ projectId: PROJECT, apiEndpoint: emulator.apiEndpoint }).query('SELECT 4 AS x'));
      expect(err.message).toContain('Could not load the default credentials');
      const sent = emulator.requests.slice(before);
      expect(sent.some((r) => r.path.startsWith('/computeMetadata/v1'))).toBe(true);
      expect(sent.find((r) => r.path.endsWith('/queries'))?.authorization).toBeUndefined();
    } finally {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('reports a refused connection as ECONNREFUSED', async () => {
    const closed = `http://127.0.0.1:9`;
    const err = await failure(new BigQuery({ projectId: PROJECT, apiEndpoint: closed, keyFilename: keyFile, autoRetry: false }).query('SELECT 1 AS x'));
    expect(err.code).toBe('ECONNREFUSED');
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('never reached beyond 127.0.0.1', () => {
    expect(watched).toBeGreaterThan(20);
    expect(reached).toEqual([]);
  });
});
