import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectFor, openConnector } from '../../../connectors/registry.js';
import type { Connector, WarehouseType } from '../../../src/domain/connector.js';
import { VigilError } from '../../../src/domain/errors.js';
import type { Monitor } from '../../../src/domain/monitor.js';
import { executeUnit, type Outcome } from '../../../src/engine/execute.js';
import { planRuns } from '../../../src/engine/plan.js';
import { describeWithDatabase, uniqueName } from '../../helpers/databases.js';
import { monitor } from '../../helpers/monitors.js';
import { tempDir } from '../../helpers/temp.js';
import { CASES, type Case } from './fixture.js';
import { HOSTILE_COLUMN, seedDuckdb, seedMysql, seedPostgres, seedBigQuery, seedRedshift, seedSnowflake, seedSqlite, type SeededWarehouse } from './targets.js';

/**
 * The connector conformance suite: every warehouse, the same seeded table, the same
 * answers for every metric type, the same read-only guarantees and error kinds.
 */
function conformance(type: string, seed: () => Promise<SeededWarehouse>): void {
  let seeded: SeededWarehouse;
  let connector: Connector;
  const issued: string[] = [];

  beforeAll(async () => {
    seeded = await seed();
    const real = await openConnector(`conformance_${type}`, seeded.config);
    connector = {
      query: (sql) => (issued.push(sql), real.query(sql)),
      queryReadOnly: (sql) => (issued.push(sql), real.queryReadOnly(sql)),
      close: () => real.close(),
    };
  });
  afterAll(async () => {
    await connector?.close();
    await seeded?.cleanup();
  });

  const dialect = () => dialectFor(seeded.config.type);
  const tableSql = () => dialect().tableName(seeded.table);

  function monitorFor(c: Case, table = seeded.table): Monitor {
    return monitor({
      name: c.name,
      warehouse: `conformance_${type}`,
      table: c.metricType === 'custom_sql' ? null : table,
      column: c.column ?? null,
      metricType: c.metricType,
      metricConfig: {
        where: c.where,
        timestamp_column: c.timestampColumn,
        query_select: c.querySelect?.(tableSql()),
      },
    });
  }

  async function run(monitors: Monitor[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    for (const units of planRuns(monitors).values()) {
      for (const unit of units) outcomes.push(...(await executeUnit(unit, connector, dialect())));
    }
    return outcomes;
  }

  function expectAnswer(c: Case, outcome: Outcome, queriedFrom: number, queriedTo: number): void {
    if (!outcome.ok) throw new Error(`${c.name}: ${outcome.error.message}`);
    if (c.expected === null) {
      expect(outcome.value, c.name).toBeNull();
    } else if (c.freshness === true) {
      const hoursFrom = (queriedFrom - seeded.seededAt.getTime()) / 3_600_000;
      const hoursTo = (queriedTo - seeded.seededAt.getTime()) / 3_600_000;
      expect(outcome.value, c.name).toBeGreaterThanOrEqual(c.expected + hoursFrom - 0.001);
      expect(outcome.value, c.name).toBeLessThanOrEqual(c.expected + hoursTo + 0.001);
    } else {
      expect(typeof outcome.value, c.name).toBe('number');
      expect(outcome.value, c.name).toBeCloseTo(c.expected, 6);
    }
  }

  it.each(CASES.map((c) => [c.name, c]))('%s, computed alone', async (_, c) => {
    const from = Date.now();
    const [outcome] = await run([monitorFor(c)]);
    expectAnswer(c, outcome!, from - 1000, Date.now() + 1000);
  });

  it('computes every standard metric of the table in ONE query', async () => {
    const standard = CASES.filter((c) => c.metricType !== 'custom_sql');
    issued.length = 0;
    const from = Date.now();
    const outcomes = await run(standard.map((c) => monitorFor(c)));
    const to = Date.now();
    expect(issued).toHaveLength(1);
    expect(outcomes).toHaveLength(standard.length);
    standard.forEach((c, i) => expectAnswer(c, outcomes[i]!, from - 1000, to + 1000));
  });

  it('quotes hostile table and column names so nothing breaks out', async () => {
    const outcomes = await run([
      monitor({ warehouse: 'w', table: seeded.hostileTable, metricType: 'row_count' }),
      monitor({ warehouse: 'w', table: seeded.hostileTable, column: HOSTILE_COLUMN, metricType: 'null_percentage' }),
      monitor({ warehouse: 'w', table: seeded.hostileTable, column: HOSTILE_COLUMN, metricType: 'cardinality' }),
    ]);
    expect(outcomes.map((o) => (o.ok ? o.value : o.error.message))).toEqual([10, 20, 4]);
    expect(await seeded.count(seeded.canaryTable)).toBe(0);
  });

  it('refuses writes on the connection of generated queries and in the read-only transaction of custom SQL', async () => {
    await expect(connector.query(`DELETE FROM ${tableSql()}`)).rejects.toBeInstanceOf(VigilError);
    await expect(connector.queryReadOnly(`DELETE FROM ${tableSql()}`)).rejects.toMatchObject({ code: 'warehouse', kind: 'sql' });
    await expect(connector.queryReadOnly(`DROP TABLE ${dialect().tableName(seeded.canaryTable)}`)).rejects.toBeInstanceOf(VigilError);
    expect(await seeded.count(seeded.table)).toBe(10);
    expect(await seeded.count(seeded.canaryTable)).toBe(0);
  });

  it('does not run a statement chained after a custom query', async () => {
    const [outcome] = await run([
      monitorFor({ name: 'chained', metricType: 'custom_sql', querySelect: () => `SELECT 1; DROP TABLE ${dialect().tableName(seeded.canaryTable)}`, expected: null }),
    ]);
    expect(outcome!.ok).toBe(false);
    expect(await seeded.count(seeded.canaryTable)).toBe(0);
  });

  it('does not run a statement chained through a where filter', async () => {
    // On Postgres' simple protocol this would commit, switch the session to read-write, and drop.
    const where = `1=1); COMMIT; SET default_transaction_read_only = off; COMMIT; DROP TABLE ${dialect().tableName(seeded.canaryTable)}; SELECT (1`;
    const [outcome] = await run([monitor({ warehouse: 'w', table: seeded.table, metricType: 'row_count', metricConfig: { where } })]);
    expect(outcome!.ok).toBe(false);
    expect(await seeded.count(seeded.canaryTable)).toBe(0);
  });

  const customCases: Array<[string, (t: string) => string, RegExp | null]> = [
    ['two rows', (t) => `SELECT id FROM ${t} WHERE id <= 2`, /more than one row/],
    ['no rows', (t) => `SELECT id FROM ${t} WHERE id > 100`, /no rows/],
    ['two columns', (t) => `SELECT COUNT(*) AS a, MAX(id) AS b FROM ${t}`, /2 columns \(a, b\)/],
    ['text', (t) => `SELECT category FROM ${t} WHERE id = 1`, /the text "a", not a number/],
    ['null', (t) => `SELECT MAX(amount) FROM ${t} WHERE id > 100`, null],
  ];
  it.each(customCases)('custom SQL returning %s says what came back', async (name, sql, message) => {
    const [outcome] = await run([monitorFor({ name, metricType: 'custom_sql', querySelect: sql, expected: null })]);
    if (message === null) {
      expect(outcome).toMatchObject({ ok: true, value: null });
    } else {
      expect(outcome!.ok).toBe(false);
      if (!outcome!.ok) {
        expect(outcome!.error.code).toBe('metric_result');
        expect(outcome!.error.message).toMatch(message);
      }
    }
  });

  it('reports a text column given to mean as an error naming the problem, not a silent 0', async () => {
    const [outcome] = await run([monitor({ warehouse: 'w', table: seeded.table, column: 'category', metricType: 'min' })]);
    expect(outcome!.ok).toBe(false);
    if (!outcome!.ok) expect(outcome!.error.message).toMatch(/not a number: min needs a numeric column/);
  });

  it('never averages text into a silent 0, nor reads a time it cannot parse as no data', async () => {
    const outcomes = await run([
      monitor({ warehouse: 'w', table: seeded.table, column: 'category', metricType: 'mean' }),
      monitor({ warehouse: 'w', table: seeded.table, metricType: 'freshness', metricConfig: { timestamp_column: 'category' } }),
    ]);
    for (const outcome of outcomes) {
      expect(outcome.ok, outcome.ok ? `got ${String(outcome.value)}` : '').toBe(false);
      if (!outcome.ok) expect(outcome.error.message).toMatch(/category|timestamp|date|time|text|varchar|character/i);
    }
  });

  it('isolates a monitor with a missing column: the rest of its batch still measures', async () => {
    issued.length = 0;
    const outcomes = await run([
      monitor({ warehouse: 'w', table: seeded.table, metricType: 'row_count' }),
      monitor({ warehouse: 'w', table: seeded.table, column: 'no_such_column', metricType: 'null_percentage' }),
      monitor({ warehouse: 'w', table: seeded.table, column: 'amount', metricType: 'max' }),
    ]);
    expect(outcomes[0]).toMatchObject({ ok: true, value: 10 });
    expect(outcomes[1]).toMatchObject({ ok: false, error: { code: 'warehouse', kind: 'sql' } });
    // Snowflake names it as it resolved it, in upper case.
    if (!outcomes[1]!.ok) expect(outcomes[1]!.error.message).toMatch(/no_such_column/i);
    expect(outcomes[2]).toMatchObject({ ok: true, value: 100.5 });
    expect(issued.length).toBe(4); // the batch, then each monitor alone
  });

  it('gives up on a query that runs past query_timeout_seconds, as a timeout', async () => {
    const impatient = await openConnector(`impatient_${type}`, { ...seeded.config, query_timeout_seconds: 1 });
    try {
      const started = Date.now();
      await expect(impatient.queryReadOnly(seeded.slowQuery)).rejects.toMatchObject({ code: 'warehouse', kind: 'timeout' });
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      await impatient.close();
    }
  });

  it("says a column's declared type: numeric for amount, not for category; nothing for a missing column or table", async () => {
    const typeOf = async (table: string[], column: string) => {
      const result = await connector.queryReadOnly(dialect().columnTypeQuery(table, column));
      return result.rows.length === 0 ? null : String(result.rows[0]![0]);
    };
    const amount = await typeOf(seeded.table, 'amount');
    expect(amount).not.toBeNull();
    expect(dialect().isNumericType(amount!), amount!).toBe(true);
    const category = await typeOf(seeded.table, 'category');
    expect(category).not.toBeNull();
    expect(dialect().isNumericType(category!), category!).toBe(false);
    expect(await typeOf(seeded.table, 'no_such_column')).toBeNull();
    expect(await typeOf([...seeded.table.slice(0, -1), 'no_such_table'], 'amount')).toBeNull();
    // A name cannot break out of its literal.
    expect(await typeOf(seeded.table, "amount' OR '1'='1")).toBeNull();
  });

  it('reports a missing table as an sql error that names it', async () => {
    const [outcome] = await run([monitor({ warehouse: 'w', table: [...seeded.table.slice(0, -1), 'no_such_table'], metricType: 'row_count' })]);
    expect(outcome).toMatchObject({ ok: false, error: { code: 'warehouse', kind: 'sql' } });
    if (!outcome!.ok) expect(outcome!.error.message).toMatch(/no_such_table/i);
  });

  if (dialectFor(type as WarehouseType).metadataFreshnessQuery === undefined) {
    it('says freshness needs a timestamp column here: the warehouse keeps no date of change', async () => {
      // The config refuses such a monitor on this warehouse (test/unit/config-load); the engine says why too.
      const [outcome] = await run([monitor({ warehouse: 'w', table: seeded.table, metricType: 'freshness' })]);
      expect(outcome).toMatchObject({ ok: false, error: { message: expect.stringMatching(/freshness needs metric_config\.timestamp_column/) } });
    });
  } else {
    it("dates a table from the warehouse's own metadata, without a timestamp column", async () => {
      const from = Date.now();
      const [dated, missing] = await run([
        monitor({ warehouse: 'w', table: seeded.table, metricType: 'freshness' }),
        monitor({ warehouse: 'w', table: [...seeded.table.slice(0, -1), 'no_such_table'], metricType: 'freshness' }),
      ]);
      const hours = (at: number) => seeded.metadataHoursAgo! + (at - seeded.seededAt.getTime()) / 3_600_000;
      expect(dated!.ok ? dated!.value : dated!.error.message).toBeGreaterThanOrEqual(hours(from - 1000) - 0.001);
      expect(dated!.ok ? dated!.value : null).toBeLessThanOrEqual(hours(Date.now() + 1000) + 0.001);
      expect(missing).toMatchObject({ ok: false, error: { code: 'warehouse', kind: 'sql', message: expect.stringMatching(/no table .*no_such_table in its metadata/) } });
    });
  }
}

describe('sqlite connector', () => conformance('sqlite', async () => seedSqlite(tempDir())));
describe('duckdb connector', () => conformance('duckdb', async () => seedDuckdb(tempDir())));
describeWithDatabase('TEST_PG_URL', 'postgres connector', (url) => conformance('postgres', () => seedPostgres(url, uniqueName('vigil_it'))));
describeWithDatabase('TEST_MYSQL_URL', 'mysql connector', (url) => conformance('mysql', () => seedMysql(url, uniqueName('vigil_it'))));
describe('snowflake connector (snowflake-sdk, wire emulator)', () => conformance('snowflake', async () => seedSnowflake(tempDir())));
describe('bigquery connector (@google-cloud/bigquery, wire emulator)', () => conformance('bigquery', async () => seedBigQuery(tempDir())));
describeWithDatabase('TEST_PG_URL', 'redshift connector (on PostgreSQL)', (url) => conformance('redshift', () => seedRedshift(url, uniqueName('vigil_it'))));
