import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Environment } from '../../src/config/interpolate.js';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import type { VigilConfig } from '../../src/config/types.js';
import { VigilError } from '../../src/domain/errors.js';
import { isUuid } from '../../src/domain/ids.js';
import type { Monitor } from '../../src/domain/monitor.js';
import type { FileWarehouseConfig, ServerWarehouseConfig, WarehouseConfig } from '../../src/domain/warehouse.js';
import { tempDir } from '../helpers/temp.js';

const FILE = '/srv/vigil/vigil.yaml';
const EXAMPLE = resolve(import.meta.dirname, '../../config.example.yaml');

function load(text: string, env: Environment = {}): VigilConfig {
  return parseConfig(text, FILE, env, 'vigil.yaml');
}

/** The error a call throws, checked to be a config_invalid VigilError. */
function configError(run: () => unknown): VigilError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(VigilError);
    expect((error as VigilError).code).toBe('config_invalid');
    return error as VigilError;
  }
  throw new Error('expected the config to be rejected');
}

/** The lines of the config error that `text` is rejected with. */
function errorLines(text: string, env: Environment = {}): string[] {
  return configError(() => load(text, env)).message.split('\n');
}

function warehouse(config: VigilConfig, name: string): WarehouseConfig {
  const found = config.warehouses.find((w) => w.name === name);
  if (found === undefined) throw new Error(`no warehouse ${name}`);
  return found.config;
}

function fileWarehouse(config: VigilConfig, name: string): FileWarehouseConfig {
  const w = warehouse(config, name);
  if (w.type !== 'sqlite' && w.type !== 'duckdb') throw new Error(`${name} is a ${w.type} warehouse`);
  return w;
}

function serverWarehouse(config: VigilConfig, name: string): ServerWarehouseConfig {
  const w = warehouse(config, name);
  if (w.type !== 'postgres' && w.type !== 'mysql') throw new Error(`${name} is a ${w.type} warehouse`);
  return w;
}

function monitorNamed(config: VigilConfig, name: string): Monitor {
  const found = config.monitors.find((m) => m.name === name);
  if (found === undefined) throw new Error(`no monitor ${name}; have ${config.monitors.map((m) => m.name).join(', ')}`);
  return found;
}

/** Lines 1-3; the first monitor item starts on line 4, its keys at column 5. */
const HEAD = `warehouses:
  wh: { type: sqlite, path: ./w.db }
monitors:
`;

const METRIC_LIST = 'row_count, freshness, null_percentage, unique_percentage, cardinality, min, max, mean, custom_sql';

