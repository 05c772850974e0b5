/**
 * The Snowflake SQL the emulator understands before handing it to DuckDB: a small lexer that
 * knows strings, quoted identifiers and comments, so that splitting on `;` and the few
 * rewrites below never touch text inside a literal or a quoted name.
 *
 * Rewrites (token level, kept deliberately small; everything else goes to DuckDB as is):
 * - `[db.]INFORMATION_SCHEMA.TABLES` / `.COLUMNS` -> the emulator's views (see engine.ts),
 *   which expose Snowflake's column names and type names;
 * - `CURRENT_TIMESTAMP()` (and CURRENT_DATE(), CURRENT_TIME(), LOCALTIMESTAMP()): DuckDB only
 *   accepts them without parentheses;
 * - `DATEDIFF(millisecond, ...)`: an unquoted date part becomes the string DuckDB expects;
 * - cast targets NUMBER -> DECIMAL, FLOAT/FLOAT4/FLOAT8 -> DOUBLE (Snowflake's FLOAT is 64-bit),
 *   TIMESTAMP_NTZ -> TIMESTAMP, TIMESTAMP_LTZ/TIMESTAMP_TZ -> TIMESTAMPTZ;
 * - `// comment` (a Snowflake comment, an operator in DuckDB) -> `-- comment`.
 */

export type TokenKind = 'ident' | 'quoted' | 'string' | 'number' | 'op' | 'space' | 'comment';

export interface Token {
  kind: TokenKind;
  text: string;
  start: number;
}

/** Thrown for text the lexer cannot finish (an unterminated string, name or comment). */
export class LexError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, end: number) => {
    tokens.push({ kind, text: sql.slice(i, end), start: i });
    i = end;
  };
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (/\s/.test(c)) {
      let end = i + 1;
      while (end < sql.length && /\s/.test(sql[end]!)) end++;
      push('space', end);
    } else if ((c === '-' && next === '-') || (c === '/' && next === '/')) {
      const newline = sql.indexOf('\n', i);
      push('comment', newline === -1 ? sql.length : newline);
    } else if (c === '/' && next === '*') {
      const close = sql.indexOf('*/', i + 2);
      if (close === -1) throw new LexError('unterminated comment', i);
      push('comment', close + 2);
    } else if (c === "'" || c === '"') {
      // '' and "" inside are escaped quotes, as in both Snowflake and DuckDB.
      let end = i + 1;
      for (;;) {
        const close = sql.indexOf(c, end);
        if (close === -1) throw new LexError(c === "'" ? 'unterminated string' : 'unterminated identifier', i);
        if (sql[close + 1] === c) {
          end = close + 2;
          continue;
        }
        end = close + 1;
        break;
      }
      push(c === "'" ? 'string' : 'quoted', end);
    } else if (c === '$' && next === '$') {
      const close = sql.indexOf('$$', i + 2);
      if (close === -1) throw new LexError('unterminated string', i);
      push('string', close + 2);
    } else if (/[A-Za-z_]/.test(c)) {
      let end = i + 1;
      while (end < sql.length && /[A-Za-z0-9_$]/.test(sql[end]!)) end++;
      push('ident', end);
    } else if (/[0-9]/.test(c) || (c === '.' && next !== undefined && /[0-9]/.test(next))) {
      const match = /^(?:[0-9]*\.?[0-9]+|[0-9]+\.)(?:[eE][+-]?[0-9]+)?/.exec(sql.slice(i));
      push('number', i + (match?.[0].length ?? 1));
    } else if (c === ':' && next === ':') {
      push('op', i + 2);
    } else {
      push('op', i + 1);
    }
  }
  return tokens;
}

const significant = (t: Token) => t.kind !== 'space' && t.kind !== 'comment';

/** One statement of a text, as written (without its `;`). */
export interface StatementText {
  text: string;
  tokens: Token[];
}

