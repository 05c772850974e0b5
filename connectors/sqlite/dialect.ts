import { dialectFrom, type SqlFlavour } from '../shared/metric-sql.js';

export const sqliteFlavour: SqlFlavour = {
  type: 'sqlite',
  quote: '"',
  lenientTypes: true,
  maxTableParts: 2,
  toDouble: (expr) => `CAST(${expr} AS REAL)`,
  // SQLite keeps times as ISO text or unix seconds; 'auto' reads both.
  hoursSince: (newest) => `(julianday('now') - julianday(${newest}, 'auto')) * 24.0`,
};

export const sqliteDialect = dialectFrom(sqliteFlavour);
