/**
 * Benchmark, issue 5's API load target: `GET /monitor/measurements?monitor=ID` on a store
 * holding 1,000,000 measurements across 1,000 monitors, over loopback. Targets: p99 under
 * 20 ms at 500 requests a second; and the throughput at saturation, reported.
 *
 *   npm run bench:api
 *
 * What serves is the real API: the config is generated as YAML and read with loadConfig,
 * `createApp` opens the store (SQLite, WAL, migrated by the real migrations, the YAML
 * monitors synced by the real code), and the real `createServer` (fastify, the API-key hook,
 * the routes, pageMeasurements through kysely on better-sqlite3) listens on 127.0.0.1:0, as
 * the daemon's does. Every request carries an admin API key made by createApiKey, so the
 * key is checked (sha256, one lookup) on every request, as in production.
 *
 * The store is prepared in a child process (this same file with --prepare), so that neither
 * the memory nor the CPU of the seeding are the server's: createApp on the generated config
 * (migrate + sync of BENCH_MONITORS monitors on an embedded SQLite warehouse that is never
 * queried), the admin key, then BENCH_PER_MONITOR hourly measurements a monitor (1,000 is ~6
 * weeks) written as the daemon would have written them: hour by hour, every monitor in each
 * (so a monitor's rows are spread over the table's pages, as in a store in use), with v7 ids
 * from their time, the slot in scheduled_for, the first day "learning" and the rest "normal"
 * with a learned band; one transaction, one prepared statement. No ANALYZE (the daemon runs
 * none), so the query planner sees the store as a real one would be.
 *
 * The load comes from autocannon (programmatic API) in another child process (--load), so
 * that it does not share the server's event loop. Each request asks for page 1 (50 of the
 * monitor's measurements, newest first; the envelope says count = BENCH_PER_MONITOR) of a
 * monitor picked at random (setupRequest), and every response is checked to carry that
 * count (verifyBody; a wrong one is a "mismatch"). Phases:
 *   1. warm-up: one connection, back to back: the unloaded latency of one request at a time;
 *   2. fixed rate: BENCH_RATE requests a second (autocannon's overallRate) over
 *      BENCH_CONNECTIONS connections for BENCH_SECONDS;
 *   3. saturation: BENCH_SAT_CONNECTIONS connections, as fast as the server answers.
 *
 * Two things about autocannon's fixed rate, which shape how its figures read:
 * - The rate is a quota a connection may send each second (overallRate / connections), sent
 *   back to back from the start of each second, then nothing until the next one; the
 *   connections' seconds start together. So the server sees bursts of up to
 *   BENCH_CONNECTIONS requests at once, not evenly spaced arrivals: a harsher load than the
 *   same rate from many independent clients, and the latency grows with the connections.
 * - Its coordinated-omission correction gives HdrHistogram an expected interval of
 *   ceil(1 / rate) = 1 ms (the rate is per second, the latencies in ms), which adds a
 *   made-up sample at every ms below each real one. It is turned off
 *   (ignoreCoordinatedOmission): the latencies below are the requests' own, each from when
 *   it was written to the socket to its last byte, collected from autocannon's 'response'
 *   events as floats (its own histogram keeps whole ms; its p99 is printed too).
 *
 * After the load, the queries themselves: the SQL pageMeasurements sends (caught from a
 * kysely logger on a second, read-only connection), its EXPLAIN QUERY PLAN, and how long
 * each statement takes on its own, for page 1 and the last page, so that a miss can be told
 * apart between the store and the HTTP side.
 *
 * Environment:
 *   BENCH_MONITORS         monitors (default 1000)
 *   BENCH_PER_MONITOR      measurements a monitor, hourly (default 1000)
 *   BENCH_RATE             requests a second in the fixed-rate phase (default 500)
 *   BENCH_SECONDS          length of the fixed-rate phase in s (default 20); the warm-up
 *                          takes a quarter of it (at least 2 s), saturation three quarters
 *   BENCH_CONNECTIONS      connections at the fixed rate (default 10)
 *   BENCH_SAT_CONNECTIONS  connections at saturation (default 16)
 *   BENCH_DIR              where to build (kept); default a new temp dir, removed at the end
 *   BENCH_KEEP             when set, the temp dir is kept too
 *
 * It is a benchmark: it exits 0 whether or not the target is met (1 only if it cannot run).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { DaemonMetrics } from '../src/api/metrics.js';
import { createServer } from '../src/api/ops.js';
import { PAGE_SIZE } from '../src/api/pagination.js';
import { createApp, notifyTargets, type App } from '../src/app.js';
import { loadConfig } from '../src/config/load.js';
import type { Clock } from '../src/domain/clock.js';
import { DEFAULT_WORKSPACE_ID } from '../src/domain/ids.js';
import { silentLogger } from '../src/domain/logger.js';
import { createApiKey } from '../src/store/api-keys-repo.js';
import { pageMeasurements } from '../src/store/api-reads.js';
import type { StoreSchema } from '../src/store/schema.js';
import { databaseBytes, flagFromEnv, heading, inChild, intFromEnv, mb, n, percentile, say } from './report.js';

const HOUR = 3_600_000;
const MONITORS_PER_TABLE = 10;
/** Hourly points a learned band waits for (a whole day of sub-daily data): stored as "learning". */
const LEARNING_POINTS = 24;
const TARGET_P99_MS = 20;

