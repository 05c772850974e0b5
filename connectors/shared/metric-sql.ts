import { PROBE_SUFFIX, type BatchItem, type Dialect, type WarehouseType } from '../../src/domain/connector.js';
import type { MetricSpec } from '../../src/domain/metric.js';

/**
 * What differs between the SQL of two warehouses. Everything else about metric SQL is
 * shared, so every dialect computes every metric the same way.
 */
export interface SqlFlavour {
  type: WarehouseType;
  /** The identifier quote character; it is escaped by doubling unless `identifier` says otherwise. */
  quote: '"' | '`';
  /**
   * A name as the warehouse resolves it, before quoting: Snowflake reads an unquoted name
   * in upper case, so `orders` in the config means ORDERS there.
   */
  resolveName?: (name: string) => string;
  /** Quotes one (resolved) identifier, where doubling the quote is not the warehouse's escape. */
  identifier?: (name: string) => string;
  /** A text literal, where doubling single quotes is not enough (backslash escapes). */
  literal?: (text: string) => string;
  /** How many parts a table path may have (e.g. database.schema.table = 3). */
  maxTableParts: number;
  /** How many parts a table path needs (BigQuery: dataset.table); 1 when absent. */
  minTableParts?: number;
  /** An expression of the same value as a double-precision float. */
  toDouble(expr: string): string;
  /** Hours, as a float, from the timestamp `newest` (an aggregate) until now. */
  hoursSince(newest: string): string;
  /**
   * Whether the warehouse turns what it cannot read into NULL or 0 instead of failing
   * (SQLite and MySQL: AVG('x') is 0, a timestamp it cannot parse is NULL). Such metrics
   * then also select the raw value they read, so the engine can say what was wrong.
   */
  lenientTypes: boolean;
  /** The query that says a column's declared type, where information_schema does not (SQLite). */
  columnTypeQuery?: (table: readonly string[], column: string) => string;
  /** The hours since the warehouse last saw a table change, from its own metadata (see Dialect). */
  metadataFreshnessQuery?: (table: readonly string[]) => string;
}


export function quoteWith(quote: '"' | '`', name: string): string {
  checkIdentifier(name);
  return quote + name.split(quote).join(quote + quote) + quote;
}

export function checkIdentifier(name: string): void {
  if (name.length === 0) throw new Error('an identifier cannot be empty');
  if (name.includes('\u0000')) throw new Error('an identifier cannot contain a NUL character');
}

/** One name of the config as a quoted identifier of the warehouse. */
export function identifier(flavour: SqlFlavour, name: string): string {
  checkIdentifier(name);
  const resolved = flavour.resolveName === undefined ? name : flavour.resolveName(name);
  return flavour.identifier === undefined ? quoteWith(flavour.quote, resolved) : flavour.identifier(resolved);
}

/** Rows where `where` holds; NULL outside them, which every aggregate skips. */
function onlyWhere(where: string | undefined, expr: string): string {
  return where === undefined ? expr : `CASE WHEN (${where}) THEN ${expr} END`;
}

export function metricExpression(flavour: SqlFlavour, spec: MetricSpec): string {
  const q = (name: string) => identifier(flavour, name);
  const where = spec.where;
  const rows = where === undefined ? 'COUNT(*)' : `COUNT(${onlyWhere(where, '1')})`;
  const column = () => {
    if (spec.column === undefined) throw new Error(`${spec.metricType} needs a column`);
    return q(spec.column);
  };
  switch (spec.metricType) {
    case 'row_count':
      return rows;
    case 'freshness': {
      if (spec.timestampColumn === undefined) throw new Error('freshness needs a timestamp column');
      return flavour.hoursSince(`MAX(${onlyWhere(where, q(spec.timestampColumn))})`);
    }
    case 'null_percentage': {
      const nonNull = `COUNT(${onlyWhere(where, column())})`;
      return `${flavour.toDouble(`${rows} - ${nonNull}`)} * 100 / NULLIF(${rows}, 0)`;
    }
    case 'unique_percentage': {
      const nonNull = `COUNT(${onlyWhere(where, column())})`;
      const distinct = `COUNT(DISTINCT ${onlyWhere(where, column())})`;
      return `${flavour.toDouble(distinct)} * 100 / NULLIF(${nonNull}, 0)`;
    }
    case 'cardinality':
      return `COUNT(DISTINCT ${onlyWhere(where, column())})`;
    case 'min':
      return `MIN(${onlyWhere(where, column())})`;
    case 'max':
      return `MAX(${onlyWhere(where, column())})`;
    case 'mean':
      return `AVG(${onlyWhere(where, column())})`;
  }
}

/**
 * The raw value beside a metric that a lenient warehouse could silently misread: the
 * newest timestamp of freshness, the largest value averaged by mean (text sorts after
 * numbers in SQLite, so any text shows up here).
 */
export function probeExpression(flavour: SqlFlavour, spec: MetricSpec): string | undefined {
  if (!flavour.lenientTypes) return undefined;
  const q = (name: string) => identifier(flavour, name);
  if (spec.metricType === 'freshness' && spec.timestampColumn !== undefined) return `MAX(${onlyWhere(spec.where, q(spec.timestampColumn))})`;
  if (spec.metricType === 'mean' && spec.column !== undefined) return `MAX(${onlyWhere(spec.where, q(spec.column))})`;
  return undefined;
}

