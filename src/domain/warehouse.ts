import type { WarehouseType } from './connector.js';

/** Settings every warehouse shares. */
export interface WarehouseCommon {
  type: WarehouseType;
  /** Queries run at once against this warehouse, at most. */
  max_concurrency: number;
  /** A query running longer than this is cancelled. */
  query_timeout_seconds: number;
  /** Giving up on connecting after this long. */
  connect_timeout_seconds: number;
}

/** A network warehouse reached by URL or by host, port, user, password and database. */
export interface ServerWarehouseConfig extends WarehouseCommon {
  type: 'postgres' | 'mysql';
  url?: string | undefined;
  host?: string | undefined;
  port?: number | undefined;
  user?: string | undefined;
  password?: string | undefined;
  database?: string | undefined;
  /** true for TLS with certificate checks; { reject_unauthorized: false } to skip them. */
  ssl?: boolean | { reject_unauthorized?: boolean | undefined; ca?: string | undefined } | undefined;
  /** Shown in the warehouse's session list (application_name on Postgres). */
  query_tag: string;
}

/** An in-process warehouse stored in one file. */
export interface FileWarehouseConfig extends WarehouseCommon {
  type: 'sqlite' | 'duckdb';
  /** Absolute path of the database file. */
  path: string;
  /** Absolute path of SQL run once to create the database when the file does not exist. */
  seed?: string | undefined;
  /** DuckDB: whether queries may read files and URLs outside the database (views over Parquet). */
  external_access?: boolean | undefined;
}

export type WarehouseConfig = ServerWarehouseConfig | FileWarehouseConfig;

/** A warehouse as the engine knows it: its name in the config and its settings. */
export interface Warehouse {
  name: string;
  config: WarehouseConfig;
}
