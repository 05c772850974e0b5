import type { Cell } from '../../src/domain/connector.js';

/**
 * A driver's value as a cell: numbers, text, booleans and times as they are, bigints as
 * numbers, anything else (arrays, JSON, intervals) as JSON text for messages. Each connector
 * first turns what only its driver hands over (NUMERIC text, Big, buffers) into one of these.
 */
export function plainCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value;
  if (typeof value === 'bigint') return Number(value);
  return JSON.stringify(value);
}
