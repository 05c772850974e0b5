import type { MetricSpec } from './metric.js';

export const WAREHOUSE_TYPES = ['postgres', 'mysql', 'sqlite', 'duckdb', 'redshift', 'snowflake', 'bigquery'] as const;
export type WarehouseType = (typeof WAREHOUSE_TYPES)[number];

/** A cell as it leaves a connector: numbers are numbers (never strings, never bigint). */
export type Cell = number | string | boolean | Date | null;

export interface QueryResult {
  columns: string[];
  rows: Cell[][];
  /** Where the connector queues queries itself (SQLite's threads): ms it waited there before it ran. */
  waitedMs?: number;
}

/** The warehouse port: one per configured warehouse, holding its pool or handle. */
export interface Connector {
  /** Runs one SELECT that Vigil generated. */
  query(sql: string): Promise<QueryResult>;
  /** Runs one user-written query in a read-only transaction or connection. */
  queryReadOnly(sql: string): Promise<QueryResult>;
  /** Releases pools and handles; the connector is unusable afterwards. */
  close(): Promise<void>;
}

/**
 * A batch query may select, beside a metric's column `alias`, the raw value it read as
 * `alias + PROBE_SUFFIX`, where the warehouse would otherwise hide a misread (see
 * SqlFlavour.lenientTypes).
 */
export const PROBE_SUFFIX = '__probe';

/** One aggregate of a batched metric query, named by its column alias. */
export interface BatchItem {
  alias: string;
  spec: MetricSpec;
}

/** The pure SQL of a warehouse: no driver, no I/O. */
export interface Dialect {
  readonly type: WarehouseType;
  /** How many parts a table path may have: 3 for database.schema.table. */
  readonly maxTableParts: number;
  /** How many parts a table path needs: 2 where a table needs its dataset (BigQuery), else 1. */
  readonly minTableParts: number;
  /** Quotes one identifier so that no name can break out of it. */
  quoteIdentifier(name: string): string;
  /** A schema-qualified table name, each part quoted. */
  tableName(path: readonly string[]): string;
  /** The aggregate expression that computes one metric over the rows of its table. */
  metricExpression(spec: MetricSpec): string;
  /** One query, one scan: a column per item, named by its alias. */
  batchQuery(table: readonly string[], items: readonly BatchItem[]): string;
  /** Wraps a user query so that at most two rows come back (one is expected). */
  customQuery(querySelect: string): string;
  /** One row with `data_type` for a column that exists; none otherwise. */
  columnTypeQuery(table: readonly string[], column: string): string;
  /** Whether a declared type (as columnTypeQuery gives it) holds numbers. */
  isNumericType(type: string): boolean;
  /**
   * Where the warehouse itself records when a table last changed (Snowflake's LAST_ALTERED,
   * BigQuery's last_modified_time): one row, one column, the hours since then, or no row
   * when the table is not there. Freshness needs no timestamp column on such warehouses.
   */
  metadataFreshnessQuery?(table: readonly string[]): string;
}
