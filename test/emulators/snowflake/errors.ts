import { locate } from './sql.js';

/**
 * A failure answered the way Snowflake answers it: HTTP 200, `success: false`, the error code
 * as a zero-padded string (the SDK passes it through to `err.code`), and the SQLSTATE in
 * `data.sqlState` (the SDK copies it to `err.sqlState`).
 */
export class SnowflakeError extends Error {
  constructor(
    readonly code: string,
    readonly sqlState: string,
    message: string,
    /** Snowflake's error family, shown in `data.type`. */
    readonly type: 'COMPILATION' | 'EXECUTION' = 'COMPILATION',
  ) {
    super(message);
  }
}

export const errors = {
  incorrectLogin: () => new SnowflakeError('390100', '08004', 'Incorrect username or password was specified.'),
  invalidJwt: () => new SnowflakeError('390144', '08004', 'JWT token is invalid.'),
  invalidSessionToken: () => new SnowflakeError('390104', '08001', 'Session token is invalid or expired. Please log in again.'),
  invalidMasterToken: () => new SnowflakeError('390114', '08001', 'Authentication token has expired.  The user must authenticate again.'),
  statementCount: (actual: number, desired: number) =>
    new SnowflakeError('000008', '0A000', `Actual statement count ${actual} did not match the desired statement count ${desired}.`),
  objectMissing: (name: string) => new SnowflakeError('002003', '42S02', `SQL compilation error:\nObject '${name}' does not exist or not authorized.`),
  schemaMissing: (name: string) => new SnowflakeError('002003', '02000', `SQL compilation error:\nSchema '${name}' does not exist or not authorized.`),
  databaseMissing: (name: string) => new SnowflakeError('002003', '02000', `SQL compilation error:\nDatabase '${name}' does not exist or not authorized.`),
  noCurrentDatabase: () =>
    new SnowflakeError('090105', '22000', "Cannot perform SELECT. This session does not have a current database. Call 'USE DATABASE', or use a qualified name."),
  useMissing: () => new SnowflakeError('002043', '02000', 'SQL compilation error:\nObject does not exist, or operation cannot be performed.'),
  invalidIdentifier: (sql: string, name: string) => {
    const at = locate(sql, name);
    return new SnowflakeError('000904', '42000', `SQL compilation error: error line ${at.line} at position ${at.position}\ninvalid identifier '${name}'`);
  },
  syntax: (sql: string, near: string) => {
    const at = near === '<EOF>' ? { line: sql.split('\n').length, position: sql.length - (sql.lastIndexOf('\n') + 1) } : locate(sql, near);
    return new SnowflakeError('001003', '42000', `SQL compilation error:\nsyntax error line ${at.line} at position ${at.position} unexpected '${near}'.`);
  },
  unknownFunction: (name: string) => new SnowflakeError('002140', '42601', `SQL compilation error:\nUnknown function ${name}`),
  compilation: (detail: string) => new SnowflakeError('001003', '42000', `SQL compilation error:\n${detail}`),
  accessDenied: (table: string) => new SnowflakeError('003001', '42501', `SQL access control error:\nInsufficient privileges to operate on table '${table}'`),
  // The code for a bad parameter value is the emulator's guess; the message is Snowflake's.
  invalidParameterValue: (name: string, value: unknown) =>
    new SnowflakeError('001003', '42000', `SQL compilation error:\ninvalid value [${String(value)}] for parameter '${name}'`),
  timeout: (seconds: number) =>
    new SnowflakeError('000630', '57014', `Statement reached its statement or warehouse timeout of ${seconds} second(s) and was canceled.`, 'EXECUTION'),
  canceled: () => new SnowflakeError('000604', '57014', 'SQL execution canceled', 'EXECUTION'),
  notExecuting: () => new SnowflakeError('000605', '01000', 'Identified SQL statement is not currently executing.', 'EXECUTION'),
  numericValue: (value: string) => new SnowflakeError('100038', '22018', `Numeric value '${value}' is not recognized`, 'EXECUTION'),
  execution: (detail: string) => new SnowflakeError('000603', 'XX000', `SQL execution internal error:\nProcessing aborted due to error 300010:${detail}`, 'EXECUTION'),
};

/** Snowflake shows unquoted names in upper case; DuckDB echoes them as written. */
function displayName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_$]*$/.test(name) ? name.toUpperCase() : name;
}

/** Maps a DuckDB error (prepare or run) to the error Snowflake gives for the same mistake. */
export function fromDuckdb(error: unknown, sql: string, currentDatabase: string | null): SnowflakeError {
  const full = error instanceof Error ? error.message : String(error);
  const message = full.split('\n')[0] ?? full;
  let m: RegExpExecArray | null;
  if ((m = /^Catalog Error: Table with name .+ does not exist because schema "(.+)" does not exist/.exec(message))) {
    return errors.schemaMissing(`${currentDatabase === null ? '' : `${currentDatabase}.`}${displayName(m[1]!)}`);
  }
  if ((m = /^Catalog Error: Table with name (.+?) does not exist/.exec(message))) return errors.objectMissing(displayName(m[1]!));
  if ((m = /^Catalog Error: (?:Table Function|Function) with name (.+?) does not exist/.exec(message))) return errors.unknownFunction(displayName(m[1]!));
  if ((m = /^Catalog Error: Scalar Function with name (.+?) does not exist/.exec(message))) return errors.unknownFunction(displayName(m[1]!));
  if ((m = /^Catalog Error: Schema with name (.+?) does not exist/.exec(message))) return errors.schemaMissing(displayName(m[1]!));
  if ((m = /^Binder Error: Catalog "(.+?)" does not exist/.exec(message))) return errors.databaseMissing(displayName(m[1]!));
  if ((m = /^Binder Error: Referenced (?:column|table) "?(.+?)"? not found/.exec(message))) return errors.invalidIdentifier(sql, displayName(m[1]!));
  if ((m = /^Binder Error: Values list "(?:.+?)" does not have a column named "(.+?)"/.exec(message))) return errors.invalidIdentifier(sql, displayName(m[1]!));
  if ((m = /^Parser Error: syntax error at or near "(.*)"/.exec(message))) return errors.syntax(sql, m[1]!);
  if (/^Parser Error: syntax error at end of input/.test(message)) return errors.syntax(sql, '<EOF>');
  if ((m = /^(?:Parser|Binder|Catalog) Error: (.*)$/.exec(message))) return errors.compilation(m[1]!);
  if ((m = /^Conversion Error: Could not convert string '(.*)' to /.exec(message))) return errors.numericValue(m[1]!);
  if (/^INTERRUPT Error/.test(message)) return errors.canceled();
  return errors.execution(message.replace(/^[A-Za-z ]+ Error: /, ''));
}