describe('config errors: file:line:col path: message', () => {
  it('reports a string where a number is expected', () => {
    const text = `${HEAD}  - warehouse: wh
    table: orders
    metric_type: row_count
    schedule: { cadence: daily, hour: "six" }
`;
    expect(errorLines(text)).toEqual(['vigil.yaml:7:39 monitors[0].schedule.hour: expected number, got the text "six"']);
  });

  it('reports a number where a string is expected', () => {
    const text = `${HEAD}  - name: 42
    warehouse: wh
    table: orders
    column: 12
    metric_type: null_percentage
`;
    expect(errorLines(text)).toEqual([
      'vigil.yaml:4:11 monitors[0].name: expected string, got number 42',
      'vigil.yaml:7:13 monitors[0].column: expected string, got number 12',
    ]);
  });

  it('reports a boolean field given as text', () => {
    const text = `${HEAD}  - warehouse: wh
    table: orders
    metric_type: row_count
    enabled: "no"
`;
    expect(errorLines(text)).toEqual(['vigil.yaml:7:14 monitors[0].enabled: expected boolean, got the text "no"']);
  });

  it('reports an unknown warehouse, with a did-you-mean and the configured names', () => {
    const text = `warehouses:
  wh: { type: sqlite, path: ./w.db }
  pg: { type: postgres, url: "postgres://db/x" }
monitors:
  - warehouse: whh
    table: orders
    metric_type: row_count
  - warehouse: snowflake
    table: orders
    metric_type: freshness
    metric_config: { timestamp_column: ts }
`;
    expect(errorLines(text)).toEqual([
      'vigil.yaml:5:16 monitors[0].warehouse: unknown warehouse "whh" (did you mean wh?); configured: wh, pg',
      'vigil.yaml:8:16 monitors[1].warehouse: unknown warehouse "snowflake"; configured: wh, pg',
    ]);
  });

  it('says when no warehouse is configured at all', () => {
    const text = `warehouses: {}
monitors:
  - warehouse: wh
    table: orders
    metric_type: row_count
`;
    expect(errorLines(text)).toEqual(['vigil.yaml:3:16 monitors[0].warehouse: unknown warehouse "wh"; none are configured']);
  });

  it('reports an unknown metric_type, with a did-you-mean when one is close', () => {
    const text = `${HEAD}  - warehouse: wh
    table: orders
    metric_type: row_cont
  - warehouse: wh
    table: orders
    metric_type: percentile_95
`;
    expect(errorLines(text)).toEqual([
      `vigil.yaml:6:18 monitors[0].metric_type: expected one of ${METRIC_LIST}, got "row_cont" (did you mean row_count?)`,
      `vigil.yaml:9:18 monitors[1].metric_type: expected one of ${METRIC_LIST}, got "percentile_95"`,
    ]);
  });

  it('rejects a column on row_count and on freshness', () => {
    const text = `${HEAD}  - warehouse: wh
    table: orders
    column: amount
    metric_type: row_count
  - warehouse: wh
    table: orders
    column: created_at
    metric_type: freshness
    metric_config: { timestamp_column: created_at }
`;
    expect(errorLines(text)).toEqual([
      'vigil.yaml:6:13 monitors[0].column: row_count is a table-level metric; remove column or use a column metric',
      'vigil.yaml:10:13 monitors[1].column: freshness is a table-level metric; remove column or use a column metric',
    ]);
  });

  it('reports a column metric without a column at the monitor', () => {
    const text = `${HEAD}  - warehouse: wh
    table: orders
    metric_type: mean
`;
    expect(errorLines(text)).toEqual(['vigil.yaml:4:5 monitors[0]: mean is a column metric: set column']);
  });

  it('reports a metric without a table at the monitor', () => {
    const text = `${HEAD}  - warehouse: wh
    metric_type: row_count
`;
    expect(errorLines(text)).toEqual(['vigil.yaml:4:5 monitors[0].table: row_count needs a table']);
  });

  it('reports freshness without timestamp_column at metric_config, or at the monitor when metric_config is absent', () => {
    const message = 'freshness needs metric_config.timestamp_column: the column whose newest value dates the data (only Snowflake and BigQuery can date a table from their own metadata)';
    const text = `${HEAD}  - warehouse: wh
    table: orders
    metric_type: freshness
  - warehouse: wh
    table: customers
    metric_type: freshness
    metric_config: { where: "x > 1" }
`;
    expect(errorLines(text)).toEqual([
      `vigil.yaml:4:5 monitors[0].metric_config: ${message}`,
      `vigil.yaml:10:20 monitors[1].metric_config: ${message}`,
    ]);
  });

  it('reports custom_sql without query_select, and a blank one', () => {
    const message = 'custom_sql needs metric_config.query_select: a query returning one number';
    const text = `${HEAD}  - name: Refunds
    warehouse: wh
    metric_type: custom_sql
  - name: Refunds blank
    warehouse: wh
    metric_type: custom_sql
    metric_config: { query_select: "   " }
`;
    expect(errorLines(text)).toEqual([
      `vigil.yaml:4:5 monitors[0].metric_config: ${message}`,
      `vigil.yaml:10:20 monitors[1].metric_config: ${message}`,
    ]);
  });

  it('reports custom_sql without a name', () => {
    const text = `${HEAD}  - warehouse: wh
    metric_type: custom_sql
    metric_config: { query_select: "SELECT 1" }
`;
    expect(errorLines(text)).toEqual(['vigil.yaml:4:5 monitors[0]: a custom_sql monitor needs a name']);
  });

  it('reports query_select on a metric other than custom_sql', () => {
    const text = `${HEAD}  - warehouse: wh
    table: orders
    column: amount
    metric_type: mean
    metric_config: { query_select: "SELECT 1" }
`;
    expect(errorLines(text)).toEqual([
      'vigil.yaml:8:36 monitors[0].metric_config.query_select: query_select is for custom_sql monitors, not mean',
    ]);
  });

  it('reports where on custom_sql', () => {
    const text = `${HEAD}  - name: Q
    warehouse: wh
    metric_type: custom_sql
    metric_config: { query_select: "SELECT 1", where: "x > 1" }
`;
    expect(errorLines(text)).toEqual(['vigil.yaml:7:55 monitors[0].metric_config.where: custom_sql ignores where: filter inside query_select']);
  });

  it('reports unknown keys at every level, at the key, with a did-you-mean', () => {
    const text = `stor: x
warehouses:
  wh:
    type: sqlite
    pth: ./w.db
    path: ./w.db
monitors:
  - warehouse: wh
    tabel: orders
    table: orders
    metric_type: row_count
    condition: { sensitivty: 3 }
    schedule: { cadense: daily }
    metric_config: { were: "x > 1" }
`;
    expect(errorLines(text)).toEqual([
      'vigil.yaml:1:1 stor: unknown field (did you mean store?)',
      'vigil.yaml:5:5 warehouses.wh.pth: unknown field (did you mean path?)',
      'vigil.yaml:9:5 monitors[0].tabel: unknown field (did you mean table?)',
      'vigil.yaml:12:18 monitors[0].condition.sensitivty: unknown field (did you mean sensitivity?)',
      'vigil.yaml:13:17 monitors[0].schedule.cadense: unknown field (did you mean cadence?)',
      'vigil.yaml:14:22 monitors[0].metric_config.were: unknown field (did you mean where?)',
    ]);
  });

  it('suggests the keys of the warehouse type that was written', () => {
    const text = `warehouses:
  pg:
    type: postgres
    hots: db
    host: db
    ssl: { reject_unathorized: false }
  dd:
    type: duckdb
    path: x.duckdb
    sed: seed.sql
  odd:
    type: postgres
    host: db
    frobnicate: 1
`;
    expect(errorLines(text)).toEqual([
      'vigil.yaml:4:5 warehouses.pg.hots: unknown field (did you mean host?)',
      'vigil.yaml:6:12 warehouses.pg.ssl.reject_unathorized: unknown field (did you mean reject_unauthorized?)',
      'vigil.yaml:10:5 warehouses.dd.sed: unknown field (did you mean seed?)',
      'vigil.yaml:14:5 warehouses.odd.frobnicate: unknown field',
    ]);
  });

  it('reports a missing required field at the object that should hold it', () => {
    const text = `warehouses:
  wh:
    type: sqlite
monitors:
  - table: orders
    metric_type: row_count
  - warehouse: wh
    table: orders
`;
    expect(errorLines(text)).toEqual([
      'vigil.yaml:3:5 warehouses.wh.path: is required',
      'vigil.yaml:5:5 monitors[0].warehouse: is required',
      'vigil.yaml:7:5 monitors[1].metric_type: is required',
    ]);
  });

  it('requires warehouses', () => {
    expect(errorLines('monitors: []\n')).toEqual(['vigil.yaml:1:1 warehouses: is required']);
  });

  it('reports a key left without a value at that key', () => {
    expect(errorLines('warehouses: {}\nmonitors:\n')).toEqual(['vigil.yaml:2:10 monitors: expected a list, got null']);
  });

  it('reports a document that is not a mapping', () => {
    expect(errorLines('- warehouses\n')).toEqual(['vigil.yaml:1:1 expected a mapping (key: value lines), got a list']);
  });

  it.each<[string, string]>([
    ['11', 'must be at most 10, got number 11'],
    ['0', 'must be at least 1, got number 0'],
    ['2.5', 'expected a whole number, got number 2.5'],
    ['high', 'expected number, got the text "high"'],
  ])('rejects sensitivity %s', (value, message) => {
    const text = `${HEAD}  - warehouse: wh
    table: orders
    metric_type: row_count
    condition: { sensitivity: ${value} }
`;
    expect(errorLines(text)).toEqual([`vigil.yaml:7:31 monitors[0].condition.sensitivity: ${message}`]);
  });

  it('rejects sensitivity together with min or max', () => {
    const text = `${HEAD}  - warehouse: wh
    table: orders
    metric_type: row_count
    condition: { sensitivity: 3, min: 1 }
`;
    expect(errorLines(text)).toEqual([
      'vigil.yaml:7:31 monitors[0].condition.sensitivity: set either sensitivity (a learned band) or min/max (a manual band), not both',
    ]);
  });

  it('rejects min greater than max', () => {
    const text = `${HEAD}  - warehouse: wh
    table: orders
    metric_type: row_count
    condition: { min: 10, max: 1 }
`;
    expect(errorLines(text)).toEqual(['vigil.yaml:7:23 monitors[0].condition.min: min (10) is greater than max (1)']);
  });

  it('rejects a null sensitivity without min or max', () => {
    const text = `${HEAD}  - warehouse: wh
    table: orders
    metric_type: row_count
    condition: { sensitivity: null }
`;
    expect(errorLines(text)).toEqual([
      'vigil.yaml:7:31 monitors[0].condition.sensitivity: sensitivity is null, so a manual band needs min or max',
    ]);
  });

  it.each(['lower', 'both'])('rejects bounds %s on freshness', (bounds) => {
    const text = `${HEAD}  - warehouse: wh
    table: orders
    metric_type: freshness
    metric_config: { timestamp_column: ts }
    condition: { bounds: ${bounds} }
`;
    expect(errorLines(text)).toEqual([
      'vigil.yaml:8:26 monitors[0].condition.bounds: freshness alerts only when data is late: bounds must be upper',
    ]);
  });

  it('rejects an unknown bounds value', () => {
    const text = `${HEAD}  - warehouse: wh
    table: orders
    metric_type: row_count
    condition: { bounds: above }
`;
    expect(errorLines(text)).toEqual(['vigil.yaml:7:26 monitors[0].condition.bounds: expected one of both, upper, lower, got the text "above"']);
  });

  it('rejects an invalid cron expression', () => {
    const text = `${HEAD}  - warehouse: wh
    table: orders
    metric_type: row_count
    schedule: { cron: "not a cron" }
`;
    expect(errorLines(text)).toEqual([
      'vigil.yaml:7:23 monitors[0].schedule.cron: not a valid cron expression (expression: expected 5 or 6 fields but got 3)',
    ]);
  });

  it('rejects an unknown time zone', () => {
    const text = `${HEAD}  - warehouse: wh
    table: orders
    metric_type: row_count
    schedule: { cron: "0 * * * *", timezone: Mars/Olympus }
`;
    expect(errorLines(text)).toEqual([
      'vigil.yaml:7:46 monitors[0].schedule.timezone: unknown time zone "Mars/Olympus": use an IANA name such as Europe/Paris',
    ]);
  });

  it('rejects a cron form the validator takes but the scheduler cannot run', () => {
    const text = `${HEAD}  - warehouse: wh
    table: orders
    metric_type: row_count
    schedule: { cron: "0 0 15W * *" }
`;
    const lines = errorLines(text);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^vigil\.yaml:7:23 monitors\[0\]\.schedule\.cron: the scheduler cannot run this cron expression: /);
  });

  it('names notification channels: the type for the only one of its type; several of one type need names', () => {
    const head = 'warehouses:\n  wh: { type: sqlite, path: ./w.db }\nmonitors: []\n';
    const ok = parseConfig(`${head}notifications:\n  - { type: slack, webhook_url: "https://hooks.slack.com/services/T/B/x" }\n  - { type: webhook, name: ops, url: "https://ops.example.com/hook" }\n`, 'vigil.yaml', {});
    expect(ok.notifications.map((c) => c.name)).toEqual(['slack', 'ops']);
    const text = `${head}notifications:
  - { type: slack, webhook_url: "https://hooks.slack.com/a" }
  - { type: slack, name: team, webhook_url: "https://hooks.slack.com/b" }
  - { type: webhook, name: team, url: "https://x.example.com" }
  - { type: webhook, name: ops, url: "ftp://x.example.com" }
`;
    expect(errorLines(text)).toEqual([
      'vigil.yaml:5:5 notifications[0].name: there are several slack channels: give each a name',
      'vigil.yaml:7:28 notifications[2].name: the name "team" is already used by notifications[1]',
      'vigil.yaml:8:38 notifications[3].url: must be an http:// or https:// URL',
    ]);
  });

  it('rejects a time zone without cron', () => {
    const text = `${HEAD}  - warehouse: wh
    table: orders
    metric_type: row_count
    schedule: { cadence: daily, timezone: Europe/Paris }
`;
    expect(errorLines(text)).toEqual([
      'vigil.yaml:7:43 monitors[0].schedule.timezone: timezone applies to cron schedules; cadence hours are UTC',
    ]);
  });

  it('rejects cadence fields next to cron', () => {
    const text = `${HEAD}  - warehouse: wh
    table: orders
    metric_type: row_count
    schedule: { cron: "0 * * * *", hour: 4 }
`;
    expect(errorLines(text)).toEqual(['vigil.yaml:7:42 monitors[0].schedule.hour: a cron schedule takes only cron and timezone']);
  });

  it('rejects a weekly day above 6, and an out-of-range hour', () => {
    const text = `${HEAD}  - warehouse: wh
    table: orders
    metric_type: row_count
    schedule: { cadence: weekly, day: 7 }
`;
    expect(errorLines(text)).toEqual(['vigil.yaml:7:39 monitors[0].schedule.day: a weekly day is 0 (Sunday) to 6 (Saturday), got 7']);
    const hour = `${HEAD}  - warehouse: wh
    table: orders
    metric_type: row_count
    schedule: { cadence: daily, hour: 24 }
`;
    expect(errorLines(hour)).toEqual(['vigil.yaml:7:39 monitors[0].schedule.hour: must be at most 23, got number 24']);
  });

  it('rejects an unknown cadence', () => {
    const text = `${HEAD}  - warehouse: wh
    table: orders
    metric_type: row_count
    schedule: { cadence: yearly }
`;
    expect(errorLines(text)).toEqual([
      'vigil.yaml:7:26 monitors[0].schedule.cadence: expected one of hourly, daily, weekly, monthly, got the text "yearly"',
    ]);
  });

  it('rejects duplicate monitor names, generated default names included', () => {
    const text = `${HEAD}  - warehouse: wh
    table: orders
    metric_type: row_count
  - warehouse: wh
    table: orders
    metric_type: row_count
  - name: Orders mean
    warehouse: wh
    table: orders
    column: amount
    metric_type: mean
  - name: Orders mean
    warehouse: wh
    table: orders
    column: total
    metric_type: mean
  - name: Row count of orders
    warehouse: wh
    table: orders
    metric_type: row_count
    metric_config: { where: "paid" }
`;
    expect(errorLines(text)).toEqual([
      'vigil.yaml:7:5 monitors[1]: monitor name "Row count of orders" is already used by monitors[0]; names must be unique',
      'vigil.yaml:15:11 monitors[3].name: monitor name "Orders mean" is already used by monitors[2]; names must be unique',
      'vigil.yaml:20:11 monitors[4].name: monitor name "Row count of orders" is already used by monitors[0]; names must be unique',
    ]);
  });

  it('rejects duplicate explicit ids', () => {
    const text = `${HEAD}  - name: A
    id: 0b7c2a52-3f0e-4b0e-9a53-0d4bd6d4d7c1
    warehouse: wh
    table: orders
    metric_type: row_count
  - name: B
    id: 0b7c2a52-3f0e-4b0e-9a53-0d4bd6d4d7c1
    warehouse: wh
    table: customers
    metric_type: row_count
`;
    expect(errorLines(text)).toEqual([
      'vigil.yaml:10:9 monitors[1].id: id 0b7c2a52-3f0e-4b0e-9a53-0d4bd6d4d7c1 is already used by monitors[0]',
    ]);
  });

  it('rejects an explicit id equal to the id generated for an earlier monitor', () => {
    const generated = load(`${HEAD}  - name: Orders
    warehouse: wh
    table: orders
    metric_type: row_count
`).monitors[0]!.id;
    const text = `${HEAD}  - name: Orders
    warehouse: wh
    table: orders
    metric_type: row_count
  - name: Customers
    id: ${generated}
    warehouse: wh
    table: customers
    metric_type: row_count
`;
    expect(errorLines(text)).toEqual([`vigil.yaml:9:9 monitors[1].id: id ${generated} is already used by monitors[0]`]);
  });

  it('rejects an explicit id equal to the id generated for a later monitor', () => {
    const generated = load(`${HEAD}  - name: Orders
    warehouse: wh
    table: orders
    metric_type: row_count
`).monitors[0]!.id;
    const text = `${HEAD}  - name: Customers
    id: ${generated}
    warehouse: wh
    table: customers
    metric_type: row_count
  - name: Orders
    warehouse: wh
    table: orders
    metric_type: row_count
`;
    // Two monitors must never share an id, whichever of them spelt it out.
    const lines = errorLines(text);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^vigil\.yaml:\d+:\d+ monitors\[[01]\](\.id|\.name)?: .*already used by monitors\[[01]\]/);
  });

  it('rejects an id that is not a UUID', () => {
    const text = `${HEAD}  - id: orders-1
    warehouse: wh
    table: orders
    metric_type: row_count
`;
    expect(errorLines(text)).toEqual(['vigil.yaml:4:9 monitors[0].id: expected a UUID, got the text "orders-1"']);
  });

  it.each(['mysql://db/vigil', 'sqlite:', './vigil.db', 'postgres:db'])('rejects the store %j', (store) => {
    expect(errorLines(`store: "${store}"\nwarehouses: {}\n`)).toEqual([
      'vigil.yaml:1:8 store: expected sqlite:PATH (e.g. sqlite:./vigil.db) or a postgres:// URL',
    ]);
  });

  it('rejects a bad warehouse name at its key', () => {
    const text = `warehouses:
  9bad: { type: sqlite, path: a.db }
  "my wh": { type: sqlite, path: b.db }
`;
    const message = 'a warehouse name is a letter or _ then letters, digits, _ or -';
    expect(errorLines(text)).toEqual([`vigil.yaml:2:3 warehouses["9bad"]: ${message}`, `vigil.yaml:3:3 warehouses["my wh"]: ${message}`]);
  });

  it('rejects an unknown warehouse type', () => {
    const text = `warehouses:
  wh:
    type: oracle
    path: x
`;
    expect(errorLines(text)).toEqual([
      'vigil.yaml:3:11 warehouses.wh.type: expected one of postgres, mysql, redshift, sqlite, duckdb, snowflake, bigquery, got the text "oracle"',
    ]);
  });

  it('rejects a server warehouse without url or host, and a url of another protocol', () => {
    const text = `warehouses:
  pg:
    type: postgres
    database: shop
  my:
    type: mysql
    url: postgres://db/shop
`;
    expect(errorLines(text)).toEqual([
      'vigil.yaml:3:5 warehouses.pg: needs url, or host (with port, user, password, database)',
      'vigil.yaml:7:10 warehouses.my.url: must start with mysql:// or mariadb://',
    ]);
  });

  it('rejects a max_concurrency below 1', () => {
    const text = `warehouses:
  wh: { type: sqlite, path: x.db, max_concurrency: 0 }
`;
    expect(errorLines(text)).toEqual(['vigil.yaml:2:52 warehouses.wh.max_concurrency: must be at least 1, got number 0']);
  });

  it('rejects an api.write_rate_limit_per_minute of 0, a fraction or above 100000', () => {
    const text = (limit: string) => `warehouses:
  wh: { type: sqlite, path: x.db }
api:
  write_rate_limit_per_minute: ${limit}
`;
    expect(errorLines(text('0'))).toEqual(['vigil.yaml:4:32 api.write_rate_limit_per_minute: must be at least 1, got number 0']);
    expect(errorLines(text('2.5'))).toEqual(['vigil.yaml:4:32 api.write_rate_limit_per_minute: expected a whole number, got number 2.5']);
    expect(errorLines(text('100001'))).toEqual(['vigil.yaml:4:32 api.write_rate_limit_per_minute: must be at most 100000, got number 100001']);
  });

  it('rejects table paths with more parts than the dialect allows', () => {
    const text = `warehouses:
  lite: { type: sqlite, path: x.db }
  pg: { type: postgres, url: "postgres://db/x" }
  my: { type: mysql, url: "mysql://db/x" }
monitors:
  - warehouse: lite
    table: main.orders
    metric_type: row_count
  - warehouse: lite
    table: a.main.orders
    metric_type: row_count
  - warehouse: lite
    table: [a, main, orders]
    column: amount
    metric_type: max
  - warehouse: pg
    table: analytics.public.orders
    metric_type: row_count
  - warehouse: pg
    table: x.analytics.public.orders
    metric_type: freshness
    metric_config: { timestamp_column: ts }
  - warehouse: my
    table: shop.orders.x
    column: id
    metric_type: cardinality
`;
    expect(errorLines(text)).toEqual([
      'vigil.yaml:10:12 monitors[1].table: a sqlite table name has at most 2 parts, got 3: a.main.orders',
      'vigil.yaml:13:12 monitors[2].table: a sqlite table name has at most 2 parts, got 3: a.main.orders',
      'vigil.yaml:20:12 monitors[4].table: a postgres table name has at most 3 parts, got 4: x.analytics.public.orders',
      'vigil.yaml:24:12 monitors[5].table: a mysql table name has at most 2 parts, got 3: shop.orders.x',
    ]);
  });

  it('says a table list is too long, rather than that it should be a string', () => {
    const text = `warehouses:
  pg: { type: postgres, url: "postgres://db/x" }
monitors:
  - warehouse: pg
    table: [a, b, c, d]
    metric_type: row_count
`;
    const lines = errorLines(text);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^vigil\.yaml:5:12 monitors\[0\]\.table: .*at most 3/);
    expect(lines[0]).not.toContain('expected string');
  });

  it('reports a malformed table name', () => {
    const text = `${HEAD}  - warehouse: wh
    table: main..orders
    metric_type: row_count
  - warehouse: wh
    table: '"main.orders'
    column: amount
    metric_type: mean
`;
    expect(errorLines(text)).toEqual([
      'vigil.yaml:5:12 monitors[0].table: empty part in table name "main..orders"',
      'vigil.yaml:8:12 monitors[1].table: unclosed quote in table name "\\"main.orders"',
    ]);
  });

  it('does not report a clash of default names for monitors whose table could not be read', () => {
    // Both names would come from an unreadable table; the table errors are the ones to report.
    const text = `${HEAD}  - warehouse: wh
    table: main..orders
    metric_type: row_count
  - warehouse: wh
    table: '"main.orders'
    metric_type: row_count
`;
    expect(errorLines(text)).toEqual([
      'vigil.yaml:5:12 monitors[0].table: empty part in table name "main..orders"',
      'vigil.yaml:8:12 monitors[1].table: unclosed quote in table name "\\"main.orders"',
    ]);
  });

  it('reports an empty table, and an empty item of a table list', () => {
    const text = `${HEAD}  - warehouse: wh
    table: ""
    metric_type: row_count
  - warehouse: wh
    table: [main, ""]
    metric_type: row_count
`;
    expect(errorLines(text)).toEqual([
      'vigil.yaml:5:12 monitors[0].table: must not be empty',
      'vigil.yaml:8:19 monitors[1].table[1]: must not be empty',
    ]);
  });

  it('reports a YAML syntax error at its position', () => {
    expect(errorLines('warehouses:\n  wh:\n    type: sqlite\n   path: x\n')).toEqual([
      'vigil.yaml:4:1 invalid YAML: All mapping items must start at the same column',
    ]);
    expect(errorLines('warehouses:\n\twh: 1\n')).toEqual(['vigil.yaml:2:1 invalid YAML: Tabs are not allowed as indentation']);
    expect(errorLines('store: "sqlite:x\nwarehouses: {}\n')).toEqual([
      expect.stringMatching(/^vigil\.yaml:\d+:\d+ invalid YAML: Missing closing "quote$/),
    ]);
  });

  it('hints at quoting when ${...} breaks a flow map', () => {
    const text = `${HEAD}  - warehouse: wh
    table: orders
    metric_type: row_count
    condition: { sensitivity: \${SENSITIVITY} }
`;
    expect(errorLines(text, { SENSITIVITY: '3' })).toEqual([
      'vigil.yaml:7:32 invalid YAML: Unexpected flow-map-start at node end; a value holding { or ${...} inside { } needs quotes (and 2 more YAML errors after it)',
    ]);
  });

  it('reports a duplicate key at the second occurrence', () => {
    const text = `warehouses:
  wh:
    type: sqlite
    type: duckdb
    path: x
`;
    expect(errorLines(text)).toEqual(['vigil.yaml:4:5 invalid YAML: Map keys must be unique']);
    const monitors = `${HEAD}  - warehouse: wh
    table: orders
    metric_type: row_count
    table: customers
`;
    expect(errorLines(monitors)).toEqual(['vigil.yaml:7:5 invalid YAML: Map keys must be unique']);
  });

  it.each(['', '\n\n', '# only a comment\n'])('rejects an empty file %j', (text) => {
    expect(errorLines(text)).toEqual(['vigil.yaml:1:1 the file is empty: it needs warehouses and monitors']);
  });

  it('names the file as displayName says, or by its path by default', () => {
    expect(configError(() => parseConfig('', '/srv/vigil/vigil.yaml', {})).message).toBe(
      '/srv/vigil/vigil.yaml:1:1 the file is empty: it needs warehouses and monitors',
    );
    expect(configError(() => parseConfig('', '/srv/vigil/vigil.yaml', {}, 'conf.yaml')).message).toBe(
      'conf.yaml:1:1 the file is empty: it needs warehouses and monitors',
    );
  });
});

