import { DuckDBInstance, StatementType, type DuckDBConnection } from '@duckdb/node-api';
import { errors, fromDuckdb, SnowflakeError } from './errors.js';
import { countRows, rowsFromDuckdb, statusRows, type Rows } from './results.js';
import {
  CommandSyntaxError,
  isQuery,
  LexError,
  nameChains,
  parseQualifiedName,
  parseSessionCommand,
  quoteIdentifier,
  quoteLiteral,
  rewriteForDuckdb,
  splitStatements,
  type RewriteContext,
  type SessionCommand,
  type StatementText,
} from './sql.js';

/**
 * The warehouse behind the emulator: one in-memory DuckDB instance with the seeded file
 * attached under the emulated database's name, plus the emulator's own schema
 * `memory.sf_emulator` holding INFORMATION_SCHEMA views with Snowflake's shape.
 *
 * Each statement text runs on a fresh DuckDB connection set up from the Snowflake session
 * (current database and schema, TimeZone), so sessions never share state, concurrent
 * queries never queue behind each other, and a timeout or cancel interrupts exactly one
 * query. Temporary tables therefore do not outlive a statement text.
 */

export type ParameterValue = string | number | boolean;

export interface Session {
  id: number;
  user: string;
  database: string | null;
  schema: string | null;
  role: string;
  warehouse: string | null;
  /** Session parameters (upper-case names): from login, then ALTER SESSION. */
  parameters: Map<string, ParameterValue>;
  /** [database, schema, table] the user may not read. */
  denied: string[][];
}

/** Parameters in force when the session sets nothing (TIMEZONE is UTC here; Snowflake's default is America/Los_Angeles). */
export const DEFAULT_PARAMETERS: Readonly<Record<string, ParameterValue>> = {
  TIMEZONE: 'UTC',
  STATEMENT_TIMEOUT_IN_SECONDS: 172800,
  MULTI_STATEMENT_COUNT: 1,
  QUERY_TAG: '',
  TIMESTAMP_OUTPUT_FORMAT: 'YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM',
  TIMESTAMP_NTZ_OUTPUT_FORMAT: 'YYYY-MM-DD HH24:MI:SS.FF3',
  TIMESTAMP_LTZ_OUTPUT_FORMAT: '',
  TIMESTAMP_TZ_OUTPUT_FORMAT: '',
  DATE_OUTPUT_FORMAT: 'YYYY-MM-DD',
  TIME_OUTPUT_FORMAT: 'HH24:MI:SS',
  BINARY_OUTPUT_FORMAT: 'HEX',
};

/** Statement type ids the SDK reads to count updated rows (lib/connection/result/statement_type.js). */
export const STATEMENT_TYPE = { SELECT: 0x1000, INSERT: 0x3100, UPDATE: 0x3200, DELETE: 0x3300, MERGE: 0x3400, SESSION: 0x4000, DDL: 0x6000 } as const;

export interface StatementResult {
  rows: Rows;
  statementTypeId: number;
}

/** A running statement text's handle: cancel() interrupts it. */
export class QueryControl {
  canceled = false;
  private connection: DuckDBConnection | null = null;

  attach(connection: DuckDBConnection | null): void {
    this.connection = connection;
  }

  cancel(): void {
    this.canceled = true;
    this.connection?.interrupt();
  }
}

export function effectiveParameters(session: Session, statement: Record<string, ParameterValue> = {}): Record<string, ParameterValue> {
  return { ...DEFAULT_PARAMETERS, ...Object.fromEntries(session.parameters), ...statement };
}

/** Checks and normalises one parameter value; throws Snowflake's error for a bad one. */
export function checkParameter(name: string, value: unknown): ParameterValue {
  const bad = () => errors.invalidParameterValue(name, value);
  if (name === 'TIMEZONE') {
    if (typeof value !== 'string') throw bad();
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: value });
    } catch {
      throw bad();
    }
    return value;
  }
  if (name === 'STATEMENT_TIMEOUT_IN_SECONDS' || name === 'MULTI_STATEMENT_COUNT') {
    const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw bad();
    return n;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  throw bad();
}

