/**
 * Benchmark, issue 4's load target: 10,000 monitors on one SQLite store, scheduled hourly
 * across 500 tables of an embedded warehouse. Targets: under 300 MB resident memory, and
 * every run started within 1 s of its scheduled time.
 *
 *   npm run bench:scheduler
 *
 * What runs is the real daemon: the config is generated as YAML and read as `vigil start` reads it (loadConfigOffThread),
 * then `createApp` + `startDaemon` with the real timers, the real local scheduler, engine,
 * store (SQLite, WAL) and the real sqlite connector (better-sqlite3 on worker threads,
 * max_concurrency 2 by default, each sent its next query while it runs one). Only two
 * things are injected:
 *
 * - the clock: real time shifted by an offset, so that the next full hour is LEAD seconds
 *   away instead of up to an hour. Before each measured hour the offset is moved so that
 *   "now" is LEAD s before that hour, and `scheduler.tick()` (public) is called: that is what
 *   the scheduler's own refresh timer does at least once a minute (it re-reads the store and
 *   arms its timer for the next run). The scheduler's setTimeout then fires for real at the
 *   hour, so the runs of the second hour start ~LEAD s after the first hour's have finished.
 * - the warehouse connector (AppOptions.openConnector): the real sqlite connector, wrapped to
 *   record when each query starts and ends. Every table has one batch (20 monitors, one
 *   query), so a query's table names the 20 runs it starts.
 *
 * Scheduling lag of a run = (when its table's query started on the warehouse: when sent,
 * plus the waitedMs the connector reports, the time it waited in a thread behind another)
 * - (the scheduled hour), both on the daemon's clock. The daemon's own
 * vigil_schedule_lag_seconds histogram (measured by the engine when it sends the query) is
 * printed too, for comparison.
 *
 * Memory is sampled every 100 ms for the whole life of the daemon, start-up included. While
 * runs are stored the event loop gives timers few turns (see MemorySampler), so resident
 * memory is read from outside, by a sampling child process (/proc/PID/status VmRSS, which is what
 * process.memoryUsage().rss reports, and VmHWM, the kernel's peak); heap used is sampled in
 * process. Nothing is forced; `node --expose-gc dist/bench/scheduler-load.js` adds a post-GC
 * figure at the end.
 *
 * The warehouse, the store and the monitors' history are prepared in a child process (this
 * same file with --prepare), so that the memory measured is the daemon's, not the seeding's.
 * The history (BENCH_HISTORY points a monitor, hourly, values close to what the warehouse
 * gives, so runs are judged normal) makes the detectors' history load realistic: a fresh
 * store has none, and every monitor would just be "learning".
 *
 * Environment:
 *   BENCH_WAREHOUSE   sqlite (default) or duckdb: the embedded warehouse's kind
 *   BENCH_TABLES      tables in the warehouse (default 500); 20 monitors each
 *   BENCH_ROWS        rows a table (default 3000)
 *   BENCH_HISTORY     points of hourly history a monitor already has (default 168, a week)
 *   BENCH_HOURS       scheduled hours to go through (default 2)
 *   BENCH_LEAD        seconds between arming the scheduler and the hour (default 15)
 *   BENCH_CONCURRENCY the warehouse's max_concurrency (default: the warehouse's default, 2)
 *   BENCH_DIR         where to build (kept); default a new temp dir, removed at the end
 *   BENCH_KEEP        when set, the temp dir is kept too
 *
 * It is a benchmark: it exits 0 whether or not the targets are met (1 only if it cannot run).
 */
