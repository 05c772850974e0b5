import { checkIdentifier, dialectFrom, identifier, tableName, textLiteral, type SqlFlavour } from '../shared/metric-sql.js';

/**
 * BigQuery's quoted identifiers and strings take the escapes of its string literals: a
 * backslash before the quote, a doubled backslash, \n for a line break.
 */
function escapeFor(quote: '`' | "'", text: string): string {
  const escaped = text
    .replace(/\\/g, '\\\\')
    .replace(quote === '`' ? /`/g : /'/g, `\\${quote}`)
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r');
  return `${quote}${escaped}${quote}`;
}

/** The dataset a table path names, with its project when given: `project`.`dataset`. */
function dataset(table: readonly string[]): string {
  tableName(bigqueryFlavour, table); // checks the number of parts
  return table.slice(0, -1).map((part) => identifier(bigqueryFlavour, part)).join('.');
}

export const bigqueryFlavour: SqlFlavour = {
  type: 'bigquery',
  quote: '`',
  identifier: (name) => {
    checkIdentifier(name);
    return escapeFor('`', name);
  },
  literal: (text) => escapeFor("'", text),
  lenientTypes: false,
  maxTableParts: 3,
  minTableParts: 2,
  toDouble: (expr) => `CAST(${expr} AS FLOAT64)`,
  // A DATETIME or DATE is cast as UTC; a STRING must parse as a timestamp.
  hoursSince: (newest) => `TIMESTAMP_DIFF(CURRENT_TIMESTAMP(), CAST(${newest} AS TIMESTAMP), MILLISECOND) / 3600000`,
  columnTypeQuery: (table, column) =>
    `SELECT data_type FROM ${dataset(table)}.INFORMATION_SCHEMA.COLUMNS WHERE table_name = ${textLiteral(bigqueryFlavour, table[table.length - 1]!)} AND column_name = ${textLiteral(bigqueryFlavour, column)}`,
  // __TABLES__ is metadata: reading it bills no bytes.
  metadataFreshnessQuery: (table) =>
    `SELECT (UNIX_MILLIS(CURRENT_TIMESTAMP()) - last_modified_time) / 3600000 AS hours FROM ${dataset(table)}.__TABLES__ WHERE table_id = ${textLiteral(bigqueryFlavour, table[table.length - 1]!)}`,
};

export const bigqueryDialect = dialectFrom(bigqueryFlavour);