/** Splits a text on top-level `;`, dropping pieces that hold only spaces and comments. */
export function splitStatements(sql: string): StatementText[] {
  const tokens = tokenize(sql);
  const pieces: StatementText[] = [];
  let current: Token[] = [];
  const flush = () => {
    if (current.some(significant)) {
      const first = current[0]!;
      const last = current[current.length - 1]!;
      pieces.push({ text: sql.slice(first.start, last.start + last.text.length), tokens: current });
    }
    current = [];
  };
  for (const token of tokens) {
    if (token.kind === 'op' && token.text === ';') flush();
    else current.push(token);
  }
  flush();
  return pieces;
}

/** The name an identifier token stands for: unquoted names fold to upper case, as in Snowflake. */
export function identifierName(token: Token): string {
  return token.kind === 'quoted' ? token.text.slice(1, -1).replace(/""/g, '"') : token.text.toUpperCase();
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function isName(token: Token | undefined): token is Token {
  return token !== undefined && (token.kind === 'ident' || token.kind === 'quoted');
}

function isWord(token: Token | undefined, ...words: string[]): boolean {
  return token !== undefined && token.kind === 'ident' && words.includes(token.text.toUpperCase());
}

function isOp(token: Token | undefined, op: string): boolean {
  return token !== undefined && token.kind === 'op' && token.text === op;
}

/** Index of the `)` closing the `(` at `open` in a list of significant tokens, or -1. */
function closingParen(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (isOp(tokens[i], '(')) depth++;
    else if (isOp(tokens[i], ')') && --depth === 0) return i;
  }
  return -1;
}

export interface RewriteContext {
  /** Replacement for [database.]INFORMATION_SCHEMA.<view>; throws Snowflake's error for a database it does not know. */
  informationSchema(view: 'TABLES' | 'COLUMNS', database: string | null): string;
}

const NILADIC = ['CURRENT_TIMESTAMP', 'CURRENT_DATE', 'CURRENT_TIME', 'LOCALTIMESTAMP', 'LOCALTIME'];
const CAST_TYPES: Record<string, string> = {
  NUMBER: 'DECIMAL',
  FLOAT: 'DOUBLE',
  FLOAT4: 'DOUBLE',
  FLOAT8: 'DOUBLE',
  TIMESTAMP_NTZ: 'TIMESTAMP',
  TIMESTAMP_LTZ: 'TIMESTAMPTZ',
  TIMESTAMP_TZ: 'TIMESTAMPTZ',
};

