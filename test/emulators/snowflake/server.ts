import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { passwordMatches, verifyJwt } from './auth.js';
import { checkParameter, effectiveParameters, QueryControl, STATEMENT_TYPE, Warehouse, type ParameterValue, type Session, type StatementResult } from './engine.js';
import { errors, SnowflakeError } from './errors.js';
import { statusRows } from './results.js';

/**
 * A Snowflake wire emulator for tests: an HTTP server on 127.0.0.1 that answers the requests
 * the real snowflake-sdk sends (point it here with `accessUrl`) and runs the SQL on DuckDB.
 *
 * Endpoints, as the SDK 3.3 calls them (lib/services/sf.js, lib/connection/statement.js):
 * - POST /session/v1/login-request?databaseName&schemaName&warehouse&roleName  (password or SNOWFLAKE_JWT)
 * - POST /session/token-request (renew), POST /session/heartbeat, POST /session?delete=true (logout)
 * - POST /queries/v1/query-request?requestId; a query still running after `resultWaitMs`
 *   answers code 333333 with `getResultUrl`, which the SDK polls: GET /queries/{id}/result
 * - POST /queries/v1/abort-request (by requestId), POST /queries/{id}/abort-request (cancel)
 * - GET /monitoring/queries/{id} (status, for asyncExec), POST /telemetry/send (accepted, ignored)
 */

export interface SnowflakeUser {
  password?: string;
  /** Key-pair auth (SNOWFLAKE_JWT): the JWT the SDK signs must verify with this key (RS256), with iss ACCOUNT.USER.SHA256:fingerprint and sub ACCOUNT.USER. */
  publicKeyPem?: string;
  /** tables (as DATABASE.SCHEMA.TABLE, case as stored) this user may not read: a query touching one fails with Snowflake's access-control error */
  deniedTables?: string[];
}

export interface SnowflakeEmulatorOptions {
  /** An existing DuckDB file, attached under the name `database` (so "ANALYTICS"."PUBLIC"."ITEMS" resolves). */
  duckdbPath: string;
  /** e.g. 'ANALYTICS' */
  database: string;
  /** key = user name as given to the SDK (compared case-insensitively, as Snowflake does) */
  users: Record<string, SnowflakeUser>;
  /** LAST_ALTERED of tables for INFORMATION_SCHEMA.TABLES, keyed 'SCHEMA.TABLE' (default: the emulator's start time) */
  lastAltered?: Record<string, Date>;
  /** Emulator-only: how long a query request waits for its result before answering "in progress" (Snowflake waits about 45 s). */
  resultWaitMs?: number;
  /** The port to listen on (default: any free one); a test restarts an emulator on the same port to lose every session. */
  port?: number;
}

export interface SnowflakeEmulator {
  /** http://127.0.0.1:PORT */
  accessUrl: string;
  /** Every request received: method, path (with its query string, e.g. '/queries/v1/query-request?requestId=...'), parsed JSON body (null when none, the raw text when not JSON). */
  requests: Array<{ method: string; path: string; body: unknown }>;
  /** The SQL texts executed, in order (a multi-statement text appears as its statements). */
  statements: string[];
  close(): Promise<void>;
}

export async function startSnowflakeEmulator(options: SnowflakeEmulatorOptions): Promise<SnowflakeEmulator> {
  const warehouse = await Warehouse.open(options);
  const emulator = new Emulator(options, warehouse);
  try {
    await emulator.listen();
  } catch (error) {
    await warehouse.close();
    throw error;
  }
  return emulator;
}

type QueryStatus = 'RUNNING' | 'SUCCESS' | 'FAILED_WITH_ERROR' | 'ABORTED';

interface LiveSession extends Session {
  token: string;
  masterToken: string;
}

interface QueryRecord {
  id: string;
  requestId: string | null;
  session: LiveSession;
  sqlText: string;
  status: QueryStatus;
  startTime: number;
  endTime: number | null;
  /** The final answer, once there is one. */
  body: object | null;
  error: SnowflakeError | null;
  done: Promise<void>;
  control: QueryControl;
}

