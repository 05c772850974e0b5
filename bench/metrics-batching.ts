/**
 * Benchmark: how much does batching a table's metrics into one query save?
 *
 * Runs 20 column monitors (null_percentage, min, max, mean over 5 columns) on a table of
 * BENCH_ROWS rows (2,000,000 by default) in a real PostgreSQL, through the real Vigil
 * postgres connector, two ways:
 *   A. batched:    the engine's planner + executor (planRuns, then executeUnit per unit)
 *   B. one-by-one: a single-monitor batch unit per monitor (20 queries)
 * and prints the queries issued, wall times, and whether both gave the same values.
 *
 *   npm run bench:metrics
 *
 * Environment:
 *   BENCH_PG_URL / TEST_PG_URL  the database (default postgres://postgres@127.0.0.1:5432/test)
 *   BENCH_ROWS                  rows in the bench table (default 2000000)
 *   BENCH_REPEAT                timed repetitions of each mode (default 3)
 *   BENCH_EXPLAIN               when set, also prints EXPLAIN ANALYZE of the batched query
 *                               and of one single-metric query
 *
 * The table is created (with the pg driver: the Vigil connector is read-only) when missing
 * or of the wrong size, and left in place so reruns are fast.
 */
import pg from 'pg';
import { dialectFor, openConnector } from '../connectors/registry.js';
import type { Connector } from '../src/domain/connector.js';
import { integrationId, targetId } from '../src/domain/ids.js';
import type { MetricType } from '../src/domain/metric.js';
import type { Monitor } from '../src/domain/monitor.js';
import { DEFAULT_SCHEDULE } from '../src/domain/schedule.js';
import type { ServerWarehouseConfig } from '../src/domain/warehouse.js';
import { executeUnit, type Outcome } from '../src/engine/execute.js';
import { planRuns, type BatchUnit } from '../src/engine/plan.js';
import { aroundQueries, heading, intFromEnv, say } from './report.js';

const SCHEMA = 'vigil_bench';
const TABLE = 'metrics';
const TABLE_PATH: readonly string[] = [SCHEMA, TABLE];
const WAREHOUSE = 'bench';
/** Bumped whenever the table's definition changes, so an old table is rebuilt. */
const TABLE_VERSION = 'vigil-bench metrics v1';
const RELATIVE_TOLERANCE = 1e-9;
const TARGET_RATIO = 0.2;

const METRIC_TYPES: readonly MetricType[] = ['null_percentage', 'min', 'max', 'mean'];

/** The measured columns: name, SQL type, and the expression of row i (1-based) that fills it. */
const COLUMNS: ReadonlyArray<{ name: string; type: string; value: string }> = [
  { name: 'c1', type: 'double precision', value: 'CASE WHEN i % 13 = 0 THEN NULL ELSE sin(i) * 1000 END' },
  { name: 'c2', type: 'numeric(14,4)', value: 'CASE WHEN i % 17 = 0 THEN NULL ELSE ((i * 7919) % 1000003) / 100.0 END' },
  { name: 'c3', type: 'integer', value: '(i * 31) % 100000 - 50000' },
  { name: 'c4', type: 'bigint', value: 'CASE WHEN i % 13 = 0 THEN NULL ELSE i::bigint * 1000003 END' },
  { name: 'c5', type: 'numeric(18,6)', value: 'CASE WHEN i % 7 = 0 THEN NULL ELSE (i % 10007) * 1.000001 END' },
];

const PG_URL = process.env.BENCH_PG_URL || process.env.TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';
const ROWS = intFromEnv('BENCH_ROWS', 2_000_000, 1);
const REPEAT = intFromEnv('BENCH_REPEAT', 3, 1);
const EXPLAIN = process.env.BENCH_EXPLAIN !== undefined && process.env.BENCH_EXPLAIN !== '' && process.env.BENCH_EXPLAIN !== '0';

// ---------------------------------------------------------------------------------------
// Output helpers

const ms = (value: number) => `${value.toFixed(1)} ms`;
const indent = (text: string, by = '    ') => text.split('\n').map((line) => by + line).join('\n');
/** The URL without its password, for printing. */
function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

// ---------------------------------------------------------------------------------------
// Seeding, with the pg driver directly

