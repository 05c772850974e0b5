import { dialectFrom, tableName, textLiteral, type SqlFlavour } from '../shared/metric-sql.js';

export const sqliteFlavour: SqlFlavour = {
  type: 'sqlite',
  quote: '"',
  lenientTypes: true,
  maxTableParts: 2,
  toDouble: (expr) => `CAST(${expr} AS REAL)`,
  // SQLite keeps times as ISO text or unix seconds; 'auto' reads both.
  hoursSince: (newest) => `(julianday('now') - julianday(${newest}, 'auto')) * 24.0`,
  columnTypeQuery: (table, column) => {
    tableName(sqliteFlavour, table); // checks the number of parts
    const lit = (text: string) => textLiteral(sqliteFlavour, text);
    const schema = table.length === 2 ? `, ${lit(table[0]!)}` : '';
    return `SELECT type AS data_type FROM pragma_table_info(${lit(table[table.length - 1]!)}${schema}) WHERE name = ${lit(column)}`;
  },
};

export const sqliteDialect = dialectFrom(sqliteFlavour);
