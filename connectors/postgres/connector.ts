import pg from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';
import type { Connector, QueryResult } from '../../src/domain/connector.js';
import type { ServerWarehouseConfig } from '../../src/domain/warehouse.js';
import { plainCell } from '../shared/cell.js';
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

function defined<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** How a session gets Vigil's settings: in the startup packet (Postgres) or by statements (Redshift, which takes no startup options). */
export interface PgSession {
  /** Run once on each new connection, before its first query. */
  setup: (timeoutMs: number) => string[];
  startupOptions: (timeoutMs: number) => string | undefined;
  defaultPort: number;
}

export const POSTGRES_SESSION: PgSession = {
  setup: () => [],
  startupOptions: (timeoutMs) => `-c TimeZone=UTC -c statement_timeout=${timeoutMs} -c default_transaction_read_only=on`,
  defaultPort: 5432,
};

/**
 * The pool's settings. The url is parsed here (pg would let it override everything), then
 * the explicit fields win over its parts, and Vigil's session settings come last in
 * `options`, so no url parameter can turn off UTC, the timeout or read-only mode.
 */
export function poolConfig(config: ServerWarehouseConfig, session: PgSession = POSTGRES_SESSION): pg.PoolConfig {
  const timeoutMs = Math.round(config.query_timeout_seconds * 1000);
  // redshift:// is postgres:// with another name.
  const url = config.url?.replace(/^redshift:\/\//, 'postgres://');
  const fromUrl = url === undefined ? {} : (parseIntoClientConfig(url) as pg.ClientConfig);
  const vigilOptions = session.startupOptions(timeoutMs);
  const options = vigilOptions === undefined ? fromUrl.options : fromUrl.options === undefined ? vigilOptions : `${fromUrl.options} ${vigilOptions}`;
  const tls = tlsOptions(config.ssl);
  const port = config.port ?? (fromUrl.port === undefined ? session.defaultPort : undefined);
  return {
    ...fromUrl,
    ...defined({ host: config.host, port, user: config.user, password: config.password, database: config.database }),
    ...(tls === undefined ? {} : { ssl: tls }),
    max: config.max_concurrency,
    connectionTimeoutMillis: Math.round(config.connect_timeout_seconds * 1000),
    idleTimeoutMillis: 30_000,
    application_name: config.query_tag,
    ...(options === undefined ? {} : { options }),
    // A client-side guard in case the server never answers.
    query_timeout: timeoutMs + 5_000,
    types,
  } as pg.PoolConfig;
}

/**
 * Postgres through a pg pool. Every query, generated or written by a person, runs alone
 * (the extended protocol takes one statement) inside BEGIN READ ONLY ... ROLLBACK: it
 * cannot write, and any session setting it changes is rolled back with it.
 */
export function createPostgresConnector(name: string, config: ServerWarehouseConfig, session: PgSession = POSTGRES_SESSION): Connector {
  const where = describeWarehouse(name, config.type);
  const setup = session.setup(Math.round(config.query_timeout_seconds * 1000));
  const ready = new WeakSet<pg.PoolClient>();
  let pool: pg.Pool;
  try {
    pool = new pg.Pool(poolConfig(config, session));
  } catch (error) {
    throw classifyPostgresError(error, where, 'connect');
  }
  // An idle client that dies (server restart) must not crash the process; the pool drops it.
  pool.on('error', () => {});

  const readOnly = async (sql: string): Promise<QueryResult> => {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw classifyPostgresError(error, where, 'connect');
    }
    let broken: Error | undefined;
    try {
      if (!ready.has(client)) {
        for (const statement of setup) await client.query(statement);
        ready.add(client);
      }
      await client.query('BEGIN TRANSACTION READ ONLY');
      const result = await client.query({ text: sql, rowMode: 'array', queryMode: 'extended' } as pg.QueryArrayConfig);
      return {
        columns: result.fields.map((field) => field.name),
        rows: result.rows.map((row) => row.map(plainCell)),
      };
    } catch (error) {
      throw classifyPostgresError(error, where, 'query');
    } finally {
      try {
        await client.query('ROLLBACK');
      } catch (error) {
        broken = error as Error;
      }
      client.release(broken);
    }
  };

  return {
    query: readOnly,
    queryReadOnly: readOnly,
    async close() {
      await pool.end();
    },
  };
}