export function tableName(flavour: SqlFlavour, path: readonly string[]): string {
  const min = flavour.minTableParts ?? 1;
  if (path.length < min || path.length > flavour.maxTableParts) {
    throw new Error(`a ${flavour.type} table name has ${min} to ${flavour.maxTableParts} parts, got ${path.length}`);
  }
  return path.map((part) => identifier(flavour, part)).join('.');
}

/** A column alias of Vigil's own, quoted as written (never resolved: the result keeps it). */
function alias(flavour: SqlFlavour, name: string): string {
  return flavour.identifier === undefined ? quoteWith(flavour.quote, name) : flavour.identifier(name);
}

/**
 * One SELECT computing every item over one scan of the table. When all items filter on
 * the same `where`, it becomes the query's WHERE so the warehouse can prune rows.
 */
export function batchQuery(flavour: SqlFlavour, table: readonly string[], items: readonly BatchItem[]): string {
  if (items.length === 0) throw new Error('a batch needs at least one metric');
  const first = items[0]!.spec.where;
  const shared = first !== undefined && items.every((item) => item.spec.where === first) ? first : undefined;
  const columns = items.flatMap((item) => {
    const spec = shared === undefined ? item.spec : { ...item.spec, where: undefined };
    const probe = probeExpression(flavour, spec);
    const metric = `  ${metricExpression(flavour, spec)} AS ${alias(flavour, item.alias)}`;
    return probe === undefined ? [metric] : [metric, `  ${probe} AS ${alias(flavour, item.alias + PROBE_SUFFIX)}`];
  });
  const from = `FROM ${tableName(flavour, table)}`;
  return ['SELECT', columns.join(',\n'), shared === undefined ? from : `${from}\nWHERE (${shared})`].join('\n');
}

/**
 * A user's query, wrapped so that at most two rows come back however many it selects:
 * one is expected, a second proves there were too many. Trailing semicolons are dropped,
 * with a `-- comment` after the last one; the newline before the closing parenthesis keeps
 * any other trailing `--` comment harmless.
 */
export function customQuery(querySelect: string): string {
  const body = querySelect.trim().replace(/(;\s*(--[^\n']*\s*)*)+$/, '');
  return `SELECT * FROM (\n${body}\n) AS vigil_custom LIMIT 2`;
}

/** A text literal. MySQL also reads backslashes as escapes, so there they are doubled. */
export function textLiteral(flavour: SqlFlavour, text: string): string {
  if (text.includes('\u0000')) throw new Error('a name cannot contain a NUL character');
  if (flavour.literal !== undefined) return flavour.literal(text);
  const escaped = flavour.quote === '`' ? text.replace(/\\/g, '\\\\') : text;
  return `'${escaped.replace(/'/g, "''")}'`;
}

/**
 * One row with `data_type`, the column's declared type, or no row when the table or the
 * column does not exist. A one-part table is looked for in the session's schema.
 */
export function columnTypeQuery(flavour: SqlFlavour, table: readonly string[], column: string): string {
  if (flavour.columnTypeQuery !== undefined) return flavour.columnTypeQuery(table, column);
  tableName(flavour, table); // checks the number of parts
  const lit = (text: string) => textLiteral(flavour, text);
  const name = table[table.length - 1]!;
  const schema = table.length >= 2 ? lit(table[table.length - 2]!) : flavour.type === 'mysql' ? 'DATABASE()' : 'current_schema()';
  const catalog = table.length === 3 ? ` AND table_catalog = ${lit(table[0]!)}` : '';
  return `SELECT data_type FROM information_schema.columns WHERE table_schema = ${schema} AND table_name = ${lit(name)} AND column_name = ${lit(column)}${catalog}`;
}

/** A name as a text literal, resolved as the warehouse resolves it (for metadata lookups). */
export function nameLiteral(flavour: SqlFlavour, name: string): string {
  return textLiteral(flavour, flavour.resolveName === undefined ? name : flavour.resolveName(name));
}

/** Types min, max and mean can read: integers, decimals and floats of every warehouse. */
const NUMERIC_TYPE =
  /\b(u?(tiny|small|medium|big|huge|byte)?int(eger)?\d*|(big)?numeric|(big)?decimal|dec|decfloat|real|double( precision)?|float\d*|number)\b/i;

/** Whether a declared type holds numbers. An SQLite column declared without a type may hold anything. */
export function isNumericType(type: string): boolean {
  return type.trim() === '' || NUMERIC_TYPE.test(type);
}

export function dialectFrom(flavour: SqlFlavour): Dialect {
  return {
    type: flavour.type,
    maxTableParts: flavour.maxTableParts,
    minTableParts: flavour.minTableParts ?? 1,
    quoteIdentifier: (name) => identifier(flavour, name),
    tableName: (path) => tableName(flavour, path),
    metricExpression: (spec) => metricExpression(flavour, spec),
    batchQuery: (table, items) => batchQuery(flavour, table, items),
    customQuery,
    columnTypeQuery: (table, column) => columnTypeQuery(flavour, table, column),
    isNumericType,
    ...(flavour.metadataFreshnessQuery === undefined ? {} : { metadataFreshnessQuery: flavour.metadataFreshnessQuery }),
  };
}
