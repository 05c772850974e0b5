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
  type: 'postgres' | 'mysql' | 'redshift';
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

/** Snowflake through snowflake-sdk: a password or a key pair. */
export interface SnowflakeWarehouseConfig extends WarehouseCommon {
  type: 'snowflake';
  /** The account identifier, e.g. myorg-myaccount or xy12345.eu-central-1. */
  account: string;
  user: string;
  password?: string | undefined;
  /** Absolute path of a PEM private key (PKCS#8) for key-pair authentication. */
  private_key_path?: string | undefined;
  private_key_passphrase?: string | undefined;
  role?: string | undefined;
  warehouse?: string | undefined;
  database?: string | undefined;
  schema?: string | undefined;
  /** QUERY_TAG of every query, to find Vigil's in QUERY_HISTORY. */
  query_tag: string;
  /** The endpoint instead of https://ACCOUNT.snowflakecomputing.com (PrivateLink, a proxy). */
  access_url?: string | undefined;
}

/** BigQuery through @google-cloud/bigquery. */
export interface BigQueryWarehouseConfig extends WarehouseCommon {
  type: 'bigquery';
  /** The project whose jobs run (and are billed); tables of other projects take three parts. */
  project: string;
  /** Where jobs run, e.g. US, EU or europe-west3; BigQuery picks from the tables when absent. */
  location?: string | undefined;
  /** Absolute path of a service-account key file; without one, application default credentials. */
  key_file?: string | undefined;
  /** A query that would bill more bytes than this fails instead of running. */
  maximum_bytes_billed?: number | undefined;
  /** Labels on every job, to find Vigil's in INFORMATION_SCHEMA.JOBS and in the bill. */
  labels: Record<string, string>;
  /** The API root instead of https://bigquery.googleapis.com (Private Service Connect, an emulator). */
  api_endpoint?: string | undefined;
}

export type WarehouseConfig = ServerWarehouseConfig | FileWarehouseConfig | SnowflakeWarehouseConfig | BigQueryWarehouseConfig;

/** A warehouse as the engine knows it: its name in the config and its settings. */
export interface Warehouse {
  name: string;
  config: WarehouseConfig;
}
