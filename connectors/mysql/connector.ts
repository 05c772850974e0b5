import mysql from 'mysql2/promise';
import type { Cell, Connector, QueryResult } from '../../src/domain/connector.js';
import type { ServerWarehouseConfig } from '../../src/domain/warehouse.js';
import { plainCell } from '../shared/cell.js';
import { describeWarehouse, warehouseError } from '../shared/classify.js';
import { messageOf } from '../../src/domain/errors.js';
import { tlsOptions } from '../shared/tls.js';
import { classifyMysqlError } from './errors.js';

/** Column types whose values mysql2 may still hand over as strings (big BIGINTs). */
const NUMERIC_TYPES = new Set([mysql.Types.LONGLONG, mysql.Types.NEWDECIMAL, mysql.Types.DECIMAL]);

const ER_UNKNOWN_SYSTEM_VARIABLE = 1193;

function toCell(value: unknown, numeric: boolean): Cell {
  if (typeof value === 'string' && numeric) return Number(value);
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return plainCell(value);
}

function toResult(rows: unknown, fields: mysql.FieldPacket[]): QueryResult {
  const numeric = fields.map((field) => NUMERIC_TYPES.has(field.columnType ?? field.type ?? -1));
  return {
    columns: fields.map((field) => field.name),
    rows: (rows as unknown[][]).map((row) => row.map((value, i) => toCell(value, numeric[i] ?? false))),
  };
}

export function createMysqlConnector(name: string, config: ServerWarehouseConfig): Connector {
  const where = describeWarehouse(name, config.type);
  const timeoutMs = Math.round(config.query_timeout_seconds * 1000);
  const options: mysql.PoolOptions = {
    host: config.host,
    port: config.port,
    user: config.user,
    password: config.password,
    database: config.database,
    ssl: tlsOptions(config.ssl),
    connectionLimit: config.max_concurrency,
    connectTimeout: Math.round(config.connect_timeout_seconds * 1000),
    timezone: 'Z',
    decimalNumbers: true,
    supportBigNumbers: true,
    bigNumberStrings: false,
    multipleStatements: false,
    connectAttributes: { program_name: config.query_tag },
  };
  let pool: mysql.Pool;
  try {
    pool = config.url === undefined ? mysql.createPool(options) : mysql.createPool({ ...options, uri: config.url });
  } catch (error) {
    throw warehouseError(where, 'auth', `cannot read the connection settings: ${messageOf(error)}`, error);
  }
  const prepared = new WeakSet<object>();

  /** Every session: UTC, read-only, and a server-side statement timeout. */
  async function prepare(connection: mysql.PoolConnection): Promise<void> {
    if (prepared.has(connection.connection)) return;
    await connection.query("SET SESSION time_zone = '+00:00'");
    await connection.query('SET SESSION TRANSACTION READ ONLY');
    try {
      await connection.query(`SET SESSION max_statement_time = ${timeoutMs / 1000}`); // MariaDB
    } catch (error) {
      if ((error as { errno?: number }).errno !== ER_UNKNOWN_SYSTEM_VARIABLE) throw error;
      await connection.query(`SET SESSION max_execution_time = ${timeoutMs}`); // MySQL
    }
    prepared.add(connection.connection);
  }

  async function withConnection<T>(work: (connection: mysql.PoolConnection) => Promise<T>): Promise<T> {
    let connection: mysql.PoolConnection | undefined;
    try {
      connection = await pool.getConnection();
      await prepare(connection);
      return await work(connection);
    } catch (error) {
      throw classifyMysqlError(error, where);
    } finally {
      connection?.release();
    }
  }

  const run = async (connection: mysql.PoolConnection, sql: string) => {
    const [rows, fields] = await connection.query({ sql, rowsAsArray: true, timeout: timeoutMs + 5_000 });
    return toResult(rows, fields);
  };

  return {
    query: (sql) => withConnection((connection) => run(connection, sql)),

    queryReadOnly: (sql) =>
      withConnection(async (connection) => {
        await connection.query('START TRANSACTION READ ONLY');
        try {
          return await run(connection, sql);
        } finally {
          await connection.query('ROLLBACK');
        }
      }),

    async close() {
      await pool.end();
    },
  };
}