const MONITORS = intFromEnv('BENCH_MONITORS', 1000, 1);
const PER_MONITOR = intFromEnv('BENCH_PER_MONITOR', 1000, 1);
const RATE = intFromEnv('BENCH_RATE', 500, 1);
const SECONDS = intFromEnv('BENCH_SECONDS', 20, 1);
const CONNECTIONS = intFromEnv('BENCH_CONNECTIONS', 10, 1);
const SAT_CONNECTIONS = intFromEnv('BENCH_SAT_CONNECTIONS', 16, 1);
const WARMUP_SECONDS = Math.max(2, Math.round(SECONDS / 4));
const SAT_SECONDS = Math.max(3, Math.round((SECONDS * 3) / 4));
const KEEP = flagFromEnv('BENCH_KEEP');

const TOTAL_PAGES = Math.ceil(PER_MONITOR / PAGE_SIZE);
/** What every answer's envelope carries, in the API's key order (links, meta, count, total_pages, results). */
const EXPECTED = `"count":${PER_MONITOR},"total_pages":${TOTAL_PAGES},"results":[`;

const ms = (value: number) => `${value.toFixed(2)} ms`;
const us = (valueMs: number) => `${(valueMs * 1000).toFixed(0)} us`;

// ---------------------------------------------------------------------------------------
// The child that prepares: the config, the store, the history and the key

const tableName = (t: number) => `t${String(t).padStart(4, '0')}`;

/** The monitors of a table: (name, YAML fields). */
function monitorsOfTable(table: string): Array<{ name: string; fields: string }> {
  const out = [
    { name: `${table} row_count`, fields: 'metric_type: row_count' },
    { name: `${table} paid row_count`, fields: `metric_type: row_count, metric_config: { where: "status = 'paid'" }` },
    ...['min', 'max', 'mean'].map((m) => ({ name: `${table} ${m}(amount)`, fields: `column: amount, metric_type: ${m}` })),
    { name: `${table} max(price)`, fields: 'column: price, metric_type: max' },
    { name: `${table} null_percentage(amount)`, fields: 'column: amount, metric_type: null_percentage' },
    { name: `${table} null_percentage(email)`, fields: 'column: email, metric_type: null_percentage' },
    { name: `${table} cardinality(status)`, fields: 'column: status, metric_type: cardinality' },
    { name: `${table} unique_percentage(email)`, fields: 'column: email, metric_type: unique_percentage' },
  ];
  if (out.length !== MONITORS_PER_TABLE) throw new Error(`expected ${MONITORS_PER_TABLE} monitors a table, built ${out.length}`);
  return out;
}

