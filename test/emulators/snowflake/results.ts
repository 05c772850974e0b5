import {
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTimeValue,
  DuckDBTypeId,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';

/**
 * Snowflake's JSON result format, as the SDK reads it (lib/connection/result/column.js):
 * `rowtype` describes the columns, `rowset` holds every value as a string (or JSON null):
 * - fixed: the decimal text, with the column's scale ("12.50", "3");
 * - real: the number's text ("33.1875", "NaN", "inf");
 * - boolean: "1" / "0";
 * - date: days since 1970-01-01 ("19724");
 * - time: seconds since midnight with nine fraction digits;
 * - timestamp_ntz / timestamp_ltz: seconds since the epoch with nine fraction digits
 *   ("1704164645.123456000"); the SDK turns both into JS Dates, ntz read as UTC wall time;
 * - binary: upper-case hex.
 */
export interface RowType {
  name: string;
  database: string;
  schema: string;
  table: string;
  type: string;
  precision: number | null;
  scale: number | null;
  length: number | null;
  byteLength: number | null;
  nullable: boolean;
  collation: null;
}

export interface Rows {
  rowtype: RowType[];
  rowset: Array<Array<string | null>>;
}

const TEXT_LENGTH = 16_777_216;
const BINARY_LENGTH = 8_388_608;

function column(name: string, type: string, extra: Partial<RowType> = {}): RowType {
  return { name, database: '', schema: '', table: '', type, precision: null, scale: null, length: null, byteLength: null, nullable: true, collation: null, ...extra };
}

/** The Snowflake column type DuckDB's type maps to. DuckDB's TIMESTAMPTZ is an instant, like TIMESTAMP_LTZ (which CURRENT_TIMESTAMP returns in Snowflake). */
export function rowType(name: string, type: DuckDBType): RowType {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return column(name, 'boolean');
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      // Snowflake's integers are all NUMBER(38,0).
      return column(name, 'fixed', { precision: 38, scale: 0 });
    case DuckDBTypeId.DECIMAL:
      return column(name, 'fixed', { precision: type.width, scale: type.scale });
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return column(name, 'real');
    case DuckDBTypeId.DATE:
      return column(name, 'date');
    case DuckDBTypeId.TIME:
      return column(name, 'time', { precision: 0, scale: 9 });
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return column(name, 'timestamp_ntz', { precision: 0, scale: 9 });
    case DuckDBTypeId.TIMESTAMP_TZ:
      return column(name, 'timestamp_ltz', { precision: 0, scale: 9 });
    case DuckDBTypeId.BLOB:
      return column(name, 'binary', { length: BINARY_LENGTH, byteLength: BINARY_LENGTH });
    default:
      // VARCHAR, UUID, ENUM, and anything nested or exotic: shown as text.
      return column(name, 'text', { length: TEXT_LENGTH, byteLength: TEXT_LENGTH });
  }
}

/** `whole.fraction` with nine fraction digits, from an integer count of 10^-digits seconds. */
function epochText(units: bigint, digits: number): string {
  const perSecond = 10n ** BigInt(digits);
  let seconds = units / perSecond;
  let fraction = units % perSecond;
  if (fraction < 0n) {
    // Floor, so that the fraction is never negative (the SDK adds it to the seconds).
    fraction += perSecond;
    seconds -= 1n;
  }
  return `${seconds}.${fraction.toString().padStart(digits, '0').padEnd(9, '0')}`;
}

/** One value in Snowflake's rowset encoding for a column of `type`. */
export function cellText(value: DuckDBValue, type: DuckDBType): string | null {
  if (value === null) return null;
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return value === true ? '1' : '0';
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE: {
      const n = Number(value);
      if (Number.isNaN(n)) return 'NaN';
      if (n === Infinity) return 'inf';
      if (n === -Infinity) return '-inf';
      return String(n);
    }
    case DuckDBTypeId.DATE:
      return value instanceof DuckDBDateValue ? String(value.days) : String(value);
    case DuckDBTypeId.TIME:
      return value instanceof DuckDBTimeValue ? epochText(value.micros, 6) : String(value);
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return value instanceof DuckDBTimestampValue || value instanceof DuckDBTimestampTZValue ? epochText(value.micros, 6) : String(value);
    case DuckDBTypeId.TIMESTAMP_S:
      return value instanceof DuckDBTimestampSecondsValue ? epochText(value.seconds, 0) : String(value);
    case DuckDBTypeId.TIMESTAMP_MS:
      return value instanceof DuckDBTimestampMillisecondsValue ? epochText(value.millis, 3) : String(value);
    case DuckDBTypeId.TIMESTAMP_NS:
      return value instanceof DuckDBTimestampNanosecondsValue ? epochText(value.nanos, 9) : String(value);
    case DuckDBTypeId.BLOB:
      return value instanceof DuckDBBlobValue ? Buffer.from(value.bytes).toString('hex').toUpperCase() : String(value);
    default:
      // Integers (number or bigint), DECIMAL (its text keeps the scale: "12.50"), text.
      return String(value);
  }
}

export function rowsFromDuckdb(names: string[], types: DuckDBType[], values: DuckDBValue[][]): Rows {
  return {
    rowtype: names.map((name, i) => rowType(name, types[i]!)),
    rowset: values.map((row) => row.map((value, i) => cellText(value, types[i]!))),
  };
}

/** The one-row, one-column answer Snowflake gives for statements that return no rows. */
export function statusRows(message: string): Rows {
  return { rowtype: [column('status', 'text', { length: TEXT_LENGTH, byteLength: TEXT_LENGTH, nullable: false })], rowset: [[message]] };
}

/** DML answers a count column per kind, e.g. "number of rows deleted". */
export function countRows(label: string, count: bigint | number): Rows {
  return { rowtype: [column(label, 'fixed', { precision: 19, scale: 0, nullable: false })], rowset: [[String(count)]] };
}
