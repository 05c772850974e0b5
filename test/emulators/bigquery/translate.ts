/**
 * GoogleSQL -> DuckDB, token by token, for the BigQuery emulator.
 *
 * Token based so that string literals and quoted names are never rewritten by accident: the
 * text is cut into tokens first (strings, backtick names, comments, words, numbers,
 * punctuation) and only words and paths are rewritten. What it translates:
 *
 * - `name` (backslash escapes inside, \` and \\ ...) -> "name"; a backtick name holding dots
 *   (`p.d.t`) is a path, as in BigQuery.
 * - '...', "...", r'...', '''...''' with BigQuery's backslash escapes -> a DuckDB '...' literal.
 * - # comments -> -- comments.
 * - p.d.__TABLES__ and p.d.INFORMATION_SCHEMA.COLUMNS / TABLES -> subqueries over DuckDB's
 *   catalog that answer with BigQuery's column names and type names.
 * - In CAST / SAFE_CAST (-> TRY_CAST) and typed literals: INT64 -> BIGINT, FLOAT64 -> DOUBLE,
 *   BOOL -> BOOLEAN, STRING -> VARCHAR, BYTES -> BLOB, NUMERIC -> DECIMAL(38,9),
 *   BIGNUMERIC -> DECIMAL(38,18) (DuckDB stops at 38 digits), TIMESTAMP -> TIMESTAMPTZ,
 *   DATETIME -> TIMESTAMP. (A DuckDB TIMESTAMP column plays a BigQuery DATETIME.)
 * - TIMESTAMP_DIFF(a, b, P) -> date_sub('p', b, a) (whole units, as BigQuery);
 *   DATETIME_DIFF / DATE_DIFF(a, b, P) -> date_diff('p', b, a) (boundaries crossed);
 *   UNIX_MILLIS / UNIX_MICROS / UNIX_SECONDS; CURRENT_TIMESTAMP() / CURRENT_DATE() /
 *   CURRENT_DATETIME().
 *
 * Anything else passes through unchanged, so DuckDB SQL (range(), ...) runs as it is.
 * Not handled: unquoted dashed project names (my-project.shop.t), query parameters (@x),
 * bytes literals as BLOBs, ARRAY/STRUCT syntax.
 */

export interface TranslateContext {
  projectId: string;
  /** 'dataset.table' -> last modified time (ms), for __TABLES__. */
  lastModifiedMs: Record<string, number>;
  /** For tables without an entry in lastModifiedMs. */
  defaultLastModifiedMs: number;
  bytesPerRow: number;
}

export interface Translation {
  sql: string;
  /** One entry per statement (statements are cut at top-level semicolons). */
  statements: Array<{ sql: string; type: string; offset: number }>;
  /** Datasets read through __TABLES__ / INFORMATION_SCHEMA, which must exist. */
  metadataDatasets: Array<{ project: string; dataset: string }>;
  /** Offset in the original text for an offset in `sql` (for error positions). */
  sourceOffset(offset: number): number;
}

/** A GoogleSQL text the tokenizer cannot read: BigQuery's "Syntax error: ..." */
export class GoogleSqlSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

type TokenKind = 'space' | 'comment' | 'string' | 'quoted' | 'word' | 'number' | 'param' | 'punct';

export interface Token {
  kind: TokenKind;
  /** Source text. */
  text: string;
  /** Decoded value of a string or quoted name. */
  value: string;
  start: number;
}

/** BigQuery's reserved keywords (used to name tokens in errors and to spot aliases). */
export const RESERVED = new Set(
  (
    'ALL AND ANY ARRAY AS ASC ASSERT_ROWS_MODIFIED AT BETWEEN BY CASE CAST COLLATE CONTAINS CREATE CROSS CUBE ' +
    'CURRENT DEFAULT DEFINE DESC DISTINCT ELSE END ENUM ESCAPE EXCEPT EXCLUDE EXISTS EXTRACT FALSE FETCH ' +
    'FOLLOWING FOR FROM FULL GROUP GROUPING GROUPS HASH HAVING IF IGNORE IN INNER INTERSECT INTERVAL INTO IS ' +
    'JOIN LATERAL LEFT LIKE LIMIT LOOKUP MERGE NATURAL NEW NO NOT NULL NULLS OF ON OR ORDER OUTER OVER ' +
    'PARTITION PRECEDING PROTO QUALIFY RANGE RECURSIVE RESPECT RIGHT ROLLUP ROWS SELECT SET SOME STRUCT ' +
    'TABLESAMPLE THEN TO TREAT TRUE UNBOUNDED UNION UNNEST USING WHEN WHERE WINDOW WITH WITHIN'
  ).split(' '),
);

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
  '\\': '\\', '?': '?', '"': '"', "'": "'", '`': '`',
};