describe('cloud warehouses', () => {
  const monitors = `
monitors:
  - { warehouse: sf, table: analytics.public.orders, metric_type: freshness }
  - { warehouse: bq, table: shop.orders, metric_type: freshness }
  - { warehouse: rs, table: public.orders, metric_type: row_count }
`;

  it('reads Snowflake, BigQuery and Redshift blocks, with key files relative to the config', () => {
    const config = load(`
warehouses:
  sf:
    type: snowflake
    account: myorg-myaccount
    user: VIGIL
    private_key_path: keys/vigil.p8
    private_key_passphrase: \${SF_PASS}
    role: VIGIL_READER
    warehouse: MONITORING
    database: ANALYTICS
    schema: PUBLIC
  bq:
    type: bigquery
    project: my-project-123
    location: EU
    key_file: keys/sa.json
    maximum_bytes_billed: 10000000000
  rs:
    type: redshift
    host: example.abc123.eu-west-1.redshift.amazonaws.com
    user: vigil
    password: secret
    database: dev
    ssl: true
${monitors}`, { SF_PASS: 'pass phrase' });
    expect(warehouse(config, 'sf')).toMatchObject({
      type: 'snowflake', account: 'myorg-myaccount', user: 'VIGIL', private_key_path: '/srv/vigil/keys/vigil.p8', private_key_passphrase: 'pass phrase',
      role: 'VIGIL_READER', warehouse: 'MONITORING', database: 'ANALYTICS', schema: 'PUBLIC', query_tag: 'vigil', max_concurrency: 4, query_timeout_seconds: 300,
    });
    expect(warehouse(config, 'bq')).toMatchObject({
      type: 'bigquery', project: 'my-project-123', location: 'EU', key_file: '/srv/vigil/keys/sa.json', maximum_bytes_billed: 10_000_000_000, labels: { app: 'vigil' },
    });
    expect(warehouse(config, 'rs')).toMatchObject({ type: 'redshift', host: 'example.abc123.eu-west-1.redshift.amazonaws.com', ssl: true, max_concurrency: 4 });
    // Freshness from the warehouse's own metadata: no timestamp column needed on Snowflake and BigQuery.
    expect(config.monitors.filter((m) => m.metricType === 'freshness').map((m) => m.metricConfig.timestamp_column)).toEqual([undefined, undefined]);
  });

  it('says what a cloud warehouse block is missing or has wrong, at the field', () => {
    expect(errorLines(`
warehouses:
  sf: { type: snowflake, account: https://x.snowflakecomputing.com, user: u, password: p }
  sf2: { type: snowflake, account: acct, user: u }
  sf3: { type: snowflake, account: acct, user: u, password: p, private_key_path: k.p8 }
  bq: { type: bigquery, project: My_Project, labels: { Team: Data } }
  bq2: { type: bigquery, project: p-1, maximum_bytes_billed: -5 }
`)).toEqual([
      'vigil.yaml:3:35 warehouses.sf.account: is the account identifier, e.g. myorg-myaccount or xy12345.eu-central-1 (not a URL), got the text "https://x.snowflakecomputing.com"',
      'vigil.yaml:4:8 warehouses.sf2: needs password, or private_key_path for key-pair authentication (one of them)',
      'vigil.yaml:5:8 warehouses.sf3: needs password, or private_key_path for key-pair authentication (one of them)',
      'vigil.yaml:6:34 warehouses.bq.project: is a project id, e.g. my-project-123, got the text "My_Project"',
      'vigil.yaml:6:56 warehouses.bq.labels.Team: is lower-case letters, digits, _ or - (BigQuery label rules)',
      'vigil.yaml:7:62 warehouses.bq2.maximum_bytes_billed: must be at least 1, got number -5',
    ]);
  });

  it('needs the dataset of a BigQuery table, and a timestamp column for freshness where the warehouse keeps no dates', () => {
    expect(errorLines(`
warehouses:
  bq: { type: bigquery, project: p-1 }
  pg: { type: postgres, url: postgres://h/db }
monitors:
  - { warehouse: bq, table: orders, metric_type: row_count }
  - { warehouse: pg, table: orders, metric_type: freshness }
  - { warehouse: bq, table: shop.orders, metric_type: freshness, metric_config: { where: "x > 1" } }
`)).toEqual([
      'vigil.yaml:6:29 monitors[0].table: a bigquery table name needs its dataset: dataset.table or project.dataset.table, got orders',
      'vigil.yaml:7:5 monitors[1].metric_config: freshness needs metric_config.timestamp_column: the column whose newest value dates the data (only Snowflake and BigQuery can date a table from their own metadata)',
      "vigil.yaml:8:90 monitors[2].metric_config.where: freshness from the warehouse's metadata dates the whole table: where needs a timestamp_column",
    ]);
  });
});

