import Database from 'better-sqlite3';
import { DuckDBInstance } from '@duckdb/node-api';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { join } from 'node:path';
import { dialectFor, openConnector } from '../../../connectors/registry.js';
import type { WarehouseConfig } from '../../../src/domain/warehouse.js';
import { startSnowflakeEmulator } from '../../emulators/snowflake/server.js';
import { startBigQueryEmulator } from '../../emulators/bigquery/server.js';
import { generateKeyPairSync } from 'node:crypto';
import { ROWS } from './fixture.js';

/** A warehouse seeded with the fixture table, ready for a connector, and how to clean it up. */
export interface SeededWarehouse {
  config: WarehouseConfig;
  /** The fixture table's path. */
  table: string[];
  /** The same rows in a table whose name and columns are built to break naive quoting. */
  hostileTable: string[];
  /** A table that must survive every query, checked after hostile ones. */
  canaryTable: string[];
  seededAt: Date;
  /** A query that runs for seconds or minutes, to check the statement timeout. */
  slowQuery: string;
  /** Where the warehouse dates its tables (Snowflake, BigQuery): how long before seeding the fixture table last changed. */
  metadataHoursAgo?: number;
  /** Runs SQL with write access, outside the connector, to check the canary. */
  count(table: string[]): Promise<number>;
  cleanup(): Promise<void>;
}

export const HOSTILE_TABLE = 'a"; drop table canary; --';
export const HOSTILE_COLUMN = 'b`c"d; drop table canary; --';

const common = { max_concurrency: 2, query_timeout_seconds: 30, connect_timeout_seconds: 5 };

function hoursAgo(seededAt: Date, hours: number): Date {
  return new Date(seededAt.getTime() - hours * 3_600_000);
}

/** 2026-11-28 20:00:00.000 */
function sqlTimestamp(at: Date): string {
  return at.toISOString().replace('T', ' ').replace('Z', '');
}

function q(quote: string, name: string): string {
  return quote + name.split(quote).join(quote + quote) + quote;
}

export async function seedSqlite(dir: string): Promise<SeededWarehouse> {
  const path = join(dir, 'conformance.sqlite');
  const seededAt = new Date();
  const db = new Database(path);
  const create = (name: string, hostile: boolean) => {
    const category = hostile ? q('"', HOSTILE_COLUMN) : 'category';
    db.exec(`CREATE TABLE ${q('"', name)} (id INTEGER PRIMARY KEY, amount REAL, ${category} TEXT, updated_at TEXT, loaded_at INTEGER)`);
    const insert = db.prepare(`INSERT INTO ${q('"', name)} VALUES (?, ?, ?, ?, ?)`);
    for (const r of ROWS) {
      // updated_at as ISO text, loaded_at as unix seconds: SQLite's two usual ways.
      insert.run(r.id, r.amount, r.category, hoursAgo(seededAt, r.updatedHoursAgo).toISOString(), Math.round(hoursAgo(seededAt, r.loadedHoursAgo).getTime() / 1000));
    }
  };
  create('items', false);
  create(HOSTILE_TABLE, true);
  db.exec('CREATE TABLE canary (x INTEGER)');
  db.close();
  return {
    config: { type: 'sqlite', path, ...common },
    table: ['items'],
    hostileTable: [HOSTILE_TABLE],
    canaryTable: ['canary'],
    seededAt,
    // Seconds of work, but it ends: SQLite cannot stop a statement, so the thread runs it out.
    slowQuery: 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 30000000) SELECT COUNT(*) FROM c',
    async count(table) {
      const reader = new Database(path, { readonly: true });
      try {
        return (reader.prepare(`SELECT COUNT(*) AS n FROM ${table.map((t) => q('"', t)).join('.')}`).get() as { n: number }).n;
      } finally {
        reader.close();
      }
    },
    async cleanup() {},
  };
}

