import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BigQueryError, invalidCredentials, missingCredentials } from './errors.js';
import { DATASET_LOCATION, newJobId, QueryEngine, type Job, type JobRequest } from './jobs.js';
import { Credentials } from './token.js';

/**
 * A BigQuery wire emulator: the REST endpoints @google-cloud/bigquery calls (jobs.query,
 * jobs.insert, jobs.getQueryResults, jobs.get, jobs.cancel, tables.get, datasets.get) plus an
 * OAuth2 token endpoint, on 127.0.0.1, running the SQL on DuckDB. Point the real client at it
 * with `new BigQuery({ projectId, apiEndpoint: emulator.apiEndpoint, keyFilename: emulator.writeKeyFile(...) })`.
 *
 * Paths are served under /bigquery/v2 (what the client builds from apiEndpoint) and bare
 * (what it builds from BIGQUERY_EMULATOR_HOST, which it uses as the whole base URL).
 */

export interface BigQueryEmulatorOptions {
  /** An existing DuckDB file: attached under the name `projectId`, so `my-project`.`shop`.`items` is catalog my-project, schema shop, table items. */
  duckdbPath: string;
  projectId: string;
  /** Service accounts: client_email -> the PEM public key whose private key signs the JWT assertions (RS256). */
  serviceAccounts: Record<string, string>;
  /** Tables (dataset.table) each service account may NOT read: a query touching one fails with BigQuery's 403 accessDenied. */
  deniedTables?: Record<string, string[]>;
  /** last_modified_time of tables for `project.dataset.__TABLES__` and tables.get, keyed 'dataset.table'. */
  lastModified?: Record<string, Date>;
  /** Bytes a query is billed per row of each table it reads (to exercise maximumBytesBilled); default 100. */
  bytesPerRow?: number;
  /** The longest a jobs.query / getQueryResults call is held before jobComplete: false (default MAX_HOLD_MS). */
  maxHoldMs?: number;
}

export interface BigQueryEmulator {
  /** http://127.0.0.1:PORT — pass as the client's `apiEndpoint` (with the scheme: without one the client assumes https). */
  apiEndpoint: string;
  /** The OAuth2 token endpoint (JWT bearer grant) written as token_uri in key files. */
  tokenUri: string;
  /** Writes a service-account key file (JSON as Google issues them) whose token_uri is this emulator; returns its path. */
  writeKeyFile(dir: string, clientEmail: string, privateKeyPem: string): string;
  requests: Array<{ method: string; path: string; query: Record<string, string>; body: unknown; authorization?: string }>;
  /** The SQL texts executed, in order (as received, before translation); refused and dry-run queries are not executed. */
  statements: string[];
  close(): Promise<void>;
}

/** BigQuery holds a jobs.query / getQueryResults call up to timeoutMs, 10 s by default... */
const DEFAULT_WAIT_MS = 10_000;
/**
 * ...but does not promise to hold it that long. The emulator answers jobComplete: false after
 * at most this, so any query slower than a second goes through the client's polling loop.
 */
const MAX_HOLD_MS = 1_000;

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const ok = (body: unknown): Answer => ({ status: 200, body });

function fail(e: BigQueryError): Answer {
  const headers: Record<string, string> = e.httpStatus === 401 ? { 'www-authenticate': 'Bearer realm="https://accounts.google.com/"' } : {};
  return { status: e.httpStatus, body: e.body(), headers };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optionalString = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
const optionalNumber = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
};

function invalid(message: string): BigQueryError {
  return new BigQueryError('invalid', message);
}

/** Waits for the job up to BigQuery's hold time for this request. */
async function hold(job: Job, timeoutMs: number | undefined, maxHoldMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const wait = Math.max(0, Math.min(timeoutMs ?? DEFAULT_WAIT_MS, maxHoldMs));
  await Promise.race([job.finished, new Promise<void>((resolve) => (timer = setTimeout(resolve, wait)))]);
  clearTimeout(timer);
}

function defaultDataset(v: unknown): JobRequest['defaultDataset'] {
  if (v === undefined) return undefined;
  if (!isObject(v) || typeof v.datasetId !== 'string') throw invalid('Invalid value for defaultDataset: datasetId is required');
  return { datasetId: v.datasetId, ...(typeof v.projectId === 'string' ? { projectId: v.projectId } : {}) };
}

