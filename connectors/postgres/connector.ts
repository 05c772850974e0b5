import pg from 'pg';
import type { Cell, Connector, QueryResult } from '../../src/domain/connector.js';
import type { ServerWarehouseConfig } from '../../src/domain/warehouse.js';
import { describeWarehouse } from '../shared/classify.js';
import { tlsOptions } from '../shared/tls.js';
import { classifyPostgresError } from './errors.js';

const NUMERIC_OIDS = new Set([
  20, // int8
  1700, // numeric
]);

/** Numbers come back as numbers: int8 and numeric are strings in pg by default. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (NUMERIC_OIDS.has(oid) && format !== 'binary') return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
};

function toCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value;
  if (typeof value === 'bigint') return Number(value);
  return JSON.stringify(value);
}

function poolConfig(name: string, config: ServerWarehouseConfig): pg.PoolConfig {
  const timeoutMs = Math.round(config.query_timeout_seconds * 1000);
  return {
    connectionString: config.url,
    host: config.host,
    port: config.port,
    user: config.user,
    password: config.password,
    database: config.database,
    ssl: tlsOptions(config.ssl),
    max: config.max_concurrency,
    connectionTimeoutMillis: Math.round(config.connect_timeout_seconds * 1000),
    idleTimeoutMillis: 30_000,
    application_name: config.query_tag,
    // Every session: UTC, a statement timeout, and read-only by default.
    options: `-c TimeZone=UTC -c statement_timeout=${timeoutMs} -c default_transaction_read_only=on`,
    // A client-side guard in case the server never answers.
    query_timeout: timeoutMs + 5_000,
    types,
  } as pg.PoolConfig;
}

export function createPostgresConnector(name: string, config: ServerWarehouseConfig): Connector {
  const where = describeWarehouse(name, config.type);
  const pool = new pg.Pool(poolConfig(name, config));
  // An idle client that dies (server restart) must not crash the process; the pool drops it.
  pool.on('error', () => {});

  const toResult = (result: pg.QueryArrayResult): QueryResult => ({
    columns: result.fields.map((field) => field.name),
    rows: result.rows.map((row) => row.map(toCell)),
  });

  return {
    async query(sql) {
      try {
        // The extended protocol runs exactly one statement, so a `where` cannot chain another.
        return toResult(await pool.query({ text: sql, rowMode: 'array', queryMode: 'extended' } as pg.QueryArrayConfig));
      } catch (error) {
        throw classifyPostgresError(error, where);
      }
    },

    async queryReadOnly(sql) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw classifyPostgresError(error, where);
      }
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        await client.query('SET TRANSACTION READ ONLY');
        // The extended protocol runs exactly one statement: no "; DROP TABLE" after it.
        const result = await client.query({ text: sql, rowMode: 'array', queryMode: 'extended' } as pg.QueryArrayConfig);
        return toResult(result);
      } catch (error) {
        throw classifyPostgresError(error, where);
      } finally {
        try {
          await client.query('ROLLBACK');
        } catch (error) {
          broken = error as Error;
        }
        client.release(broken);
      }
    },

    async close() {
      await pool.end();
    },
  };
}