function configYaml(tables: number): string {
  const lines = [
    '# Generated by bench/api-load.ts',
    'store: sqlite:./store.db',
    'api: { host: 127.0.0.1, port: 0 }',
    'warehouses:',
    '  wh: { type: sqlite, path: ./warehouse.db }',
    'monitors:',
  ];
  let count = 0;
  for (let t = 1; t <= tables && count < MONITORS; t++) {
    const table = tableName(t);
    for (const m of monitorsOfTable(table)) {
      if (count++ >= MONITORS) break;
      lines.push(`  - { name: "${m.name}", warehouse: wh, table: ${table}, ${m.fields}, schedule: { cadence: hourly } }`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The warehouse the config names: its tables exist, but nothing here queries them. */
function buildWarehouse(path: string, tables: number): void {
  const db = new Database(path);
  try {
    db.exec('BEGIN');
    for (let t = 1; t <= tables; t++) {
      db.exec(`CREATE TABLE "${tableName(t)}" (id INTEGER PRIMARY KEY, amount REAL, price REAL, status TEXT, email TEXT)`);
    }
    db.exec('COMMIT');
  } finally {
    db.close();
  }
}

interface Prepared {
  key: string;
  monitorIds: string[];
  configSeconds: number;
  storeSeconds: number;
  historySeconds: number;
  historyRows: number;
  storeBytes: number;
  /** The latest slot measured (epoch ms). */
  lastSlot: number;
}

async function prepare(dir: string): Promise<Prepared> {
  const t0 = performance.now();
  const tables = Math.ceil(MONITORS / MONITORS_PER_TABLE);
  buildWarehouse(join(dir, 'warehouse.db'), tables);
  writeFileSync(join(dir, 'vigil.yaml'), configYaml(tables));
  const config = loadConfig(join(dir, 'vigil.yaml'), {});
  if (config.monitors.length !== MONITORS) throw new Error(`expected ${MONITORS} monitors in the config, got ${config.monitors.length}`);
  const t1 = performance.now();

  // The store as `vigil migrate` + a first start leave it, the monitors made before their history.
  const lastSlot = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
  const firstSlot = lastSlot - (PER_MONITOR - 1) * HOUR;
  const clock: Clock = { now: () => new Date(firstSlot - 2 * HOUR) };
  const app = await createApp(config, { clock });
  let key: string;
  try {
    key = (await createApiKey(app.db, { name: 'bench admin', role: 'admin' }, new Date())).key;
  } finally {
    await app.close();
  }
  const t2 = performance.now();

  // Hour by hour, every monitor in each, as the daemon writes them.
  let rows = 0;
  const store = new Database(join(dir, 'store.db'));
  try {
    store.pragma('journal_mode = WAL');
    store.pragma('synchronous = NORMAL');
    const insert = store.prepare(
      `INSERT INTO measurements (id, monitor_id, value, lower_threshold, upper_threshold, status, is_anomaly, marked_normal,
                                 incident_id, incident_metadata, scheduled_for, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 0, 0, NULL, NULL, ?, ?, ?)`,
    );
    const finish = store.prepare(
      `UPDATE monitors SET status = 'normal', last_attempted_at = ?, last_success_at = ?, last_measurement = ?, last_measurement_value = ?,
                           next_run_at = ? WHERE id = ?`,
    );
    let seed = 12345;
    const noise = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff - 0.5; // -0.5 .. 0.5
    };
    const base = config.monitors.map((m, i) => (m.metricType.endsWith('percentage') ? 5 + (i % 50) : 1000 + 37 * i));
    const last = config.monitors.map(() => ({ id: '', value: 0, at: '' }));
    const write = store.transaction(() => {
      for (let k = PER_MONITOR - 1; k >= 0; k--) {
        const slot = lastSlot - k * HOUR;
        const learning = PER_MONITOR - 1 - k < LEARNING_POINTS;
        for (const [i, monitor] of config.monitors.entries()) {
          const at = slot + 50 + i + Math.floor(Math.abs(noise()) * 1000);
          const value = base[i]! * (1 + 0.004 * noise());
          const iso = new Date(at).toISOString();
          const id = uuidv7({ msecs: at });
          insert.run(id, monitor.id, value, learning ? null : base[i]! * 0.98, learning ? null : base[i]! * 1.02, learning ? 'learning' : 'normal',
            new Date(slot).toISOString(), iso, iso);
          last[i] = { id, value, at: iso };
          rows++;
        }
      }
      const next = new Date(lastSlot + HOUR).toISOString();
      for (const [i, monitor] of config.monitors.entries()) finish.run(last[i]!.at, last[i]!.at, last[i]!.id, last[i]!.value, next, monitor.id);
    });
    write();
  } finally {
    store.close();
  }
  const t3 = performance.now();
  return {
    key,
    monitorIds: config.monitors.map((m) => m.id),
    configSeconds: (t1 - t0) / 1000,
    storeSeconds: (t2 - t1) / 1000,
    historySeconds: (t3 - t2) / 1000,
    historyRows: rows,
    storeBytes: databaseBytes(join(dir, 'store.db')),
    lastSlot,
  };
}

function prepareInChild(dir: string): Promise<Prepared> {
  return inChild<Prepared>(import.meta.url, ['--prepare', dir], 'preparing');
}

// ---------------------------------------------------------------------------------------
// The child that loads: autocannon, one phase

interface LoadJob {
  url: string;
  key: string;
  monitorIds: string[];
  connections: number;
  seconds: number;
  /** Requests a second over all connections (overallRate); none: as fast as it goes. */
  rate?: number;
}

interface LoadResult {
  seconds: number;
  /** 2xx responses (those whose latencies are below). */
  ok: number;
  sent: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
  mismatches: number;
  /** Responses a second: every answered request over the phase, and autocannon's per-second figures. */
  perSecond: { mean: number; min: number; max: number };
  bytesPerSecond: number;
  /** Exact, from every 2xx response, ms. */
  latency: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number };
  /** autocannon's own histogram (whole ms), for comparison. */
  autocannonP99: number;
}

async function runLoad(job: LoadJob): Promise<LoadResult> {
  const ids = job.monitorIds;
  const latencies: number[] = [];
  const options: autocannon.Options = {
    url: job.url,
    connections: job.connections,
    duration: job.seconds,
    timeout: 10,
    headers: { authorization: `Bearer ${job.key}` },
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => ({ ...request, path: `/monitor/measurements?monitor=${ids[Math.floor(Math.random() * ids.length)]!}` }),
      },
    ],
    verifyBody: (body) => typeof body === 'string' && body.includes(EXPECTED),
  };
  // Its correction is only for a fixed rate (see the header for why it is off).
  if (job.rate !== undefined) Object.assign(options, { overallRate: job.rate, ignoreCoordinatedOmission: true });
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (error, done) => (error ? reject(error as Error) : resolve(done)));
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
  const sorted = Float64Array.from(latencies).sort();
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stat.count ?? 0;
  const answered = Object.values(statusCodes).reduce((s, x) => s + x, 0);
  return {
    seconds: result.duration,
    ok: latencies.length,
    sent: result.requests.sent,
    non2xx: result.non2xx,
    statusCodes,
    errors: result.errors,
    timeouts: result.timeouts,
    mismatches: result.mismatches,
    perSecond: { mean: answered / result.duration, min: result.requests.min, max: result.requests.max },
    bytesPerSecond: result.throughput.average,
    latency: {
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      p999: percentile(sorted, 99.9),
      max: sorted.at(-1) ?? Number.NaN,
      mean: latencies.reduce((s, x) => s + x, 0) / Math.max(1, latencies.length),
    },
    autocannonP99: result.latency.p99,
  };
}