/** Rewrites one statement's tokens into SQL DuckDB runs the way Snowflake would. */
export function rewriteForDuckdb(statement: StatementText, context: RewriteContext): string {
  const all = statement.tokens;
  // Work on significant tokens, but write back through `out` so spaces and comments stay.
  const sig = all.filter(significant);
  const out = new Map<Token, string>();
  for (const t of all) {
    if (t.kind === 'comment' && t.text.startsWith('//')) out.set(t, `--${t.text.slice(2)}`);
  }
  const drop = (from: number, to: number) => {
    // Removes significant tokens from..to and the spaces between them.
    const first = sig[from]!;
    const last = sig[to]!;
    for (const t of all) if (t.start >= first.start && t.start <= last.start) out.set(t, '');
  };
  // Which function opened each parenthesis, to know when `AS` introduces a cast target.
  const openers: string[] = [];
  for (let i = 0; i < sig.length; i++) {
    const t = sig[i]!;
    if (isOp(t, '(')) {
      const before = sig[i - 1];
      openers.push(before?.kind === 'ident' ? before.text.toUpperCase() : '');
      continue;
    }
    if (isOp(t, ')')) {
      openers.pop();
      continue;
    }
    if (out.get(t) === '') continue;
    const afterDot = isOp(sig[i - 1], '.');

    // [db.]INFORMATION_SCHEMA.TABLES|COLUMNS
    if (isName(t) && identifierName(t).toUpperCase() === 'INFORMATION_SCHEMA' && isOp(sig[i + 1], '.') && isName(sig[i + 2])) {
      const view = identifierName(sig[i + 2]!).toUpperCase();
      const qualified = afterDot && isName(sig[i - 2]) && !isOp(sig[i - 3], '.');
      if ((view === 'TABLES' || view === 'COLUMNS') && (qualified || !afterDot)) {
        const database = qualified ? identifierName(sig[i - 2]!) : null;
        const start = qualified ? i - 2 : i;
        drop(start, i + 2);
        out.set(sig[start]!, context.informationSchema(view, database));
        i += 2;
        continue;
      }
    }
    // CURRENT_TIMESTAMP() -> CURRENT_TIMESTAMP
    if (t.kind === 'ident' && !afterDot && isWord(t, ...NILADIC) && isOp(sig[i + 1], '(')) {
      const close = closingParen(sig, i + 1);
      if (close !== -1) {
        drop(i + 1, close);
        i = close;
        continue;
      }
    }
    // DATEDIFF(millisecond, ...) -> DATEDIFF('millisecond', ...)
    if (isWord(t, 'DATEDIFF') && isOp(sig[i + 1], '(') && sig[i + 2]?.kind === 'ident' && isOp(sig[i + 3], ',')) {
      out.set(sig[i + 2]!, quoteLiteral(sig[i + 2]!.text.toLowerCase()));
      continue;
    }
    // Cast targets: x::NUMBER(10,2), CAST(x AS FLOAT)
    const castPosition = isOp(sig[i - 1], '::') || (isWord(sig[i - 1], 'AS') && ['CAST', 'TRY_CAST'].includes(openers[openers.length - 1] ?? ''));
    if (castPosition && t.kind === 'ident') {
      const target = CAST_TYPES[t.text.toUpperCase()];
      if (target !== undefined) {
        const hasArgs = isOp(sig[i + 1], '(');
        if (target === 'DECIMAL') {
          out.set(t, hasArgs ? 'DECIMAL' : 'DECIMAL(38,0)');
        } else {
          out.set(t, target);
          // FLOAT(53) or TIMESTAMP_NTZ(9): DuckDB takes no precision there.
          const close = hasArgs ? closingParen(sig, i + 1) : -1;
          if (close !== -1) {
            drop(i + 1, close);
            i = close;
          }
        }
      }
    }
  }
  return all.map((t) => out.get(t) ?? t.text).join('');
}

/** The statements the emulator itself answers instead of DuckDB. */
export type SessionCommand =
  | { kind: 'alter-session-set'; values: Record<string, string | number | boolean> }
  | { kind: 'alter-session-unset'; names: string[] }
  | { kind: 'use'; object: 'DATABASE' | 'SCHEMA' | 'ROLE' | 'WAREHOUSE'; name: string[] };

/** Thrown for a session command that does not parse. */
export class CommandSyntaxError extends Error {
  constructor(readonly near: string) {
    super(`syntax error near ${near}`);
  }
}