export async function seedDuckdb(dir: string): Promise<SeededWarehouse> {
  const path = join(dir, 'conformance.duckdb');
  const seededAt = new Date();
  await writeDuckdbFixture(path, seededAt, { schema: undefined, items: 'items', canary: 'canary', upper: false });
  return {
    config: { type: 'duckdb', path, ...common },
    table: ['items'],
    hostileTable: [HOSTILE_TABLE],
    canaryTable: ['canary'],
    seededAt,
    slowQuery: 'SELECT COUNT(*) FROM range(1000000000000) AS t(x) WHERE x % 7 = 3',
    async count(table) {
      const reader = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
      try {
        const c = await reader.connect();
        const rows = (await c.runAndReadAll(`SELECT COUNT(*) FROM ${table.map((t) => q('"', t)).join('.')}`)).getRowsJS();
        c.closeSync();
        return Number(rows[0]![0]);
      } finally {
        reader.closeSync();
      }
    },
    async cleanup() {},
  };
}

export async function seedPostgres(url: string, schema: string): Promise<SeededWarehouse> {
  const seededAt = new Date();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const name = (...parts: string[]) => parts.map((p) => q('"', p)).join('.');
  try {
    await client.query(`CREATE SCHEMA ${name(schema)}`);
    for (const [table, hostile] of [['items', false], [HOSTILE_TABLE, true]] as const) {
      const category = hostile ? q('"', HOSTILE_COLUMN) : 'category';
      // updated_at with time zone, loaded_at without (read as UTC): Postgres' two kinds.
      await client.query(`CREATE TABLE ${name(schema, table)} (id BIGINT PRIMARY KEY, amount NUMERIC(10,2), ${category} TEXT, updated_at TIMESTAMPTZ, loaded_at TIMESTAMP)`);
      for (const r of ROWS) {
        await client.query(`INSERT INTO ${name(schema, table)} VALUES ($1, $2, $3, $4, $5)`, [
          r.id,
          r.amount,
          r.category,
          hoursAgo(seededAt, r.updatedHoursAgo).toISOString(),
          sqlTimestamp(hoursAgo(seededAt, r.loadedHoursAgo)),
        ]);
      }
    }
    await client.query(`CREATE TABLE ${name(schema, 'canary')} (x INTEGER)`);
  } finally {
    await client.end();
  }
  return {
    config: { type: 'postgres', url, query_tag: 'vigil-test', ...common },
    table: [schema, 'items'],
    hostileTable: [schema, HOSTILE_TABLE],
    canaryTable: [schema, 'canary'],
    seededAt,
    slowQuery: 'SELECT pg_sleep(120)',
    async count(table) {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        return Number((await c.query(`SELECT COUNT(*) AS n FROM ${name(...table)}`)).rows[0].n);
      } finally {
        await c.end();
      }
    },
    async cleanup() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${name(schema)} CASCADE`);
      await c.end();
    },
  };
}

/**
 * Redshift on the machine's PostgreSQL: the same protocol and, for what Vigil sends, the
 * same SQL, but for GETDATE(), which Redshift has and PostgreSQL lacks. It is added here as
 * Redshift defines it: the statement's start time, as a TIMESTAMP in the session's zone.
 */
export async function seedRedshift(url: string, schema: string): Promise<SeededWarehouse> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE OR REPLACE FUNCTION public.getdate() RETURNS timestamp LANGUAGE sql STABLE AS $$ SELECT LOCALTIMESTAMP $$');
  } finally {
    await client.end();
  }
  const seeded = await seedPostgres(url, schema);
  return { ...seeded, config: { ...seeded.config, type: 'redshift' } as WarehouseConfig };
}

export async function seedMysql(url: string, database: string): Promise<SeededWarehouse> {
  const seededAt = new Date();
  const connection = await mysql.createConnection({ uri: url, timezone: 'Z' });
  const name = (...parts: string[]) => parts.map((p) => q('`', p)).join('.');
  try {
    await connection.query("SET time_zone = '+00:00'");
    await connection.query(`CREATE DATABASE ${name(database)}`);
    for (const [table, hostile] of [['items', false], [HOSTILE_TABLE, true]] as const) {
      const category = hostile ? q('`', HOSTILE_COLUMN) : 'category';
      // updated_at DATETIME (read as UTC), loaded_at TIMESTAMP (converted by session zone).
      await connection.query(`CREATE TABLE ${name(database, table)} (id BIGINT PRIMARY KEY, amount DECIMAL(10,2), ${category} VARCHAR(20), updated_at DATETIME(6), loaded_at TIMESTAMP(6) NULL)`);
      for (const r of ROWS) {
        await connection.query(`INSERT INTO ${name(database, table)} VALUES (?, ?, ?, ?, ?)`, [
          r.id,
          r.amount,
          r.category,
          sqlTimestamp(hoursAgo(seededAt, r.updatedHoursAgo)),
          sqlTimestamp(hoursAgo(seededAt, r.loadedHoursAgo)),
        ]);
      }
    }
    await connection.query(`CREATE TABLE ${name(database, 'canary')} (x INTEGER)`);
  } finally {
    await connection.end();
  }
  return {
    config: { type: 'mysql', url, query_tag: 'vigil-test', ...common },
    table: [database, 'items'],
    hostileTable: [database, HOSTILE_TABLE],
    canaryTable: [database, 'canary'],
    seededAt,
    slowQuery: 'SELECT SLEEP(120)',
    async count(table) {
      const c = await mysql.createConnection({ uri: url });
      try {
        const [rows] = await c.query(`SELECT COUNT(*) AS n FROM ${name(...table)}`);
        return Number((rows as Array<{ n: number }>)[0]!.n);
      } finally {
        await c.end();
      }
    },
    async cleanup() {
      const c = await mysql.createConnection({ uri: url });
      await c.query(`DROP DATABASE IF EXISTS ${name(database)}`);
      await c.end();
    },
  };
}