describe('config errors: several at once', () => {
  it('reports a missing variable, a schema problem and a rule problem together, each once', () => {
    const text = `warehouses:
  pg:
    type: postgres
    url: \${PG_URL}
    quer_tag: vigil
monitors:
  - { warehouse: pgg, table: orders, metric_type: row_cnt }
  - { warehouse: pg, table: orders, metric_type: row_count, condition: { sensitivity: 11 } }
  - { warehouse: pg, table: orders, metric_type: mean }
`;
    expect(errorLines(text, {})).toEqual([
      'vigil.yaml:4:10 warehouses.pg.url: environment variable PG_URL is not set',
      'vigil.yaml:5:5 warehouses.pg.quer_tag: unknown field (did you mean query_tag?)',
      'vigil.yaml:7:18 monitors[0].warehouse: unknown warehouse "pgg" (did you mean pg?); configured: pg',
      'vigil.yaml:7:51 monitors[0].metric_type: expected one of row_count, freshness, null_percentage, unique_percentage, cardinality, min, max, mean, custom_sql, got "row_cnt" (did you mean row_count?)',
      'vigil.yaml:8:87 monitors[1].condition.sensitivity: must be at most 10, got number 11',
      'vigil.yaml:9:5 monitors[2]: mean is a column metric: set column',
    ]);
  });

  it('reports every problem of every monitor, one a line, in file order', () => {
    // monitors come before warehouses, and in the first monitor metric_type comes before warehouse.
    const text = `monitors:
  - metric_type: bogus
    warehouse: nope
    table: t
  - warehouse: wh
    table: t
    metric_type: row_count
    condition: { min: 5, max: 1 }
  - warehouse: wh
    table: t
    column: c
    metric_type: freshness
    schedule: { cadence: weekly, day: 9 }
warehouses:
  wh: { type: sqlite, path: x }
`;
    expect(errorLines(text)).toEqual([
      `vigil.yaml:2:18 monitors[0].metric_type: expected one of ${METRIC_LIST}, got "bogus"`,
      'vigil.yaml:3:16 monitors[0].warehouse: unknown warehouse "nope"; configured: wh',
      'vigil.yaml:8:23 monitors[1].condition.min: min (5) is greater than max (1)',
      'vigil.yaml:9:5 monitors[2].metric_config: freshness needs metric_config.timestamp_column: the column whose newest value dates the data (only Snowflake and BigQuery can date a table from their own metadata)',
      'vigil.yaml:11:13 monitors[2].column: freshness is a table-level metric; remove column or use a column metric',
      'vigil.yaml:13:39 monitors[2].schedule.day: a weekly day is 0 (Sunday) to 6 (Saturday), got 9',
    ]);
  });

  it('orders shape errors by file position, not by the order the schema checks them', () => {
    const text = `monitors:
  - warehouse: wh
    table: t
    metric_type: row_count
    enabled: "yes"
warehouses:
  wh: { type: sqlite, path: x, max_concurrency: 0 }
store: 5
`;
    expect(errorLines(text)).toEqual([
      'vigil.yaml:5:14 monitors[0].enabled: expected boolean, got the text "yes"',
      'vigil.yaml:7:49 warehouses.wh.max_concurrency: must be at least 1, got number 0',
      'vigil.yaml:8:8 store: expected string, got number 5',
    ]);
  });

  it('reports the first YAML error and counts the others', () => {
    const lines = errorLines('warehouses:\n  a: 1\n  a: 2\nmonitors:\n  x: 1\n  x: 2\n');
    expect(lines).toEqual(['vigil.yaml:3:3 invalid YAML: Map keys must be unique (and 1 more YAML error after it)']);
  });
});

