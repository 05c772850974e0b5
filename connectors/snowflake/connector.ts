import { readFileSync } from 'node:fs';
import snowflake from 'snowflake-sdk';
import type { Cell, Connector, QueryResult } from '../../src/domain/connector.js';
import { messageOf } from '../../src/domain/errors.js';
import type { SnowflakeWarehouseConfig } from '../../src/domain/warehouse.js';
import { describeWarehouse, warehouseError } from '../shared/classify.js';
import { notASingleQuery, SNOWFLAKE_LEXICON } from '../shared/single-select.js';
import { classifySnowflakeError } from './errors.js';

/** Column types whose values are numbers, whatever form the driver hands them in. */
const NUMERIC_TYPES = new Set(['fixed', 'real', 'decfloat', 'number', 'float']);

let quieted = false;

/** The driver logs to a file and the console by default; Vigil says what matters itself. */
function quietDriver(): void {
  if (quieted) return;
  quieted = true;
  const nothing = () => {};
  snowflake.configure({ logLevel: 'OFF', customLogger: { error: nothing, warn: nothing, info: nothing, debug: nothing, trace: nothing } });
}

function toCell(value: unknown, type: string | undefined): Cell {
  if (value === null || value === undefined) return null;
  if (type !== undefined && NUMERIC_TYPES.has(type)) {
    // NUMBER arrives as text where it could lose digits, or as a bigint.
    if (typeof value === 'string' || typeof value === 'bigint') return Number(value);
  }
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return new Date(value.getTime());
  return JSON.stringify(value);
}

/** The driver's connection options from the config: a password, or a key pair read from its file. */
export function connectionOptions(config: SnowflakeWarehouseConfig, where: string): snowflake.ConnectionOptions {
  const auth: Partial<snowflake.ConnectionOptions> = {};
  if (config.private_key_path !== undefined) {
    let privateKey: string;
    try {
      privateKey = readFileSync(config.private_key_path, 'utf8');
    } catch (error) {
      throw warehouseError(where, 'auth', `cannot read private_key_path ${config.private_key_path}: ${messageOf(error)}`, error);
    }
    auth.authenticator = 'SNOWFLAKE_JWT';
    auth.privateKey = privateKey;
    if (config.private_key_passphrase !== undefined) auth.privateKeyPass = config.private_key_passphrase;
  } else {
    auth.password = config.password;
  }
  const defined = Object.fromEntries(
    Object.entries({ role: config.role, warehouse: config.warehouse, database: config.database, schema: config.schema, accessUrl: config.access_url }).filter(
      ([, v]) => v !== undefined,
    ),
  );
  return {
    account: config.account,
    username: config.user,
    ...auth,
    ...defined,
    application: 'Vigil',
    timeout: Math.round(config.connect_timeout_seconds * 1000),
  } as snowflake.ConnectionOptions;
}

/**
 * Snowflake through snowflake-sdk: one session (it serves many statements at once), logged
 * in on first use and again after it is lost. Snowflake has no read-only transaction, so
 * only one SELECT or WITH statement is ever sent (and MULTI_STATEMENT_COUNT = 1 makes
 * Snowflake refuse more); the role's grants are the other guard. Every statement carries
 * the session's UTC zone, the query tag and the statement timeout.
 */
export async function createSnowflakeConnector(name: string, config: SnowflakeWarehouseConfig): Promise<Connector> {
  quietDriver();
  const where = describeWarehouse(name, config.type);
  const options = connectionOptions(config, where);
  const timeoutSeconds = Math.max(1, Math.ceil(config.query_timeout_seconds));
  const parameters = {
    TIMEZONE: 'UTC',
    QUERY_TAG: config.query_tag,
    STATEMENT_TIMEOUT_IN_SECONDS: timeoutSeconds,
    MULTI_STATEMENT_COUNT: 1,
  };
  let session: Promise<snowflake.Connection> | undefined;
  let closed = false;

  const connect = (): Promise<snowflake.Connection> => {
    session ??= (async () => {
      const connection = snowflake.createConnection(options);
      try {
        await connection.connectAsync(() => {});
        return connection;
      } catch (error) {
        session = undefined;
        throw classifySnowflakeError(error, where, 'connect');
      }
    })();
    return session;
  };

  const forget = async (connection: snowflake.Connection) => {
    if (session === undefined) return;
    session = undefined;
    await new Promise<void>((resolve) => connection.destroy(() => resolve()));
  };

  const run = async (sql: string): Promise<QueryResult> => {
    if (closed) throw warehouseError(where, 'network', 'the connector is closed', undefined);
    const refused = notASingleQuery(sql, SNOWFLAKE_LEXICON);
    if (refused !== undefined) throw warehouseError(where, 'sql', refused, undefined);
    const connection = await connect();
    try {
      return await execute(connection, sql, parameters, timeoutSeconds);
    } catch (error) {
      const vigil = classifySnowflakeError(error, where, 'query');
      // A lost session (expired, or the network dropped it) is logged in again next time.
      if (vigil.kind === 'network') await forget(connection);
      throw vigil;
    }
  };

  return {
    query: run,
    queryReadOnly: run,
    async close() {
      closed = true;
      const open = session;
      session = undefined;
      if (open === undefined) return;
      try {
        const connection = await open;
        await new Promise<void>((resolve) => connection.destroy(() => resolve()));
      } catch {
        // it never logged in
      }
    },
  };
}

/** Runs one statement; past the timeout (and a margin for Snowflake to cancel it) Vigil cancels it itself. */
function execute(connection: snowflake.Connection, sql: string, parameters: Record<string, unknown>, timeoutSeconds: number): Promise<QueryResult> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const statement = connection.execute({
      sqlText: sql,
      rowMode: 'array',
      parameters,
      complete: (error, stmt, rows) => {
        if (settled) return;
        settled = true;
        clearTimeout(guard);
        if (error) return reject(error);
        const columns = stmt.getColumns() ?? [];
        const types = columns.map((column) => column.getType());
        resolve({
          columns: columns.map((column) => column.getName()),
          rows: (rows ?? []).map((row: unknown[]) => row.map((value, i) => toCell(value, types[i]))),
        });
      },
    });
    const guard = setTimeout(() => {
      if (settled) return;
      settled = true;
      statement.cancel(() => {});
      reject(Object.assign(new Error(`no answer within query_timeout_seconds (${timeoutSeconds} s); the statement was cancelled`), { code: '000604' }));
    }, (timeoutSeconds + 10) * 1000);
  });
}