export interface WarehouseOptions {
  duckdbPath: string;
  database: string;
  lastAltered?: Record<string, Date>;
}

const EMULATOR_SCHEMA = 'memory.sf_emulator';

export class Warehouse {
  readonly startedAt = new Date();
  private readonly running = new Set<Promise<unknown>>();
  private closed = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    readonly database: string,
  ) {}

  static async open(options: WarehouseOptions): Promise<Warehouse> {
    const instance = await DuckDBInstance.create(':memory:');
    const warehouse = new Warehouse(instance, options.database);
    const connection = await instance.connect();
    try {
      await connection.run(`ATTACH ${quoteLiteral(options.duckdbPath)} AS ${quoteIdentifier(options.database)}`);
      await warehouse.createInformationSchema(connection, options.lastAltered ?? {});
    } catch (error) {
      connection.closeSync();
      instance.closeSync();
      throw error;
    }
    connection.closeSync();
    return warehouse;
  }

  /** Snowflake-shaped INFORMATION_SCHEMA.TABLES and COLUMNS over DuckDB's catalog functions. */
  private async createInformationSchema(connection: DuckDBConnection, lastAltered: Record<string, Date>): Promise<void> {
    const db = quoteLiteral(this.database);
    const epoch = (at: Date) => `to_timestamp(${at.getTime() / 1000})`;
    await connection.run(`CREATE SCHEMA ${EMULATOR_SCHEMA}`);
    await connection.run(`CREATE TABLE ${EMULATOR_SCHEMA}.last_altered (table_schema VARCHAR, table_name VARCHAR, last_altered TIMESTAMPTZ)`);
    for (const [key, at] of Object.entries(lastAltered)) {
      // 'SCHEMA.TABLE': a table name may itself hold dots, a schema name here does not.
      const dot = key.indexOf('.');
      if (dot === -1) throw new Error(`lastAltered key '${key}' is not SCHEMA.TABLE`);
      await connection.run(
        `INSERT INTO ${EMULATOR_SCHEMA}.last_altered VALUES (${quoteLiteral(key.slice(0, dot))}, ${quoteLiteral(key.slice(dot + 1))}, ${epoch(at)})`,
      );
    }
    const started = epoch(this.startedAt);
    await connection.run(`CREATE VIEW ${EMULATOR_SCHEMA}.tables AS
      SELECT o.database_name AS TABLE_CATALOG, o.schema_name AS TABLE_SCHEMA, o.table_name AS TABLE_NAME,
             CAST(NULL AS VARCHAR) AS TABLE_OWNER, o.table_type AS TABLE_TYPE, o.row_count AS ROW_COUNT,
             CAST(NULL AS BIGINT) AS BYTES, ${started} AS CREATED,
             COALESCE(l.last_altered, ${started}) AS LAST_ALTERED, COALESCE(l.last_altered, ${started}) AS LAST_DDL,
             o.comment AS COMMENT
      FROM (
        SELECT database_name, schema_name, table_name, 'BASE TABLE' AS table_type, estimated_size AS row_count, comment
        FROM duckdb_tables() WHERE database_name = ${db}
        UNION ALL
        SELECT database_name, schema_name, view_name, 'VIEW', NULL, comment
        FROM duckdb_views() WHERE database_name = ${db} AND NOT internal
      ) o
      LEFT JOIN ${EMULATOR_SCHEMA}.last_altered l ON l.table_schema = o.schema_name AND l.table_name = o.table_name`);
    const integer = `data_type IN ('TINYINT','SMALLINT','INTEGER','BIGINT','HUGEINT','UTINYINT','USMALLINT','UINTEGER','UBIGINT','UHUGEINT')`;
    await connection.run(`CREATE VIEW ${EMULATOR_SCHEMA}.columns AS
      SELECT database_name AS TABLE_CATALOG, schema_name AS TABLE_SCHEMA, table_name AS TABLE_NAME,
             column_name AS COLUMN_NAME, column_index AS ORDINAL_POSITION, column_default AS COLUMN_DEFAULT,
             CASE WHEN is_nullable THEN 'YES' ELSE 'NO' END AS IS_NULLABLE,
             CASE
               WHEN ${integer} OR data_type LIKE 'DECIMAL%' THEN 'NUMBER'
               WHEN data_type IN ('FLOAT', 'DOUBLE') THEN 'FLOAT'
               WHEN data_type = 'VARCHAR' THEN 'TEXT'
               WHEN data_type = 'BOOLEAN' THEN 'BOOLEAN'
               WHEN data_type = 'DATE' THEN 'DATE'
               WHEN data_type = 'TIME' THEN 'TIME'
               WHEN data_type IN ('TIMESTAMP', 'TIMESTAMP_S', 'TIMESTAMP_MS', 'TIMESTAMP_NS') THEN 'TIMESTAMP_NTZ'
               WHEN data_type = 'TIMESTAMP WITH TIME ZONE' THEN 'TIMESTAMP_TZ'
               WHEN data_type = 'BLOB' THEN 'BINARY'
               WHEN data_type LIKE '%[]' THEN 'ARRAY'
               WHEN data_type LIKE 'STRUCT%' OR data_type LIKE 'MAP%' THEN 'OBJECT'
               ELSE 'VARIANT'
             END AS DATA_TYPE,
             CASE WHEN data_type = 'VARCHAR' THEN 16777216 END AS CHARACTER_MAXIMUM_LENGTH,
             CASE WHEN ${integer} THEN 38 WHEN data_type LIKE 'DECIMAL%' THEN numeric_precision END AS NUMERIC_PRECISION,
             CASE WHEN ${integer} THEN 0 WHEN data_type LIKE 'DECIMAL%' THEN numeric_scale END AS NUMERIC_SCALE,
             comment AS COMMENT
      FROM duckdb_columns() WHERE database_name = ${db}`);
  }

  /** The stored spelling of a schema of the emulated database, matched case-insensitively. */
  async findSchema(name: string): Promise<string | null> {
    return this.withConnection(async (connection) => {
      const reader = await connection.runAndReadAll(
        `SELECT schema_name FROM duckdb_schemas() WHERE database_name = ${quoteLiteral(this.database)} AND lower(schema_name) = lower(${quoteLiteral(name)}) ORDER BY schema_name = ${quoteLiteral(name)} DESC LIMIT 1`,
      );
      const row = reader.getRows()[0];
      return row ? String(row[0]) : null;
    });
  }

  /** Runs work on a fresh connection, tracked so that close() can wait for it. */
  private async withConnection<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    if (this.closed) throw errors.execution('the emulator is closed');
    const task = (async () => {
      const connection = await this.instance.connect();
      try {
        return await work(connection);
      } finally {
        connection.closeSync();
      }
    })();
    this.running.add(task);
    try {
      return await task;
    } finally {
      this.running.delete(task);
    }
  }

  /** Points a DuckDB connection at the session's current database/schema and time zone. */
  private async applySession(connection: DuckDBConnection, session: Session, parameters: Record<string, ParameterValue>): Promise<void> {
    const timezone = String(parameters.TIMEZONE);
    try {
      await connection.run(`SET TimeZone = ${quoteLiteral(timezone)}`);
    } catch {
      await connection.run(`SET TimeZone = 'UTC'`);
    }
    if (session.database === null) await connection.run('USE memory.main');
    else if (session.schema === null) await connection.run(`USE ${quoteIdentifier(session.database)}`);
    else await connection.run(`USE ${quoteIdentifier(session.database)}.${quoteIdentifier(session.schema)}`);
  }

  /**
   * Runs a statement text for a session: counts its statements against MULTI_STATEMENT_COUNT
   * before running any, then runs them in order. `onStatement` sees each statement just before
   * it runs. Throws a SnowflakeError for the first failure.
   */
  async execute(
    session: Session,
    sqlText: string,
    statementParameters: Record<string, ParameterValue>,
    control: QueryControl,
    onStatement: (text: string) => void,
    describeOnly = false,
  ): Promise<StatementResult[]> {
    let pieces: StatementText[];
    try {
      pieces = splitStatements(sqlText);
    } catch (error) {
      if (error instanceof LexError) throw errors.syntax(sqlText, '<EOF>');
      throw error;
    }
    if (pieces.length === 0) throw new SnowflakeError('000900', '42000', 'SQL compilation error:\nEmpty SQL statement.');
    return this.withConnection(async (connection) => {
      control.attach(connection);
      try {
        let parameters = effectiveParameters(session, statementParameters);
        await this.applySession(connection, session, parameters);
        // Count first, nothing runs if the count is wrong. A piece DuckDB itself reads as
        // several statements counts as several.
        let count = 0;
        for (const piece of pieces) count += await this.countStatements(connection, session, piece);
        const desired = Number(parameters.MULTI_STATEMENT_COUNT);
        if (desired !== 0 && count !== desired) throw errors.statementCount(count, desired);

        const results: StatementResult[] = [];
        for (const piece of pieces) {
          if (control.canceled) throw errors.canceled();
          const command = this.parseCommand(piece);
          if (command) {
            onStatement(pieces.length === 1 ? sqlText : piece.text);
            await this.runCommand(session, command);
            parameters = effectiveParameters(session, statementParameters);
            await this.applySession(connection, session, parameters);
            results.push({ rows: statusRows('Statement executed successfully.'), statementTypeId: STATEMENT_TYPE.SESSION });
            continue;
          }
          const sql = rewriteForDuckdb(piece, this.rewriteContext(session));
          this.checkAccess(connection, session, piece, sql);
          onStatement(pieces.length === 1 ? sqlText : piece.text);
          results.push(await this.runStatement(connection, sql, session.database, Number(parameters.STATEMENT_TIMEOUT_IN_SECONDS), control, describeOnly));
        }
        return results;
      } finally {
        control.attach(null);
      }
    });
  }

  private parseCommand(piece: StatementText): SessionCommand | null {
    try {
      return parseSessionCommand(piece);
    } catch (error) {
      if (error instanceof CommandSyntaxError) throw errors.syntax(piece.text, error.near);
      throw error;
    }
  }

  private async countStatements(connection: DuckDBConnection, session: Session, piece: StatementText): Promise<number> {
    if (this.parseCommand(piece)) return 1;
    try {
      const extracted = await connection.extractStatements(rewriteForDuckdb(piece, this.rewriteContext(session)));
      return Math.max(1, extracted.count);
    } catch {
      // A statement DuckDB cannot parse still counts as one; its error comes when it runs.
      return 1;
    }
  }

  private rewriteContext(session: Session): RewriteContext {
    return {
      informationSchema: (view: 'TABLES' | 'COLUMNS', database: string | null) => {
        if (database === null && session.database === null) throw errors.noCurrentDatabase();
        if (database !== null && database.toUpperCase() !== this.database.toUpperCase()) throw errors.databaseMissing(database);
        return `${EMULATOR_SCHEMA}.${view.toLowerCase()}`;
      },
    };
  }

  /** Refuses a statement that touches a table the user may not read. */
  private checkAccess(connection: DuckDBConnection, session: Session, piece: StatementText, sql: string): void {
    if (session.denied.length === 0) return;
    let names: string[][];
    if (isQuery(piece)) {
      try {
        names = connection.getTableNames(sql, true).map(parseQualifiedName);
      } catch {
        names = nameChains(piece);
      }
    } else {
      names = nameChains(piece);
    }
    const same = (a: string | null | undefined, b: string) => a !== null && a !== undefined && a.toUpperCase() === b.toUpperCase();
    for (const name of names) {
      const full = name.length >= 3 ? name.slice(0, 3) : name.length === 2 ? [session.database, ...name] : [session.database, session.schema, ...name];
      for (const denied of session.denied) {
        if (same(full[0], denied[0]!) && same(full[1], denied[1]!) && same(full[2], denied[2]!)) throw errors.accessDenied(denied[2]!);
      }
    }
  }

  private async runStatement(
    connection: DuckDBConnection,
    sql: string,
    currentDatabase: string | null,
    timeoutSeconds: number,
    control: QueryControl,
    describeOnly: boolean,
  ): Promise<StatementResult> {
    let timedOut = false;
    // Snowflake treats 0 as "the maximum", two days.
    const seconds = timeoutSeconds > 0 ? timeoutSeconds : 172800;
    const timer = setTimeout(() => {
      timedOut = true;
      connection.interrupt();
    }, seconds * 1000);
    try {
      const extracted = await connection.extractStatements(sql);
      const prepared = await extracted.prepare(0);
      if (describeOnly) {
        const names = Array.from({ length: prepared.columnCount }, (_, i) => prepared.columnName(i));
        const types = Array.from({ length: prepared.columnCount }, (_, i) => prepared.columnType(i));
        return { rows: rowsFromDuckdb(names, types, []), statementTypeId: STATEMENT_TYPE.SELECT };
      }
      const result = await prepared.run();
      const names = result.columnNames();
      const types = result.columnTypes();
      const values = await result.getRows();
      if (timedOut) throw errors.timeout(seconds);
      // An interrupt can also end a statement with a result instead of an error.
      if (control.canceled) throw errors.canceled();
      const affected = () => (values[0]?.[0] as bigint | number | undefined) ?? 0;
      switch (prepared.statementType) {
        case StatementType.INSERT:
          return { rows: countRows('number of rows inserted', affected()), statementTypeId: STATEMENT_TYPE.INSERT };
        case StatementType.UPDATE:
          return { rows: countRows('number of rows updated', affected()), statementTypeId: STATEMENT_TYPE.UPDATE };
        case StatementType.DELETE:
          return { rows: countRows('number of rows deleted', affected()), statementTypeId: STATEMENT_TYPE.DELETE };
        case StatementType.MERGE_INTO:
          return { rows: countRows('number of rows merged', affected()), statementTypeId: STATEMENT_TYPE.MERGE };
        case StatementType.CREATE:
        case StatementType.DROP:
        case StatementType.ALTER:
          return { rows: statusRows('Statement executed successfully.'), statementTypeId: STATEMENT_TYPE.DDL };
        default:
          return { rows: rowsFromDuckdb(names, types, values), statementTypeId: STATEMENT_TYPE.SELECT };
      }
    } catch (error) {
      if (timedOut) throw errors.timeout(seconds);
      if (error instanceof SnowflakeError) throw error;
      if (control.canceled) throw errors.canceled();
      const message = error instanceof Error ? error.message.replace(/^Failed to extract statements: /, '') : String(error);
      throw fromDuckdb(new Error(message), sql, currentDatabase);
    } finally {
      clearTimeout(timer);
    }
  }

  private async runCommand(session: Session, command: SessionCommand): Promise<void> {
    switch (command.kind) {
      case 'alter-session-set':
        for (const [name, value] of Object.entries(command.values)) session.parameters.set(name, checkParameter(name, value));
        return;
      case 'alter-session-unset':
        for (const name of command.names) session.parameters.delete(name);
        return;
      case 'use':
        return this.use(session, command.object, command.name);
    }
  }

  /** USE DATABASE / SCHEMA / ROLE / WAREHOUSE, as in Snowflake (USE DATABASE also selects PUBLIC). */
  private async use(session: Session, object: 'DATABASE' | 'SCHEMA' | 'ROLE' | 'WAREHOUSE', name: string[]): Promise<void> {
    const [first, second] = name as [string, string | undefined];
    if (object === 'ROLE') session.role = first;
    else if (object === 'WAREHOUSE') session.warehouse = first;
    else if (object === 'DATABASE') {
      if (first.toUpperCase() !== this.database.toUpperCase()) throw errors.useMissing();
      session.database = this.database;
      session.schema = await this.findSchema('PUBLIC');
    } else {
      const database = second === undefined ? session.database : first;
      const schemaName = second ?? first;
      if (database === null || database.toUpperCase() !== this.database.toUpperCase()) throw errors.useMissing();
      const schema = await this.findSchema(schemaName);
      if (schema === null) throw errors.useMissing();
      session.database = this.database;
      session.schema = schema;
    }
  }

  /** Waits for what runs (the server cancels its queries first) and closes DuckDB. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.running]);
    this.instance.closeSync();
  }
}