/** A request the emulator refuses at the HTTP level (malformed), never a Snowflake error. */
class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const SESSION_VALIDITY_SECONDS = 3600;
const MASTER_VALIDITY_SECONDS = 14400;
const MAX_BODY_BYTES = 64 * 1024 * 1024;
/** Parameters a Snowflake answer carries back to the client; the SDK formats values with them. */
const CLIENT_PARAMETERS = [
  'TIMEZONE',
  'TIMESTAMP_OUTPUT_FORMAT',
  'TIMESTAMP_NTZ_OUTPUT_FORMAT',
  'TIMESTAMP_LTZ_OUTPUT_FORMAT',
  'TIMESTAMP_TZ_OUTPUT_FORMAT',
  'DATE_OUTPUT_FORMAT',
  'TIME_OUTPUT_FORMAT',
  'BINARY_OUTPUT_FORMAT',
];
/** Client parameters echoed only when the session set them (the SDK keeps them process-wide). */
const ECHOED_WHEN_SET = ['JS_TREAT_INTEGER_AS_BIGINT', 'CLIENT_SESSION_KEEP_ALIVE', 'CLIENT_SESSION_KEEP_ALIVE_HEARTBEAT_FREQUENCY'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function token(): string {
  return randomBytes(24).toString('base64url');
}

class Emulator implements SnowflakeEmulator {
  accessUrl = '';
  readonly requests: Array<{ method: string; path: string; body: unknown }> = [];
  readonly statements: string[] = [];
  private readonly server: Server;
  private readonly sessions = new Map<string, LiveSession>();
  private readonly masterTokens = new Map<string, LiveSession>();
  private readonly queries = new Map<string, QueryRecord>();
  private readonly users: Map<string, SnowflakeUser & { name: string }>;
  private readonly resultWaitMs: number;
  private readonly port: number;
  private nextSessionId = 1_000_001;
  private closing = false;

  constructor(
    private readonly options: SnowflakeEmulatorOptions,
    private readonly warehouse: Warehouse,
  ) {
    this.users = new Map(Object.entries(options.users).map(([name, user]) => [name.toUpperCase(), { ...user, name }]));
    this.resultWaitMs = options.resultWaitMs ?? 45_000;
    this.port = options.port ?? 0;
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        // Last resort: an emulator bug must answer, not crash the test run.
        this.send(response, 500, { success: false, code: null, message: `emulator error: ${error instanceof Error ? error.message : String(error)}`, data: null });
      });
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.accessUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const query of this.queries.values()) if (query.status === 'RUNNING') query.control.cancel();
    await this.warehouse.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private send(response: ServerResponse, status: number, body: object): void {
    if (response.headersSent || response.destroyed) return;
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  private async readBody(request: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) throw new HttpFailure(413, 'request body too large');
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }

  /** The JSON body; the SDK may gzip it (and may set Content-Encoding without doing so), so look at the bytes. */
  private parseBody(raw: Buffer): { body: unknown; error: string | null } {
    if (raw.length === 0) return { body: null, error: null };
    let bytes = raw;
    if (raw[0] === 0x1f && raw[1] === 0x8b) {
      try {
        bytes = gunzipSync(raw);
      } catch {
        return { body: raw.toString('base64'), error: 'body is not valid gzip' };
      }
    }
    const text = bytes.toString('utf8');
    try {
      return { body: JSON.parse(text) as unknown, error: null };
    } catch {
      return { body: text, error: 'body is not JSON' };
    }
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const path = request.url ?? '/';
    let raw: Buffer;
    try {
      raw = await this.readBody(request);
    } catch (error) {
      this.send(response, error instanceof HttpFailure ? error.status : 400, { success: false, message: String(error), code: null, data: null });
      return;
    }
    const { body, error: bodyError } = this.parseBody(raw);
    this.requests.push({ method, path, body });
    try {
      if (this.closing) throw new HttpFailure(503, 'emulator is closing');
      const answer = await this.route(method, new URL(path, 'http://emulator'), body, bodyError, request);
      this.send(response, 200, answer);
    } catch (error) {
      if (error instanceof HttpFailure) this.send(response, error.status, { success: false, message: error.message, code: null, data: null });
      else if (error instanceof SnowflakeError) this.send(response, 200, this.failure(error));
      else throw error;
    }
  }

  private async route(method: string, url: URL, body: unknown, bodyError: string | null, request: IncomingMessage): Promise<object> {
    const path = url.pathname;
    const needJson = (): Record<string, unknown> => {
      if (bodyError !== null || !isRecord(body)) throw new HttpFailure(400, bodyError ?? 'expected a JSON object body');
      return body;
    };
    if (method === 'POST' && path === '/session/v1/login-request') return this.login(needJson(), url.searchParams);
    if (method === 'POST' && path === '/session/token-request') return this.renew(request, needJson());
    if (method === 'POST' && path === '/telemetry/send') return { success: true, data: 'Log Received', code: null, message: null };

    // Everything else needs the session token; find the endpoint before checking it, so that
    // an unknown path is a 404 whoever asks.
    const sessionRoute = this.sessionRoute(method, url, needJson);
    if (!sessionRoute) throw new HttpFailure(404, `no such endpoint: ${method} ${path}`);
    return sessionRoute(this.authenticate(request));
  }

  private sessionRoute(method: string, url: URL, needJson: () => Record<string, unknown>): ((session: LiveSession) => object | Promise<object>) | null {
    const path = url.pathname;
    if (method === 'POST' && path === '/session/heartbeat') return () => ({ success: true, data: null, code: null, message: null });
    if (method === 'POST' && path === '/session' && url.searchParams.get('delete') === 'true') return (session) => this.logout(session);
    if (method === 'POST' && path === '/queries/v1/query-request') return (session) => this.query(session, needJson(), url.searchParams.get('requestId'));
    if (method === 'POST' && path === '/queries/v1/abort-request') {
      return (session) => {
        const requestId = needJson().requestId;
        return this.abort([...this.queries.values()].find((q) => q.session === session && typeof requestId === 'string' && q.requestId === requestId));
      };
    }
    let m: RegExpExecArray | null;
    if (method === 'GET' && (m = /^\/queries\/([^/]+)\/result$/.exec(path))) {
      const queryId = m[1]!;
      return (session) => this.result(session, queryId);
    }
    if (method === 'POST' && (m = /^\/queries\/([^/]+)\/abort-request$/.exec(path))) {
      const query = this.queries.get(m[1]!);
      return (session) => this.abort(query?.session === session ? query : undefined);
    }
    if (method === 'GET' && (m = /^\/monitoring\/queries\/([^/]+)$/.exec(path))) {
      const queryId = m[1]!;
      return (session) => this.monitoring(session, queryId);
    }
    return null;
  }

  // ---- sessions -------------------------------------------------------------------------

  private authenticate(request: IncomingMessage): LiveSession {
    const match = /^Snowflake Token="([^"]*)"$/.exec(request.headers.authorization ?? '');
    const session = match ? this.sessions.get(match[1]!) : undefined;
    if (!session) throw errors.invalidSessionToken();
    return session;
  }

  private loginFailure(error: SnowflakeError, loginName: unknown, method: string): object {
    return {
      data: { nextAction: 'RETRY_LOGIN', authnMethod: method, loginName: typeof loginName === 'string' ? loginName : null, requestId: randomUUID(), signInOptions: {} },
      code: error.code,
      message: error.message,
      success: false,
      headers: null,
    };
  }

  private async login(body: Record<string, unknown>, query: URLSearchParams): Promise<object> {
    const data = body.data;
    if (!isRecord(data) || typeof data.LOGIN_NAME !== 'string') throw new HttpFailure(400, 'login-request needs data.LOGIN_NAME');
    const loginName = data.LOGIN_NAME;
    const account = typeof data.ACCOUNT_NAME === 'string' ? data.ACCOUNT_NAME : '';
    const authenticator = typeof data.AUTHENTICATOR === 'string' ? data.AUTHENTICATOR.toUpperCase() : 'SNOWFLAKE';
    const user = this.users.get(loginName.toUpperCase());
    if (authenticator === 'SNOWFLAKE_JWT') {
      const ok = user?.publicKeyPem !== undefined && typeof data.TOKEN === 'string' && verifyJwt(data.TOKEN, user.publicKeyPem, account, loginName);
      if (!ok || !user) return this.loginFailure(errors.invalidJwt(), loginName, 'KEYPAIR');
    } else {
      // SNOWFLAKE (password) and anything the emulator does not implement (OAuth, SSO...).
      const ok = authenticator === 'SNOWFLAKE' && user?.password !== undefined && passwordMatches(data.PASSWORD, user.password);
      if (!ok || !user) return this.loginFailure(errors.incorrectLogin(), loginName, 'USERNAME_PASSWORD');
    }

    const parameters = new Map<string, ParameterValue>();
    if (isRecord(data.SESSION_PARAMETERS)) {
      for (const [name, value] of Object.entries(data.SESSION_PARAMETERS)) {
        try {
          parameters.set(name.toUpperCase(), checkParameter(name.toUpperCase(), value));
        } catch {
          // Snowflake ignores a bad login-time parameter rather than refusing the login.
        }
      }
    }
    const session: LiveSession = {
      id: this.nextSessionId++,
      user: user.name,
      database: null,
      schema: null,
      role: query.get('roleName') ?? 'PUBLIC',
      warehouse: query.get('warehouse'),
      parameters,
      denied: (user.deniedTables ?? []).map((t) => {
        const first = t.indexOf('.');
        const second = t.indexOf('.', first + 1);
        return [t.slice(0, first), t.slice(first + 1, second), t.slice(second + 1)];
      }),
      token: token(),
      masterToken: token(),
    };
    // Like Snowflake, a database or schema that does not exist leaves none selected.
    const databaseName = query.get('databaseName');
    const schemaName = query.get('schemaName');
    if (databaseName !== null && databaseName.toUpperCase() === this.options.database.toUpperCase()) {
      session.database = this.options.database;
      session.schema = await this.warehouse.findSchema(schemaName ?? 'PUBLIC');
    }
    this.sessions.set(session.token, session);
    this.masterTokens.set(session.masterToken, session);
    return {
      data: {
        masterToken: session.masterToken,
        token: session.token,
        validityInSeconds: SESSION_VALIDITY_SECONDS,
        masterValidityInSeconds: MASTER_VALIDITY_SECONDS,
        displayUserName: session.user,
        serverVersion: '9.0.0-emulator',
        firstLogin: false,
        remMeToken: null,
        remMeValidityInSeconds: 0,
        healthCheckInterval: 45,
        newClientForUpgrade: null,
        sessionId: session.id,
        parameters: this.clientParameters(effectiveParameters(session)),
        sessionInfo: { databaseName: session.database, schemaName: session.schema, warehouseName: session.warehouse, roleName: session.role },
        idToken: null,
        idTokenValidityInSeconds: 0,
        responseData: null,
        mfaToken: null,
        mfaTokenValidityInSeconds: 0,
      },
      code: null,
      message: null,
      success: true,
    };
  }

  private renew(request: IncomingMessage, body: Record<string, unknown>): object {
    const match = /^Snowflake Token="([^"]*)"$/.exec(request.headers.authorization ?? '');
    const session = match ? this.masterTokens.get(match[1]!) : undefined;
    if (!session || body.oldSessionToken !== session.token) throw errors.invalidMasterToken();
    this.sessions.delete(session.token);
    session.token = token();
    this.sessions.set(session.token, session);
    return {
      data: { sessionToken: session.token, validityInSecondsST: SESSION_VALIDITY_SECONDS, masterToken: session.masterToken, validityInSecondsMT: MASTER_VALIDITY_SECONDS, sessionId: session.id },
      code: null,
      message: null,
      success: true,
    };
  }

  private logout(session: LiveSession): object {
    for (const query of this.queries.values()) if (query.session === session && query.status === 'RUNNING') query.control.cancel();
    this.sessions.delete(session.token);
    this.masterTokens.delete(session.masterToken);
    return { success: true, data: null, code: null, message: null };
  }

  private clientParameters(parameters: Record<string, ParameterValue>): Array<{ name: string; value: ParameterValue }> {
    const names = [...CLIENT_PARAMETERS, ...ECHOED_WHEN_SET.filter((n) => n in parameters)];
    return names.map((name) => ({ name, value: parameters[name]! }));
  }

  // ---- queries --------------------------------------------------------------------------

  private failure(error: SnowflakeError, queryId?: string): object {
    return {
      data: { internalError: false, errorCode: error.code, age: 0, sqlState: error.sqlState, queryId: queryId ?? null, line: -1, pos: -1, type: error.type },
      code: error.code,
      message: error.message,
      success: false,
      headers: null,
    };
  }

  private success(queryId: string, session: Session, result: StatementResult, parameters: Record<string, ParameterValue>, extra: object = {}): object {
    const { rowtype, rowset } = result.rows;
    return {
      data: {
        parameters: this.clientParameters(parameters),
        rowtype,
        rowset,
        total: rowset.length,
        returned: rowset.length,
        queryId,
        databaseProvider: null,
        finalDatabaseName: session.database,
        finalSchemaName: session.schema,
        finalWarehouseName: session.warehouse,
        finalRoleName: session.role,
        numberOfBinds: 0,
        arrayBindSupported: false,
        statementTypeId: result.statementTypeId,
        version: 1,
        sendResultTime: Date.now(),
        queryResultFormat: 'json',
        ...extra,
      },
      code: null,
      message: null,
      success: true,
    };
  }

  private inProgress(query: QueryRecord, code: '333333' | '333334'): object {
    return {
      data: { queryId: query.id, getResultUrl: `/queries/${query.id}/result`, queryAbortsAfterSecs: 300, progressDesc: null },
      code,
      message: code === '333333' ? 'Query execution in progress' : 'Asynchronous execution in progress. Use provided query id to perform query monitoring and management.',
      success: true,
      headers: null,
    };
  }

  private async query(session: LiveSession, body: Record<string, unknown>, requestId: string | null): Promise<object> {
    const sqlText = body.sqlText;
    if (typeof sqlText !== 'string') throw new HttpFailure(400, 'query-request needs sqlText');
    if (body.parameters !== undefined && !isRecord(body.parameters)) throw new HttpFailure(400, 'parameters must be an object');
    const query: QueryRecord = {
      id: randomUUID(),
      requestId,
      session,
      sqlText,
      status: 'RUNNING',
      startTime: Date.now(),
      endTime: null,
      body: null,
      error: null,
      done: Promise.resolve(),
      control: new QueryControl(),
    };
    this.queries.set(query.id, query);
    query.done = this.run(query, body);
    if (body.asyncExec === true) return this.inProgress(query, '333334');
    return this.awaitResult(query);
  }

  private async run(query: QueryRecord, body: Record<string, unknown>): Promise<void> {
    const session = query.session;
    try {
      if (body.bindings !== undefined && body.bindings !== null) throw errors.compilation('bind variables are not supported by the emulator');
      // Per-statement parameters (the SDK's `parameters` option and its queryTag) apply to this text only.
      const statementParameters: Record<string, ParameterValue> = {};
      for (const [name, value] of Object.entries((body.parameters as Record<string, unknown> | undefined) ?? {})) {
        statementParameters[name.toUpperCase()] = checkParameter(name.toUpperCase(), value);
      }
      const results = await this.warehouse.execute(session, query.sqlText, statementParameters, query.control, (text) => this.statements.push(text), body.describeOnly === true);
      const parameters = effectiveParameters(session, statementParameters);
      if (results.length === 1) {
        query.body = this.success(query.id, session, results[0]!, parameters);
      } else {
        // Multi-statement: each statement's result is its own query, fetched by id.
        const children = results.map((result) => {
          const child: QueryRecord = { ...query, id: randomUUID(), requestId: null, status: 'SUCCESS', endTime: Date.now(), control: new QueryControl() };
          child.body = this.success(child.id, session, result, parameters);
          this.queries.set(child.id, child);
          return child;
        });
        const parent = { rows: statusRows('Multiple statements executed successfully.'), statementTypeId: STATEMENT_TYPE.SELECT };
        parent.rows.rowtype[0]!.name = 'multiple statement execution';
        query.body = this.success(query.id, session, parent, parameters, {
          resultIds: children.map((c) => c.id).join(','),
          resultTypes: results.map((r) => r.statementTypeId).join(','),
        });
      }
      query.status = 'SUCCESS';
    } catch (error) {
      const failure = error instanceof SnowflakeError ? error : errors.execution(error instanceof Error ? error.message : String(error));
      query.error = failure;
      query.status = failure.code === '000604' ? 'ABORTED' : 'FAILED_WITH_ERROR';
      query.body = this.failure(failure, query.id);
    } finally {
      query.endTime = Date.now();
    }
  }

  /** Waits up to resultWaitMs for the answer, else says "in progress" and lets the SDK poll. */
  private async awaitResult(query: QueryRecord): Promise<object> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.resultWaitMs);
      void query.done.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    return query.body ?? this.inProgress(query, '333333');
  }

  private async result(session: LiveSession, queryId: string): Promise<object> {
    const query = this.queries.get(queryId);
    if (!query || query.session.user !== session.user) {
      return this.failure(new SnowflakeError('000709', '02000', `Statement ${queryId} not found`, 'EXECUTION'), queryId);
    }
    return this.awaitResult(query);
  }

  private abort(query: QueryRecord | undefined): object {
    if (!query || query.status !== 'RUNNING') return this.failure(errors.notExecuting(), query?.id);
    query.control.cancel();
    return { success: true, data: null, code: null, message: null };
  }

  private monitoring(session: LiveSession, queryId: string): object {
    const query = this.queries.get(queryId);
    const queries =
      query && query.session.user === session.user
        ? [
            {
              id: query.id,
              status: query.status,
              state: query.status === 'RUNNING' ? 'RUNNING' : 'SUCCEEDED',
              sqlText: query.sqlText,
              startTime: query.startTime,
              endTime: query.endTime ?? 0,
              errorCode: query.error?.code,
              errorMessage: query.error?.message,
              sessionId: query.session.id,
            },
          ]
        : [];
    // The SDK's getQueryStatusThrowIfError reads the failure from the top-level code and data.sqlState.
    const failed = queries.length > 0 && query?.error ? query.error : null;
    return { data: { queries, sqlState: failed?.sqlState ?? null }, code: failed?.code ?? null, message: null, success: true };
  }
}
