import { isAbsolute, resolve } from 'node:path';
import type { Warehouse, WarehouseConfig } from '../domain/warehouse.js';
import type { RawConfig } from './schema.js';
import type { StoreLocation } from './types.js';

/** File warehouses take two queries at once by default (each on its own thread); servers take four. */
const DEFAULT_CONCURRENCY = { postgres: 4, mysql: 4, redshift: 4, snowflake: 4, bigquery: 4, sqlite: 2, duckdb: 2 } as const;

/** Relative paths in the config are relative to the config file's folder. */
export function resolvePath(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

export function resolveWarehouses(raw: RawConfig, baseDir: string): Warehouse[] {
  return Object.entries(raw.warehouses).map(([name, w]) => {
    const max_concurrency = w.max_concurrency ?? DEFAULT_CONCURRENCY[w.type];
    const path = (file: string | undefined) => (file === undefined ? undefined : resolvePath(baseDir, file));
    const config: WarehouseConfig =
      w.type === 'sqlite' || w.type === 'duckdb'
        ? { ...w, max_concurrency, path: resolvePath(baseDir, w.path), seed: path(w.seed) }
        : w.type === 'snowflake'
          ? { ...w, max_concurrency, private_key_path: path(w.private_key_path) }
          : w.type === 'bigquery'
            ? { ...w, max_concurrency, key_file: path(w.key_file) }
            : { ...w, max_concurrency };
    return { name, config };
  });
}

export function resolveStore(store: string, baseDir: string): StoreLocation {
  if (store.startsWith('sqlite:')) {
    const path = store.slice('sqlite:'.length);
    return { kind: 'sqlite', path: path === ':memory:' ? path : resolvePath(baseDir, path) };
  }
  return { kind: 'postgres', url: store };
}
