import { describe, expect, it } from 'vitest';
import { WAREHOUSES } from '../../connectors/registry.js';
import type { WarehouseType } from '../../src/domain/connector.js';
import type { MetricSpec } from '../../src/domain/metric.js';

/**
 * Golden SQL: the exact text every dialect generates for every metric type, kept in
 * test/sql/golden/<dialect>.sql. A change to generated SQL shows up as a diff to review.
 */
const SPECS: Array<[string, MetricSpec]> = [
  ['row_count', { metricType: 'row_count' }],
  ['row_count where', { metricType: 'row_count', where: "status = 'paid'" }],
  ['freshness', { metricType: 'freshness', timestampColumn: 'updated_at' }],
  ['freshness where', { metricType: 'freshness', timestampColumn: 'updated_at', where: "status = 'paid'" }],
  ['null_percentage', { metricType: 'null_percentage', column: 'amount' }],
  ['null_percentage where', { metricType: 'null_percentage', column: 'amount', where: "status = 'paid'" }],
  ['unique_percentage', { metricType: 'unique_percentage', column: 'email' }],
  ['unique_percentage where', { metricType: 'unique_percentage', column: 'email', where: "status = 'paid'" }],
  ['cardinality', { metricType: 'cardinality', column: 'country' }],
  ['cardinality where', { metricType: 'cardinality', column: 'country', where: "status = 'paid'" }],
  ['min', { metricType: 'min', column: 'amount' }],
  ['max', { metricType: 'max', column: 'amount' }],
  ['mean', { metricType: 'mean', column: 'amount' }],
  ['mean where', { metricType: 'mean', column: 'amount', where: "status = 'paid'" }],
];

function golden(type: WarehouseType): string {
  const dialect = WAREHOUSES[type].dialect;
  const table = type === 'mysql' || type === 'sqlite' ? ['shop', 'orders'] : ['analytics', 'shop', 'orders'];
  const sections = SPECS.map(([name, spec]) => `-- ${name}\n${dialect.batchQuery(table, [{ alias: 'm0', spec }])};`);
  sections.push(
    `-- batch of every metric, mixed filters\n${dialect.batchQuery(table, SPECS.map(([, spec], i) => ({ alias: `m${i}`, spec })))};`,
    `-- batch sharing one filter: it becomes the WHERE\n${dialect.batchQuery(table, [
      { alias: 'm0', spec: { metricType: 'row_count', where: 'id > 10' } },
      { alias: 'm1', spec: { metricType: 'max', column: 'amount', where: 'id > 10' } },
    ])};`,
    `-- custom_sql\n${dialect.customQuery('SELECT COUNT(*) FROM shop.customers WHERE type = \'external\';  \n')};`,
    `-- column type\n${dialect.columnTypeQuery(table, 'amount')};`,
  );
  if (dialect.metadataFreshnessQuery !== undefined) {
    sections.push(`-- freshness from the warehouse's metadata\n${dialect.metadataFreshnessQuery(table)};`);
  }
  return `${sections.join('\n\n')}\n`;
}

describe.each(Object.keys(WAREHOUSES) as WarehouseType[])('%s dialect', (type) => {
  it('generates the golden SQL for every metric type', async () => {
    await expect(golden(type)).toMatchFileSnapshot(`golden/${type}.sql`);
  });
});

const HOSTILE = ['a"; drop table x; --', 'b`; drop table x; --', 'c"`"`', '"', '`', "d'e", 'f\\g', 'ünï cødé', ' spaced ', 'g\\`; --', 'line\nbreak'];

/**
 * Reads a quoted identifier back as the warehouse would: BigQuery's escapes are backslashes
 * (as in its strings), the others double the quote. Fails when a quote inside would end it early.
 */