function loadInChild(job: LoadJob): Promise<LoadResult> {
  return inChild<LoadResult>(import.meta.url, ['--load'], 'load', job);
}

// ---------------------------------------------------------------------------------------
// Measuring

interface Phase {
  load: LoadResult;
  /** The server process's CPU time over the phase, as a share of one core. */
  serverCpu: number;
  /** The server's event loop utilization over the phase (0..1). */
  serverElu: number;
}

async function phase(job: LoadJob): Promise<Phase> {
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  const load = await loadInChild(job);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { load, serverCpu: (cpu.user + cpu.system) / 1000 / wall, serverElu: performance.eventLoopUtilization(elu0).utilization };
}

function reportPhase(title: string, p: Phase): void {
  const l = p.load;
  say(`${title}`);
  say(`  responses: ${n(l.ok + l.non2xx)} in ${l.seconds} s = ${n(Math.round(l.perSecond.mean))} a second (autocannon's per-second: min ${n(l.perSecond.min)}, max ${n(l.perSecond.max)}); ${mb(l.bytesPerSecond)}/s`);
  say(`  latency (2xx, exact): p50 ${ms(l.latency.p50)}, p90 ${ms(l.latency.p90)}, p99 ${ms(l.latency.p99)}, p99.9 ${ms(l.latency.p999)}, max ${ms(l.latency.max)}, mean ${ms(l.latency.mean)} (autocannon's p99: ${l.autocannonP99} ms)`);
  const codes = Object.entries(l.statusCodes).map(([c, k]) => `${c}: ${n(k)}`).join(', ');
  say(`  errors ${n(l.errors)} (timeouts ${n(l.timeouts)}), non-2xx ${n(l.non2xx)}, wrong bodies ${n(l.mismatches)}; status codes: ${codes || 'none'}`);
  say(`  server process: CPU ${(100 * p.serverCpu).toFixed(0)}% of one core, event loop busy ${(100 * p.serverElu).toFixed(0)}%`);
}

