import { dialectFrom, identifier, nameLiteral, tableName, type SqlFlavour } from '../shared/metric-sql.js';

/** An identifier Snowflake would accept unquoted; it stores and matches such names in upper case. */
const UNQUOTED_NAME = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/**
 * Names in the config are read as Snowflake reads unquoted identifiers: `orders` is the
 * table ORDERS. A name Snowflake could not take unquoted (a space, a dash, a quote) is
 * matched exactly as written.
 */
export function snowflakeName(name: string): string {
  return UNQUOTED_NAME.test(name) ? name.toUpperCase() : name;
}

/** The INFORMATION_SCHEMA of the table's database (the session's for a shorter path), and the filter on schema and name. */
function informationSchema(flavour: SqlFlavour, table: readonly string[], view: string): { from: string; where: string } {
  tableName(flavour, table); // checks the number of parts
  const from = table.length === 3 ? `${identifier(flavour, table[0]!)}.INFORMATION_SCHEMA.${view}` : `INFORMATION_SCHEMA.${view}`;
  const schema = table.length >= 2 ? nameLiteral(flavour, table[table.length - 2]!) : 'CURRENT_SCHEMA()';
  return { from, where: `TABLE_SCHEMA = ${schema} AND TABLE_NAME = ${nameLiteral(flavour, table[table.length - 1]!)}` };
}

export const snowflakeFlavour: SqlFlavour = {
  type: 'snowflake',
  quote: '"',
  resolveName: snowflakeName,
  lenientTypes: false,
  maxTableParts: 3,
  toDouble: (expr) => `CAST(${expr} AS DOUBLE)`,
  // Sessions run with TIMEZONE = UTC, so a TIMESTAMP_NTZ is read as UTC.
  hoursSince: (newest) => `DATEDIFF('millisecond', ${newest}, CURRENT_TIMESTAMP) / 3600000`,
  columnTypeQuery: (table, column) => {
    const { from, where } = informationSchema(snowflakeFlavour, table, 'COLUMNS');
    return `SELECT DATA_TYPE FROM ${from} WHERE ${where} AND COLUMN_NAME = ${nameLiteral(snowflakeFlavour, column)}`;
  },
  // LAST_ALTERED: the last DML, DDL or background maintenance on the table.
  metadataFreshnessQuery: (table) => {
    const { from, where } = informationSchema(snowflakeFlavour, table, 'TABLES');
    return `SELECT DATEDIFF('millisecond', LAST_ALTERED, CURRENT_TIMESTAMP) / 3600000 AS "hours" FROM ${from} WHERE ${where}`;
  },
};

export const snowflakeDialect = dialectFrom(snowflakeFlavour);