function labels(v: unknown): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v) || Object.values(v).some((x) => typeof x !== 'string')) throw invalid('Invalid value for labels: a map of strings is required');
  return v as Record<string, string>;
}

export async function startBigQueryEmulator(options: BigQueryEmulatorOptions): Promise<BigQueryEmulator> {
  const { projectId } = options;
  const bytesPerRow = options.bytesPerRow ?? 100;
  const maxHoldMs = options.maxHoldMs ?? MAX_HOLD_MS;
  const requests: BigQueryEmulator['requests'] = [];
  const statements: string[] = [];
  const engine = await QueryEngine.open({
    duckdbPath: options.duckdbPath,
    projectId,
    deniedTables: options.deniedTables ?? {},
    lastModified: options.lastModified ?? {},
    bytesPerRow,
    onExecute: (query) => statements.push(query),
  });
  let base = '';
  const credentials = new Credentials(options.serviceAccounts, () => `${base}/token`);
  /** jobs.query requestId -> job id: a retried request finds its first job. */
  const byRequestId = new Map<string, string>();

  const jobNotFound = (jobId: string, location: string | undefined) =>
    new BigQueryError('notFound', `Not found: Job ${projectId}:${location ?? DATASET_LOCATION}.${jobId}`);

  const findJob = (jobId: string, location: string | undefined): Job => {
    const job = engine.get(jobId);
    if (job === undefined || (location !== undefined && location.toUpperCase() !== job.request.location.toUpperCase())) throw jobNotFound(jobId, location);
    return job;
  };

  /** The rows of a finished job, or jobComplete: false. */
  const results = (kind: string, job: Job, start: number, maxResults: number | undefined, int64Timestamp: boolean): Answer => {
    if (job.state !== 'DONE') return ok({ kind, jobReference: job.reference, jobComplete: false });
    if (job.error !== undefined) return fail(job.error);
    const page = job.page(start, maxResults, int64Timestamp);
    const body: Record<string, unknown> = { kind, etag: Buffer.from(job.request.jobId).toString('base64'), jobReference: job.reference };
    if (page.fields !== undefined) body.schema = { fields: page.fields };
    body.totalRows = page.totalRows;
    if (page.rows !== undefined) body.rows = page.rows;
    if (page.pageToken !== undefined) body.pageToken = page.pageToken;
    body.totalBytesProcessed = String(job.bytesProcessed);
    body.jobComplete = true;
    body.cacheHit = false;
    return ok(body);
  };

  /** POST /projects/{p}/queries */
  const jobsQuery = async (body: Record<string, unknown>, principal: string): Promise<Answer> => {
    const query = body.query;
    if (typeof query !== 'string' || query.trim() === '') throw invalid('Required parameter is missing: query');
    const requestId = optionalString(body.requestId);
    const earlier = requestId === undefined ? undefined : byRequestId.get(requestId);
    const formatOptions = isObject(body.formatOptions) ? body.formatOptions : {};
    const timeoutMs = optionalNumber(body.timeoutMs);
    const maxResults = optionalNumber(body.maxResults);
    let job = earlier === undefined ? undefined : engine.get(earlier);
    if (job === undefined) {
      const bodyLabels = labels(body.labels);
      const dataset = defaultDataset(body.defaultDataset);
      const maximumBytesBilled = optionalString(body.maximumBytesBilled);
      job = engine.submit({
        jobId: newJobId(),
        location: optionalString(body.location) ?? DATASET_LOCATION,
        query,
        useLegacySql: body.useLegacySql,
        ...(dataset === undefined ? {} : { defaultDataset: dataset }),
        ...(maximumBytesBilled === undefined ? {} : { maximumBytesBilled }),
        dryRun: body.dryRun === true,
        principal,
        configuration: {
          query: { query, useLegacySql: body.useLegacySql, ...(dataset ? { defaultDataset: dataset } : {}), ...(maximumBytesBilled ? { maximumBytesBilled } : {}) },
          ...(bodyLabels ? { labels: bodyLabels } : {}),
        },
      });
      if (requestId !== undefined) byRequestId.set(requestId, job.request.jobId);
    }
    await job.checked;
    if (job.error !== undefined) return fail(job.error);
    await hold(job, timeoutMs, maxHoldMs);
    return results('bigquery#queryResponse', job, 0, maxResults, formatOptions.useInt64Timestamp === true);
  };

  /** POST /projects/{p}/jobs */
  const jobsInsert = async (body: Record<string, unknown>, principal: string): Promise<Answer> => {
    const reference = isObject(body.jobReference) ? body.jobReference : {};
    const configuration = isObject(body.configuration) ? body.configuration : undefined;
    if (configuration === undefined || !isObject(configuration.query)) {
      throw invalid('Job configuration must contain exactly one job-specific configuration object (e.g., query, load, extract, spreadsheetExtract), but there were 0');
    }
    const queryConfig = configuration.query;
    const query = queryConfig.query;
    if (typeof query !== 'string' || query.trim() === '') throw invalid('Required parameter is missing: query');
    const jobId = optionalString(reference.jobId) ?? newJobId();
    const location = optionalString(reference.location) ?? DATASET_LOCATION;
    const dryRun = configuration.dryRun === true;
    if (!dryRun && engine.has(jobId)) throw new BigQueryError('duplicate', `Already Exists: Job ${projectId}:${location}.${jobId}`);
    labels(configuration.labels);
    const dataset = defaultDataset(queryConfig.defaultDataset);
    const maximumBytesBilled = optionalString(queryConfig.maximumBytesBilled);
    const jobTimeoutMs = optionalNumber(configuration.jobTimeoutMs);
    const job = engine.submit({
      jobId,
      location,
      query,
      useLegacySql: queryConfig.useLegacySql,
      ...(dataset === undefined ? {} : { defaultDataset: dataset }),
      ...(maximumBytesBilled === undefined ? {} : { maximumBytesBilled }),
      ...(jobTimeoutMs === undefined ? {} : { jobTimeoutMs }),
      dryRun,
      principal,
      configuration,
    });
    await job.checked;
    // A query that fails BigQuery's checks is still a job: DONE, with status.errorResult.
    return ok(job.resource());
  };

  const tablesGet = async (dataset: string, table: string): Promise<Answer> => {
    const found = await engine.table(dataset, table);
    if (found === undefined) {
      const stored = await engine.dataset(dataset);
      throw new BigQueryError('notFound', stored === undefined ? `Not found: Dataset ${projectId}:${dataset}` : `Not found: Table ${projectId}:${dataset}.${table}`);
    }
    return ok({
      kind: 'bigquery#table',
      etag: Buffer.from(`${dataset}.${table}`).toString('base64'),
      id: `${projectId}:${found.dataset}.${found.table}`,
      selfLink: `${base}/bigquery/v2/projects/${projectId}/datasets/${encodeURIComponent(found.dataset)}/tables/${encodeURIComponent(found.table)}`,
      tableReference: { projectId, datasetId: found.dataset, tableId: found.table },
      schema: { fields: found.fields },
      numBytes: String(found.rows * bytesPerRow),
      numLongTermBytes: '0',
      numRows: String(found.rows),
      creationTime: String(engine.created),
      lastModifiedTime: String(engine.lastModified(found.dataset, found.table)),
      type: found.view ? 'VIEW' : 'TABLE',
      location: DATASET_LOCATION,
    });
  };

  const datasetsGet = async (dataset: string): Promise<Answer> => {
    const stored = await engine.dataset(dataset);
    if (stored === undefined) throw new BigQueryError('notFound', `Not found: Dataset ${projectId}:${dataset}`);
    return ok({
      kind: 'bigquery#dataset',
      id: `${projectId}:${stored}`,
      datasetReference: { projectId, datasetId: stored },
      location: DATASET_LOCATION,
      creationTime: String(engine.created),
      lastModifiedTime: String(engine.created),
    });
  };

  /** Routes an authenticated BigQuery API call: segments after /bigquery/v2. */
  const api = async (method: string, segments: string[], query: Record<string, string>, body: unknown, bodyIsJson: boolean, principal: string): Promise<Answer> => {
    const [root, project, collection, id, sub, subId] = segments;
    if (root !== 'projects' || project === undefined) throw new BigQueryError('notFound', 'Not found: the emulator serves /bigquery/v2/projects/...');
    if (project !== projectId) throw new BigQueryError('notFound', `Not found: Project ${project}`);
    const needBody = (): Record<string, unknown> => {
      if (!bodyIsJson || !isObject(body)) throw new BigQueryError('parseError', 'Invalid JSON payload received. Unexpected token.');
      return body;
    };
    const route = `${method} ${collection ?? ''}${id === undefined ? '' : '/:id'}${sub === undefined ? '' : `/${sub}`}${subId === undefined ? '' : '/:id'}`;
    const location = query.location;
    switch (route) {
      case 'POST queries':
        return jobsQuery(needBody(), principal);
      case 'GET queries/:id': {
        const job = findJob(id!, location);
        await hold(job, optionalNumber(query.timeoutMs), maxHoldMs);
        const start = optionalNumber(query.pageToken) ?? optionalNumber(query.startIndex) ?? 0;
        return results('bigquery#getQueryResultsResponse', job, start, optionalNumber(query.maxResults), query['formatOptions.useInt64Timestamp'] === 'true');
      }
      case 'POST jobs':
        return jobsInsert(needBody(), principal);
      case 'GET jobs/:id':
        return ok(findJob(id!, location).resource());
      case 'POST jobs/:id/cancel': {
        const job = findJob(id!, location);
        job.halt(new BigQueryError('stopped', 'Job execution was cancelled: User requested cancellation'));
        return ok({ kind: 'bigquery#jobCancelResponse', job: job.resource() });
      }
      case 'GET datasets/:id':
        return datasetsGet(id!);
      case 'GET datasets/:id/tables/:id':
        return tablesGet(id!, subId!);
      default:
        throw new BigQueryError('notFound', `Not found: ${method} ${segments.join('/')} is not served by the emulator`);
    }
  };

  const handle = async (request: IncomingMessage): Promise<Answer> => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(request.url ?? '/', base);
    const method = request.method ?? 'GET';
    const query = Object.fromEntries(url.searchParams);
    const form = String(request.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded');
    let body: unknown;
    let bodyIsJson = false;
    if (raw !== '') {
      if (form) body = Object.fromEntries(new URLSearchParams(raw));
      else {
        try {
          body = JSON.parse(raw);
          bodyIsJson = true;
        } catch {
          body = raw;
        }
      }
    }
    const authorization = request.headers.authorization;
    requests.push({ method, path: url.pathname, query, body, ...(authorization === undefined ? {} : { authorization }) });

    if (url.pathname === '/token') {
      if (method !== 'POST') return { status: 405, body: { error: 'invalid_request', error_description: 'Only POST is supported.' } };
      const answer = credentials.grant(new URLSearchParams(form ? raw : ''));
      return answer;
    }
    let segments: string[];
    try {
      segments = url.pathname.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
    } catch {
      throw invalid('Invalid request path');
    }
    if (segments[0] === 'bigquery' && segments[1] === 'v2') segments = segments.slice(2);
    else if (segments[0] !== 'projects') throw new BigQueryError('notFound', `Not found: ${url.pathname}`);

    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (authorization === undefined || authorization === '') throw missingCredentials();
    const principal = bearer ? credentials.identify(bearer[1]!) : undefined;
    if (principal === undefined) throw invalidCredentials();
    return api(method, segments, query, body, bodyIsJson, principal);
  };

  const send = (response: ServerResponse, answer: Answer) => {
    if (response.headersSent || response.destroyed) return;
    response.writeHead(answer.status, { 'content-type': 'application/json; charset=UTF-8', ...answer.headers });
    response.end(JSON.stringify(answer.body));
  };

  const server = createServer((request, response) => {
    handle(request)
      .then((answer) => send(response, answer))
      .catch((e: unknown) => {
        // Never let a request take the server down: BigQuery errors as themselves, the rest as 500.
        const error = e instanceof BigQueryError ? e : new BigQueryError('internalError', `Internal error: ${e instanceof Error ? e.message : String(e)}`);
        send(response, fail(error));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    apiEndpoint: base,
    tokenUri: `${base}/token`,
    writeKeyFile: (dir, clientEmail, privateKeyPem) => credentials.writeKeyFile(dir, projectId, clientEmail, privateKeyPem),
    requests,
    statements,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await engine.close();
      await closed;
    },
  };
}
