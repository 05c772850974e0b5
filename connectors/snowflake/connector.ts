import { readFileSync } from 'node:fs';
import type snowflake from 'snowflake-sdk';
import type { Cell, Connector, QueryResult } from '../../src/domain/connector.js';
import { messageOf } from '../../src/domain/errors.js';
import type { SnowflakeWarehouseConfig } from '../../src/domain/warehouse.js';
import { plainCell } from '../shared/cell.js';
import { describeWarehouse, warehouseError } from '../shared/classify.js';
import { notASingleQuery, SNOWFLAKE_LEXICON } from '../shared/single-select.js';
import { withDeadline } from '../shared/deadline.js';
import { classifySnowflakeError } from './errors.js';

/** Column types whose values are numbers, whatever form the driver hands them in. */
const NUMERIC_TYPES = new Set(['fixed', 'real', 'decfloat', 'number', 'float']);

type Sdk = typeof snowflake;
let loaded: Promise<Sdk> | undefined;

/**
 * The driver, loaded once. Unless told not to, it probes the cloud metadata endpoints of
 * AWS, GCP and Azure as it loads (for workload identity, which Vigil does not use): on a
 * machine outside those clouds that means requests that hang until they time out. It also
 * logs to a file and the console; Vigil says what matters itself.
 */
function driver(): Promise<Sdk> {
  loaded ??= (async () => {
    process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION ??= 'true';
    // The driver bundles the AWS SDK (for stages on S3), which warns about Node 20 on its own.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const sdk = (await import('snowflake-sdk')).default;
    const nothing = () => {};
    sdk.configure({ logLevel: 'OFF', additionalLogToConsole: false, customLogger: { error: nothing, warn: nothing, info: nothing, debug: nothing, trace: nothing } });
    return sdk;
  })();
  return loaded;
}

function toCell(value: unknown, type: string | undefined): Cell {
  // NUMBER arrives as text where it could lose digits, or as a bigint.
  if (type !== undefined && NUMERIC_TYPES.has(type) && typeof value === 'string') return Number(value);
  // The driver's Dates carry a toJSON of their own (the session's output format): a plain one.
  if (value instanceof Date) return new Date(value.getTime());
  return plainCell(value);
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
    // The daemon retries a failed login itself, with its own backoff; the driver would try 7 times.
    sfRetryMaxLoginRetries: 1,
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
  const sdk = await driver();
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

  const connectMs = Math.round(config.connect_timeout_seconds * 1000);
  const connect = (): Promise<snowflake.Connection> => {
    session ??= (async () => {
      const connection = sdk.createConnection(options);
      try {
        // connect() hands every failure to its callback; connectAsync() throws some and not others.
        const loggedIn = new Promise<void>((resolve, reject) => connection.connect((error) => (error ? reject(error) : resolve())));
        await withDeadline(loggedIn, connectMs, () =>
          warehouseError(where, 'network', `no answer within connect_timeout_seconds (${config.connect_timeout_seconds} s): check account and access_url`, undefined),
        );
        return connection;
      } catch (error) {
        session = undefined;
        connection.destroy(() => {});
        throw classifySnowflakeError(error, where, 'connect');
      }
    })();
    return session;
  };

  /** Drops a lost session, unless another call already replaced it with a new one. */
  const forget = async (connection: snowflake.Connection, lost: Promise<snowflake.Connection>) => {
    if (session === lost) session = undefined;
    await new Promise<void>((resolve) => connection.destroy(() => resolve()));
  };

  const run = async (sql: string): Promise<QueryResult> => {
    if (closed) throw warehouseError(where, 'network', 'the connector is closed', undefined);
    const refused = notASingleQuery(sql, SNOWFLAKE_LEXICON);
    if (refused !== undefined) throw warehouseError(where, 'sql', refused, undefined);
    const current = connect();
    const connection = await current;
    try {
      return await execute(connection, sql, parameters, timeoutSeconds);
    } catch (error) {
      const vigil = classifySnowflakeError(error, where, 'query');
      // A lost session (expired, the network dropped it, or no answer at all) is logged in again next time.
      if (vigil.kind === 'network' || (error as { vigilGaveUp?: boolean }).vigilGaveUp === true) await forget(connection, current);
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

/**
 * Runs one statement. Snowflake cancels it at STATEMENT_TIMEOUT_IN_SECONDS; should Snowflake
 * not answer at all (the driver would retry for a long time), Vigil gives up a little later,
 * cancels it and drops the session.
 */
function execute(connection: snowflake.Connection, sql: string, parameters: Record<string, unknown>, timeoutSeconds: number): Promise<QueryResult> {
  let statement: ReturnType<snowflake.Connection['execute']> | undefined;
  const done = new Promise<QueryResult>((resolve, reject) => {
    statement = connection.execute({
      sqlText: sql,
      rowMode: 'array',
      parameters,
      complete: (error, stmt, rows) => {
        if (error) return reject(error);
        const columns = stmt.getColumns() ?? [];
        const types = columns.map((column) => column.getType());
        resolve({
          columns: columns.map((column) => column.getName()),
          rows: (rows ?? []).map((row: unknown[]) => row.map((value, i) => toCell(value, types[i]))),
        });
      },
    });
  });
  return withDeadline(done, (timeoutSeconds + 10) * 1000, () => {
    statement?.cancel(() => {});
    return Object.assign(new Error(`no answer within query_timeout_seconds (${timeoutSeconds} s); the statement was cancelled`), { code: '000604', vigilGaveUp: true });
  });
}