async function ensureTable(client: pg.Client): Promise<{ created: boolean; seconds: number }> {
  const qualified = `"${SCHEMA}"."${TABLE}"`;
  const marker = `${TABLE_VERSION}: ${ROWS} rows`;
  const existing = await client.query<{ comment: string | null }>(
    `SELECT obj_description(c.oid, 'pg_class') AS comment
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind = 'r'`,
    [SCHEMA, TABLE],
  );
  if (existing.rows[0]?.comment === marker) {
    const count = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${qualified}`);
    if (Number(count.rows[0]!.n) === ROWS) return { created: false, seconds: 0 };
  }

  const started = performance.now();
  await client.query(`CREATE SCHEMA IF NOT EXISTS "${SCHEMA}"`);
  await client.query('BEGIN');
  try {
    await client.query(`DROP TABLE IF EXISTS ${qualified}`);
    await client.query(
      `CREATE TABLE ${qualified} (\n  id bigint PRIMARY KEY,\n${COLUMNS.map((c) => `  ${c.name} ${c.type}`).join(',\n')}\n)`,
    );
    await client.query(
      `INSERT INTO ${qualified} (id, ${COLUMNS.map((c) => c.name).join(', ')})
       SELECT i, ${COLUMNS.map((c) => c.value).join(',\n              ')}
         FROM generate_series(1, $1::bigint) AS s(i)`,
      [ROWS],
    );
    await client.query(`COMMENT ON TABLE ${qualified} IS '${marker}'`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
  // Sets hint bits and the visibility map too, so the first timed scan does not write.
  await client.query(`VACUUM (ANALYZE) ${qualified}`);
  return { created: true, seconds: (performance.now() - started) / 1000 };
}

// ---------------------------------------------------------------------------------------
// Monitors, built as test/helpers/monitors.ts builds them (bench does not import test/)

function columnMonitor(column: string, metricType: MetricType, n: number): Monitor {
  const integration = integrationId(WAREHOUSE);
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    name: `${metricType}(${column})`,
    warehouse: WAREHOUSE,
    integrationId: integration,
    targetId: targetId(integration, TABLE_PATH, column),
    table: TABLE_PATH,
    column,
    metricType,
    metricConfig: {},
    schedule: DEFAULT_SCHEDULE,
    condition: { sensitivity: null, min: null, max: null, bounds: 'both' },
    isEnabled: true,
    source: 'yaml',
  };
}

// ---------------------------------------------------------------------------------------
// A connector that records every SQL string it is given

interface Issued {
  sql: string;
  ms: number;
}

class RecordingConnector {
  issued: Issued[] = [];
  readonly connector: Connector;

  constructor(inner: Connector) {
    this.connector = aroundQueries(inner, async (sql, run) => {
      const started = performance.now();
      try {
        return await run();
      } finally {
        this.issued.push({ sql, ms: performance.now() - started });
      }
    });
  }

  /** What was issued since the last take, and a fresh log. */
  take(): Issued[] {
    const issued = this.issued;
    this.issued = [];
    return issued;
  }
}

// ---------------------------------------------------------------------------------------
// The two modes

type Values = Map<string, number | null>;

interface RunOutcome {
  ms: number;
  issued: Issued[];
  values: Values;
  failures: string[];
}

function collect(outcomes: readonly Outcome[], values: Values, failures: string[]): void {
  for (const outcome of outcomes) {
    if (outcome.ok) values.set(outcome.monitor.id, outcome.value);
    else failures.push(`${outcome.monitor.name}: ${outcome.error.message}`);
  }
}

/** As the engine runs them: planned into units, each unit executed (max_concurrency 1: one at a time). */
async function runBatched(monitors: readonly Monitor[], connector: RecordingConnector, config: ServerWarehouseConfig): Promise<RunOutcome> {
  const dialect = dialectFor(config.type);
  const values: Values = new Map();
  const failures: string[] = [];
  connector.take();
  const started = performance.now();
  for (const [, units] of planRuns(monitors)) {
    for (const unit of units) collect(await executeUnit(unit, connector.connector, dialect), values, failures);
  }
  const elapsed = performance.now() - started;
  return { ms: elapsed, issued: connector.take(), values, failures };
}

/** Each monitor alone: a single-monitor batch unit, one query each. */
async function runOneByOne(monitors: readonly Monitor[], connector: RecordingConnector, config: ServerWarehouseConfig): Promise<RunOutcome> {
  const dialect = dialectFor(config.type);
  const values: Values = new Map();
  const failures: string[] = [];
  connector.take();
  const started = performance.now();
  for (const monitor of monitors) {
    const unit: BatchUnit = { kind: 'batch', warehouse: monitor.warehouse, table: monitor.table!, monitors: [monitor] };
    collect(await executeUnit(unit, connector.connector, dialect), values, failures);
  }
  const elapsed = performance.now() - started;
  return { ms: elapsed, issued: connector.take(), values, failures };
}

function sameValue(a: number | null | undefined, b: number | null | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  if (a === null || b === null) return a === b;
  if (a === b) return true;
  return Math.abs(a - b) <= RELATIVE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
}

// ---------------------------------------------------------------------------------------

async function explain(client: pg.Client, title: string, sql: string): Promise<void> {
  heading(`EXPLAIN (ANALYZE, BUFFERS) ${title}`);
  const result = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`);
  say(indent(result.rows.map((row) => row['QUERY PLAN']).join('\n')));
}