/** Decodes BigQuery's backslash escapes (strings and quoted names share them). */
function unescape(body: string, start: number): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) throw new GoogleSqlSyntaxError('Syntax error: Illegal escape sequence: \\', start + i);
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
      i += 1;
      continue;
    }
    const hex = (digits: number, from: number) => {
      const h = body.slice(from, from + digits);
      if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(h)) {
        throw new GoogleSqlSyntaxError(`Syntax error: Illegal escape sequence: \\${e}${h}`, start + i);
      }
      return String.fromCodePoint(parseInt(h, 16));
    };
    if (e === 'x' || e === 'X') {
      out += hex(2, i + 2);
      i += 3;
    } else if (e === 'u') {
      out += hex(4, i + 2);
      i += 5;
    } else if (e === 'U') {
      out += hex(8, i + 2);
      i += 9;
    } else if (/[0-7]/.test(e) && /^[0-7]{3}$/.test(body.slice(i + 1, i + 4))) {
      out += String.fromCodePoint(parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      throw new GoogleSqlSyntaxError(`Syntax error: Illegal escape sequence: \\${e}`, start + i);
    }
  }
  return out;
}

const MULTI_PUNCT = ['<=', '>=', '<>', '!=', '||', '<<', '>>', '=>', '->'];

/** Cuts GoogleSQL into tokens; throws GoogleSqlSyntaxError for unclosed strings, names, comments. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, end: number, value = '') => {
    tokens.push({ kind, text: sql.slice(i, end), value, start: i });
    i = end;
  };
  while (i < sql.length) {
    const c = sql[i]!;
    const rest = sql.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      push('space', i + space[0].length);
      continue;
    }
    if (rest.startsWith('--') || c === '#') {
      const nl = sql.indexOf('\n', i);
      push('comment', nl === -1 ? sql.length : nl);
      continue;
    }
    if (rest.startsWith('/*')) {
      const close = sql.indexOf('*/', i + 2);
      if (close === -1) throw new GoogleSqlSyntaxError('Syntax error: Unclosed comment', i);
      push('comment', close + 2);
      continue;
    }
    // String literals, with an optional r/b/rb/br prefix.
    const prefix = /^([rRbB]{1,2})?('''|"""|'|")/.exec(rest);
    if (prefix && (prefix[1] === undefined || /^(r|b|rb|br)$/i.test(prefix[1]))) {
      const raw = /r/i.test(prefix[1] ?? '');
      const quote = prefix[2]!;
      const bodyStart = i + prefix[0].length;
      let j = bodyStart;
      let closed = -1;
      while (j < sql.length) {
        if (!raw && sql[j] === '\\') {
          j += 2;
          continue;
        }
        if (raw && sql[j] === '\\' && sql[j + 1] === quote[0]) {
          // A raw string still cannot hold its quote after a backslash.
          j += 2;
          continue;
        }
        if (quote.length === 1 && sql[j] === '\n') break;
        if (sql.startsWith(quote, j)) {
          closed = j;
          break;
        }
        j++;
      }
      if (closed === -1) throw new GoogleSqlSyntaxError('Syntax error: Unclosed string literal', i);
      const body = sql.slice(bodyStart, closed);
      push('string', closed + quote.length, raw ? body : unescape(body, bodyStart));
      continue;
    }
    if (c === '`') {
      let j = i + 1;
      while (j < sql.length && sql[j] !== '`') j += sql[j] === '\\' ? 2 : 1;
      if (j >= sql.length) throw new GoogleSqlSyntaxError('Syntax error: Unclosed identifier literal', i);
      const value = unescape(sql.slice(i + 1, j), i + 1);
      if (value === '') throw new GoogleSqlSyntaxError('Syntax error: Invalid empty identifier', i);
      push('quoted', j + 1, value);
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (word) {
      push('word', i + word[0].length, word[0]);
      continue;
    }
    const num = /^(0[xX][0-9a-fA-F]+|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)/.exec(rest);
    if (num) {
      push('number', i + num[0].length);
      continue;
    }
    const param = /^@@?[A-Za-z_][A-Za-z0-9_.]*/.exec(rest);
    if (param) {
      push('param', i + param[0].length);
      continue;
    }
    const multi = MULTI_PUNCT.find((p) => rest.startsWith(p));
    push('punct', i + (multi ?? c).length);
  }
  return tokens;
}

/** A DuckDB identifier: always double-quoted, so any name stays one name. */
export function duckIdent(name: string): string {
  return `"${name.split('"').join('""')}"`;
}

/** A DuckDB string literal. */
export function duckString(value: string): string {
  return `'${value.split("'").join("''")}'`;
}

const TYPES: Record<string, string> = {
  INT64: 'BIGINT',
  INTEGER: 'BIGINT',
  FLOAT64: 'DOUBLE',
  BOOL: 'BOOLEAN',
  STRING: 'VARCHAR',
  BYTES: 'BLOB',
  NUMERIC: 'DECIMAL',
  DECIMAL: 'DECIMAL',
  BIGNUMERIC: 'DECIMAL',
  BIGDECIMAL: 'DECIMAL',
  TIMESTAMP: 'TIMESTAMPTZ',
  DATETIME: 'TIMESTAMP',
};
/** Precision for the NUMERIC family when the query gives none. */
const DEFAULT_PARAMS: Record<string, string> = { NUMERIC: '(38,9)', DECIMAL: '(38,9)', BIGNUMERIC: '(38,18)', BIGDECIMAL: '(38,18)' };

function mapType(name: string, hasParams: boolean): string {
  const upper = name.toUpperCase();
  const mapped = TYPES[upper];
  if (mapped === undefined) return name;
  return hasParams ? mapped : mapped + (DEFAULT_PARAMS[upper] ?? '');
}

const DIFF_PARTS = new Set(['MICROSECOND', 'MILLISECOND', 'SECOND', 'MINUTE', 'HOUR', 'DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR']);

/** BigQuery's statementType for a statement's first words. */
function statementType(words: string[]): string {
  const [a = '', b = '', c = '', d = ''] = words.map((w) => w.toUpperCase());
  if (a === 'SELECT' || a === 'WITH' || a === '(' || a === 'VALUES') return 'SELECT';
  if (a === 'CREATE' || a === 'DROP' || a === 'ALTER') {
    // CREATE [OR REPLACE] [TEMP|TEMPORARY] TABLE|VIEW|SCHEMA ...
    const object = [b, c, d].find((w) => ['TABLE', 'VIEW', 'SCHEMA', 'FUNCTION', 'PROCEDURE'].includes(w)) ?? b;
    return `${a}_${object}`;
  }
  if (a === 'TRUNCATE') return 'TRUNCATE_TABLE';
  return a;
}

interface Piece {
  out: number;
  src: number;
  verbatim: boolean;
}

/** Builds the DuckDB text and remembers where each piece came from. */
class Emitter {
  text = '';
  readonly pieces: Piece[] = [];

  emit(text: string, src?: number, verbatim = false): void {
    if (src !== undefined) this.pieces.push({ out: this.text.length, src, verbatim });
    this.text += text;
  }

  sourceOffset(offset: number): number {
    let best: Piece | undefined;
    for (const p of this.pieces) {
      if (p.out > offset) break;
      best = p;
    }
    if (best === undefined) return 0;
    return best.verbatim ? best.src + (offset - best.out) : best.src;
  }
}

export function translate(sql: string, context: TranslateContext): Translation {
  const tokens = tokenize(sql);
  const emitter = new Emitter();
  const metadataDatasets: Translation['metadataDatasets'] = [];
  // One frame per open parenthesis: is it a CAST's?
  const parens: boolean[] = [];
  let expectType = false;
  // Top-level semicolons: where statements end, in tokens and in the output.
  const semicolons: Array<{ token: number; out: number }> = [];

  const next = (i: number): number => {
    let j = i;
    while (j < tokens.length && (tokens[j]!.kind === 'space' || tokens[j]!.kind === 'comment')) j++;
    return j;
  };
  const isPunct = (i: number, text: string) => tokens[i]?.kind === 'punct' && tokens[i]!.text === text;
  /** The index of the ')' closing the '(' at i, or -1. */
  const closing = (open: number): number => {
    let depth = 0;
    for (let j = open; j < tokens.length; j++) {
      if (isPunct(j, '(')) depth++;
      else if (isPunct(j, ')') && --depth === 0) return j;
    }
    return -1;
  };
  /** Top-level comma-separated argument ranges between open and close. */
  const args = (open: number, close: number): Array<[number, number]> => {
    const ranges: Array<[number, number]> = [];
    let depth = 0;
    let from = open + 1;
    for (let j = open + 1; j < close; j++) {
      if (isPunct(j, '(')) depth++;
      else if (isPunct(j, ')')) depth--;
      else if (depth === 0 && isPunct(j, ',')) {
        ranges.push([from, j]);
        from = j + 1;
      }
    }
    ranges.push([from, close]);
    return ranges;
  };

  /** Reads a dotted path of words and backtick names starting at i. */
  const readPath = (i: number): { parts: Array<{ name: string; quoted: boolean }>; end: number } => {
    const parts: Array<{ name: string; quoted: boolean }> = [];
    const add = (t: Token) => {
      if (t.kind === 'quoted') for (const name of t.value.split('.')) parts.push({ name, quoted: true });
      else parts.push({ name: t.text, quoted: false });
    };
    add(tokens[i]!);
    let j = i + 1;
    while (isPunct(j, '.') && (tokens[j + 1]?.kind === 'word' || tokens[j + 1]?.kind === 'quoted')) {
      add(tokens[j + 1]!);
      j += 2;
    }
    return { parts, end: j };
  };

  /** Does an alias follow the table expression that ends before i? */
  const aliasFollows = (i: number): boolean => {
    const j = next(i);
    const t = tokens[j];
    if (t === undefined) return false;
    if (t.kind === 'quoted') return true;
    return t.kind === 'word' && (t.text.toUpperCase() === 'AS' || !RESERVED.has(t.text.toUpperCase()));
  };

  const emitMetadata = (start: number, end: number, body: string): void => {
    emitter.emit(`(${body})`, tokens[start]!.start);
    if (!aliasFollows(end)) emitter.emit(' AS __meta');
  };

  const emitRange = (from: number, to: number): void => {
    let i = from;
    while (i < to) {
      const t = tokens[i]!;
      if (t.kind === 'space' || t.kind === 'number' || t.kind === 'param') {
        emitter.emit(t.text, t.start, true);
        i++;
      } else if (t.kind === 'comment') {
        emitter.emit(t.text.startsWith('#') ? `--${t.text.slice(1)}` : t.text, t.start);
        i++;
      } else if (t.kind === 'string') {
        emitter.emit(duckString(t.value), t.start);
        i++;
      } else if (t.kind === 'punct') {
        if (t.text === ';' && parens.length === 0) semicolons.push({ token: i, out: emitter.text.length });
        if (t.text === '(') parens.push(false);
        if (t.text === ')') parens.pop();
        emitter.emit(t.text, t.start, true);
        i++;
      } else {
        i = emitPathOrWord(i, to);
      }
    }
  };

  const emitPathOrWord = (i: number, to: number): number => {
    const t = tokens[i]!;
    const { parts, end } = readPath(i);
    const names = parts.map((p) => p.name);
    const last = names[names.length - 1]!.toUpperCase();

    // project.dataset.__TABLES__
    if (last === '__TABLES__' && (names.length === 2 || names.length === 3)) {
      const project = names.length === 3 ? names[0]! : context.projectId;
      const dataset = names[names.length - 2]!;
      metadataDatasets.push({ project, dataset });
      emitMetadata(i, end, tablesView(project, dataset, context));
      return end;
    }
    // project.dataset.INFORMATION_SCHEMA.COLUMNS / TABLES
    if ((names.length === 3 || names.length === 4) && names[names.length - 2]!.toUpperCase() === 'INFORMATION_SCHEMA' && (last === 'COLUMNS' || last === 'TABLES')) {
      const project = names.length === 4 ? names[0]! : context.projectId;
      const dataset = names[names.length - 3]!;
      metadataDatasets.push({ project, dataset });
      emitMetadata(i, end, last === 'COLUMNS' ? columnsView(project, dataset) : informationTablesView(project, dataset));
      return end;
    }
    if (parts.length > 1 || t.kind === 'quoted') {
      emitter.emit(parts.map((p) => (p.quoted ? duckIdent(p.name) : p.name)).join('.'), t.start, parts.length === 1 && !parts[0]!.quoted);
      return end;
    }

    // A single unquoted word.
    const upper = t.text.toUpperCase();
    const after = next(i + 1);
    if (expectType) {
      expectType = false;
      emitter.emit(mapType(t.text, isPunct(after, '(')), t.start);
      return i + 1;
    }
    if (upper === 'AS' && parens[parens.length - 1] === true) {
      expectType = true;
      emitter.emit(t.text, t.start, true);
      return i + 1;
    }
    // Typed literals: TIMESTAMP '...' and friends.
    if (tokens[after]?.kind === 'string' && upper in TYPES && after < to) {
      emitter.emit(`CAST(${duckString(tokens[after]!.value)} AS ${mapType(upper, false)})`, t.start);
      return after + 1;
    }
    if (isPunct(after, '(')) {
      const close = closing(after);
      if (close !== -1 && close < to) {
        const call = rewriteCall(upper, i, after, close);
        if (call) return close + 1;
      }
      if (upper === 'CAST' || upper === 'SAFE_CAST' || upper === 'TRY_CAST') {
        emitter.emit(upper === 'SAFE_CAST' ? 'TRY_CAST' : t.text, t.start);
        // Whitespace between the name and '(' is kept; the '(' opens a CAST frame.
        emitRange(i + 1, after);
        parens.push(true);
        emitter.emit('(', tokens[after]!.start, true);
        return after + 1;
      }
    }
    emitter.emit(t.text, t.start, true);
    return i + 1;
  };

  /** Rewrites fn(...) when it is one of ours; false leaves it to the caller. */
  const rewriteCall = (name: string, at: number, open: number, close: number): boolean => {
    const src = tokens[at]!.start;
    const argRanges = args(open, close);
    const empty = next(open + 1) === close;
    const one = argRanges.length === 1 && !empty;
    const unary = (prefix: string, suffix = ')') => {
      emitter.emit(prefix, src);
      emitRange(argRanges[0]![0], argRanges[0]![1]);
      emitter.emit(suffix);
      return true;
    };
    switch (name) {
      case 'CURRENT_TIMESTAMP':
        if (!empty) return false;
        emitter.emit('current_timestamp', src);
        return true;
      case 'CURRENT_DATE':
        if (!empty) return false;
        emitter.emit('current_date', src);
        return true;
      case 'CURRENT_DATETIME':
        if (!empty) return false;
        emitter.emit('CAST(current_timestamp AS TIMESTAMP)', src);
        return true;
      case 'UNIX_MILLIS':
        return one && unary('epoch_ms(');
      case 'UNIX_MICROS':
        return one && unary('epoch_us(');
      case 'UNIX_SECONDS':
        return one && unary('CAST(floor(epoch(', ')) AS BIGINT)');
      case 'TIMESTAMP_DIFF':
      case 'DATETIME_DIFF':
      case 'DATE_DIFF': {
        if (argRanges.length !== 3) return false;
        const [a, b, p] = argRanges as [[number, number], [number, number], [number, number]];
        const partAt = next(p[0]);
        const part = tokens[partAt];
        if (part?.kind !== 'word' || next(partAt + 1) !== p[1] || !DIFF_PARTS.has(part.text.toUpperCase())) return false;
        // TIMESTAMP_DIFF counts whole units; the other two count boundaries crossed.
        const fn = name === 'TIMESTAMP_DIFF' ? 'date_sub' : 'date_diff';
        emitter.emit(`${fn}(${duckString(part.text.toLowerCase())}, `, src);
        emitRange(b[0], b[1]);
        emitter.emit(', ');
        emitRange(a[0], a[1]);
        emitter.emit(')');
        return true;
      }
      default:
        return false;
    }
  };

  emitRange(0, tokens.length);

  // Statements: the output cut at top-level semicolons, each named by its first words.
  const statements: Translation['statements'] = [];
  let fromToken = 0;
  let fromOut = 0;
  for (const cut of [...semicolons, { token: tokens.length, out: emitter.text.length }]) {
    const words = tokens.slice(fromToken, cut.token).filter((t) => t.kind !== 'space' && t.kind !== 'comment').slice(0, 4);
    if (words.length > 0) statements.push({ sql: emitter.text.slice(fromOut, cut.out), type: statementType(words.map((t) => t.text)), offset: fromOut });
    fromToken = cut.token + 1;
    fromOut = cut.out + 1;
  }

  return {
    sql: emitter.text,
    statements,
    metadataDatasets,
    sourceOffset: (offset) => emitter.sourceOffset(offset),
  };
}

/** 1-based [line:column] of an offset, as BigQuery writes positions. */
export function position(sql: string, offset: number): string {
  const before = sql.slice(0, Math.max(0, Math.min(offset, sql.length)));
  const lines = before.split('\n');
  return `[${lines.length}:${lines[lines.length - 1]!.length + 1}]`;
}

// --- metadata views --------------------------------------------------------------------------

/** The DuckDB type name -> BigQuery standard type name, as a SQL CASE over `expr`. */
export function standardTypeSql(expr: string, precision: string, scale: string): string {
  return `CASE
    WHEN ${expr} IN ('BIGINT', 'INTEGER', 'SMALLINT', 'TINYINT', 'HUGEINT', 'UBIGINT', 'UINTEGER', 'USMALLINT', 'UTINYINT') THEN 'INT64'
    WHEN ${expr} IN ('DOUBLE', 'FLOAT') THEN 'FLOAT64'
    WHEN ${expr} LIKE 'DECIMAL(%' THEN CASE WHEN ${scale} <= 9 AND ${precision} <= 38 THEN 'NUMERIC' ELSE 'BIGNUMERIC' END
    WHEN ${expr} = 'VARCHAR' THEN 'STRING'
    WHEN ${expr} = 'BOOLEAN' THEN 'BOOL'
    WHEN ${expr} = 'TIMESTAMP WITH TIME ZONE' THEN 'TIMESTAMP'
    WHEN ${expr} IN ('TIMESTAMP', 'TIMESTAMP_S', 'TIMESTAMP_MS', 'TIMESTAMP_NS') THEN 'DATETIME'
    WHEN ${expr} = 'BLOB' THEN 'BYTES'
    ELSE ${expr} END`;
}

function tablesView(project: string, dataset: string, context: TranslateContext): string {
  const prefix = `${dataset}.`;
  const known = Object.entries(context.lastModifiedMs).filter(([key]) => key.startsWith(prefix));
  const lastModified = known.length === 0
    ? String(context.defaultLastModifiedMs)
    : `CASE t.table_name ${known.map(([key, ms]) => `WHEN ${duckString(key.slice(prefix.length))} THEN ${ms}`).join(' ')} ELSE ${context.defaultLastModifiedMs} END`;
  return `SELECT ${duckString(project)} AS project_id, ${duckString(dataset)} AS dataset_id, t.table_name AS table_id,
    CAST(${context.defaultLastModifiedMs} AS BIGINT) AS creation_time,
    CAST(${lastModified} AS BIGINT) AS last_modified_time,
    CAST(t.estimated_size AS BIGINT) AS row_count,
    CAST(t.estimated_size * ${context.bytesPerRow} AS BIGINT) AS size_bytes,
    CAST(1 AS BIGINT) AS type
    FROM duckdb_tables() AS t WHERE t.database_name = ${duckString(project)} AND t.schema_name = ${duckString(dataset)}`;
}

function columnsView(project: string, dataset: string): string {
  return `SELECT ${duckString(project)} AS table_catalog, ${duckString(dataset)} AS table_schema, c.table_name, c.column_name,
    CAST(c.column_index AS BIGINT) AS ordinal_position,
    CASE WHEN c.is_nullable THEN 'YES' ELSE 'NO' END AS is_nullable,
    ${standardTypeSql('c.data_type', 'c.numeric_precision', 'c.numeric_scale')} AS data_type
    FROM duckdb_columns() AS c WHERE c.database_name = ${duckString(project)} AND c.schema_name = ${duckString(dataset)}`;
}

function informationTablesView(project: string, dataset: string): string {
  return `SELECT ${duckString(project)} AS table_catalog, ${duckString(dataset)} AS table_schema, t.table_name,
    'BASE TABLE' AS table_type
    FROM duckdb_tables() AS t WHERE t.database_name = ${duckString(project)} AND t.schema_name = ${duckString(dataset)}
    UNION ALL
    SELECT ${duckString(project)}, ${duckString(dataset)}, v.view_name, 'VIEW'
    FROM duckdb_views() AS v WHERE v.database_name = ${duckString(project)} AND v.schema_name = ${duckString(dataset)} AND NOT v.internal`;
}
