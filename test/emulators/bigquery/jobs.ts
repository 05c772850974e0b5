import { randomBytes } from 'node:crypto';
import { DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { BigQueryError, fromDuckDb, fromSyntax, invalidQuery } from './errors.js';
import { encodeRows, fieldSchema, type TableFieldSchema, type TableRow } from './results.js';
import { duckIdent, duckString, GoogleSqlSyntaxError, translate, type Translation } from './translate.js';

/**
 * Query jobs on DuckDB: each job checks its query the way BigQuery does before running it
 * (syntax, names, access, bytes to bill), then runs it on its own connection so that
 * jobTimeoutMs and jobs.cancel can interrupt exactly that query.
 */

/** Where every dataset of the emulated project lives. */
export const DATASET_LOCATION = 'US';

export interface EngineOptions {
  duckdbPath: string;
  projectId: string;
  deniedTables: Record<string, string[]>;
  lastModified: Record<string, Date>;
  bytesPerRow: number;
  /** Called with the query text (as received) when a job starts executing it. */
  onExecute(query: string): void;
}

export interface JobRequest {
  jobId: string;
  location: string;
  query: string;
  useLegacySql: unknown;
  defaultDataset?: { projectId?: string; datasetId: string };
  maximumBytesBilled?: string;
  jobTimeoutMs?: number;
  dryRun: boolean;
  /** The service account the request authenticated as. */
  principal: string;
  /** The job configuration to echo in the job resource. */
  configuration: Record<string, unknown>;
}

interface TableRef {
  project: string;
  dataset: string;
  table: string;
}

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

export class Job {
  state: 'PENDING' | 'RUNNING' | 'DONE' = 'PENDING';
  error?: BigQueryError;
  fields?: TableFieldSchema[];
  rows?: DuckDBValue[][];
  bytesProcessed = 0;
  statementType = 'SELECT';
  readonly created = Date.now();
  started?: number;
  ended?: number;
  /** Set when jobTimeoutMs or jobs.cancel stops the job: the error it ends with. */
  stop?: BigQueryError;
  connection?: DuckDBConnection;
  /** Tables a script names that did not exist before it ran (it may create them). */
  readonly unresolved: TableRef[] = [];
  private readonly checkedSignal = deferred();
  private readonly finishedSignal = deferred();

  constructor(
    readonly projectId: string,
    readonly request: JobRequest,
  ) {}

  /** Resolves once the query passed or failed BigQuery's checks (or the job ended). */
  get checked(): Promise<void> {
    return this.checkedSignal.promise;
  }

  get finished(): Promise<void> {
    return this.finishedSignal.promise;
  }

  markChecked(): void {
    this.checkedSignal.resolve();
  }

  markFinished(): void {
    this.state = 'DONE';
    this.ended = Date.now();
    this.checkedSignal.resolve();
    this.finishedSignal.resolve();
  }

  /** Stops a running job with `reason`; a finished job stays as it is. */
  halt(reason: BigQueryError): void {
    if (this.state === 'DONE' || this.stop !== undefined) return;
    this.stop = reason;
    this.connection?.interrupt();
  }

  get reference(): { projectId: string; jobId: string; location: string } {
    return { projectId: this.projectId, jobId: this.request.jobId, location: this.request.location };
  }

  /** The Job resource (jobs.insert, jobs.get, jobs.cancel). */
  resource(): Record<string, unknown> {
    const { jobId, location } = this.request;
    const bytes = String(this.bytesProcessed);
    const statistics: Record<string, unknown> = {
      creationTime: String(this.created),
      totalBytesProcessed: bytes,
      query: { totalBytesProcessed: bytes, totalBytesBilled: bytes, billingTier: 1, cacheHit: false, statementType: this.statementType },
    };
    if (this.started !== undefined) statistics.startTime = String(this.started);
    if (this.ended !== undefined) statistics.endTime = String(this.ended);
    const status: Record<string, unknown> = { state: this.state };
    if (this.error !== undefined) {
      status.errorResult = this.error.errorResult();
      status.errors = [this.error.errorResult()];
    }
    return {
      kind: 'bigquery#job',
      etag: Buffer.from(`${jobId}:${this.state}`).toString('base64'),
      id: `${this.projectId}:${location}.${jobId}`,
      selfLink: `/bigquery/v2/projects/${this.projectId}/jobs/${jobId}?location=${location}`,
      user_email: this.request.principal,
      configuration: { ...this.request.configuration, jobType: 'QUERY' },
      // A dry run has no job id, only where it would have run.
      jobReference: this.request.dryRun ? { projectId: this.projectId, location } : this.reference,
      statistics,
      status,
    };
  }

  /** One page of the result rows, encoded for the response. */
  page(start: number, maxResults: number | undefined, int64Timestamp: boolean): { fields?: TableFieldSchema[]; rows?: TableRow[]; totalRows: string; pageToken?: string } {
    if (this.fields === undefined || this.rows === undefined) return { totalRows: '0' };
    const end = maxResults === undefined ? this.rows.length : Math.min(this.rows.length, start + maxResults);
    const rows = encodeRows(this.rows.slice(start, end), this.fields, { int64Timestamp });
    const page: ReturnType<Job['page']> = { fields: this.fields, rows, totalRows: String(this.rows.length) };
    if (end < this.rows.length) page.pageToken = String(end);
    return page;
  }
}

export class QueryEngine {
  private readonly jobs = new Map<string, Job>();
  private readonly startedAt = Date.now();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly options: EngineOptions,
  ) {}

  /** An in-memory DuckDB with the file attached under the project's name, in UTC. */
  static async open(options: EngineOptions): Promise<QueryEngine> {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      await connection.run("SET GLOBAL TimeZone = 'UTC'");
      await connection.run(`ATTACH ${duckString(options.duckdbPath)} AS ${duckIdent(options.projectId)}`);
    } finally {
      connection.closeSync();
    }
    return new QueryEngine(instance, options);
  }

  get(jobId: string): Job | undefined {
    return this.jobs.get(jobId);
  }

  has(jobId: string): boolean {
    return this.jobs.has(jobId);
  }

  /** Starts a job; await job.checked before answering jobs.insert / jobs.query. */
  submit(request: JobRequest): Job {
    const job = new Job(this.options.projectId, request);
    if (!request.dryRun) this.jobs.set(request.jobId, job);
    void this.run(job);
    return job;
  }

  private async run(job: Job): Promise<void> {
    const { request } = job;
    let connection: DuckDBConnection | undefined;
    let timer: NodeJS.Timeout | undefined;
    let repeat: NodeJS.Timeout | undefined;
    let translation: Translation | undefined;
    try {
      job.state = 'RUNNING';
      job.started = Date.now();
      if (request.useLegacySql !== false) {
        // The REST default is legacy SQL; the Node client always sends useLegacySql: false.
        throw new BigQueryError('invalid', 'This emulator runs GoogleSQL only: set useLegacySql to false.');
      }
      if (request.jobTimeoutMs !== undefined) {
        const seconds = Number((request.jobTimeoutMs / 1000).toFixed(3));
        timer = setTimeout(() => job.halt(new BigQueryError('stopped', `Job execution was cancelled: Job timed out after ${seconds} sec`)), request.jobTimeoutMs);
      }
      try {
        translation = translate(request.query, {
          projectId: this.options.projectId,
          lastModifiedMs: Object.fromEntries(Object.entries(this.options.lastModified).map(([k, d]) => [k, d.getTime()])),
          defaultLastModifiedMs: this.startedAt,
          bytesPerRow: this.options.bytesPerRow,
        });
      } catch (e) {
        if (e instanceof GoogleSqlSyntaxError) throw fromSyntax(e, request.query);
        throw e;
      }
      if (translation.statements.length === 0) throw invalidQuery(`Syntax error: Unexpected end of script at [1:${request.query.length + 1}]`);
      connection = await this.instance.connect();
      job.connection = connection;
      const bill = await this.check(job, connection, translation);
      job.bytesProcessed = bill;
      job.statementType = translation.statements.length > 1 ? 'SCRIPT' : translation.statements[0]!.type;
      const limit = request.maximumBytesBilled === undefined ? undefined : Number(request.maximumBytesBilled);
      if (limit !== undefined && Number.isFinite(limit) && bill > limit) {
        throw new BigQueryError('bytesBilledLimitExceeded', `Query exceeded limit for bytes billed: ${request.maximumBytesBilled}. ${bill} or higher required.`);
      }
      job.markChecked();
      if (request.dryRun) return;
      if (job.stop !== undefined) throw job.stop;

      this.options.onExecute(request.query);
      // interrupt() only reaches a running statement: repeat it until the job ends.
      repeat = setInterval(() => {
        if (job.stop !== undefined) connection?.interrupt();
      }, 50);
      const reader = await connection.runAndReadAll(translation.sql);
      // An interrupt can also end a statement with an empty result instead of an error.
      if (job.stop !== undefined) throw job.stop;
      const last = translation.statements[translation.statements.length - 1]!;
      if (last.type === 'SELECT') {
        const names = reader.columnNames();
        const types = reader.columnTypes();
        job.fields = names.map((name, i) => fieldSchema(name, types[i]!.toString()));
        job.rows = reader.getRows();
      }
    } catch (e) {
      if (job.stop !== undefined) job.error = job.stop;
      else if (e instanceof BigQueryError) job.error = e;
      else if (translation !== undefined) job.error = this.runtimeError(e, job, translation);
      else job.error = new BigQueryError('internalError', e instanceof Error ? e.message : String(e));
    } finally {
      clearTimeout(timer);
      clearInterval(repeat);
      job.connection = undefined;
      connection?.closeSync();
      job.markFinished();
    }
  }

  /**
   * BigQuery's checks before a query runs, in its order: syntax, names, access, then the bill
   * (rows of each table read x bytesPerRow). Returns the bill.
   */
  private async check(job: Job, connection: DuckDBConnection, translation: Translation): Promise<number> {
    const { request } = job;
    const { projectId } = this.options;
    const location = request.location;
    const script = translation.statements.length > 1;
    const notFoundDataset = (project: string, dataset: string) => new BigQueryError('notFound', `Not found: Dataset ${project}:${dataset} was not found in location ${location}`);

    // Syntax, over the whole text.
    try {
      await connection.extractStatements(translation.sql);
    } catch (e) {
      // That message has no position: parse each statement alone for DuckDB's "LINE n: ... ^".
      for (const statement of translation.statements) {
        try {
          (await connection.prepare(statement.sql)).destroySync();
        } catch (alone) {
          if (/^Parser Error: /.test(alone instanceof Error ? alone.message : '')) throw fromDuckDb(alone, request.query, translation, statement.sql, statement.offset);
        }
      }
      throw fromDuckDb(e, request.query, translation, translation.sql);
    }

    const catalog = await this.catalog(connection);
    const inLocation = location.toUpperCase() === DATASET_LOCATION;
    const datasetOf = (project: string, dataset: string): string => {
      const found = project === projectId && inLocation ? [...catalog.keys()].find((d) => d.toLowerCase() === dataset.toLowerCase()) : undefined;
      if (found === undefined) throw notFoundDataset(project, dataset);
      return found;
    };

    // Default dataset: USE it, so unqualified names resolve there.
    const defaultDataset = request.defaultDataset;
    let useDataset: string | undefined;
    if (defaultDataset !== undefined) {
      useDataset = datasetOf(defaultDataset.projectId ?? projectId, defaultDataset.datasetId);
      await connection.run(`USE ${duckIdent(projectId)}.${duckIdent(useDataset)}`);
    } else {
      await connection.run(`USE ${duckIdent(projectId)}`);
    }

    for (const { project, dataset } of translation.metadataDatasets) datasetOf(project, dataset);

    // Tables read, from DuckDB's own parse of each SELECT.
    const refs: TableRef[] = [];
    for (const statement of translation.statements) {
      if (statement.type !== 'SELECT') continue;
      for (const ref of await this.tableRefs(connection, statement.sql)) {
        if (ref.dataset === '') {
          // A script may name its own temp tables unqualified.
          if (useDataset === undefined && script) {
            job.unresolved.push(ref);
            continue;
          }
          if (useDataset === undefined) {
            throw new BigQueryError('invalid', `Table name "${ref.table}" missing dataset while no default dataset is set in the request.`, { location: 'q', locationType: 'parameter' });
          }
          ref.dataset = useDataset;
        }
        refs.push(ref);
      }
    }

    const readable: TableRef[] = [];
    for (const ref of refs) {
      const dataset = script ? [...catalog.keys()].find((d) => d.toLowerCase() === ref.dataset.toLowerCase()) : datasetOf(ref.project, ref.dataset);
      const table = dataset === undefined ? undefined : [...catalog.get(dataset)!].find((t) => t.toLowerCase() === ref.table.toLowerCase());
      if (table === undefined || dataset === undefined) {
        // A script may read a table it creates itself; DuckDB will tell at run time.
        if (script) {
          job.unresolved.push(ref);
          continue;
        }
        throw new BigQueryError('notFound', `Not found: Table ${ref.project}:${ref.dataset}.${ref.table} was not found in location ${location}`);
      }
      readable.push({ project: ref.project, dataset, table });
    }

    const denied = new Set((this.options.deniedTables[request.principal] ?? []).map((t) => t.toLowerCase()));
    for (const ref of readable) {
      if (denied.has(`${ref.dataset}.${ref.table}`.toLowerCase())) {
        const name = `${ref.project}:${ref.dataset}.${ref.table}`;
        throw new BigQueryError('accessDenied', `Access Denied: Table ${name}: User does not have permission to query table ${name}, or perhaps it does not exist.`);
      }
    }

    // Names inside the query (columns, functions) bind on prepare; scripts bind as they run.
    if (!script) {
      try {
        const prepared = await connection.prepare(translation.sql);
        prepared.destroySync();
      } catch (e) {
        throw fromDuckDb(e, request.query, translation, translation.sql);
      }
    }

    let bill = 0;
    const seen = new Set<string>();
    for (const ref of readable) {
      const key = `${ref.dataset}.${ref.table}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const reader = await connection.runAndReadAll(`SELECT COUNT(*) FROM ${duckIdent(projectId)}.${duckIdent(ref.dataset)}.${duckIdent(ref.table)}`);
      bill += Number(reader.getRows()[0]![0]) * this.options.bytesPerRow;
    }
    return bill;
  }

  /** dataset -> its tables and views, in the attached file. */
  private async catalog(connection: DuckDBConnection): Promise<Map<string, Set<string>>> {
    const db = duckString(this.options.projectId);
    const reader = await connection.runAndReadAll(
      `SELECT schema_name, NULL FROM duckdb_schemas() WHERE database_name = ${db}
       UNION ALL SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = ${db}
       UNION ALL SELECT schema_name, view_name FROM duckdb_views() WHERE database_name = ${db} AND NOT internal`,
    );
    const catalog = new Map<string, Set<string>>();
    for (const [schema, table] of reader.getRows()) {
      const tables = catalog.get(String(schema)) ?? new Set<string>();
      if (table !== null) tables.add(String(table));
      catalog.set(String(schema), tables);
    }
    return catalog;
  }

  /** The base tables a SELECT reads (not its CTEs), from json_serialize_sql. */
  private async tableRefs(connection: DuckDBConnection, sql: string): Promise<TableRef[]> {
    const reader = await connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [sql]);
    const tree = JSON.parse(String(reader.getRows()[0]![0])) as { error?: boolean };
    if (tree.error) return [];
    const ctes = new Set<string>();
    const tables: Array<{ catalog_name: string; schema_name: string; table_name: string }> = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) {
        node.forEach(walk);
        return;
      }
      if (node === null || typeof node !== 'object') return;
      const record = node as Record<string, unknown>;
      if (record.type === 'BASE_TABLE' && typeof record.table_name === 'string') {
        tables.push(record as unknown as (typeof tables)[number]);
      }
      const map = (record.cte_map as { map?: Array<{ key: string }> } | undefined)?.map;
      if (Array.isArray(map)) for (const entry of map) ctes.add(entry.key.toLowerCase());
      Object.values(record).forEach(walk);
    };
    walk(tree);
    return tables
      .filter((t) => !(t.catalog_name === '' && t.schema_name === '' && ctes.has(t.table_name.toLowerCase())))
      .map((t) => ({
        project: t.catalog_name === '' ? this.options.projectId : t.catalog_name,
        dataset: t.schema_name,
        table: t.table_name,
      }));
  }

  /** An error from running the query (scripts, or what prepare could not see). */
  private runtimeError(error: unknown, job: Job, translation: Translation): BigQueryError {
    const message = error instanceof Error ? error.message : String(error);
    const missing = /^Catalog Error: Table with name (.+?) does not exist/.exec(message);
    if (missing) {
      const name = missing[1]!;
      const ref = job.unresolved.find((r) => r.table.toLowerCase() === name.toLowerCase());
      const dataset = ref?.dataset || job.request.defaultDataset?.datasetId;
      if (!dataset) {
        return new BigQueryError('invalid', `Table name "${name}" missing dataset while no default dataset is set in the request.`, { location: 'q', locationType: 'parameter' });
      }
      return new BigQueryError('notFound', `Not found: Table ${ref?.project ?? this.options.projectId}:${dataset}.${name} was not found in location ${job.request.location}`);
    }
    return fromDuckDb(error, job.request.query, translation, translation.sql);
  }

  /** tables.get: the table's schema, rows and size, or undefined. */
  async table(dataset: string, table: string): Promise<{ dataset: string; table: string; fields: TableFieldSchema[]; rows: number; view: boolean } | undefined> {
    const connection = await this.instance.connect();
    try {
      const db = duckString(this.options.projectId);
      const found = await connection.runAndReadAll(
        `SELECT schema_name, table_name, false FROM duckdb_tables() WHERE database_name = ${db} AND schema_name = $1 AND table_name = $2
         UNION ALL SELECT schema_name, view_name, true FROM duckdb_views() WHERE database_name = ${db} AND schema_name = $1 AND view_name = $2`,
        [dataset, table],
      );
      const row = found.getRows()[0];
      if (row === undefined) return undefined;
      const [schemaName, tableName, view] = [String(row[0]), String(row[1]), row[2] === true];
      const columns = await connection.runAndReadAll(
        `SELECT column_name, data_type, is_nullable FROM duckdb_columns() WHERE database_name = ${db} AND schema_name = $1 AND table_name = $2 ORDER BY column_index`,
        [schemaName, tableName],
      );
      const fields = columns.getRows().map(([name, type, nullable]) => fieldSchema(String(name), String(type), nullable === true));
      const count = await connection.runAndReadAll(`SELECT COUNT(*) FROM ${duckIdent(this.options.projectId)}.${duckIdent(schemaName)}.${duckIdent(tableName)}`);
      return { dataset: schemaName, table: tableName, fields, rows: Number(count.getRows()[0]![0]), view };
    } finally {
      connection.closeSync();
    }
  }

  /** The dataset's name as stored, or undefined. */
  async dataset(dataset: string): Promise<string | undefined> {
    const connection = await this.instance.connect();
    try {
      const reader = await connection.runAndReadAll(`SELECT schema_name FROM duckdb_schemas() WHERE database_name = ${duckString(this.options.projectId)} AND schema_name = $1`, [dataset]);
      const row = reader.getRows()[0];
      return row === undefined ? undefined : String(row[0]);
    } finally {
      connection.closeSync();
    }
  }

  /** last_modified_time of a table, as __TABLES__ and tables.get report it. */
  lastModified(dataset: string, table: string): number {
    return this.options.lastModified[`${dataset}.${table}`]?.getTime() ?? this.startedAt;
  }

  get created(): number {
    return this.startedAt;
  }

  /** Stops running jobs, then closes DuckDB (which writes the attached file back). */
  async close(): Promise<void> {
    const running = [...this.jobs.values()].filter((j) => j.state !== 'DONE');
    for (const job of running) job.halt(new BigQueryError('stopped', 'Job execution was cancelled: the emulator is shutting down'));
    await Promise.race([Promise.all(running.map((j) => j.finished)), new Promise((r) => setTimeout(r, 10_000))]);
    const connection = await this.instance.connect();
    try {
      await connection.run(`DETACH ${duckIdent(this.options.projectId)}`);
    } finally {
      connection.closeSync();
      this.instance.closeSync();
    }
  }
}

/** A job id as BigQuery makes them for jobs.query. */
export function newJobId(): string {
  return `job_${randomBytes(21).toString('base64url')}`;
}
