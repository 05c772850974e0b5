import { VigilError, messageOf, type WarehouseErrorKind } from '../../src/domain/errors.js';
import { networkFailure, warehouseError } from '../shared/classify.js';

const KIND_BY_ERRNO: Readonly<Record<number, WarehouseErrorKind>> = {
  1045: 'auth', // ER_ACCESS_DENIED_ERROR: wrong user or password
  1049: 'auth', // ER_BAD_DB_ERROR: the database does not exist
  1044: 'permission', // ER_DBACCESS_DENIED_ERROR
  1142: 'permission', // ER_TABLEACCESS_DENIED_ERROR
  1143: 'permission', // ER_COLUMNACCESS_DENIED_ERROR
  1227: 'permission', // ER_SPECIFIC_ACCESS_DENIED_ERROR
  1969: 'timeout', // MariaDB ER_STATEMENT_TIMEOUT (max_statement_time)
  3024: 'timeout', // MySQL ER_QUERY_TIMEOUT (max_execution_time)
  1317: 'timeout', // ER_QUERY_INTERRUPTED
  1040: 'network', // ER_CON_COUNT_ERROR: too many connections
  1053: 'network', // ER_SERVER_SHUTDOWN
  1205: 'network', // ER_LOCK_WAIT_TIMEOUT: worth retrying
  1213: 'network', // ER_LOCK_DEADLOCK: worth retrying
  2013: 'network', // CR_SERVER_LOST
};

const KIND_BY_CODE: Readonly<Record<string, WarehouseErrorKind>> = {
  PROTOCOL_SEQUENCE_TIMEOUT: 'timeout',
  PROTOCOL_CONNECTION_LOST: 'network',
  PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR: 'network',
};

const HINT_BY_ERRNO: Readonly<Record<number, string>> = {
  1792: 'Vigil runs every query read-only',
  1142: 'grant the user SELECT on the table',
  1969: 'the query ran past query_timeout_seconds',
  3024: 'the query ran past query_timeout_seconds',
};

/** A mysql2 failure as a VigilError whose kind decides retries and whose message says what to fix. */
export function classifyMysqlError(error: unknown, where: string): VigilError {
  if (error instanceof VigilError) return error;
  const network = networkFailure(error, where);
  if (network !== undefined) return network;
  const { errno, code } = error as { errno?: unknown; code?: unknown };
  const message = messageOf(error);
  if (typeof code === 'string' && KIND_BY_CODE[code] !== undefined) {
    return warehouseError(where, KIND_BY_CODE[code], `${message} (${code})`, error);
  }
  if (typeof errno === 'number') {
    const hint = HINT_BY_ERRNO[errno];
    const detail = `${message} (${typeof code === 'string' ? code : 'error'} ${errno})${hint === undefined ? '' : `: ${hint}`}`;
    return warehouseError(where, KIND_BY_ERRNO[errno] ?? 'sql', detail, error);
  }
  if (/timeout|timed out/i.test(message)) return warehouseError(where, 'timeout', message, error);
  return warehouseError(where, 'sql', message, error);
}
