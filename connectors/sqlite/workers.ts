import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { QueryResult } from '../../src/domain/connector.js';
import { workerSource, type SqliteWorkerData, type SqliteWorkerReply } from './worker-main.js';

/** A query thread gave up: the query ran too long, or the thread died. */
export class SqliteThreadError extends Error {
  constructor(
    message: string,
    readonly reason: 'timeout' | 'crashed',
  ) {
    super(message);
  }
}

interface Pending {
  resolve(result: QueryResult): void;
  reject(error: unknown): void;
}

interface Thread {
  worker: Worker;
  /** The query it is running, if any. */
  busy: { id: number; pending: Pending; timer: NodeJS.Timeout } | undefined;
}

export interface SqliteWorkersOptions {
  path: string;
  /** Threads at most; each has its own connection. */
  size: number;
  queryTimeoutMs: number;
  busyTimeoutMs: number;
}

const driver = createRequire(import.meta.url).resolve('better-sqlite3');

/**
 * SQLite queries on worker threads, one connection each, so that a query blocks neither the
 * event loop (timers, the API, other warehouses) nor the other queries. Threads start on
 * first use, up to `size`. SQLite cannot stop a statement from outside: a query past its
 * timeout is answered with a timeout at once and its thread is let go (it ends when the
 * statement does, and never holds the process open); a new thread takes its place.
 */
export class SqliteWorkers {
  private readonly threads: Thread[] = [];
  private readonly queue: Array<{ sql: string; pending: Pending }> = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: SqliteWorkersOptions) {}

  /** Starts every thread now, so the first queries need not wait for one to load. */
  start(): void {
    while (!this.closed && this.spawn() !== undefined);
  }

  query(sql: string): Promise<QueryResult> {
    if (this.closed) return Promise.reject(new Error('the connector is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ sql, pending: { resolve, reject } });
      this.dispatch();
    });
  }

  /** Stops every thread; queries still waiting or running are refused. */
  async close(): Promise<void> {
    this.closed = true;
    for (const { pending } of this.queue.splice(0)) pending.reject(new Error('the connector was closed'));
    const threads = this.threads.splice(0);
    for (const thread of threads) {
      if (thread.busy !== undefined) {
        clearTimeout(thread.busy.timer);
        thread.busy.pending.reject(new Error('the connector was closed'));
        thread.busy = undefined;
      }
    }
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const thread = this.threads.find((t) => t.busy === undefined) ?? this.spawn();
      if (thread === undefined) return;
      const { sql, pending } = this.queue.shift()!;
      const id = this.nextId++;
      const timer = setTimeout(() => this.abandon(thread, new SqliteThreadError(`the query ran past ${this.options.queryTimeoutMs / 1000}s`, 'timeout')), this.options.queryTimeoutMs);
      thread.busy = { id, pending, timer };
      thread.worker.postMessage({ id, sql });
    }
  }

  private spawn(): Thread | undefined {
    if (this.threads.length >= this.options.size) return undefined;
    const workerData: SqliteWorkerData = { driver, path: this.options.path, busyTimeoutMs: this.options.busyTimeoutMs };
    const worker = new Worker(workerSource, { eval: true, workerData });
    const thread: Thread = { worker, busy: undefined };
    worker.on('message', (reply: SqliteWorkerReply) => this.answer(thread, reply));
    worker.on('error', (error) => this.abandon(thread, new SqliteThreadError(`the query thread failed: ${error.message}`, 'crashed')));
    worker.on('exit', (code) => this.abandon(thread, new SqliteThreadError(`the query thread exited (code ${code})`, 'crashed')));
    this.threads.push(thread);
    return thread;
  }

  private answer(thread: Thread, reply: SqliteWorkerReply): void {
    const busy = thread.busy;
    if (busy === undefined || busy.id !== reply.id) return;
    clearTimeout(busy.timer);
    thread.busy = undefined;
    if ('error' in reply) busy.pending.reject(Object.assign(new Error(reply.error.message), reply.error.code === undefined ? {} : { code: reply.error.code }));
    else busy.pending.resolve({ columns: reply.columns, rows: reply.rows });
    this.dispatch();
  }

  /** A thread that timed out or died: its query fails, it is dropped, waiting work goes on. */
  private abandon(thread: Thread, error: SqliteThreadError): void {
    const index = this.threads.indexOf(thread);
    if (index === -1) return;
    this.threads.splice(index, 1);
    if (thread.busy !== undefined) {
      clearTimeout(thread.busy.timer);
      thread.busy.pending.reject(error);
      thread.busy = undefined;
    }
    thread.worker.removeAllListeners('message');
    thread.worker.unref();
    void thread.worker.terminate();
    if (!this.closed) this.dispatch();
  }
}
