/**
 * What runs inside one SQLite query thread. It is shipped to the worker as source text
 * (`workerSource`), so it must stand alone: no imports, no outer names, everything through
 * the `require` it is given. The thread opens its own read-only connection and answers one
 * query at a time, in the order they came: `{ id, sql }` in, `{ id, startedAt, columns, rows }`
 * or `{ id, startedAt, error }` out, `startedAt` being when it took the query up (epoch ms).
 */

/** What the thread is started with (workerData). */
export interface SqliteWorkerData {
  /** Resolved path of the better-sqlite3 package, so the thread loads the same copy. */
  driver: string;
  path: string;
  busyTimeoutMs: number;
}

export interface SqliteWorkerRequest {
  id: number;
  sql: string;
}

export type SqliteWorkerReply =
  | { id: number; startedAt: number; columns: string[]; rows: Array<Array<string | number | null>> }
  | { id: number; startedAt: number; error: { message: string; code?: string } };

/** The thread's body. Cells are made plain here (BigInt and Buffer do not cross threads as the engine wants them). */
export function sqliteWorkerMain(require: (id: string) => unknown): void {
  type Statement = { reader: boolean; raw(on: boolean): Statement; all(): unknown[][]; columns(): Array<{ name: string }> };
  type Db = { prepare(sql: string): Statement; pragma(sql: string): unknown };
  const threads = require('node:worker_threads') as {
    parentPort: { on(event: 'message', listener: (m: SqliteWorkerRequest) => void): void; postMessage(m: SqliteWorkerReply): void };
    workerData: SqliteWorkerData;
  };
  const { parentPort, workerData } = threads;
  const Database = require(workerData.driver) as new (path: string, options: object) => Db;
  const failure = (id: number, startedAt: number, error: unknown): SqliteWorkerReply => {
    const e = error as { message?: unknown; code?: unknown };
    return { id, startedAt, error: { message: String(e?.message ?? error), ...(typeof e?.code === 'string' ? { code: e.code } : {}) } };
  };
  let db: Db | undefined;
  let openError: unknown;
  try {
    db = new Database(workerData.path, { readonly: true, fileMustExist: true, timeout: workerData.busyTimeoutMs });
    db.pragma('query_only = ON');
  } catch (error) {
    openError = error;
  }
  parentPort.on('message', ({ id, sql }) => {
    const startedAt = performance.timeOrigin + performance.now();
    if (db === undefined) return parentPort.postMessage(failure(id, startedAt, openError));
    try {
      const statement = db.prepare(sql);
      if (!statement.reader) throw new Error('the statement returns no rows; a metric query must be a SELECT');
      statement.raw(true);
      const rows = statement.all().map((row) =>
        row.map((value) => {
          if (value === null || value === undefined) return null;
          if (typeof value === 'number' || typeof value === 'string') return value;
          if (typeof value === 'bigint') return Number(value);
          if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
          return String(value);
        }),
      );
      parentPort.postMessage({ id, startedAt, columns: statement.columns().map((column) => column.name), rows });
    } catch (error) {
      parentPort.postMessage(failure(id, startedAt, error));
    }
  });
}

/** The thread's source: the function above, compiled, called with the thread's own require. */
export const workerSource = `(${sqliteWorkerMain.toString()})(require);`;
