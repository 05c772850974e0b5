import { VigilError, messageOf, type WarehouseErrorKind } from '../../src/domain/errors.js';
import { networkFailure, warehouseError } from '../shared/classify.js';

/** SQLSTATE classes and codes that are not plain SQL mistakes. */
const KIND_BY_SQLSTATE: Readonly<Record<string, WarehouseErrorKind>> = {
  '28P01': 'auth', // invalid_password
  '28000': 'auth', // invalid_authorization_specification
  '3D000': 'auth', // invalid_catalog_name: the database does not exist
  '42501': 'permission', // insufficient_privilege
  '57014': 'timeout', // query_canceled: statement_timeout
  '57P01': 'network', // admin_shutdown
  '57P02': 'network', // crash_shutdown
  '57P03': 'network', // cannot_connect_now
  '53300': 'network', // too_many_connections
  '40001': 'network', // serialization_failure: worth retrying
  '40P01': 'network', // deadlock_detected: worth retrying
};

const HINT_BY_SQLSTATE: Readonly<Record<string, string>> = {
  '42703': 'column names are case-sensitive in the SQL Vigil generates; write them as the table defines them',
  '42P01': 'table names are case-sensitive and may need the schema, e.g. public.orders',
  '25006': 'Vigil runs every query read-only',
  '57014': 'the query ran past query_timeout_seconds',
  '42501': 'grant the user SELECT on the table (and USAGE on its schema)',
};

function kindOf(sqlstate: string): WarehouseErrorKind {
  const direct = KIND_BY_SQLSTATE[sqlstate];
  if (direct !== undefined) return direct;
  if (sqlstate.startsWith('08')) return 'network'; // connection_exception
  if (sqlstate.startsWith('28')) return 'auth';
  return 'sql';
}

/**
 * A pg failure as a VigilError whose kind decides retries and whose message says what to
 * fix. `phase` tells a failure to connect (the warehouse is unreachable or misconfigured)
 * from a failure of the query itself.
 */
export function classifyPostgresError(error: unknown, where: string, phase: 'connect' | 'query'): VigilError {
  if (error instanceof VigilError) return error;
  const network = networkFailure(error, where);
  if (network !== undefined) return network;
  const sqlstate = (error as { code?: unknown }).code;
  const message = messageOf(error);
  if (typeof sqlstate === 'string' && /^[0-9A-Z]{5}$/.test(sqlstate)) {
    const hint = HINT_BY_SQLSTATE[sqlstate];
    const detail = `${message} (SQLSTATE ${sqlstate})${hint === undefined ? '' : `: ${hint}`}`;
    return warehouseError(where, kindOf(sqlstate), detail, error);
  }
  if (phase === 'connect') {
    // No answer while connecting, a bad url, a TLS refusal: the warehouse cannot be used.
    const kind = error instanceof TypeError ? 'auth' : 'network';
    const hint = /timeout/i.test(message) ? ': no answer within connect_timeout_seconds; check the host, port and firewall' : '';
    return warehouseError(where, kind, `cannot connect: ${message}${hint}`, error);
  }
  if (/timeout/i.test(message)) return warehouseError(where, 'timeout', message, error);
  if (/Connection terminated|connection.*(closed|ended)/i.test(message)) {
    return warehouseError(where, 'network', message, error);
  }
  return warehouseError(where, 'sql', message, error);
}