describe('loadConfig', () => {
  const dir = tempDir();

  it('reports a missing file as config_not_found', () => {
    const file = join(dir, 'missing.yaml');
    let caught: unknown;
    try {
      loadConfig(file, {});
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(VigilError);
    expect((caught as VigilError).code).toBe('config_not_found');
    expect((caught as VigilError).message).toBe(`${file}: cannot read the config file: no such file`);
  });

  it('names the file by the path it was given in config errors', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, `${HEAD}  - warehouse: wh\n    table: orders\n    metric_type: row_cont\n`);
    const error = configError(() => loadConfig(file, {}));
    expect(error.message).toBe(
      `${file}:6:18 monitors[0].metric_type: expected one of ${METRIC_LIST}, got "row_cont" (did you mean row_count?)`,
    );
  });

  it('reads the environment it is given', () => {
    const file = join(dir, 'env.yaml');
    writeFileSync(file, 'store: ${VIGIL_TEST_STORE}\nwarehouses: {}\n');
    expect(loadConfig(file, { VIGIL_TEST_STORE: 'postgres://vigil@db/vigil' }).store).toEqual({
      kind: 'postgres',
      url: 'postgres://vigil@db/vigil',
    });
    expect(configError(() => loadConfig(file, {})).message).toBe(`${file}:1:8 store: environment variable VIGIL_TEST_STORE is not set`);
  });

  it("resolves relative paths against the config file's folder", () => {
    const folder = join(dir, 'project', 'conf');
    mkdirSync(folder, { recursive: true });
    const file = join(folder, 'vigil.yaml');
    writeFileSync(
      file,
      `store: sqlite:./x.db
warehouses:
  lite: { type: sqlite, path: ./data/w.db, seed: ../seed.sql }
  duck: { type: duckdb, path: /abs/dw.duckdb }
`,
    );
    const config = loadConfig(file, {});
    expect(config.file).toBe(file);
    expect(config.store).toEqual({ kind: 'sqlite', path: join(folder, 'x.db') });
    expect(fileWarehouse(config, 'lite').path).toBe(join(folder, 'data', 'w.db'));
    expect(fileWarehouse(config, 'lite').seed).toBe(join(dir, 'project', 'seed.sql'));
    expect(fileWarehouse(config, 'duck').path).toBe('/abs/dw.duckdb');
    expect(fileWarehouse(config, 'duck').seed).toBeUndefined();
  });
});

