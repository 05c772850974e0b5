import { dialectFrom, type SqlFlavour } from '../shared/metric-sql.js';

export const mysqlFlavour: SqlFlavour = {
  type: 'mysql',
  quote: '`',
  lenientTypes: true,
  maxTableParts: 2,
  // `* 1e0` makes a DOUBLE on every MySQL and MariaDB version (CAST AS DOUBLE is newer).
  toDouble: (expr) => `(${expr}) * 1e0`,
  // Sessions run with time_zone '+00:00'; DATETIME values are read as UTC.
  hoursSince: (newest) => `TIMESTAMPDIFF(MICROSECOND, ${newest}, UTC_TIMESTAMP(6)) / 3600000000e0`,
};

export const mysqlDialect = dialectFrom(mysqlFlavour);
