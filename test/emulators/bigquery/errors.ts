import { GoogleSqlSyntaxError, position, RESERVED, tokenize, type Translation } from './translate.js';

/**
 * BigQuery's errors: the reason (errors[].reason), the message, and how each travels: as an
 * HTTP error body ({error: {code, message, errors, status}}) from jobs.query,
 * jobs.getQueryResults and friends, or as status.errorResult of a failed job.
 */

/** reason -> [HTTP status, google.rpc status], after BigQuery's error table. */
const HTTP: Record<string, [number, string]> = {
  invalidQuery: [400, 'INVALID_ARGUMENT'],
  invalid: [400, 'INVALID_ARGUMENT'],
  parseError: [400, 'INVALID_ARGUMENT'],
  bytesBilledLimitExceeded: [400, 'INVALID_ARGUMENT'],
  timeout: [400, 'INVALID_ARGUMENT'],
  required: [401, 'UNAUTHENTICATED'],
  authError: [401, 'UNAUTHENTICATED'],
  accessDenied: [403, 'PERMISSION_DENIED'],
  notFound: [404, 'NOT_FOUND'],
  duplicate: [409, 'ALREADY_EXISTS'],
  // A job stopped by jobTimeoutMs or jobs.cancel: real getQueryResults answers 499 CANCELLED.
  stopped: [499, 'CANCELLED'],
  internalError: [500, 'INTERNAL'],
};

export interface ErrorDetails {
  /** errors[].location and locationType, e.g. 'q' / 'parameter' or 'Authorization' / 'header'. */
  location?: string;
  locationType?: string;
  /** error.message when it differs from errors[0].message (Google's 401s do). */
  topMessage?: string;
}

export class BigQueryError extends Error {
  constructor(
    readonly reason: string,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
  }

  get httpStatus(): number {
    return HTTP[this.reason]?.[0] ?? 400;
  }

  /** The body of an HTTP error response. */
  body(): unknown {
    const [code, status] = HTTP[this.reason] ?? [400, 'INVALID_ARGUMENT'];
    const error: Record<string, unknown> = { message: this.message, domain: 'global', reason: this.reason };
    if (this.details.location !== undefined) error.location = this.details.location;
    if (this.details.locationType !== undefined) error.locationType = this.details.locationType;
    return { error: { code, message: this.details.topMessage ?? this.message, errors: [error], status } };
  }

  /** status.errorResult of a failed job. */
  errorResult(): { reason: string; message: string; location?: string } {
    return this.details.location === 'q' ? { reason: this.reason, location: 'query', message: this.message } : { reason: this.reason, message: this.message };
  }
}

const HELP = 'Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';

/** 401 for a request with no credentials, as Google's front end words it. */
export function missingCredentials(): BigQueryError {
  return new BigQueryError('required', 'Login Required.', {
    location: 'Authorization',
    locationType: 'header',
    topMessage: `Request is missing required authentication credential. ${HELP}`,
  });
}

/** 401 for a token or signed JWT that does not verify. */
export function invalidCredentials(): BigQueryError {
  return new BigQueryError('authError', 'Invalid Credentials', {
    location: 'Authorization',
    locationType: 'header',
    topMessage: `Request had invalid authentication credentials. ${HELP}`,
  });
}

export function invalidQuery(message: string): BigQueryError {
  return new BigQueryError('invalidQuery', message, { location: 'q', locationType: 'parameter' });
}

// --- DuckDB errors as BigQuery's --------------------------------------------------------------

/** How a token reads in a BigQuery "Unexpected ..." syntax error. */
function describeToken(text: string): string {
  const [t] = (() => {
    try {
      return tokenize(text).filter((x) => x.kind !== 'space');
    } catch {
      return [];
    }
  })();
  if (t === undefined) return 'end of script';
  if (t.kind === 'word') return RESERVED.has(t.text.toUpperCase()) ? `keyword ${t.text.toUpperCase()}` : `identifier "${t.text}"`;
  if (t.kind === 'quoted') return `identifier ${t.text}`;
  if (t.kind === 'string') return `string literal ${t.text}`;
  if (t.kind === 'number') return `${t.text.includes('.') ? 'floating point' : 'integer'} literal "${t.text}"`;
  return `"${t.text}"`;
}