interface QueryFigures {
  plans: Array<{ sql: string; plan: string[] }>;
  lines: string[];
}

/**
 * The statements pageMeasurements sends, caught from a kysely logger on a second,
 * read-only connection; their plans; and each one timed on its own over random monitors.
 */
async function examineQueries(path: string, ids: readonly string[]): Promise<QueryFigures> {
  const raw = new Database(path, { readonly: true });
  const caught: Array<{ sql: string; parameters: readonly unknown[] }> = [];
  const db = new Kysely<StoreSchema>({
    dialect: new SqliteDialect({ database: raw }),
    log: (event) => {
      if (event.level === 'query') caught.push({ sql: event.query.sql, parameters: event.query.parameters });
    },
  });
  try {
    await pageMeasurements(db, { monitor: ids[0]! }, { page: 1, pageSize: PAGE_SIZE });
    const [count, page] = caught;
    if (count === undefined || page === undefined) throw new Error(`expected 2 statements from pageMeasurements, caught ${caught.length}`);
    const plans = [count, page].map((q) => ({
      sql: q.sql,
      plan: (raw.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...(q.parameters as unknown[])) as Array<{ detail: string }>).map((r) => r.detail),
    }));
    // The page statement's parameters: monitor, limit, offset (in kysely's order).
    const countStmt = raw.prepare(count.sql);
    const pageStmt = raw.prepare(page.sql);
    const pageParams = (id: string, p: number) => page.parameters.map((v, i) => (i === 0 ? id : i === page.parameters.length - 1 ? (p - 1) * PAGE_SIZE : v));
    if (page.parameters.length !== 3 || page.parameters[0] !== ids[0]) throw new Error(`unexpected parameters of the page statement: ${JSON.stringify(page.parameters)}`);
    const time = (fn: (id: string) => unknown, rounds = 2000) => {
      const xs: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const id = ids[Math.floor(Math.random() * ids.length)]!;
        const t0 = performance.now();
        fn(id);
        xs.push(performance.now() - t0);
      }
      xs.sort((a, b) => a - b);
      return `p50 ${us(percentile(xs, 50))}, p99 ${us(percentile(xs, 99))}, max ${us(xs.at(-1)!)}`;
    };
    const lines = [
      `count statement:               ${time((id) => countStmt.get(id))}`,
      `page statement, page 1:        ${time((id) => pageStmt.all(...pageParams(id, 1)))}`,
      `page statement, page ${String(TOTAL_PAGES).padEnd(9)} ${time((id) => pageStmt.all(...pageParams(id, TOTAL_PAGES)))}`,
    ];
    // The same through kysely, as the route calls it (both statements, rows to objects).
    const xs: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const id = ids[Math.floor(Math.random() * ids.length)]!;
      const t0 = performance.now();
      await pageMeasurements(db, { monitor: id }, { page: 1, pageSize: PAGE_SIZE });
      xs.push(performance.now() - t0);
    }
    xs.sort((a, b) => a - b);
    lines.push(`pageMeasurements (kysely), page 1: p50 ${us(percentile(xs, 50))}, p99 ${us(percentile(xs, 99))}, max ${us(xs.at(-1)!)}`);
    return { plans, lines };
  } finally {
    await db.destroy();
  }
}

// ---------------------------------------------------------------------------------------