function unquote(type: WarehouseType, quoted: string, quote: string): string {
  const inner = quoted.slice(1, -1);
  if (type === 'bigquery') {
    let out = '';
    for (let i = 0; i < inner.length; i++) {
      if (inner[i] === quote) throw new Error(`an unescaped ${quote} at ${i} ends ${quoted} early`);
      if (inner[i] === '\\') {
        const next = inner[++i];
        out += next === 'n' ? '\n' : next === 'r' ? '\r' : next;
      } else out += inner[i];
    }
    return out;
  }
  // Every quote character inside is doubled, so none can end the identifier early.
  expect(inner.split(quote + quote).join('')).not.toContain(quote);
  return inner.split(quote + quote).join(quote);
}

describe.each(Object.keys(WAREHOUSES) as WarehouseType[])('%s quoting', (type) => {
  const dialect = WAREHOUSES[type].dialect;
  const quote = dialect.quoteIdentifier('x')[0]!;

  it.each(HOSTILE)('keeps %j inside one quoted identifier', (name) => {
    const quoted = dialect.quoteIdentifier(name);
    expect(quoted.startsWith(quote) && quoted.endsWith(quote)).toBe(true);
    expect(unquote(type, quoted, quote)).toBe(name);
  });

  it('refuses empty names and NUL characters', () => {
    expect(() => dialect.quoteIdentifier('')).toThrow(/empty/);
    expect(() => dialect.quoteIdentifier('a\u0000b')).toThrow(/NUL/);
  });

  it('quotes each part of a table path, and refuses paths too long for the warehouse', () => {
    // Snowflake stores unquoted names in upper case, so a plain name in the config means that one.
    const [s, t] = type === 'snowflake' ? ['S', 'T'] : ['s', 't'];
    expect(dialect.tableName(['s', 't'])).toBe(`${quote}${s}${quote}.${quote}${t}${quote}`);
    expect(() => dialect.tableName(['a', 'b', 'c', 'd'])).toThrow(/parts/);
  });
});

describe.each(Object.keys(WAREHOUSES) as WarehouseType[])('%s column types', (type) => {
  const dialect = WAREHOUSES[type].dialect;

  it('looks a column up by its names as text literals that nothing can break out of', () => {
    const sql = dialect.columnTypeQuery(['s', "t'x"], "c'; drop table x; --");
    // BigQuery escapes a quote in a string with a backslash; the others double it.
    const q = type === 'bigquery' ? "\\'" : "''";
    expect(sql).toContain(`'t${q}x'`);
    expect(sql).toContain(`'c${q}; drop table x; --'`);
    if (type === 'mysql' || type === 'bigquery') expect(dialect.columnTypeQuery(['d', 't'], 'f\\g')).toContain(`'f\\\\g'`);
    expect(() => dialect.columnTypeQuery(['d', 't'], 'a\u0000b')).toThrow(/NUL/);
    expect(() => dialect.columnTypeQuery(['a', 'b', 'c', 'd'], 'x')).toThrow(/parts/);
  });

  it.each([
    ['integer', true], ['BIGINT', true], ['int4', true], ['numeric(12,2)', true], ['DECIMAL(18,3)', true], ['double precision', true],
    ['DOUBLE', true], ['real', true], ['float8', true], ['HUGEINT', true], ['UBIGINT', true], ['tinyint', true],
    ['NUMBER(38,0)', true], ['FLOAT', true], ['INT64', true], ['FLOAT64', true], ['NUMERIC', true], ['BIGNUMERIC(50, 10)', true], ['BYTEINT', true],
    ['STRING', false], ['TIMESTAMP_NTZ', false], ['BOOL', false], ['BYTES', false], ['VARIANT', false],
    ['text', false], ['character varying', false], ['VARCHAR', false], ['interval', false], ['timestamp with time zone', false],
    ['DATE', false], ['boolean', false], ['BLOB', false], ['point', false],
  ] as const)('reads %j as numeric: %s', (declared, numeric) => {
    expect(dialect.isNumericType(declared)).toBe(numeric);
  });
});