describe('config.example.yaml', () => {
  it('loads with an empty environment', () => {
    const config = loadConfig(EXAMPLE, {});
    const folder = resolve(EXAMPLE, '..');
    expect(config.file).toBe(EXAMPLE);
    expect(config.store).toEqual({ kind: 'sqlite', path: join(folder, '.vigil', 'vigil.db') });
    expect(config.warehouses).toEqual([
      {
        name: 'demo',
        config: {
          type: 'sqlite',
          path: join(folder, '.vigil', 'demo.db'),
          seed: join(folder, 'fixtures', 'demo', 'seed.sql'),
          max_concurrency: 2,
          query_timeout_seconds: 300,
          connect_timeout_seconds: 10,
        },
      },
    ]);
    expect(config.monitors.map((m) => [m.name, m.metricType])).toEqual([
      ['Orders row count', 'row_count'],
      ['Paid orders', 'row_count'],
      ['Orders freshness', 'freshness'],
      ['Null percentage of order amounts', 'null_percentage'],
      ['Smallest order amount', 'min'],
      ['Average order amount', 'mean'],
      ['Unique customer emails', 'unique_percentage'],
      ['Countries', 'cardinality'],
      ['Refund rate', 'custom_sql'],
    ]);
    expect(config.monitors.every((m) => m.isEnabled && m.source === 'yaml' && m.warehouse === 'demo' && isUuid(m.id))).toBe(true);
    expect(new Set(config.monitors.map((m) => m.id)).size).toBe(9);

    expect(monitorNamed(config, 'Orders row count').schedule).toEqual({ cadence: 'hourly', frequency: 1 });
    expect(monitorNamed(config, 'Orders row count').condition).toEqual({ sensitivity: 5, min: null, max: null, bounds: 'both' });
    expect(monitorNamed(config, 'Paid orders')).toMatchObject({
      table: ['orders'],
      column: null,
      metricConfig: { where: "status = 'paid'" },
      schedule: { cadence: 'daily', frequency: 1, hour: 0 },
      condition: { sensitivity: null, min: 1000, max: null, bounds: 'both' },
    });
    expect(monitorNamed(config, 'Orders freshness').condition).toEqual({ sensitivity: null, min: null, max: 48, bounds: 'upper' });
    expect(monitorNamed(config, 'Orders freshness').metricConfig).toEqual({ timestamp_column: 'created_at' });
    expect(monitorNamed(config, 'Smallest order amount').condition).toEqual({ sensitivity: null, min: 0, max: null, bounds: 'lower' });
    expect(monitorNamed(config, 'Average order amount').schedule).toEqual({ cadence: 'daily', frequency: 1, hour: 6 });
    const refund = monitorNamed(config, 'Refund rate');
    expect(refund.table).toBeNull();
    expect(refund.column).toBeNull();
    expect(refund.metricConfig.query_select).toBe("SELECT 100.0 * SUM(status = 'refunded') / COUNT(*) AS refund_pct\nFROM orders\n");
  });

  it('takes the store from VIGIL_STORE when set', () => {
    expect(loadConfig(EXAMPLE, { VIGIL_STORE: 'postgres://vigil@db:5432/vigil' }).store).toEqual({
      kind: 'postgres',
      url: 'postgres://vigil@db:5432/vigil',
    });
  });
});

