import { accessSync, constants } from 'node:fs';
import { BigQuery, type Query } from '@google-cloud/bigquery';
import { messageOf } from '../../src/domain/errors.js';
import type { Cell, Connector, QueryResult } from '../../src/domain/connector.js';
import type { BigQueryWarehouseConfig } from '../../src/domain/warehouse.js';
import { plainCell } from '../shared/cell.js';
import { describeWarehouse, warehouseError } from '../shared/classify.js';
import { BIGQUERY_LEXICON, notASingleQuery } from '../shared/single-select.js';
import { withDeadline } from '../shared/deadline.js';
import { classifyBigQueryError } from './errors.js';

/**
 * A value as the client hands it over, as a cell: NUMERIC and BIGNUMERIC come as Big
 * objects, INT64 (wrapped) as BigQueryInt, TIMESTAMP, DATETIME and DATE as objects holding
 * text; numbers become numbers and times become Dates (a DATETIME is read as UTC).
 */
export function toCell(value: unknown): Cell {
  if (value === null || typeof value !== 'object' || value instanceof Date) return plainCell(value);
  const name = (value as object).constructor?.name;
  if (name === 'Big' || name === 'BigQueryInt') return Number(String(value));
  const text = (value as { value?: unknown }).value;
  if (typeof text === 'string' && (name === 'BigQueryTimestamp' || name === 'BigQueryDatetime' || name === 'BigQueryDate')) {
    const iso = name === 'BigQueryTimestamp' ? text : name === 'BigQueryDate' ? `${text}T00:00:00Z` : `${text.replace(' ', 'T')}Z`;
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? text : date;
  }
  if (Buffer.isBuffer(value)) return value.toString('base64');
  return plainCell(value);
}

/**
 * BigQuery through @google-cloud/bigquery: each query is a job, standard SQL, labelled,
 * with the location, a server-side timeout (jobTimeoutMs) and the maximum_bytes_billed
 * guard. BigQuery has no read-only mode and runs scripts, so only one SELECT or WITH
 * statement is ever sent; the service account's roles are the other guard. The client's
 * own retries are off: the daemon retries what is transient.
 */
export async function createBigQueryConnector(name: string, config: BigQueryWarehouseConfig): Promise<Connector> {
  const where = describeWarehouse(name, config.type);
  if (config.key_file !== undefined) {
    try {
      accessSync(config.key_file, constants.R_OK);
    } catch (error) {
      throw warehouseError(where, 'auth', `cannot read key_file ${config.key_file}: ${messageOf(error)}`, error);
    }
  }
  const client = new BigQuery({
    projectId: config.project,
    ...(config.location === undefined ? {} : { location: config.location }),
    ...(config.key_file === undefined ? {} : { keyFilename: config.key_file }),
    ...(config.api_endpoint === undefined ? {} : { apiEndpoint: config.api_endpoint }),
    autoRetry: false,
    userAgent: 'vigil',
  });
  const timeoutMs = Math.round(config.query_timeout_seconds * 1000);
  let closed = false;

  const run = async (sql: string): Promise<QueryResult> => {
    if (closed) throw warehouseError(where, 'network', 'the connector is closed', undefined);
    const refused = notASingleQuery(sql, BIGQUERY_LEXICON);
    if (refused !== undefined) throw warehouseError(where, 'sql', refused, undefined);
    const options: Query = {
      query: sql,
      useLegacySql: false,
      labels: config.labels,
      jobTimeoutMs: timeoutMs,
      ...(config.location === undefined ? {} : { location: config.location }),
      ...(config.maximum_bytes_billed === undefined ? {} : { maximumBytesBilled: String(config.maximum_bytes_billed) }),
    };
    try {
      const [job] = await client.createQueryJob(options);
      // jobTimeoutMs ends the job on BigQuery's side; this ends the wait if BigQuery does not answer.
      const [rows, , response] = await withDeadline(job.getQueryResults({ autoPaginate: false, maxResults: 1000 }), timeoutMs + 10_000, () => {
        job.cancel().catch(() => {});
        return Object.assign(new Error(`no answer within query_timeout_seconds (${config.query_timeout_seconds} s); the job was cancelled`), { errors: [{ reason: 'timeout' }] });
      });
      const fields = (response?.schema?.fields ?? []).map((field) => field.name ?? '');
      const columns = fields.length > 0 ? fields : Object.keys(rows[0] ?? {});
      return {
        columns,
        rows: rows.map((row: Record<string, unknown>) => columns.map((column) => toCell(row[column]))),
      };
    } catch (error) {
      throw classifyBigQueryError(error, where);
    }
  };

  return {
    query: run,
    queryReadOnly: run,
    async close() {
      closed = true;
    },
  };
}