async function main(): Promise<void> {
  say('Vigil benchmark: the Monitors API under load (issue 5)');
  say('======================================================');
  say(`node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'})`);
  say(`store:   SQLite (WAL), ${n(MONITORS)} monitors x ${n(PER_MONITOR)} hourly measurements = ${n(MONITORS * PER_MONITOR)} (BENCH_MONITORS, BENCH_PER_MONITOR)`);
  say(`request: GET /monitor/measurements?monitor=<random monitor> (page 1 of ${TOTAL_PAGES}, ${PAGE_SIZE} a page), admin API key, loopback`);
  say(`load:    autocannon in a child process: warm-up ${WARMUP_SECONDS} s on 1 connection; ${n(RATE)}/s on ${CONNECTIONS} connections for ${SECONDS} s ` +
    `(BENCH_RATE, BENCH_CONNECTIONS, BENCH_SECONDS); saturation on ${SAT_CONNECTIONS} connections for ${SAT_SECONDS} s (BENCH_SAT_CONNECTIONS)`);

  const dir = process.env.BENCH_DIR ?? mkdtempSync(join(tmpdir(), 'vigil-bench-api-'));
  mkdirSync(dir, { recursive: true });
  for (const file of ['warehouse.db', 'store.db', 'vigil.yaml']) {
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir, file + suffix), { force: true });
  }
  let app: App | undefined;
  let server: ReturnType<typeof createServer> | undefined;
  try {
    heading('Preparing (in a child process)');
    const prepared = await prepareInChild(dir);
    say(`directory: ${dir}${KEEP || process.env.BENCH_DIR !== undefined ? ' (kept)' : ' (removed at the end; BENCH_KEEP=1 keeps it)'}`);
    say(`vigil.yaml + warehouse written and the config loaded in ${prepared.configSeconds.toFixed(1)} s; store migrated, ${n(MONITORS)} monitors synced, admin key made in ${prepared.storeSeconds.toFixed(1)} s`);
    say(`${n(prepared.historyRows)} measurements written in one transaction in ${prepared.historySeconds.toFixed(1)} s ` +
      `(${new Date(prepared.lastSlot - (PER_MONITOR - 1) * HOUR).toISOString()} .. ${new Date(prepared.lastSlot).toISOString()}); store.db ${mb(prepared.storeBytes)}`);

    heading('Serving');
    const s0 = performance.now();
    const config = loadConfig(join(dir, 'vigil.yaml'), {});
    app = await createApp(config);
    server = createServer({
      db: app.db,
      metrics: new DaemonMetrics(app.db),
      ready: () => true,
      api: {
        db: app.db,
        clock: app.clock,
        logger: silentLogger,
        notify: notifyTargets(app),
        workspace: DEFAULT_WORKSPACE_ID,
        warehouses: app.config.warehouses.map((w) => w.name),
      },
    });
    const url = await server.listen({ host: '127.0.0.1', port: 0 });
    say(`createApp (open, migrate: nothing to do, sync ${n(config.monitors.length)} monitors) + createServer + listen: ${((performance.now() - s0) / 1000).toFixed(2)} s; at ${url}`);

    // The work is real: one answer, read in full.
    const ids = prepared.monitorIds;
    const probe = ids[Math.floor(ids.length / 2)]!;
    const response = await fetch(`${url}/monitor/measurements?monitor=${probe}`, { headers: { authorization: `Bearer ${prepared.key}` } });
    const text = await response.text();
    const body = JSON.parse(text) as { count: number; total_pages: number; meta: { next_page: number | null }; results: Array<{ monitor: string; created_at: string }> };
    const newestFirst = body.results.every((r, i) => i === 0 || r.created_at <= body.results[i - 1]!.created_at);
    const own = body.results.every((r) => r.monitor === probe);
    say(`one answer: HTTP ${response.status}, ${n(Buffer.byteLength(text))} bytes: count ${n(body.count)}, total_pages ${body.total_pages}, next_page ${String(body.meta?.next_page)}, ` +
      `${body.results.length} results, ${own ? "all the monitor's" : 'NOT ALL THE MONITOR\'S'}, ${newestFirst ? 'newest first' : 'NOT NEWEST FIRST'} ` +
      `(${body.results[0]?.created_at ?? '-'} .. ${body.results.at(-1)?.created_at ?? '-'})`);
    const sane = response.status === 200 && body.count === PER_MONITOR && body.total_pages === TOTAL_PAGES && body.results.length === Math.min(PAGE_SIZE, PER_MONITOR) && own && newestFirst && text.includes(EXPECTED);
    if (!sane) throw new Error(`the answer is not what the store holds: ${text.slice(0, 400)}`);

    heading('Load (autocannon, in a child process)');
    const job = { url, key: prepared.key, monitorIds: ids };
    const loadBefore = loadavg()[0]!.toFixed(2);
    const warm = await phase({ ...job, connections: 1, seconds: WARMUP_SECONDS });
    reportPhase(`1. warm-up: 1 connection, back to back, ${WARMUP_SECONDS} s (the latency of one request at a time)`, warm);
    const fixed = await phase({ ...job, connections: CONNECTIONS, seconds: SECONDS, rate: RATE });
    reportPhase(`2. fixed rate: ${n(RATE)} requests a second on ${CONNECTIONS} connections, ${SECONDS} s`, fixed);
    const sat = await phase({ ...job, connections: SAT_CONNECTIONS, seconds: SAT_SECONDS });
    reportPhase(`3. saturation: ${SAT_CONNECTIONS} connections, as fast as the server answers, ${SAT_SECONDS} s`, sat);
    say(`load average of the machine (1 min) before the load ${loadBefore}, after ${loadavg()[0]!.toFixed(2)} (${cpus().length} CPUs: the server, the load and anything else running share them)`);

    heading('The queries (pageMeasurements), on their own');
    const queries = await examineQueries(join(dir, 'store.db'), ids);
    for (const [i, q] of queries.plans.entries()) {
      say(`${i === 0 ? 'count' : 'page'}: ${q.sql}`);
      for (const line of q.plan) say(`    plan: ${line}`);
    }
    for (const line of queries.lines) say(line);
    say(`(the whole request at one connection took p50 ${ms(warm.load.latency.p50)}: the rest is HTTP, fastify, the key check and JSON)`);

    const f = fixed.load;
    const rateReached = f.perSecond.mean >= RATE * 0.98;
    const clean = f.errors === 0 && f.non2xx === 0 && f.mismatches === 0;
    const p99Ok = f.latency.p99 < TARGET_P99_MS && rateReached && clean;
    heading('Summary');
    const rows: Array<[string, string, string, string]> = [
      [`p99 latency at ${n(RATE)}/s (${CONNECTIONS} connections)`, ms(f.latency.p99), `< ${TARGET_P99_MS} ms`, p99Ok ? 'PASS' : 'MISS'],
      ['  p50 / p90 / max', `${ms(f.latency.p50)} / ${ms(f.latency.p90)} / ${ms(f.latency.max)}`, '', ''],
      ['  rate reached', `${n(Math.round(f.perSecond.mean))}/s`, `${n(RATE)}/s`, rateReached ? 'ok' : 'LOW'],
      ['  errors / non-2xx / wrong bodies', `${n(f.errors)} / ${n(f.non2xx)} / ${n(f.mismatches)}`, '0', clean ? 'ok' : 'FAIL'],
      [`throughput at saturation (${SAT_CONNECTIONS} connections)`, `${n(Math.round(sat.load.perSecond.mean))}/s`, '(reported)', ''],
      ['  p50 / p99 at saturation', `${ms(sat.load.latency.p50)} / ${ms(sat.load.latency.p99)}`, '', ''],
      ['  errors / non-2xx / wrong bodies', `${n(sat.load.errors)} / ${n(sat.load.non2xx)} / ${n(sat.load.mismatches)}`, '0', sat.load.errors + sat.load.non2xx + sat.load.mismatches === 0 ? 'ok' : 'FAIL'],
      ['one request at a time, p50 / p99', `${ms(warm.load.latency.p50)} / ${ms(warm.load.latency.p99)}`, '', ''],
    ];
    const w0 = Math.max(...rows.map((r) => r[0].length));
    const w1 = Math.max(...rows.map((r) => r[1].length));
    const w2 = Math.max(...rows.map((r) => r[2].length));
    say(`${'figure'.padEnd(w0)}  ${'measured'.padEnd(w1)}  ${'target'.padEnd(w2)}  result`);
    for (const r of rows) say(`${r[0].padEnd(w0)}  ${r[1].padEnd(w1)}  ${r[2].padEnd(w2)}  ${r[3]}`);
    say();
    say(`overall: ${p99Ok ? 'target met' : 'target missed'}; saturation ${n(Math.round(sat.load.perSecond.mean))} requests a second`);
  } finally {
    if (server !== undefined) await server.close();
    if (app !== undefined) await app.close();
    if (!KEEP && process.env.BENCH_DIR === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

const fail = (what: string) => (error: unknown) => {
  process.stderr.write(`${what} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
};

if (process.argv[2] === '--prepare') {
  prepare(process.argv[3]!).then((result) => process.send!(result, () => process.exit(0)), fail('preparing'));
} else if (process.argv[2] === '--load') {
  process.once('message', (job: LoadJob) => {
    runLoad(job).then((result) => process.send!(result, () => process.exit(0)), fail('the load'));
  });
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
