import { dialectFrom, type SqlFlavour } from '../shared/metric-sql.js';

export const duckdbFlavour: SqlFlavour = {
  type: 'duckdb',
  quote: '"',
  lenientTypes: false,
  maxTableParts: 3,
  toDouble: (expr) => `CAST(${expr} AS DOUBLE)`,
  // Sessions run with TimeZone 'UTC', so a TIMESTAMP without time zone is read as UTC.
  hoursSince: (newest) => `(epoch(CURRENT_TIMESTAMP) - epoch(CAST(${newest} AS TIMESTAMPTZ))) / 3600.0`,
};

export const duckdbDialect = dialectFrom(duckdbFlavour);