/**
 * The offset in DuckDB's text that its error points at, from the "LINE n: ..." excerpt and the
 * caret under it (DuckDB trims long lines to an excerpt with "...").
 */
function caretOffset(message: string, duckSql: string): number | undefined {
  const m = /\nLINE (\d+): (.*)\n( *)\^/.exec(message);
  if (!m) return undefined;
  const lineNo = Number(m[1]);
  const prefix = `LINE ${m[1]}: `.length;
  let shown = m[2]!;
  let caret = m[3]!.length - prefix;
  if (shown.startsWith('...')) {
    shown = shown.slice(3);
    caret -= 3;
  }
  if (shown.endsWith('...')) shown = shown.slice(0, -3);
  const lines = duckSql.split('\n');
  const line = lines[lineNo - 1];
  if (line === undefined) return undefined;
  const at = line.indexOf(shown);
  const lineStart = lines.slice(0, lineNo - 1).reduce((n, l) => n + l.length + 1, 0);
  return lineStart + Math.max(0, at) + Math.max(0, caret);
}

/** A DuckDB parse, bind or run error as the BigQuery error the same query would get. */
export function fromDuckDb(error: unknown, source: string, translation: Translation, duckSql: string, offsetInDuckSql = 0): BigQueryError {
  const message = (error instanceof Error ? error.message : String(error)).replace(/^Failed to extract statements: /, '');
  const firstLine = message.split('\n')[0] ?? message;
  const caret = caretOffset(message, duckSql);
  const at = (fallback: number) => position(source, caret === undefined ? fallback : translation.sourceOffset(offsetInDuckSql + caret));

  let m: RegExpExecArray | null;
  if (/^Parser Error: syntax error at end of input/.test(message)) {
    return invalidQuery(`Syntax error: Unexpected end of script at ${position(source, source.trimEnd().length)}`);
  }
  if ((m = /^Parser Error: syntax error at or near "(.*)"/.exec(message))) {
    const offset = caret === undefined ? source.indexOf(m[1]!) : translation.sourceOffset(offsetInDuckSql + caret);
    const near = source.slice(offset);
    return invalidQuery(`Syntax error: Unexpected ${describeToken(near)} at ${position(source, offset)}`);
  }
  if (/^Parser Error: /.test(message)) {
    return invalidQuery(`Syntax error: ${firstLine.replace(/^Parser Error: /, '')} at ${at(0)}`);
  }
  if ((m = /^Binder Error: Referenced (?:column|table) "(.+?)" not found/.exec(message))) {
    return invalidQuery(`Unrecognized name: ${m[1]} at ${at(Math.max(0, source.indexOf(m[1]!)))}`);
  }
  if ((m = /^Catalog Error: (?:Scalar|Aggregate|Table) Function with name (\S+) does not exist/.exec(message))) {
    return invalidQuery(`Function not found: ${m[1]} at ${at(Math.max(0, source.indexOf(m[1]!)))}`);
  }
  if (/^Binder Error: No function matches/.test(message)) {
    return invalidQuery(`No matching signature for ${firstLine.replace(/^Binder Error: No function matches the given name and argument types /, '')} at ${at(0)}`);
  }
  return invalidQuery(firstLine.replace(/^[A-Za-z ]+ Error: /, ''));
}

/** A tokenizer error as BigQuery's syntax error. */
export function fromSyntax(error: GoogleSqlSyntaxError, source: string): BigQueryError {
  return invalidQuery(`${error.message} at ${position(source, error.offset)}`);
}
