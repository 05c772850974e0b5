import { dialectFrom, type SqlFlavour } from '../shared/metric-sql.js';
import { postgresFlavour } from '../postgres/dialect.js';

/** Postgres' SQL, but for the time now (see hoursSince). */
export const redshiftFlavour: SqlFlavour = {
  ...postgresFlavour,
  type: 'redshift',
  // CURRENT_TIMESTAMP and NOW() run only on Redshift's leader node, never beside table data;
  // GETDATE() is the statement's start in the session's zone, which Vigil sets to UTC.
  hoursSince: (newest) =>
    `CAST(EXTRACT(EPOCH FROM GETDATE()) - EXTRACT(EPOCH FROM CAST(${newest} AS TIMESTAMP)) AS DOUBLE PRECISION) / 3600`,
};

export const redshiftDialect = dialectFrom(redshiftFlavour);
