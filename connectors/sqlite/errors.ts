import { VigilError, messageOf, type WarehouseErrorKind } from '../../src/domain/errors.js';
import { warehouseError } from '../shared/classify.js';

/** By primary result code; extended codes (SQLITE_BUSY_SNAPSHOT) fall back to theirs. */
const KIND_BY_CODE: Readonly<Record<string, WarehouseErrorKind>> = {
  SQLITE_CANTOPEN: 'network',
  SQLITE_BUSY: 'timeout',
  SQLITE_LOCKED: 'timeout',
  SQLITE_INTERRUPT: 'timeout',
  SQLITE_AUTH: 'permission',
  SQLITE_PERM: 'permission',
  SQLITE_NOTADB: 'auth',
};

export function classifySqliteError(error: unknown, where: string): VigilError {
  if (error instanceof VigilError) return error;
  const code = (error as { code?: unknown }).code;
  const message = messageOf(error);
  if (typeof code !== 'string') return warehouseError(where, 'sql', message, error);
  const primary = /^SQLITE_[A-Z]+/.exec(code)?.[0] ?? code;
  const hint = primary === 'SQLITE_READONLY' ? ': Vigil opens SQLite warehouses read-only' : '';
  return warehouseError(where, KIND_BY_CODE[primary] ?? 'sql', `${message} (${code})${hint}`, error);
}