/**
 * Writes the fixture table (and its hostile twin and the canary) into a new DuckDB file: for
 * DuckDB itself, and for the emulators that run Snowflake's and BigQuery's SQL on DuckDB.
 * `upper` names the columns in upper case, as Snowflake stores unquoted names.
 */
async function writeDuckdbFixture(path: string, seededAt: Date, names: { schema: string | undefined; items: string; canary: string; upper: boolean }): Promise<void> {
  const column = (name: string) => (names.upper ? name.toUpperCase() : name);
  const inSchema = (table: string) => (names.schema === undefined ? '' : `${q('"', names.schema)}.`) + q('"', table);
  const literal = (value: number | string | null) => (value === null ? 'NULL' : typeof value === 'number' ? String(value) : `'${value.replace(/'/g, "''")}'`);
  const values = ROWS.map(
    (r) =>
      `(${r.id}, ${literal(r.amount)}, ${literal(r.category)}, TIMESTAMP '${sqlTimestamp(hoursAgo(seededAt, r.updatedHoursAgo))}', TIMESTAMPTZ '${sqlTimestamp(hoursAgo(seededAt, r.loadedHoursAgo))}+00')`,
  ).join(', ');
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  try {
    if (names.schema !== undefined) await connection.run(`CREATE SCHEMA ${q('"', names.schema)}`);
    for (const [table, category] of [[names.items, column('category')], [HOSTILE_TABLE, HOSTILE_COLUMN]] as const) {
      const columns = [`${column('id')} BIGINT`, `${column('amount')} DECIMAL(10,2)`, `${q('"', category)} VARCHAR`, `${column('updated_at')} TIMESTAMP`, `${column('loaded_at')} TIMESTAMPTZ`];
      await connection.run(`CREATE TABLE ${inSchema(table)} (${columns.join(', ')})`);
      await connection.run(`INSERT INTO ${inSchema(table)} VALUES ${values}`);
    }
    await connection.run(`CREATE TABLE ${inSchema(names.canary)} (${column('x')} INTEGER)`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Counts rows through a connector of its own (the emulators hold their DuckDB file open). */
async function countThrough(config: WarehouseConfig, table: string[]): Promise<number> {
  const connector = await openConnector('conformance_count', config);
  try {
    return Number((await connector.query(`SELECT COUNT(*) FROM ${dialectFor(config.type).tableName(table)}`)).rows[0]![0]);
  } finally {
    await connector.close();
  }
}

/**
 * Snowflake: the real snowflake-sdk against the wire emulator (test/emulators/snowflake),
 * which runs the SQL on DuckDB. Tables are stored as Snowflake stores unquoted names, in
 * upper case, and the config names them in lower case, as people write them.
 */
export async function seedSnowflake(dir: string): Promise<SeededWarehouse> {
  const path = join(dir, 'snowflake.duckdb');
  const seededAt = new Date();
  // Snowflake stores unquoted names in upper case, columns too.
  await writeDuckdbFixture(path, seededAt, { schema: 'PUBLIC', items: 'ITEMS', canary: 'CANARY', upper: true });
  const metadataHoursAgo = 3;
  const emulator = await startSnowflakeEmulator({
    duckdbPath: path,
    database: 'ANALYTICS',
    users: { VIGIL: { password: 'conformance' } },
    lastAltered: { 'PUBLIC.ITEMS': hoursAgo(seededAt, metadataHoursAgo) },
  });
  const config: WarehouseConfig = {
    type: 'snowflake',
    account: 'testaccount',
    user: 'vigil',
    password: 'conformance',
    database: 'ANALYTICS',
    schema: 'PUBLIC',
    warehouse: 'COMPUTE_WH',
    query_tag: 'vigil-test',
    access_url: emulator.accessUrl,
    ...common,
  };
  return {
    config,
    table: ['analytics', 'public', 'items'],
    hostileTable: ['ANALYTICS', 'PUBLIC', HOSTILE_TABLE],
    canaryTable: ['ANALYTICS', 'PUBLIC', 'CANARY'],
    seededAt,
    metadataHoursAgo,
    slowQuery: 'SELECT COUNT(*) FROM range(1000000000000) AS t(x) WHERE x % 7 = 3',
    count: (table) => countThrough(config, table),
    cleanup: () => emulator.close(),
  };
}

/**
 * BigQuery: the real @google-cloud/bigquery client, authenticated with a service-account key
 * file, against the wire emulator (test/emulators/bigquery), which runs the SQL on DuckDB.
 */
export async function seedBigQuery(dir: string): Promise<SeededWarehouse> {
  const path = join(dir, 'bigquery.duckdb');
  const seededAt = new Date();
  // amount plays NUMERIC, updated_at DATETIME and loaded_at TIMESTAMP: BigQuery's kinds.
  await writeDuckdbFixture(path, seededAt, { schema: 'shop', items: 'items', canary: 'canary', upper: false });
  const account = 'vigil@vigil-test.iam.gserviceaccount.com';
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  const metadataHoursAgo = 3;
  const emulator = await startBigQueryEmulator({
    duckdbPath: path,
    projectId: 'vigil-test',
    serviceAccounts: { [account]: keys.publicKey },
    lastModified: { 'shop.items': hoursAgo(seededAt, metadataHoursAgo) },
  });
  const config: WarehouseConfig = {
    type: 'bigquery',
    project: 'vigil-test',
    location: 'US',
    key_file: emulator.writeKeyFile(dir, account, keys.privateKey),
    api_endpoint: emulator.apiEndpoint,
    labels: { app: 'vigil-test' },
    ...common,
  };
  return {
    config,
    table: ['shop', 'items'],
    hostileTable: ['shop', HOSTILE_TABLE],
    canaryTable: ['shop', 'canary'],
    seededAt,
    metadataHoursAgo,
    slowQuery: 'SELECT COUNT(*) FROM range(1000000000000) AS t(x) WHERE x % 7 = 3',
    count: (table) => countThrough(config, table),
    cleanup: () => emulator.close(),
  };
}
