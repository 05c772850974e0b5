import { dialectFrom, type SqlFlavour } from '../shared/metric-sql.js';

export const postgresFlavour: SqlFlavour = {
  type: 'postgres',
  quote: '"',
  lenientTypes: false,
  maxTableParts: 3,
  toDouble: (expr) => `CAST(${expr} AS DOUBLE PRECISION)`,
  // Sessions run in UTC, so a timestamp without time zone is read as UTC.
  hoursSince: (newest) =>
    `CAST(EXTRACT(EPOCH FROM (CURRENT_TIMESTAMP - CAST(${newest} AS TIMESTAMPTZ))) AS DOUBLE PRECISION) / 3600`,
};

export const postgresDialect = dialectFrom(postgresFlavour);