describe('config: defaults and normalisation', () => {
  const minimal = `${HEAD}  - warehouse: wh
    table: orders
    column: amount
    metric_type: null_percentage
`;

  it('gives a monitor default schedule, condition, name and enabled', () => {
    const config = load(minimal);
    expect(config.monitors).toHaveLength(1);
    const m = config.monitors[0]!;
    expect(m).toMatchObject({
      name: 'Null percentage of orders.amount',
      warehouse: 'wh',
      table: ['orders'],
      column: 'amount',
      metricType: 'null_percentage',
      metricConfig: {},
      schedule: { cadence: 'daily', frequency: 1, hour: 0 },
      condition: { sensitivity: 5, min: null, max: null, bounds: 'both' },
      isEnabled: true,
      source: 'yaml',
    });
    expect(m.schedule).toEqual({ cadence: 'daily', frequency: 1, hour: 0 });
    expect(isUuid(m.id)).toBe(true);
  });

  it('defaults freshness to upper bounds', () => {
    const text = `${HEAD}  - warehouse: wh
    table: public.orders
    metric_type: freshness
    metric_config: { timestamp_column: updated_at }
`;
    const m = load(text).monitors[0]!;
    expect(m.name).toBe('Freshness of public.orders');
    expect(m.condition).toEqual({ sensitivity: 5, min: null, max: null, bounds: 'upper' });
  });

  it('keeps enabled: false', () => {
    const text = `${HEAD}  - warehouse: wh
    table: orders
    metric_type: row_count
    enabled: false
`;
    expect(load(text).monitors[0]!.isEnabled).toBe(false);
  });

  it('defaults the store and the monitors list', () => {
    const config = load('warehouses:\n  wh: { type: sqlite, path: w.db }\n');
    expect(config.store).toEqual({ kind: 'sqlite', path: '/srv/vigil/vigil.db' });
    expect(config.monitors).toEqual([]);
  });

  it('defaults the api: 127.0.0.1:8080 and 30 writes a minute per key', () => {
    expect(load('warehouses:\n  wh: { type: sqlite, path: w.db }\n').api).toEqual({ host: '127.0.0.1', port: 8080, writeRateLimitPerMinute: 30 });
    expect(load('warehouses:\n  wh: { type: sqlite, path: w.db }\napi: { port: 0 }\n').api).toEqual({ host: '127.0.0.1', port: 0, writeRateLimitPerMinute: 30 });
  });

  it('takes an explicit api.write_rate_limit_per_minute, also from a variable', () => {
    const text = (limit: string) => `warehouses:\n  wh: { type: sqlite, path: w.db }\napi:\n  write_rate_limit_per_minute: ${limit}\n`;
    expect(load(text('120')).api).toEqual({ host: '127.0.0.1', port: 8080, writeRateLimitPerMinute: 120 });
    expect(load(text('1')).api.writeRateLimitPerMinute).toBe(1);
    expect(load(text('100000')).api.writeRateLimitPerMinute).toBe(100_000);
    expect(load(text('${WRITES}'), { WRITES: '7' }).api.writeRateLimitPerMinute).toBe(7);
  });

  it('gives stable ids: the same name gets the same id across loads', () => {
    const first = load(minimal).monitors[0]!;
    const again = load(minimal).monitors[0]!;
    expect(again.id).toBe(first.id);
    const moved = load(`${HEAD}  - name: Null percentage of orders.amount
    warehouse: wh
    table: orders
    column: amount
    metric_type: null_percentage
    condition: { max: 5 }
`).monitors[0]!;
    expect(moved.id).toBe(first.id);
    const other = load(`${HEAD}  - name: Amount nulls
    warehouse: wh
    table: orders
    column: amount
    metric_type: null_percentage
`).monitors[0]!;
    expect(other.id).not.toBe(first.id);
    expect(other.targetId).toBe(first.targetId);
  });

  it('respects an explicit id', () => {
    const text = `${HEAD}  - id: 0b7c2a52-3f0e-4b0e-9a53-0d4bd6d4d7c1
    warehouse: wh
    table: orders
    metric_type: row_count
`;
    expect(load(text).monitors[0]!.id).toBe('0b7c2a52-3f0e-4b0e-9a53-0d4bd6d4d7c1');
  });

  it('resolves relative paths against the folder of the file name given', () => {
    const config = parseConfig('store: sqlite:./x.db\nwarehouses:\n  wh: { type: sqlite, path: ./w.db, seed: seed.sql }\n', 'conf/vigil.yaml', {});
    expect(config.file).toBe(resolve('conf/vigil.yaml'));
    expect(config.store).toEqual({ kind: 'sqlite', path: resolve('conf/x.db') });
    expect(fileWarehouse(config, 'wh').path).toBe(resolve('conf/w.db'));
    expect(fileWarehouse(config, 'wh').seed).toBe(resolve('conf/seed.sql'));
  });

  it('keeps sqlite::memory: and postgres store URLs as they are', () => {
    expect(load('store: "sqlite::memory:"\nwarehouses: {}\n').store).toEqual({ kind: 'sqlite', path: ':memory:' });
    expect(load('store: sqlite:/var/lib/vigil.db\nwarehouses: {}\n').store).toEqual({ kind: 'sqlite', path: '/var/lib/vigil.db' });
    expect(load('store: postgres://u:p@db:5432/vigil?sslmode=require\nwarehouses: {}\n').store).toEqual({
      kind: 'postgres',
      url: 'postgres://u:p@db:5432/vigil?sslmode=require',
    });
    expect(load('store: postgresql://db/vigil\nwarehouses: {}\n').store).toEqual({ kind: 'postgres', url: 'postgresql://db/vigil' });
  });

  it('accepts metric aliases and names monitors by the canonical metric', () => {
    const text = `${HEAD}  - warehouse: wh
    table: orders
    column: amount
    metric_type: minimum
  - warehouse: wh
    table: orders
    column: amount
    metric_type: maximum
  - warehouse: wh
    table: orders
    column: amount
    metric_type: avg
`;
    expect(load(text).monitors.map((m) => [m.metricType, m.name])).toEqual([
      ['min', 'Minimum of orders.amount'],
      ['max', 'Maximum of orders.amount'],
      ['mean', 'Mean of orders.amount'],
    ]);
  });

  it('reads a table as a YAML list or as a quoted dotted string', () => {
    const text = `warehouses:
  pg: { type: postgres, url: "postgres://db/x" }
monitors:
  - warehouse: pg
    table: [my.schema, orders]
    column: amount
    metric_type: mean
  - warehouse: pg
    table: '"my.schema".orders'
    column: amount
    metric_type: max
  - warehouse: pg
    table: analytics.public.orders
    metric_type: row_count
`;
    const [list, quoted, dotted] = load(text).monitors;
    expect(list!.table).toEqual(['my.schema', 'orders']);
    expect(quoted!.table).toEqual(['my.schema', 'orders']);
    expect(quoted!.targetId).toBe(list!.targetId);
    expect(dotted!.table).toEqual(['analytics', 'public', 'orders']);
    expect(dotted!.name).toBe('Row count of analytics.public.orders');
  });

  it('takes a number field from text that spells one, and keeps string fields the text they are', () => {
    const text = (port: string) => `warehouses:
  pg:
    type: postgres
    host: db
    port: ${port}
    user: "\${PORT}"
`;
    const config = load(text('${PORT}'), { PORT: '5432' });
    expect(serverWarehouse(config, 'pg').port).toBe(5432);
    expect(serverWarehouse(config, 'pg').user).toBe('5432');
    expect(serverWarehouse(load(text('"${PORT}"'), { PORT: '5432' }), 'pg').port).toBe(5432);
    expect(errorLines(text('${PORT}'), { PORT: '54x' })).toEqual(['vigil.yaml:5:11 warehouses.pg.port: expected number, got the text "54x"']);
  });

  it('defaults max_concurrency by warehouse type, and keeps an explicit one', () => {
    const config = load(`warehouses:
  pg: { type: postgres, url: "postgres://db/x" }
  my: { type: mysql, url: "mysql://db/x" }
  lite: { type: sqlite, path: x.db }
  duck: { type: duckdb, path: x.duckdb }
  busy: { type: postgres, url: "postgresql://db/y", max_concurrency: 16 }
`);
    expect(config.warehouses.map((w) => [w.name, w.config.max_concurrency])).toEqual([
      ['pg', 4],
      ['my', 4],
      ['lite', 2],
      ['duck', 2],
      ['busy', 16],
    ]);
  });

  it('fills server warehouse defaults', () => {
    const pg = serverWarehouse(load('warehouses:\n  pg: { type: postgres, url: "postgres://db/x" }\n'), 'pg');
    expect(pg).toEqual({
      type: 'postgres',
      url: 'postgres://db/x',
      query_tag: 'vigil',
      max_concurrency: 4,
      query_timeout_seconds: 300,
      connect_timeout_seconds: 10,
    });
  });
});
