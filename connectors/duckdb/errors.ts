import { VigilError, messageOf, type WarehouseErrorKind } from '../../src/domain/errors.js';
import { warehouseError } from '../shared/classify.js';

/** DuckDB reports failures as "<Kind> Error: ..."; the kind tells what went wrong. */
const KIND_BY_PREFIX: ReadonlyArray<[RegExp, WarehouseErrorKind]> = [
  [/^IO Error: Could not set lock|Conflicting lock/i, 'timeout'],
  [/^IO Error/i, 'network'],
  [/^INTERRUPT Error|Interrupted/i, 'timeout'],
  [/^Permission Error/i, 'permission'],
];

export function classifyDuckdbError(error: unknown, where: string): VigilError {
  if (error instanceof VigilError) return error;
  const message = messageOf(error);
  const kind = KIND_BY_PREFIX.find(([pattern]) => pattern.test(message))?.[1] ?? 'sql';
  const hint = /read-only mode/.test(message) ? ': Vigil opens DuckDB warehouses read-only' : '';
  return warehouseError(where, kind, `${message}${hint}`, error);
}
