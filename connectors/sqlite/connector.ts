import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Cell, Connector, QueryResult } from '../../src/domain/connector.js';
import type { FileWarehouseConfig } from '../../src/domain/warehouse.js';
import { describeWarehouse } from '../shared/classify.js';
import { missingFile, seedOnce } from '../shared/seed-file.js';
import { classifySqliteError } from './errors.js';

function toCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'bigint') return Number(value);
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return String(value);
}

/**
 * A SQLite file, opened read-only with query_only on. better-sqlite3 prepares exactly one
 * statement, so nothing can be chained after a query. Queries run synchronously: SQLite has
 * no way to cancel one from outside, so query_timeout_seconds does not apply here.
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

  let db: Database.Database;
  try {
    db = new Database(config.path, {
      readonly: true,
      fileMustExist: true,
      timeout: Math.round(config.connect_timeout_seconds * 1000),
    });
    db.pragma('query_only = ON');
  } catch (error) {
    throw classifySqliteError(error, where);
  }

  const run = async (sql: string): Promise<QueryResult> => {
    try {
      const statement = db.prepare(sql);
      if (!statement.reader) throw new Error('the statement returns no rows; a metric query must be a SELECT');
      statement.raw(true);
      const rows = statement.all() as unknown[][];
      return {
        columns: statement.columns().map((column) => column.name),
        rows: rows.map((row) => row.map(toCell)),
      };
    } catch (error) {
      throw classifySqliteError(error, where);
    }
  };

  return {
    query: run,
    queryReadOnly: run,
    async close() {
      db.close();
    },
  };
}
