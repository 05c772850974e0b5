import type { Connector, Dialect, WarehouseType } from '../src/domain/connector.js';
import type {
  BigQueryWarehouseConfig,
  FileWarehouseConfig,
  ServerWarehouseConfig,
  SnowflakeWarehouseConfig,
  WarehouseConfig,
} from '../src/domain/warehouse.js';
import { bigqueryDialect } from './bigquery/dialect.js';
import { duckdbDialect } from './duckdb/dialect.js';
import { mysqlDialect } from './mysql/dialect.js';
import { postgresDialect } from './postgres/dialect.js';
import { redshiftDialect } from './redshift/dialect.js';
import { snowflakeDialect } from './snowflake/dialect.js';
import { sqliteDialect } from './sqlite/dialect.js';
import { SQLITE_THREAD_DEPTH } from './sqlite/depth.js';

/**
 * Every warehouse Vigil speaks: its pure dialect, and its connector, whose module (and so
 * its driver) is imported only when a warehouse of that type is first used.
 */
interface Entry {
  dialect: Dialect;
  open(name: string, config: WarehouseConfig): Promise<Connector>;
  /**
   * Queries the engine hands each of the connector's max_concurrency connections at once
   * (default 1). SQLite's query threads take 2: the next one waits in the thread, which
   * starts it the moment it finishes one instead of idling for a round trip to the event loop.
   */
  depth?: number;
}

export const WAREHOUSES: Readonly<Record<WarehouseType, Entry>> = {
  postgres: {
    dialect: postgresDialect,
    open: async (name, config) =>
      (await import('./postgres/connector.js')).createPostgresConnector(name, config as ServerWarehouseConfig),
  },
  mysql: {
    dialect: mysqlDialect,
    open: async (name, config) =>
      (await import('./mysql/connector.js')).createMysqlConnector(name, config as ServerWarehouseConfig),
  },
  sqlite: {
    dialect: sqliteDialect,
    depth: SQLITE_THREAD_DEPTH,
    open: async (name, config) =>
      (await import('./sqlite/connector.js')).createSqliteConnector(name, config as FileWarehouseConfig),
  },
  duckdb: {
    dialect: duckdbDialect,
    open: async (name, config) =>
      (await import('./duckdb/connector.js')).createDuckdbConnector(name, config as FileWarehouseConfig),
  },
  redshift: {
    dialect: redshiftDialect,
    open: async (name, config) =>
      (await import('./redshift/connector.js')).createRedshiftConnector(name, config as ServerWarehouseConfig),
  },
  snowflake: {
    dialect: snowflakeDialect,
    open: async (name, config) =>
      (await import('./snowflake/connector.js')).createSnowflakeConnector(name, config as SnowflakeWarehouseConfig),
  },
  bigquery: {
    dialect: bigqueryDialect,
    open: async (name, config) =>
      (await import('./bigquery/connector.js')).createBigQueryConnector(name, config as BigQueryWarehouseConfig),
  },
};

export function dialectFor(type: WarehouseType): Dialect {
  return WAREHOUSES[type].dialect;
}

/** Whether the warehouse dates its tables itself, so freshness needs no timestamp column (Snowflake, BigQuery). */
export function datesItsTables(type: WarehouseType | undefined): boolean {
  return type !== undefined && WAREHOUSES[type].dialect.metadataFreshnessQuery !== undefined;
}

/** Queries the engine may have out at once on a warehouse: its max_concurrency times its connections' depth. */
export function queriesInFlight(config: WarehouseConfig): number {
  return config.max_concurrency * (WAREHOUSES[config.type].depth ?? 1);
}

export function openConnector(name: string, config: WarehouseConfig): Promise<Connector> {
  return WAREHOUSES[config.type].open(name, config);
}