/** ALTER SESSION and USE, or null for SQL that goes to DuckDB. */
export function parseSessionCommand(statement: StatementText): SessionCommand | null {
  const sig = statement.tokens.filter(significant);
  const near = (i: number) => sig[i]?.text ?? '<EOF>';
  if (isWord(sig[0], 'ALTER') && isWord(sig[1], 'SESSION')) {
    if (isWord(sig[2], 'SET')) {
      const values: Record<string, string | number | boolean> = {};
      let i = 3;
      while (i < sig.length) {
        const name = sig[i];
        // Parameter names are plain words: Snowflake refuses a quoted one.
        if (name?.kind !== 'ident' || !isOp(sig[i + 1], '=')) throw new CommandSyntaxError(near(i));
        const value = sig[i + 2];
        if (value === undefined) throw new CommandSyntaxError(near(i + 2));
        if (value.kind === 'string') values[name.text.toUpperCase()] = value.text.startsWith('$$') ? value.text.slice(2, -2) : value.text.slice(1, -1).replace(/''/g, "'");
        else if (value.kind === 'number') values[name.text.toUpperCase()] = Number(value.text);
        else if (isWord(value, 'TRUE', 'FALSE')) values[name.text.toUpperCase()] = value.text.toUpperCase() === 'TRUE';
        else if (value.kind === 'ident') values[name.text.toUpperCase()] = value.text;
        else if (isOp(value, '-') && sig[i + 3]?.kind === 'number') {
          values[name.text.toUpperCase()] = -Number(sig[i + 3]!.text);
          i++;
        } else throw new CommandSyntaxError(near(i + 2));
        i += 3;
        if (isOp(sig[i], ',')) i++;
      }
      if (Object.keys(values).length === 0) throw new CommandSyntaxError(near(3));
      return { kind: 'alter-session-set', values };
    }
    if (isWord(sig[2], 'UNSET')) {
      const names: string[] = [];
      for (let i = 3; i < sig.length; i++) {
        const t = sig[i]!;
        if (isOp(t, ',')) continue;
        if (t.kind !== 'ident') throw new CommandSyntaxError(t.text);
        names.push(t.text.toUpperCase());
      }
      if (names.length === 0) throw new CommandSyntaxError(near(3));
      return { kind: 'alter-session-unset', names };
    }
    throw new CommandSyntaxError(near(2));
  }
  if (isWord(sig[0], 'USE')) {
    let object: 'DATABASE' | 'SCHEMA' | 'ROLE' | 'WAREHOUSE' = 'DATABASE';
    let i = 1;
    if (isWord(sig[1], 'DATABASE', 'SCHEMA', 'ROLE', 'WAREHOUSE') && isName(sig[2])) {
      object = sig[1]!.text.toUpperCase() as typeof object;
      i = 2;
    }
    const name: string[] = [];
    for (; i < sig.length; i += 2) {
      const part = sig[i];
      if (!isName(part)) throw new CommandSyntaxError(near(i));
      name.push(identifierName(part));
      if (i + 1 < sig.length && !isOp(sig[i + 1], '.')) throw new CommandSyntaxError(near(i + 1));
    }
    if (name.length === 0 || name.length > 2) throw new CommandSyntaxError(near(1));
    // `USE db.schema` is USE SCHEMA.
    if (name.length === 2 && object === 'DATABASE') object = 'SCHEMA';
    return { kind: 'use', object, name };
  }
  return null;
}

/** True if the statement reads only (SELECT, WITH, a parenthesised query, SHOW, DESCRIBE...). */
export function isQuery(statement: StatementText): boolean {
  const first = statement.tokens.find(significant);
  return first !== undefined && (isOp(first, '(') || isWord(first, 'SELECT', 'WITH', 'VALUES', 'TABLE', 'FROM'));
}

/**
 * Every dotted name chain in a statement (`a`, `a.b`, `"x"."y"."z"`), as name parts. Used to
 * find the tables a non-SELECT statement touches; it over-approximates (a column named like a
 * table counts), which is the safe direction for an access check.
 */
export function nameChains(statement: StatementText): string[][] {
  const sig = statement.tokens.filter(significant);
  const chains: string[][] = [];
  for (let i = 0; i < sig.length; i++) {
    if (!isName(sig[i]) || isOp(sig[i - 1], '.')) continue;
    const chain = [identifierName(sig[i]!)];
    let j = i;
    while (isOp(sig[j + 1], '.') && isName(sig[j + 2])) {
      chain.push(identifierName(sig[j + 2]!));
      j += 2;
    }
    chains.push(chain);
  }
  return chains;
}

/** Parses one entry of DuckDB's getTableNames(qualified): `a."b c" AS alias` -> [A, b c]. */
export function parseQualifiedName(text: string): string[] {
  const sig = tokenize(text).filter(significant);
  const parts: string[] = [];
  for (let i = 0; i < sig.length; i += 2) {
    const t = sig[i];
    if (!isName(t)) break;
    parts.push(t.kind === 'quoted' ? identifierName(t) : t.text);
    if (!isOp(sig[i + 1], '.')) break;
  }
  return parts;
}

/** Line (1-based) and position (0-based) of the first whole-word occurrence of `word`. */
export function locate(sql: string, word: string): { line: number; position: number } {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`(^|[^A-Za-z0-9_$"])("?${escaped}"?)`, 'i').exec(sql);
  if (!match) return { line: 1, position: 0 };
  const at = match.index + match[1]!.length;
  const before = sql.slice(0, at);
  const line = before.split('\n').length;
  return { line, position: at - (before.lastIndexOf('\n') + 1) };
}