async function main(): Promise<number> {
  let exitCode = 0;
  say('Vigil benchmark: batched metric queries vs one query per monitor');
  say('================================================================');
  say(`database:    ${safeUrl(PG_URL)}`);
  say(`rows:        ${ROWS.toLocaleString('en-US')} (BENCH_ROWS)`);
  say(`repetitions: ${REPEAT} per mode after 1 warm-up run each (BENCH_REPEAT)`);

  const seeder = new pg.Client({ connectionString: PG_URL, application_name: 'vigil-bench-seed' });
  await seeder.connect();
  let connector: RecordingConnector | undefined;
  try {
    const version = await seeder.query<{ v: string }>('SELECT version() AS v');
    say(`postgres:    ${version.rows[0]!.v}`);
    const settings = await seeder.query<{ name: string; setting: string; unit: string | null }>(
      `SELECT name, setting, unit FROM pg_settings
        WHERE name IN ('max_parallel_workers_per_gather', 'jit', 'jit_above_cost', 'shared_buffers', 'work_mem')
        ORDER BY name`,
    );
    say(`settings:    ${settings.rows.map((r) => `${r.name}=${r.setting}${r.unit ?? ''}`).join(', ')}`);

    heading('Table');
    const seeded = await ensureTable(seeder);
    const qualified = `"${SCHEMA}"."${TABLE}"`;
    const info = await seeder.query<{ n: string; size: string }>(
      `SELECT (SELECT count(*) FROM ${qualified})::text AS n, pg_size_pretty(pg_table_size('${qualified}')) AS size`,
    );
    say(`${SCHEMA}.${TABLE}: ${Number(info.rows[0]!.n).toLocaleString('en-US')} rows, ${info.rows[0]!.size} ` +
      (seeded.created ? `(created in ${seeded.seconds.toFixed(1)} s)` : '(reused)'));
    say(`columns: ${COLUMNS.map((c) => `${c.name} ${c.type}`).join(', ')}`);
    say(`left in place for reruns; to drop it: DROP SCHEMA ${SCHEMA} CASCADE;`);

    let n = 0;
    const monitors: Monitor[] = [];
    for (const column of COLUMNS) for (const metricType of METRIC_TYPES) monitors.push(columnMonitor(column.name, metricType, ++n));
    say(`monitors: ${monitors.length} (${METRIC_TYPES.join(', ')} over ${COLUMNS.map((c) => c.name).join(', ')})`);

    const config: ServerWarehouseConfig = {
      type: 'postgres',
      url: PG_URL,
      query_tag: 'vigil-bench',
      max_concurrency: 1,
      query_timeout_seconds: 600,
      connect_timeout_seconds: 10,
    };
    connector = new RecordingConnector(await openConnector(WAREHOUSE, config));

    // Warm-up: one run of each mode, discarded from the timings but checked.
    const batchedRuns: RunOutcome[] = [await runBatched(monitors, connector, config)];
    const singleRuns: RunOutcome[] = [await runOneByOne(monitors, connector, config)];
    const warmup = { batched: batchedRuns[0]!, single: singleRuns[0]! };

    const tableName = dialectFor('postgres').tableName(TABLE_PATH);
    const forTable = (issued: readonly Issued[]) => issued.filter((q) => q.sql.includes(tableName)).length;

    heading('Mode A: batched (planRuns + executeUnit, as the engine runs them)');
    const units = [...planRuns(monitors).values()].flat();
    say(`work units planned: ${units.length}`);
    say(`queries issued: ${warmup.batched.issued.length} (for ${SCHEMA}.${TABLE}: ${forTable(warmup.batched.issued)})`);
    for (const [i, q] of warmup.batched.issued.entries()) {
      say(`query ${i + 1} of ${warmup.batched.issued.length}:`);
      say(indent(q.sql));
    }

    heading('Mode B: one-by-one (one single-monitor unit per monitor)');
    say(`queries issued: ${warmup.single.issued.length} (for ${SCHEMA}.${TABLE}: ${forTable(warmup.single.issued)})`);
    const example = warmup.single.issued[0];
    if (example !== undefined) {
      say('example (query 1):');
      say(indent(example.sql));
    }

    // Timed runs, alternating modes; the order flips every repetition so neither always goes first.
    for (let r = 0; r < REPEAT; r++) {
      if (r % 2 === 0) {
        batchedRuns.push(await runBatched(monitors, connector, config));
        singleRuns.push(await runOneByOne(monitors, connector, config));
      } else {
        singleRuns.push(await runOneByOne(monitors, connector, config));
        batchedRuns.push(await runBatched(monitors, connector, config));
      }
    }

    // Correctness: every run of each mode gives every monitor a value, and the same one.
    const problems: string[] = [];
    for (const run of [...batchedRuns, ...singleRuns]) problems.push(...run.failures);
    const reference = warmup.batched.values;
    for (const monitor of monitors) {
      const expected = reference.get(monitor.id);
      for (const [label, runs] of [['batched', batchedRuns], ['one-by-one', singleRuns]] as const) {
        for (const [i, run] of runs.entries()) {
          const got = run.values.get(monitor.id);
          if (!sameValue(expected, got)) {
            problems.push(`${monitor.name}: batched (warm-up) gave ${String(expected)}, ${label} run ${i} gave ${String(got)}`);
          }
        }
      }
    }

    heading('Values (warm-up runs)');
    const width = Math.max(...monitors.map((m) => m.name.length));
    say(`${'monitor'.padEnd(width)}  ${'batched'.padStart(24)}  ${'one-by-one'.padStart(24)}  same`);
    for (const monitor of monitors) {
      const a = warmup.batched.values.get(monitor.id);
      const b = warmup.single.values.get(monitor.id);
      say(`${monitor.name.padEnd(width)}  ${String(a).padStart(24)}  ${String(b).padStart(24)}  ${sameValue(a, b) ? 'yes' : 'NO'}`);
    }

    const timedBatched = batchedRuns.slice(1).map((run) => run.ms);
    const timedSingle = singleRuns.slice(1).map((run) => run.ms);
    const medBatched = median(timedBatched);
    const medSingle = median(timedSingle);
    const ratio = medBatched / medSingle;

    heading(`Timings (${REPEAT} timed runs per mode, wall time of the whole mode)`);
    const row = (label: string, times: number[]) =>
      say(`${label.padEnd(12)} median ${ms(median(times)).padStart(10)}   min ${ms(Math.min(...times)).padStart(10)}   runs: ${times.map((t) => t.toFixed(0)).join(', ')}`);
    row('batched', timedBatched);
    row('one-by-one', timedSingle);
    const perQuery = singleRuns.slice(1).flatMap((run) => run.issued.map((q) => q.ms));
    say(`one-by-one: median single query ${ms(median(perQuery))}, slowest ${ms(Math.max(...perQuery))}`);
    say(`ratio batched / one-by-one (medians): ${ratio.toFixed(3)} (${(ratio * 100).toFixed(1)}%), speed-up x${(1 / ratio).toFixed(2)}`);

    heading('Verdict');
    const queries = forTable(warmup.batched.issued);
    const allRunsOneQuery = batchedRuns.every((run) => forTable(run.issued) === 1 && run.issued.length === 1);
    const queryOk = queries === 1 && allRunsOneQuery;
    const timeOk = ratio <= TARGET_RATIO;
    say('target: 1 query for the table, and at most 20% of the one-by-one time');
    say(`  queries for the table (batched): ${queries} ${queryOk ? '-> met' : '-> MISSED'}`);
    say(`  batched time / one-by-one time:  ${(ratio * 100).toFixed(1)}% ${timeOk ? '-> met' : '-> MISSED'}`);
    if (problems.length === 0) {
      say(`values: all ${monitors.length} monitors agree in every run of both modes (relative tolerance ${RELATIVE_TOLERANCE})`);
    } else {
      say();
      say('!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!');
      say(`!!! VALUE MISMATCH OR FAILURE: ${problems.length} problem(s)`);
      for (const problem of problems) say(`!!!   ${problem}`);
      say('!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!');
      exitCode = 1;
    }
    if (!queryOk) {
      say('!!! the batched mode did not issue exactly 1 query for the table');
      exitCode = 1;
    }
    say(`overall: ${queryOk && timeOk && problems.length === 0 ? 'target met' : 'target NOT met'}`);

    if (EXPLAIN) {
      const batchedSql = warmup.batched.issued[0]?.sql;
      if (batchedSql !== undefined) await explain(seeder, 'of the batched query', batchedSql);
      if (example !== undefined) await explain(seeder, 'of one single-metric query (query 1 of mode B)', example.sql);
    }
  } finally {
    await connector?.connector.close();
    await seeder.end();
  }
  return exitCode;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
