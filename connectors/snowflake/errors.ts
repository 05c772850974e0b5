import { VigilError, messageOf, type WarehouseErrorKind } from '../../src/domain/errors.js';
import { networkFailure, warehouseError } from '../shared/classify.js';

/** Snowflake's own error codes that are not plain SQL mistakes (the driver's are 4xxxxx). */
const KIND_BY_CODE: Readonly<Record<string, WarehouseErrorKind>> = {
  '390100': 'auth', // incorrect username or password
  '390144': 'auth', // JWT token is invalid: the key pair does not match
  '390101': 'auth', // user temporarily locked
  '390102': 'auth', // user locked
  '390103': 'auth', // user disabled
  '390106': 'auth', // user's password expired
  '390189': 'permission', // role in the connection settings not granted to the user
  '390201': 'permission', // database does not exist or not authorized
  '390202': 'permission', // schema does not exist or not authorized
  '390203': 'permission', // warehouse does not exist or not authorized
  '390104': 'network', // session token invalid: log in again
  '390111': 'network', // session no longer exists: log in again
  '390112': 'network', // session token expired
  '390114': 'network', // authentication token expired
  '000630': 'timeout', // STATEMENT_TIMEOUT_IN_SECONDS reached
  '000604': 'timeout', // SQL execution canceled (Vigil cancels at its timeout)
  '003001': 'permission', // SQL access control error
  '000606': 'permission', // no active warehouse in the session
  '401001': 'network', // driver: could not connect
  '402001': 'network', // driver: could not fetch a large result
  '405503': 'network', // driver: the connection is disconnected
  '407002': 'network', // driver: the session ended (expired or lost): log in again
};

const HINT_BY_CODE: Readonly<Record<string, string>> = {
  '390100': 'check user and password (or use private_key_path)',
  '390144': "the private key does not match the public key set on the user (ALTER USER ... SET RSA_PUBLIC_KEY)",
  '390189': 'grant the role to the user, or remove role from the config',
  '390201': 'check database, and that the role has USAGE on it',
  '390202': 'check schema, and that the role has USAGE on it',
  '390203': 'check warehouse, and that the role has USAGE on it',
  '000630': 'the query ran past query_timeout_seconds',
  '003001': 'grant the role SELECT on the table (and USAGE on its database and schema)',
  '000606': 'set warehouse in the config, and grant the role USAGE on it',
  '002003': 'names without quotes or spaces are matched in upper case; if the table exists, grant the role SELECT on it',
  '000904': 'names without quotes or spaces are matched in upper case',
};

/** Snowflake's codes are six digits, some with leading zeros; the driver gives numbers or strings. */
function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'number') return String(code).padStart(6, '0');
  if (typeof code === 'string' && /^\d+$/.test(code)) return code.padStart(6, '0');
  return undefined;
}

/**
 * A snowflake-sdk failure as a VigilError whose kind decides retries and whose message says
 * what to fix. `phase` tells a failure to log in from a failure of the query.
 */
export function classifySnowflakeError(error: unknown, where: string, phase: 'connect' | 'query'): VigilError {
  if (error instanceof VigilError) return error;
  const network = networkFailure(error, where) ?? networkFailure((error as { cause?: unknown } | null)?.cause, where);
  if (network !== undefined) return network;
  const message = messageOf(error).replace(/\s+/g, ' ').trim();
  const code = codeOf(error);
  const sqlState = (error as { sqlState?: unknown }).sqlState;
  if (code !== undefined) {
    const kind =
      KIND_BY_CODE[code] ??
      (sqlState === '57014' ? 'timeout' : sqlState === '42501' ? 'permission' : code.startsWith('390') ? 'auth' : code.startsWith('404') ? 'auth' : 'sql');
    const hint = HINT_BY_CODE[code];
    return warehouseError(where, kind, `${message} (${code})${hint === undefined ? '' : `: ${hint}`}`, error);
  }
  if (/timeout|timed out/i.test(message)) return warehouseError(where, 'timeout', message, error);
  return warehouseError(where, phase === 'connect' ? 'network' : 'sql', phase === 'connect' ? `cannot connect: ${message}` : message, error);
}
