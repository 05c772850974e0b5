import {
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBValue,
} from '@duckdb/node-api';

/**
 * DuckDB results as BigQuery's REST API writes them: schema fields with the legacy type names
 * the API uses in schemas (INTEGER, FLOAT, BOOLEAN ...), and every value as a string in
 * `rows[].f[].v`, null as null.
 */

export interface TableFieldSchema {
  name: string;
  type: string;
  mode: 'NULLABLE' | 'REQUIRED' | 'REPEATED';
}

export interface TableRow {
  f: Array<{ v: unknown }>;
}

const DECIMAL = /^DECIMAL\((\d+),\s*(\d+)\)$/;

/**
 * The type name BigQuery's schemas use for a DuckDB type (as DuckDBType.toString() and
 * duckdb_columns().data_type spell it). DECIMAL(p,s) is NUMERIC while s <= 9 and p <= 38,
 * BIGNUMERIC beyond; TIMESTAMPTZ plays TIMESTAMP and TIMESTAMP plays DATETIME.
 */
export function schemaType(duckType: string): string {
  const decimal = DECIMAL.exec(duckType);
  if (decimal) return Number(decimal[2]) <= 9 && Number(decimal[1]) <= 38 ? 'NUMERIC' : 'BIGNUMERIC';
  switch (duckType) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INTEGER':
    case 'BIGINT':
    case 'HUGEINT':
    case 'UTINYINT':
    case 'USMALLINT':
    case 'UINTEGER':
    case 'UBIGINT':
    case 'UHUGEINT':
      return 'INTEGER';
    case 'FLOAT':
    case 'DOUBLE':
      return 'FLOAT';
    case 'BOOLEAN':
      return 'BOOLEAN';
    case 'TIMESTAMP WITH TIME ZONE':
      return 'TIMESTAMP';
    case 'TIMESTAMP':
    case 'TIMESTAMP_S':
    case 'TIMESTAMP_MS':
    case 'TIMESTAMP_NS':
      return 'DATETIME';
    case 'DATE':
      return 'DATE';
    case 'TIME':
      return 'TIME';
    case 'BLOB':
      return 'BYTES';
    case 'JSON':
      return 'JSON';
    default:
      return 'STRING';
  }
}

export function fieldSchema(name: string, duckType: string, nullable = true): TableFieldSchema {
  if (duckType.endsWith('[]')) return { name, type: schemaType(duckType.slice(0, -2)), mode: 'REPEATED' };
  return { name, type: schemaType(duckType), mode: nullable ? 'NULLABLE' : 'REQUIRED' };
}

export interface EncodeOptions {
  /** formatOptions.useInt64Timestamp: TIMESTAMP as microseconds instead of float seconds. */
  int64Timestamp: boolean;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/** 2024-01-02T03:04:05.123456 (fraction only when there is one), as BigQuery writes DATETIME. */
function datetimeText(micros: bigint): string {
  const seconds = floorDiv(micros, 1_000_000n);
  const fraction = micros - seconds * 1_000_000n;
  const text = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return fraction === 0n ? text : `${text}.${fraction.toString().padStart(6, '0')}`;
}

/** 1.7041647451234E9: float seconds in the exponent form BigQuery uses without useInt64Timestamp. */
function floatSecondsText(micros: bigint): string {
  return (Number(micros) / 1e6).toExponential().replace('e+', 'E').replace('e-', 'E-');
}

/** 12.50 -> 12.5, 10.00 -> 10: BigQuery's NUMERIC has no declared scale per value. */
function decimalText(value: DuckDBDecimalValue): string {
  const text = value.toString();
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

function floatText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return String(value);
}

export function encodeValue(value: DuckDBValue, type: string, options: EncodeOptions): unknown {
  if (value === null) return null;
  if (value instanceof DuckDBListValue) return value.items.map((item) => ({ v: encodeValue(item, type, options) }));
  switch (type) {
    case 'FLOAT':
      return floatText(Number(value));
    case 'NUMERIC':
    case 'BIGNUMERIC':
      return value instanceof DuckDBDecimalValue ? decimalText(value) : String(value);
    case 'BOOLEAN':
      return value ? 'true' : 'false';
    case 'TIMESTAMP':
      if (value instanceof DuckDBTimestampTZValue) return options.int64Timestamp ? value.micros.toString() : floatSecondsText(value.micros);
      return String(value);
    case 'DATETIME':
      if (value instanceof DuckDBTimestampValue) return datetimeText(value.micros);
      return String(value).replace(' ', 'T');
    case 'DATE':
      return value instanceof DuckDBDateValue ? value.toString() : String(value);
    case 'BYTES':
      return value instanceof DuckDBBlobValue ? Buffer.from(value.bytes).toString('base64') : String(value);
    default:
      return String(value);
  }
}

export function encodeRows(rows: DuckDBValue[][], fields: TableFieldSchema[], options: EncodeOptions): TableRow[] {
  return rows.map((row) => ({ f: row.map((value, i) => ({ v: encodeValue(value, fields[i]?.type ?? 'STRING', options) })) }));
}
