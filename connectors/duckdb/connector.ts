import { existsSync } from 'node:fs';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Cell, Connector, QueryResult } from '../../src/domain/connector.js';
import { VigilError } from '../../src/domain/errors.js';
import type { FileWarehouseConfig } from '../../src/domain/warehouse.js';
import { describeWarehouse } from '../shared/classify.js';
import { missingFile, seedOnce } from '../shared/seed-file.js';
import { classifyDuckdbError } from './errors.js';

function toCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value;
  // Lists, structs, intervals: readable text for messages, bigints included.
  return JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? Number(v) : v));
}

/** Sessions in UTC. Builds without the ICU extension have no time zones and are UTC already. */
async function useUtc(connection: DuckDBConnection): Promise<void> {
  try {
    await connection.run("SET TimeZone = 'UTC'");
  } catch {
    // no ICU: TIMESTAMPTZ arithmetic is UTC
  }
}

/**
 * A DuckDB file opened in READ_ONLY access mode (so other processes may read it too) and,
 * unless external_access is set, without access to other files; a connection per
 * concurrent query, each statement prepared alone so nothing can be chained. A query past
 * query_timeout_seconds is interrupted.
 */
export async function createDuckdbConnector(name: string, config: FileWarehouseConfig): Promise<Connector> {
  const where = describeWarehouse(name, config.type);
  let instance: DuckDBInstance;
  try {
    await seedOnce(
      config.path,
      config.seed,
      where,
      async (path, sql) => {
        const writer = await DuckDBInstance.create(path);
        try {
          const connection = await writer.connect();
          await connection.run(sql);
          connection.closeSync();
        } finally {
          writer.closeSync();
        }
      },
      ['.wal'],
    );
    if (!existsSync(config.path)) throw missingFile(where, config.path);
    instance = await DuckDBInstance.create(config.path, {
      access_mode: 'READ_ONLY',
      enable_external_access: config.external_access === true ? 'true' : 'false',
    });
  } catch (error) {
    throw classifyDuckdbError(error, where);
  }

  const idle: DuckDBConnection[] = [];
  const inUtc = new WeakSet<DuckDBConnection>();
  const timeoutMs = Math.round(config.query_timeout_seconds * 1000);

  const run = async (sql: string): Promise<QueryResult> => {
    const connection = idle.pop() ?? (await instance.connect());
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      connection.interrupt();
    }, timeoutMs);
    try {
      if (!inUtc.has(connection)) {
        await useUtc(connection);
        inUtc.add(connection);
      }
      const statement = await connection.prepare(sql);
      const reader = await statement.runAndReadAll();
      return {
        columns: reader.columnNames(),
        rows: reader.getRowsJS().map((row) => row.map(toCell)),
      };
    } catch (error) {
      if (timedOut) {
        throw new VigilError('warehouse', `${where}: the query ran past query_timeout_seconds (${config.query_timeout_seconds}s) and was interrupted`, {
          kind: 'timeout',
          cause: error,
        });
      }
      throw classifyDuckdbError(error, where);
    } finally {
      clearTimeout(timer);
      idle.push(connection);
    }
  };

  return {
    query: run,
    queryReadOnly: run,
    async close() {
      for (const connection of idle.splice(0)) connection.closeSync();
      instance.closeSync();
    },
  };
}
