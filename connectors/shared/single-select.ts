/**
 * Snowflake and BigQuery have no read-only transaction, and BigQuery runs a text of several
 * statements as a script. So before their connectors send anything, the text must be ONE
 * statement, a query: SELECT or WITH, with no `;` but trailing ones. The lexer skips string
 * literals, quoted identifiers and comments as the warehouse reads them, so a `;` or a
 * keyword inside them counts for nothing. The role's grants stay the real guard; this stops
 * a filter or a custom query from ever reaching the warehouse as a write.
 */
export interface SqlLexicon {
  /** `#` starts a comment (BigQuery). */
  hashComments: boolean;
  /** `//` starts a comment (Snowflake). */
  slashComments: boolean;
  /** $$ ... $$ is a string (Snowflake). */
  dollarStrings: boolean;
  /** '''...''' and """...""" are strings (BigQuery). */
  tripleQuotes: boolean;
  /** A backslash escapes the next character inside double quotes and backticks too, not only in '...' (BigQuery). */
  backslashEverywhere: boolean;
}

export const SNOWFLAKE_LEXICON: SqlLexicon = { hashComments: false, slashComments: true, dollarStrings: true, tripleQuotes: false, backslashEverywhere: false };
export const BIGQUERY_LEXICON: SqlLexicon = { hashComments: true, slashComments: false, dollarStrings: false, tripleQuotes: true, backslashEverywhere: true };

/** The text with literals, quoted names and comments blanked to spaces; undefined when one is never closed. */
export function codeOnly(sql: string, lexicon: SqlLexicon): string | undefined {
  let out = '';
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    const two = sql.slice(i, i + 2);
    if (two === '--' || (lexicon.slashComments && two === '//') || (lexicon.hashComments && c === '#')) {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? n : end;
      out += ' ';
      continue;
    }
    if (two === '/*') {
      const end = sql.indexOf('*/', i + 2);
      if (end === -1) return undefined;
      i = end + 2;
      out += ' ';
      continue;
    }
    if (lexicon.dollarStrings && two === '$$') {
      const end = sql.indexOf('$$', i + 2);
      if (end === -1) return undefined;
      i = end + 2;
      out += ' ';
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      const triple = c.repeat(3);
      if (lexicon.tripleQuotes && c !== '`' && sql.startsWith(triple, i)) {
        const end = closing(sql, i + 3, triple, true);
        if (end === undefined) return undefined;
        i = end;
      } else {
        const end = closing(sql, i + 1, c, c === "'" || lexicon.backslashEverywhere);
        if (end === undefined) return undefined;
        i = end;
      }
      out += ' ';
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/** The index after the quote that closes a literal opened before `from`: a doubled quote, and a backslash escape where it is one, skip. */
function closing(sql: string, from: number, quote: string, backslash: boolean): number | undefined {
  let i = from;
  while (i < sql.length) {
    if (backslash && sql[i] === '\\') {
      i += 2;
      continue;
    }
    if (sql.startsWith(quote, i)) {
      if (quote.length === 1 && sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + quote.length;
    }
    i++;
  }
  return undefined;
}

/** Why the text is not one query, or undefined when it is. */
export function notASingleQuery(sql: string, lexicon: SqlLexicon): string | undefined {
  const code = codeOnly(sql, lexicon);
  if (code === undefined) return 'a string, quoted name or comment is never closed';
  const body = code.replace(/[\s;]+$/, '');
  if (body.includes(';')) return 'only one statement may run: remove the ";" and what follows it';
  const first = /^[\s(]*([A-Za-z]+)/.exec(body)?.[1]?.toUpperCase();
  if (first !== 'SELECT' && first !== 'WITH') {
    return `only a query (SELECT or WITH) may run, not ${first === undefined ? 'this' : first}: Vigil never writes to a warehouse`;
  }
  return undefined;
}
