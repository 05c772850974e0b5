import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Connector, QueryResult } from '../../src/domain/connector.js';
import type { FileWarehouseConfig } from '../../src/domain/warehouse.js';
import { VigilError } from '../../src/domain/errors.js';
import { describeWarehouse } from '../shared/classify.js';
import { missingFile, seedOnce } from '../shared/seed-file.js';
import { classifySqliteError } from './errors.js';
import { SQLITE_THREAD_DEPTH } from './depth.js';
import { SqliteThreadError, SqliteWorkers } from './workers.js';

/**
 * A SQLite file, opened read-only with query_only on. better-sqlite3 prepares exactly one
 * statement, so nothing can be chained after a query. Queries run on worker threads, up to
 * max_concurrency at once (SQLite readers do not block each other), so a long one holds up
 * neither the daemon nor the other queries. SQLite cannot stop a statement from outside: a
 * query past query_timeout_seconds fails as a timeout at once, and its thread is let go.
 */
export async function createSqliteConnector(name: string, config: FileWarehouseConfig): Promise<Connector> {
  const where = describeWarehouse(name, config.type);
  try {
    await seedOnce(config.path, config.seed, where, async (path, sql) => {
      const db = new Database(path);
      try {
        db.exec(sql);
      } finally {
        db.close();
      }
    });
    if (!existsSync(config.path)) throw missingFile(where, config.path);
  } catch (error) {
    throw classifySqliteError(error, where);
  }

  // Opened here too, so that a file that is not a database fails now, with its reason.
  try {
    const probe = new Database(config.path, { readonly: true, fileMustExist: true, timeout: Math.round(config.connect_timeout_seconds * 1000) });
    probe.close();
  } catch (error) {
    throw classifySqliteError(error, where);
  }

  const workers = new SqliteWorkers({
    path: config.path,
    size: config.max_concurrency,
    depth: SQLITE_THREAD_DEPTH,
    queryTimeoutMs: Math.round(config.query_timeout_seconds * 1000),
    busyTimeoutMs: Math.round(config.connect_timeout_seconds * 1000),
  });
  workers.start();
  const run = async (sql: string): Promise<QueryResult> => {
    try {
      return await workers.query(sql);
    } catch (error) {
      if (error instanceof SqliteThreadError && error.reason === 'timeout') {
        throw new VigilError('warehouse', `${where}: the query ran past query_timeout_seconds (${config.query_timeout_seconds}s) and was abandoned`, { kind: 'timeout', cause: error });
      }
      throw classifySqliteError(error, where);
    }
  };

  return {
    query: run,
    queryReadOnly: run,
    close: () => workers.close(),
  };
}
