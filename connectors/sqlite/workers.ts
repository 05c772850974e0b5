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

interface Waiting {
  sql: string;
  pending: Pending;
}

interface Sent extends Waiting {
  id: number;
  /** When it was posted to the thread (epoch ms). */
  postedAt: number;
}

interface Thread {
  worker: Worker;
  /** Posted to it and not answered yet, oldest first: the first is running, the others wait in its port. */
  sent: Sent[];
  /** The running query's timeout. */
  timer: NodeJS.Timeout | undefined;
}

export interface SqliteWorkersOptions {
  path: string;
  /** Threads at most; each has its own connection. */
  size: number;
  /**
   * Queries posted to a thread at once (default 1). With 2, a thread has its next query in
   * hand when it finishes one, instead of idling for the round trip to the event loop.
   */
  depth?: number;
  queryTimeoutMs: number;
  busyTimeoutMs: number;
}

const epochMs = () => performance.timeOrigin + performance.now();

const driver = createRequire(import.meta.url).resolve('better-sqlite3');

/**
 * SQLite queries on worker threads, one connection each, so that a query blocks neither the
 * event loop (timers, the API, other warehouses) nor the other queries. Threads start on
 * first use, up to `size`. SQLite cannot stop a statement from outside: a query past its
 * timeout is answered with a timeout at once and its thread is let go (it ends when the
 * statement does, and never holds the process open); a new thread takes its place, and the
 * queries that were waiting behind it go back to the head of the queue (they never ran).
 */
export class SqliteWorkers {
  private readonly threads: Thread[] = [];
  private readonly queue: Waiting[] = [];
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
      clearTimeout(thread.timer);
      for (const { pending } of thread.sent.splice(0)) pending.reject(new Error('the connector was closed'));
    }
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const thread = this.threads.find((t) => t.sent.length === 0) ?? this.spawn() ?? this.leastLoaded();
      if (thread === undefined) return;
      const { sql, pending } = this.queue.shift()!;
      const id = this.nextId++;
      thread.sent.push({ id, sql, pending, postedAt: epochMs() });
      if (thread.sent.length === 1) this.arm(thread);
      thread.worker.postMessage({ id, sql });
    }
  }

  /** The thread with the fewest queries posted, if one can take another. */
  private leastLoaded(): Thread | undefined {
    let best: Thread | undefined;
    for (const t of this.threads) if (t.sent.length < (this.options.depth ?? 1) && (best === undefined || t.sent.length < best.sent.length)) best = t;
    return best;
  }

  /** Starts the timeout of the thread's running query (the first it was sent). */
  private arm(thread: Thread): void {
    const ms = this.options.queryTimeoutMs;
    thread.timer = setTimeout(() => this.abandon(thread, new SqliteThreadError(`the query ran past ${ms / 1000}s`, 'timeout')), ms);
  }

  private spawn(): Thread | undefined {
    if (this.threads.length >= this.options.size) return undefined;
    const workerData: SqliteWorkerData = { driver, path: this.options.path, busyTimeoutMs: this.options.busyTimeoutMs };
    const worker = new Worker(workerSource, { eval: true, workerData });
    const thread: Thread = { worker, sent: [], timer: undefined };
    worker.on('message', (reply: SqliteWorkerReply) => this.answer(thread, reply));
    worker.on('error', (error) => this.abandon(thread, new SqliteThreadError(`the query thread failed: ${error.message}`, 'crashed')));
    worker.on('exit', (code) => this.abandon(thread, new SqliteThreadError(`the query thread exited (code ${code})`, 'crashed')));
    this.threads.push(thread);
    return thread;
  }

  private answer(thread: Thread, reply: SqliteWorkerReply): void {
    const done = thread.sent[0];
    if (done === undefined || done.id !== reply.id) return;
    thread.sent.shift();
    clearTimeout(thread.timer);
    thread.timer = undefined;
    // The thread answers in order: the next query it was sent is running now.
    if (thread.sent.length > 0) this.arm(thread);
    if ('error' in reply) done.pending.reject(Object.assign(new Error(reply.error.message), reply.error.code === undefined ? {} : { code: reply.error.code }));
    else done.pending.resolve({ columns: reply.columns, rows: reply.rows, waitedMs: Math.max(0, reply.startedAt - done.postedAt) });
    this.dispatch();
  }

  /** A thread that timed out or died: its running query fails, it is dropped, waiting work goes on. */
  private abandon(thread: Thread, error: SqliteThreadError): void {
    const index = this.threads.indexOf(thread);
    if (index === -1) return;
    this.threads.splice(index, 1);
    clearTimeout(thread.timer);
    const [running, ...behind] = thread.sent.splice(0);
    running?.pending.reject(error);
    // The ones posted behind it never ran: first in line again, in their order.
    this.queue.unshift(...behind.map(({ sql, pending }) => ({ sql, pending })));
    thread.worker.removeAllListeners('message');
    thread.worker.unref();
    void thread.worker.terminate();
    if (!this.closed) this.dispatch();
  }
}