import { execFileSync, fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { v7 as uuidv7 } from 'uuid';
import { dialectFor, openConnector } from '../connectors/registry.js';
import { createApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config/load.js';
import { loadConfigOffThread } from '../src/config/load-off-thread.js';
import type { Clock } from '../src/domain/clock.js';
import type { Connector } from '../src/domain/connector.js';
import type { WarehouseConfig } from '../src/domain/warehouse.js';
import { startDaemon, useDaemonHeapPolicy, type Daemon } from '../src/daemon.js';
import { executeUnit } from '../src/engine/execute.js';
import { planRuns } from '../src/engine/plan.js';
import { aroundQueries, databaseBytes, flagFromEnv, heading, inChild, intFromEnv, mb, n, percentile, say } from './report.js';

const HOUR = 3_600_000;
const MONITORS_PER_TABLE = 20;
const WAREHOUSE = 'wh';
/** The embedded warehouse: sqlite (default; queries on the connector's threads) or duckdb (its own threads). */
const KIND = process.env.BENCH_WAREHOUSE === 'duckdb' ? 'duckdb' : 'sqlite';
const TARGET_RSS_MB = 300;
const TARGET_LAG_S = 1;

const TABLES = intFromEnv('BENCH_TABLES', 500, 1);
const ROWS = intFromEnv('BENCH_ROWS', 3000, 10);
const HISTORY = intFromEnv('BENCH_HISTORY', 168, 0);
const HOURS = intFromEnv('BENCH_HOURS', 2, 1);
const LEAD_S = intFromEnv('BENCH_LEAD', 15, 2);
/** The warehouse's max_concurrency; its default when unset. */
const CONCURRENCY = process.env.BENCH_CONCURRENCY === undefined ? undefined : intFromEnv('BENCH_CONCURRENCY', 2, 1);
const KEEP = flagFromEnv('BENCH_KEEP');

const sec = (ms: number) => `${(ms / 1000).toFixed(3)} s`;

// ---------------------------------------------------------------------------------------
// The warehouse and the monitors

const tableName = (t: number) => `t${String(t).padStart(3, '0')}`;

/** The 20 monitors of a table: (suffix of the name, YAML fields). */
function monitorsOfTable(table: string): Array<{ name: string; fields: string }> {
  const out: Array<{ name: string; fields: string }> = [];
  const add = (label: string, fields: string) => out.push({ name: `${table} ${label}`, fields });
  add('row_count', 'metric_type: row_count');
  add('paid row_count', `metric_type: row_count, metric_config: { where: "status = 'paid'" }`);
  for (const column of ['amount', 'qty', 'price', 'score']) {
    for (const metric of ['min', 'max', 'mean']) add(`${metric}(${column})`, `column: ${column}, metric_type: ${metric}`);
  }
  for (const column of ['amount', 'price', 'status', 'email']) add(`null_percentage(${column})`, `column: ${column}, metric_type: null_percentage`);
  add('cardinality(status)', 'column: status, metric_type: cardinality');
  add('unique_percentage(email)', 'column: email, metric_type: unique_percentage');
  if (out.length !== MONITORS_PER_TABLE) throw new Error(`expected ${MONITORS_PER_TABLE} monitors a table, built ${out.length}`);
  return out;
}

function configYaml(): string {
  const lines = [
    '# Generated by bench/scheduler-load.ts',
    'store: sqlite:./store.db',
    'api: { host: 127.0.0.1, port: 0 }',
    'warehouses:',
    `  ${WAREHOUSE}: { type: ${KIND}, path: ./warehouse.db${CONCURRENCY === undefined ? '' : `, max_concurrency: ${CONCURRENCY}`} }`,
    'monitors:',
  ];
  for (let t = 1; t <= TABLES; t++) {
    const table = tableName(t);
    for (const m of monitorsOfTable(table)) {
      lines.push(`  - { name: "${m.name}", warehouse: ${WAREHOUSE}, table: ${table}, ${m.fields}, schedule: { cadence: hourly } }`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function buildWarehouse(path: string): void {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.exec('BEGIN');
    for (let t = 1; t <= TABLES; t++) {
      const name = tableName(t);
      db.exec(`CREATE TABLE "${name}" (id INTEGER PRIMARY KEY, amount REAL, qty INTEGER, price REAL, score REAL, status TEXT, email TEXT, created_at TEXT)`);
      db.exec(`
        WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${ROWS})
        INSERT INTO "${name}" (id, amount, qty, price, score, status, email, created_at)
        SELECT i,
               CASE WHEN i % 13 = 0 THEN NULL ELSE ((i * 7919 + ${t * 31}) % 100003) / 100.0 END,
               (i * 31 + ${t}) % 50,
               CASE WHEN i % 17 = 0 THEN NULL ELSE (i % 997) * 1.5 + ${t} END,
               ((i * 2654435761) % 100000) / 1000.0,
               CASE i % 5 WHEN 0 THEN 'paid' WHEN 1 THEN 'pending' WHEN 2 THEN 'refunded' WHEN 3 THEN 'paid' ELSE NULL END,
               CASE WHEN i % 29 = 0 THEN NULL ELSE 'user' || (i % ${Math.max(1, ROWS - 50)}) || '@example.com' END,
               datetime('2025-01-01', '+' || i || ' minutes')
          FROM s`);
    }
    db.exec('COMMIT');
  } finally {
    db.close();
  }
}

/** The same tables and values in a DuckDB file. */
async function buildDuckdbWarehouse(path: string): Promise<void> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(path);
  const db = await instance.connect();
  try {
    for (let t = 1; t <= TABLES; t++) {
      const name = tableName(t);
      await db.run(`CREATE TABLE "${name}" AS
        SELECT i AS id,
               CASE WHEN i % 13 = 0 THEN NULL ELSE ((i * 7919 + ${t * 31}) % 100003) / 100.0 END AS amount,
               ((i * 31 + ${t}) % 50)::INTEGER AS qty,
               CASE WHEN i % 17 = 0 THEN NULL ELSE (i % 997) * 1.5 + ${t} END AS price,
               ((i * 2654435761) % 100000) / 1000.0 AS score,
               CASE i % 5 WHEN 0 THEN 'paid' WHEN 1 THEN 'pending' WHEN 2 THEN 'refunded' WHEN 3 THEN 'paid' ELSE NULL END AS status,
               CASE WHEN i % 29 = 0 THEN NULL ELSE 'user' || (i % ${Math.max(1, ROWS - 50)}) || '@example.com' END AS email,
               TIMESTAMP '2025-01-01' + i * INTERVAL 1 MINUTE AS created_at
          FROM range(1, ${ROWS + 1}) r(i)`);
    }
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

// ---------------------------------------------------------------------------------------
// The child: builds the warehouse, the config and the store with its history

interface Prepared {
  warehouseSeconds: number;
  warehouseBytes: number;
  configSeconds: number;
  configBytes: number;
  storeSeconds: number;
  valuesSeconds: number;
  historySeconds: number;
  historyRows: number;
  storeBytes: number;
}

async function prepare(dir: string, firstHour: number): Promise<Prepared> {
  const t0 = performance.now();
  if (KIND === 'duckdb') await buildDuckdbWarehouse(join(dir, 'warehouse.db'));
  else buildWarehouse(join(dir, 'warehouse.db'));
  const t1 = performance.now();
  const yaml = configYaml();
  writeFileSync(join(dir, 'vigil.yaml'), yaml);
  const config = loadConfig(join(dir, 'vigil.yaml'), {});
  const t2 = performance.now();

  // The store as `vigil migrate` + a first start leave it: migrated, monitors synced.
  const clock: Clock = { now: () => new Date(firstHour - (HISTORY + 2) * HOUR) };
  const app = await createApp(config, { clock });
  await app.close();
  const t3 = performance.now();

  // Each monitor's value as the engine computes it, so its history can sit around it.
  const values = new Map<string, number | null>();
  const connector = await openConnector(WAREHOUSE, config.warehouses[0]!.config);
  const dialect = dialectFor(KIND);
  for (const [, units] of planRuns(config.monitors)) {
    for (const unit of units) {
      for (const outcome of await executeUnit(unit, connector, dialect)) {
        if (!outcome.ok) throw new Error(`${outcome.monitor.name}: ${outcome.error.message}`);
        values.set(outcome.monitor.id, outcome.value);
      }
    }
  }
  await connector.close();
  const t4 = performance.now();

  // Hourly history, as the daemon would have stored it: measured a few seconds after each slot.
  let rows = 0;
  if (HISTORY > 0) {
    const store = new Database(join(dir, 'store.db'));
    try {
      store.pragma('journal_mode = WAL');
      store.pragma('synchronous = NORMAL');
      const insert = store.prepare(
        `INSERT INTO measurements (id, monitor_id, value, lower_threshold, upper_threshold, status, is_anomaly, marked_normal,
                                   incident_id, incident_metadata, scheduled_for, created_at, updated_at)
         VALUES (?, ?, ?, NULL, NULL, ?, 0, 0, NULL, NULL, ?, ?, ?)`,
      );
      let seed = 12345;
      const noise = () => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed / 0x7fffffff - 0.5; // -0.5 .. 0.5
      };
      // Hour by hour, every monitor in each, as the daemon writes them: a monitor's rows
      // end up spread over the table's pages, as they would be in a store in use.
      const write = store.transaction(() => {
        for (let k = HISTORY; k >= 1; k--) {
          const slot = firstHour - k * HOUR;
          for (const [i, monitor] of config.monitors.entries()) {
            const value = values.get(monitor.id) ?? null;
            const at = slot + 50 + i + Math.floor(Math.abs(noise()) * 1000);
            let v = value;
            if (v !== null && monitor.metricType !== 'row_count' && monitor.metricType !== 'cardinality') {
              v = v * (1 + 0.004 * noise()); // +-0.2 %
              if (monitor.metricType.endsWith('percentage')) v = Math.min(100, Math.max(0, v));
            }
            const iso = new Date(at).toISOString();
            insert.run(uuidv7({ msecs: at }), monitor.id, v, 'normal', new Date(slot).toISOString(), iso, iso);
            rows++;
          }
        }
        store.prepare(`UPDATE monitors SET status = 'normal'`).run();
      });
      write();
    } finally {
      store.close();
    }
  }
  const t5 = performance.now();
  return {
    warehouseSeconds: (t1 - t0) / 1000,
    warehouseBytes: databaseBytes(join(dir, 'warehouse.db')),
    configSeconds: (t2 - t1) / 1000,
    configBytes: Buffer.byteLength(yaml),
    storeSeconds: (t3 - t2) / 1000,
    valuesSeconds: (t4 - t3) / 1000,
    historySeconds: (t5 - t4) / 1000,
    historyRows: rows,
    storeBytes: databaseBytes(join(dir, 'store.db')),
  };
}

function prepareInChild(dir: string, firstHour: number): Promise<Prepared> {
  return inChild<Prepared>(import.meta.url, ['--prepare', dir, String(firstHour)], 'preparing');
}

// ---------------------------------------------------------------------------------------
// Measuring

/** The daemon's clock: real time, shifted by an offset the benchmark moves. */
class ShiftedClock implements Clock {
  offset = 0;
  now(): Date {
    return new Date(Date.now() + this.offset);
  }
  /** Makes "now" be `at` (epoch ms on the daemon's clock). */
  set(at: number): void {
    this.offset = at - Date.now();
  }
}

interface QueryRecord {
  hour: number;
  table: string;
  /** On the daemon's clock, epoch ms: when the warehouse took the query up (for SQLite, its thread). */
  startedAt: number;
  /** performance.now() at that start, and when the answer was back. */
  t0: number;
  t1: number;
  ok: boolean;
}

/** The real connector, recording when each query starts and ends. */
function recordingConnector(
  inner: Connector,
  sink: (record: QueryRecord) => void,
  context: () => { hour: number; clock: ShiftedClock; onStart: () => void },
): Connector {
  return aroundQueries(inner, async (sql, run) => {
    const { hour, clock, onStart } = context();
    onStart();
    const sentAt = clock.now().getTime();
    const t0 = performance.now();
    let ok = false;
    // SQLite's threads are sent their next query while they run one: it starts when the
    // thread takes it up, waitedMs after it was sent, and that is when its runs start.
    let waitedMs = 0;
    try {
      const result = await run();
      waitedMs = result.waitedMs ?? 0;
      ok = true;
      return result;
    } finally {
      const table = /FROM\s+"(t\d+)"/.exec(sql)?.[1] ?? '?';
      sink({ hour, table, startedAt: sentAt + waitedMs, t0: t0 + waitedMs, t1: performance.now(), ok });
    }
  });
}

/** Epoch ms with a fraction, so that a sample and a phase change within one ms keep their order. */
const nowMs = () => performance.timeOrigin + performance.now();

/** A phase of the run, from when it began (epoch ms). */
interface Phase {
  name: string;
  at: number;
}

interface PhasePeak {
  rss: number;
  heapUsed: number;
  samples: number;
}

/**
 * Memory, every 100 ms. Storing runs is a long chain of promises over synchronous SQLite
 * calls (the store's), so while it goes the event loop takes few timer turns and an
 * in-process setInterval can miss the peak. Hence two samplers:
 * - resident memory from outside: a child process reads this process's VmRSS (the number
 *   process.memoryUsage().rss gives) from /proc every 100 ms, and VmHWM (the kernel's own
 *   peak) at the end;
 * - heap used from inside: process.memoryUsage() every 100 ms from a timer and, during the
 *   runs, from the warehouse connector each time a query starts (at most every 100 ms).
 */
class MemorySampler {
  private timer: NodeJS.Timeout | undefined;
  private child: ReturnType<typeof fork> | undefined;
  readonly phases: Phase[] = [];
  /** In-process samples: [epoch ms, rss, heapUsed]. */
  private readonly insideSeries: Array<[number, number, number]> = [];
  inside = new Map<string, PhasePeak>();
  outside = new Map<string, PhasePeak>();
  /** The kernel's high-water mark of this process's resident memory, at the end. */
  hwm: number | null = null;
  insideSamples = 0;
  outsideSamples = 0;
  /** Longest time the event loop gave the 100 ms timer no turn. */
  maxTimerGapMs = 0;
  /** Times (performance.now()) the 100 ms timer got no turn for more than 250 ms. */
  readonly gaps: Array<{ from: number; to: number }> = [];
  private lastTimer = 0;
  private lastInside = 0;

  phase(name: string, at = nowMs()): void {
    this.phases.push({ name, at });
    this.phases.sort((a, b) => a.at - b.at);
  }

  private phaseAt(at: number): string {
    let name = 'start';
    for (const p of this.phases) if (p.at <= at) name = p.name;
    return name;
  }

  async start(): Promise<void> {
    this.phase('start');
    if (process.platform === 'linux') {
      this.child = fork(fileURLToPath(import.meta.url), ['--sample', String(process.pid)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      await new Promise<void>((resolve, reject) => {
        this.child!.once('message', () => resolve());
        this.child!.once('error', reject);
      });
    }
    this.sample();
    this.timer = setInterval(() => {
      const now = performance.now();
      if (this.lastTimer !== 0 && now - this.lastTimer > 250) this.gaps.push({ from: this.lastTimer, to: now });
      if (this.lastTimer !== 0) this.maxTimerGapMs = Math.max(this.maxTimerGapMs, now - this.lastTimer);
      this.lastTimer = now;
      this.sample();
    }, 100);
  }

  /** In-process sample, at most every 100 ms unless forced. */
  sample(force = false): { rss: number; heapUsed: number } | undefined {
    const now = performance.now();
    if (!force && now - this.lastInside < 100) return undefined;
    this.lastInside = now;
    const { rss, heapUsed } = process.memoryUsage();
    this.insideSamples++;
    this.insideSeries.push([nowMs(), rss, heapUsed]);
    return { rss, heapUsed };
  }

  /** Peaks by phase, the phases as they stand now (they may be placed after the fact). */
  private byPhase(series: ReadonlyArray<readonly [number, number, number]>): Map<string, PhasePeak> {
    const out = new Map<string, PhasePeak>();
    for (const [at, rss, heapUsed] of series) {
      const name = this.phaseAt(at);
      const p = out.get(name) ?? { rss: 0, heapUsed: 0, samples: 0 };
      p.rss = Math.max(p.rss, rss);
      p.heapUsed = Math.max(p.heapUsed, heapUsed);
      p.samples++;
      out.set(name, p);
    }
    return out;
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.inside = this.byPhase(this.insideSeries);
    const child = this.child;
    this.child = undefined;
    if (child === undefined) return;
    const report = await new Promise<{ series: Array<[number, number]>; hwm: number | null }>((resolve, reject) => {
      child.once('message', (m) => resolve(m as { series: Array<[number, number]>; hwm: number | null }));
      child.once('error', reject);
      child.send('stop');
    });
    this.hwm = report.hwm;
    this.outsideSamples = report.series.length;
    this.outside = this.byPhase(report.series.map(([at, rss]) => [at, rss, 0] as const));
  }

  /** The peak resident memory seen, and in which phase. */
  peakRss(): { rss: number; phase: string; source: string } {
    let best = { rss: 0, phase: '', source: 'in-process samples' };
    for (const [name, p] of this.outside) if (p.rss > best.rss) best = { rss: p.rss, phase: name, source: '/proc VmRSS every 100 ms' };
    for (const [name, p] of this.inside) if (p.rss > best.rss) best = { rss: p.rss, phase: name, source: 'in-process samples' };
    return best;
  }

  peakHeapUsed(): number {
    return Math.max(0, ...[...this.inside.values()].map((p) => p.heapUsed));
  }
}

/** The --sample child: reads the parent's VmRSS every 100 ms until told to stop. */
function runSampler(pid: number): void {
  const series: Array<[number, number]> = [];
  const field = (name: string): number | null => {
    try {
      const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return match === null ? null : Number(match[1]) * 1024;
    } catch {
      return null;
    }
  };
  const read = () => {
    const rss = field('VmRSS');
    if (rss !== null) series.push([Date.now(), rss]);
  };
  read();
  const timer = setInterval(read, 100);
  process.on('message', () => {
    clearInterval(timer);
    read();
    process.send!({ series, hwm: field('VmHWM') }, () => process.exit(0));
  });
  process.on('disconnect', () => process.exit(0));
  process.send!('ready');
}

interface HourResult {
  hour: number;
  scheduledFor: number;
  armMs: number;
  queries: QueryRecord[];
  /** On the daemon's clock: when the scheduler's work for the hour had all finished. */
  finishedAt: number;
  measurements: number;
  statuses: Record<string, number>;
  /** The longest time during the runs the event loop gave no timer a turn. */
  loopBlockedMs: number;
  /** How much of the warehouse file the OS page cache held 1 s before the hour (fincore), if known. */
  warehouseCached: { resident: number; size: number } | null;
}

/**
 * How much of a file is in the OS page cache, by util-linux's fincore; null where it is
 * missing. Queries on pages that are not have to wait for the disk: on machines that give
 * idle page cache back (these VMs do, within seconds), that is much of an hour's first reads.
 */
function pageCacheShare(path: string): { resident: number; size: number } | null {
  try {
    const out = execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'RES,SIZE', path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const [resident, size] = out.trim().split(/\s+/).map(Number);
    return resident === undefined || size === undefined || Number.isNaN(resident) || Number.isNaN(size) ? null : { resident, size };
  } catch {
    return null;
  }
}

async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function runHour(
  hour: number,
  scheduledFor: number,
  ctx: { app: App; daemon: Daemon; clock: ShiftedClock; records: QueryRecord[]; setHour: (h: number) => void; sampler: MemorySampler; warehousePath: string },
): Promise<HourResult> {
  const { app, daemon, clock, records, sampler } = ctx;
  const before = records.length;
  ctx.setHour(hour);
  sampler.phase(`hour ${hour}: waiting`);
  // LEAD s before the hour: the scheduler re-reads the store and arms its timer, as its
  // refresh timer does every minute.
  clock.set(scheduledFor - LEAD_S * 1000);
  const a0 = performance.now();
  await daemon.scheduler.tick();
  const armMs = performance.now() - a0;
  const cached = new Promise<HourResult['warehouseCached']>((resolve) => setTimeout(() => resolve(pageCacheShare(ctx.warehousePath)), (LEAD_S - 1) * 1000));
  await waitFor(() => records.length > before, (LEAD_S + 120) * 1000, `the first query of hour ${hour}`);
  // The runs block the event loop, so this wait ends only after them: place the phase by the first query's start.
  const runsFrom = records[before]!.t0;
  sampler.phase(`hour ${hour}: runs`, performance.timeOrigin + runsFrom);
  await daemon.scheduler.idle();
  const finishedAt = clock.now().getTime();
  const runsTo = performance.now();
  sampler.phase(`hour ${hour}: after`);
  // The timer's first turn after the runs closes the gap they made.
  await new Promise((resolve) => setTimeout(resolve, 150));
  const loopBlockedMs = Math.max(0, ...sampler.gaps.filter((g) => g.to >= runsFrom && g.from <= runsTo).map((g) => g.to - g.from));

  const iso = new Date(scheduledFor).toISOString();
  const rows = await app.db
    .selectFrom('measurements')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('scheduled_for', '=', iso)
    .groupBy('status')
    .execute();
  const statuses: Record<string, number> = {};
  let measurements = 0;
  for (const row of rows) {
    statuses[row.status] = Number(row.n);
    measurements += Number(row.n);
  }
  const errors = await app.db.selectFrom('monitors').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'error').executeTakeFirstOrThrow();
  if (Number(errors.n) > 0) statuses['monitors in error'] = Number(errors.n);
  return {
    hour,
    scheduledFor,
    armMs,
    warehouseCached: await cached,
    queries: records.slice(before).filter((r) => r.hour === hour),
    finishedAt,
    measurements,
    statuses,
    loopBlockedMs,
  };
}

function reportHour(result: HourResult): { runLags: number[] } {
  const { queries, scheduledFor } = result;
  heading(`Hour ${result.hour}: runs scheduled for ${new Date(scheduledFor).toISOString()} (daemon clock)`);
  const sorted = [...queries].sort((a, b) => a.t0 - b.t0);
  const tables = new Set(sorted.map((q) => q.table));
  const failed = sorted.filter((q) => !q.ok).length;
  say(`scheduler re-read the store and armed its timer ${LEAD_S} s before the hour in ${result.armMs.toFixed(0)} ms`);
  if (result.warehouseCached !== null) {
    const { resident, size } = result.warehouseCached;
    say(`warehouse file in the OS page cache 1 s before the hour: ${mb(resident)} of ${mb(size)} (${((100 * resident) / Math.max(1, size)).toFixed(0)}%; the rest is read from disk)`);
  }
  say(`warehouse queries: ${sorted.length} (${tables.size} tables${failed > 0 ? `, ${failed} FAILED` : ''}); measurements stored for the slot: ${n(result.measurements)} ` +
    `(${Object.entries(result.statuses).map(([k, v]) => `${k} ${n(v)}`).join(', ')})`);

  // Every run's lag: its table's query start minus the slot; each query starts 20 runs.
  const perTable = new Map<string, number>();
  for (const q of sorted) if (!perTable.has(q.table)) perTable.set(q.table, q.startedAt - scheduledFor);
  const runLags = [...perTable.values()].flatMap((lag) => Array<number>(MONITORS_PER_TABLE).fill(lag)).sort((a, b) => a - b);
  const within = runLags.filter((lag) => lag <= TARGET_LAG_S * 1000).length;
  say(`run start lag (query start - scheduled time), over ${n(runLags.length)} runs:`);
  say(`  first ${sec(runLags[0] ?? NaN)}, p50 ${sec(percentile(runLags, 50))}, p99 ${sec(percentile(runLags, 99))}, max ${sec(runLags.at(-1) ?? NaN)}`);
  say(`  started within ${TARGET_LAG_S} s: ${n(within)} of ${n(runLags.length)} runs (${((100 * within) / Math.max(1, runLags.length)).toFixed(1)}%)`);
  say(`all of the hour's runs finished (stored) ${sec(result.finishedAt - scheduledFor)} after the hour`);

  // Where the hour went: the queries first (on the connector's threads, max_concurrency at
  // once), then the storing, which waits while queries of the slot are still to start.
  if (sorted.length > 0) {
    const first = sorted[0]!;
    const last = sorted.at(-1)!;
    const queryMs = sorted.map((q) => q.t1 - q.t0).sort((a, b) => a - b);
    const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);
    const spanMs = Math.max(...sorted.map((q) => q.t1)) - first.t0;
    const lastEndOnClock = Math.max(...sorted.map((q) => q.startedAt + (q.t1 - q.t0)));
    say('where the time went:');
    say(`  before the first query (timer, dispatch, planning): ${sec(first.startedAt - scheduledFor)}`);
    say(`  warehouse queries: first start to last start ${sec(last.t0 - first.t0)}, to last end ${sec(spanMs)}; ` +
      `${(sum(queryMs) / Math.max(1, spanMs)).toFixed(2)} running at once on average`);
    say(`  per query: mean ${(sum(queryMs) / queryMs.length).toFixed(2)} ms, p50 ${percentile(queryMs, 50).toFixed(2)} ms, max ${queryMs.at(-1)!.toFixed(2)} ms`);
    say(`  after the last query (scoring and storing ${n(result.measurements)} runs): ${sec(result.finishedAt - lastEndOnClock)}`);
    say(`  longest the event loop gave timers no turn during the runs: ${sec(result.loopBlockedMs)}`);
  }
  return { runLags };
}

async function lagHistogram(daemon: Daemon): Promise<string> {
  const metric = daemon.metrics.registry.getSingleMetric('vigil_schedule_lag_seconds');
  if (metric === undefined) return '(no vigil_schedule_lag_seconds metric)';
  const data = await metric.get();
  let count = 0;
  let total = 0;
  const buckets: Array<{ le: string; value: number }> = [];
  for (const v of data.values) {
    const name = (v as { metricName?: string }).metricName ?? '';
    if (name.endsWith('_count')) count = v.value;
    else if (name.endsWith('_sum')) total = v.value;
    else if (name.endsWith('_bucket')) buckets.push({ le: String(v.labels.le), value: v.value });
  }
  const firstFull = buckets.find((b) => b.value >= count);
  const within = buckets.find((b) => b.le === String(TARGET_LAG_S));
  return `"${data.help}": ${n(count)} observations, mean ${(count === 0 ? 0 : total / count).toFixed(3)} s, ` +
    `${within === undefined ? '' : `${n(within.value)} <= ${TARGET_LAG_S} s, `}all <= ${firstFull?.le ?? '?'} s (bucket bound)`;
}

// ---------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const sampler = new MemorySampler();
  await sampler.start();
  sampler.phase('preparing (child process)');
  const baseline = process.memoryUsage();

  const monitorsTotal = TABLES * MONITORS_PER_TABLE;
  say('Vigil benchmark: scheduler load (issue 4)');
  say('=========================================');
  say(`node ${process.version}, ${process.platform}/${process.arch}`);
  say(`warehouse: embedded ${KIND === 'duckdb' ? 'DuckDB' : 'SQLite'}, ${TABLES} tables x ${n(ROWS)} rows (BENCH_TABLES, BENCH_ROWS), max_concurrency ${CONCURRENCY ?? '2 (the default)'}`);
  say(`monitors:  ${n(monitorsTotal)} (${MONITORS_PER_TABLE} a table: row_count x2, min/max/mean x4 columns, null_percentage x4, cardinality, unique_percentage), all hourly, sensitivity 5 (learned bands)`);
  say(`store:     SQLite (WAL), history ${HISTORY} hourly points a monitor already stored (BENCH_HISTORY)`);
  say(`hours:     ${HOURS} (BENCH_HOURS); the clock is moved to ${LEAD_S} s before each hour (BENCH_LEAD), then the real timers run`);

  const dir = process.env.BENCH_DIR ?? mkdtempSync(join(tmpdir(), 'vigil-bench-scheduler-'));
  mkdirSync(dir, { recursive: true });
  // A BENCH_DIR used before: only the files this benchmark writes are replaced.
  for (const file of ['warehouse.db', 'store.db', 'vigil.yaml']) {
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir, file + suffix), { force: true });
  }
  // The hours measured, on the daemon's clock: the next full hours after a real hour from now.
  const firstHour = Math.ceil(Date.now() / HOUR) * HOUR + HOUR;
  let app: App | undefined;
  let daemon: Daemon | undefined;
  try {
    heading('Preparing (in a child process)');
    const prepared = await prepareInChild(dir, firstHour);
    say(`directory: ${dir}${KEEP || process.env.BENCH_DIR !== undefined ? ' (kept)' : ' (removed at the end; BENCH_KEEP=1 keeps it)'}`);
    say(`warehouse.db: ${mb(prepared.warehouseBytes)}, built in ${prepared.warehouseSeconds.toFixed(1)} s`);
    say(`vigil.yaml:   ${mb(prepared.configBytes)}, written and validated in ${prepared.configSeconds.toFixed(1)} s`);
    say(`store.db:     migrated and synced in ${prepared.storeSeconds.toFixed(1)} s; values computed in ${prepared.valuesSeconds.toFixed(1)} s; ` +
      `${n(prepared.historyRows)} history rows written in ${prepared.historySeconds.toFixed(1)} s; ${mb(prepared.storeBytes)}`);

    heading('Starting the daemon');
    const clock = new ShiftedClock();
    clock.set(firstHour - 30 * 60_000);
    const records: QueryRecord[] = [];
    let currentHour = 0;
    const rssBefore = process.memoryUsage().rss;
    sampler.phase('start-up');
    const s0 = performance.now();
    useDaemonHeapPolicy(); // as `vigil start` does
    const config = await loadConfigOffThread(join(dir, 'vigil.yaml'), {});
    const s1 = performance.now();
    app = await createApp(config, {
      clock,
      openConnector: async (name: string, warehouseConfig: WarehouseConfig) =>
        recordingConnector(await openConnector(name, warehouseConfig), (r) => records.push(r), () => ({ hour: currentHour, clock, onStart: () => sampler.sample() })),
    });
    const s2 = performance.now();
    daemon = await startDaemon(app);
    const s3 = performance.now();
    const afterStart = sampler.sample(true)!;
    say(`loadConfigOffThread ${sec(s1 - s0)}, createApp (migrate, sync ${n(config.monitors.length)} monitors) ${sec(s2 - s1)}, startDaemon (first runs for every monitor, ops server) ${sec(s3 - s2)}`);
    say(`scheduled: ${n(daemon.scheduler.size.scheduled)} monitors; ops server at ${daemon.address}`);
    say(`rss: ${mb(baseline.rss)} at process start, ${mb(rssBefore)} before start-up, ${mb(afterStart.rss)} after (heap used ${mb(afterStart.heapUsed)})`);

    const results: HourResult[] = [];
    const allLags: number[] = [];
    for (let h = 1; h <= HOURS; h++) {
      const result = await runHour(h, firstHour + (h - 1) * HOUR, {
        app,
        daemon,
        clock,
        records,
        setHour: (x) => {
          currentHour = x;
        },
        sampler,
        warehousePath: join(dir, 'warehouse.db'),
      });
      results.push(result);
      allLags.push(...reportHour(result).runLags);
    }
    heading("The daemon's own lag metric (vigil_schedule_lag_seconds), for comparison");
    say(await lagHistogram(daemon));

    sampler.phase('end');
    const end = sampler.sample(true)!;
    let postGc: NodeJS.MemoryUsage | undefined;
    const gc = (globalThis as { gc?: () => void }).gc;
    if (typeof gc === 'function') {
      gc();
      postGc = process.memoryUsage();
    }
    await sampler.stop();

    heading('Memory, by phase (rss: /proc VmRSS every 100 ms from a sampling process; heap: in-process)');
    const names = [...new Set([...sampler.outside.keys(), ...sampler.inside.keys()])];
    say(`  ${'phase'.padEnd(28)} ${'peak rss'.padStart(10)} ${'samples'.padStart(8)}   ${'peak heap used'.padStart(14)} ${'samples'.padStart(8)}`);
    for (const name of names) {
      const out = sampler.outside.get(name);
      const ins = sampler.inside.get(name);
      say(`  ${name.padEnd(28)} ${(out === undefined ? '-' : mb(out.rss)).padStart(10)} ${String(out?.samples ?? 0).padStart(8)}   ${(ins === undefined ? '-' : mb(ins.heapUsed)).padStart(14)} ${String(ins?.samples ?? 0).padStart(8)}`);
    }
    say(`  kernel high-water mark (VmHWM) at the end: ${sampler.hwm === null ? 'n/a' : mb(sampler.hwm)}`);
    say(`  at the end: rss ${mb(end.rss)}, heap used ${mb(end.heapUsed)}${postGc === undefined ? ' (run with node --expose-gc for a post-GC figure)' : `; after gc(): rss ${mb(postGc.rss)}, heap used ${mb(postGc.heapUsed)}`}`);
    say(`  rss samples ${n(sampler.outsideSamples)}, heap samples ${n(sampler.insideSamples)}; longest the event loop gave the 100 ms timer no turn: ${sec(sampler.maxTimerGapMs)}`);

    allLags.sort((a, b) => a - b);
    const maxLag = allLags.at(-1) ?? Number.POSITIVE_INFINITY;
    const p99Lag = percentile(allLags, 99);
    const complete = results.every((r) => r.measurements === monitorsTotal && new Set(r.queries.map((q) => q.table)).size === TABLES);
    const peak = sampler.peakRss();
    // The kernel's own peak, when it is higher than any 100 ms sample caught.
    const peakRss = Math.max(peak.rss, sampler.hwm ?? 0);
    const rssOk = peakRss < TARGET_RSS_MB * 1024 * 1024;
    const lagOk = maxLag <= TARGET_LAG_S * 1000 && complete;

    heading('Summary');
    const rows: Array<[string, string, string, string]> = [
      ['peak resident memory (rss)', `${mb(peak.rss)} sampled (in "${peak.phase}"), VmHWM ${sampler.hwm === null ? 'n/a' : mb(sampler.hwm)}`, `< ${TARGET_RSS_MB} MB`, rssOk ? 'PASS' : 'MISS'],
      ['peak heap used', mb(sampler.peakHeapUsed()), '', ''],
      [`max run start lag (${n(allLags.length)} runs, ${HOURS} h)`, sec(maxLag), `<= ${TARGET_LAG_S} s`, lagOk ? 'PASS' : 'MISS'],
      ['p99 run start lag', sec(p99Lag), `<= ${TARGET_LAG_S} s`, p99Lag <= TARGET_LAG_S * 1000 ? 'ok' : 'over'],
      ['p50 run start lag', sec(percentile(allLags, 50)), '', ''],
      ...results.map((r): [string, string, string, string] => [`hour ${r.hour}: all runs finished after`, sec(r.finishedAt - r.scheduledFor), '', '']),
      ['every monitor measured once per hour', complete ? 'yes' : 'NO', '', complete ? '' : 'MISS'],
    ];
    const w0 = Math.max(...rows.map((r) => r[0].length));
    const w1 = Math.max(...rows.map((r) => r[1].length));
    const w2 = Math.max(...rows.map((r) => r[2].length));
    say(`${'figure'.padEnd(w0)}  ${'measured'.padEnd(w1)}  ${'target'.padEnd(w2)}  result`);
    for (const r of rows) say(`${r[0].padEnd(w0)}  ${r[1].padEnd(w1)}  ${r[2].padEnd(w2)}  ${r[3]}`);
    say();
    say(`overall: ${rssOk && lagOk ? 'both targets met' : `target${rssOk || lagOk ? '' : 's'} missed: ${[rssOk ? '' : 'memory', lagOk ? '' : 'lag'].filter(Boolean).join(', ')}`}`);
  } finally {
    await sampler.stop();
    if (daemon !== undefined) await daemon.stop(60_000);
    if (app !== undefined) await app.close();
    if (!KEEP && process.env.BENCH_DIR === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--sample') {
  runSampler(Number(process.argv[3]));
} else if (process.argv[2] === '--prepare') {
  const dir = process.argv[3]!;
  const firstHour = Number(process.argv[4]);
  prepare(dir, firstHour).then(
    (result) => process.send!(result, () => process.exit(0)),
    (error: unknown) => {
      process.stderr.write(`preparing failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
} else {
  main().then(
    () => {
      process.exitCode = 0;
    },
    (error: unknown) => {
      process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
