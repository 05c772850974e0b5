import { VigilError, messageOf, type WarehouseErrorKind } from '../../src/domain/errors.js';
import { networkFailure, warehouseError } from '../shared/classify.js';

/** BigQuery's error reasons (error.errors[].reason) that are not plain SQL mistakes. */
const KIND_BY_REASON: Readonly<Record<string, WarehouseErrorKind>> = {
  authError: 'auth',
  accessDenied: 'permission',
  billingNotEnabled: 'permission',
  billingTierLimitExceeded: 'permission',
  timeout: 'timeout',
  jobBackendError: 'network',
  backendError: 'network',
  internalError: 'network',
  rateLimitExceeded: 'network',
  jobRateLimitExceeded: 'network',
  // jobTimeoutMs ends a job as "stopped"; Vigil cancels a job only at its own timeout too.
  stopped: 'timeout',
};

const HINT_BY_REASON: Readonly<Record<string, string>> = {
  authError: 'check key_file (or the application default credentials): the key may be revoked or for another account',
  stopped: 'the query ran past query_timeout_seconds',
  accessDenied: 'grant the service account roles/bigquery.dataViewer on the dataset and roles/bigquery.jobUser on the project',
  bytesBilledLimitExceeded: 'the query would scan more than maximum_bytes_billed: raise it, or filter the monitor with a where on the partition column',
  timeout: 'the query ran past query_timeout_seconds',
  notFound: 'check the project, dataset and table names (they are case-sensitive) and the location',
};

interface ApiErrorShape {
  code?: unknown;
  errors?: Array<{ reason?: string; message?: string }>;
  response?: { data?: { error?: unknown; error_description?: unknown } };
}

/**
 * A @google-cloud/bigquery failure (an API error, a failed job, a refused token) as a
 * VigilError whose kind decides retries and whose message says what to fix.
 */
export function classifyBigQueryError(error: unknown, where: string): VigilError {
  if (error instanceof VigilError) return error;
  const network = networkFailure(error, where) ?? networkFailure((error as { cause?: unknown } | null)?.cause, where);
  if (network !== undefined) return network;
  const shape = (error ?? {}) as ApiErrorShape;
  const message = messageOf(error).replace(/\s+/g, ' ').trim();
  // The token endpoint refused the credentials (a bad key, a deleted service account).
  const oauth = shape.response?.data?.error;
  if (typeof oauth === 'string' && /invalid_grant|invalid_client|unauthorized_client/.test(oauth)) {
    const description = typeof shape.response?.data?.error_description === 'string' ? `: ${shape.response.data.error_description}` : '';
    return warehouseError(where, 'auth', `the credentials were refused (${oauth}${description}): check key_file, or the application default credentials`, error);
  }
  const reason = shape.errors?.find((e) => e.reason !== undefined)?.reason;
  const status = typeof shape.code === 'number' ? shape.code : undefined;
  if (reason !== undefined) {
    const kind = KIND_BY_REASON[reason] ?? (status === 401 ? 'auth' : 'sql');
    const hint = HINT_BY_REASON[reason];
    return warehouseError(where, kind, `${message} (${reason})${hint === undefined ? '' : `: ${hint}`}`, error);
  }
  if (status === 401) return warehouseError(where, 'auth', `${message} (401): check key_file, or the application default credentials`, error);
  if (status === 403) return warehouseError(where, 'permission', `${message} (403)`, error);
  if (status === 429 || (status !== undefined && status >= 500)) return warehouseError(where, 'network', `${message} (${status})`, error);
  if (/timeout|timed out|deadline/i.test(message)) return warehouseError(where, 'timeout', message, error);
  if (/Could not load the default credentials|invalid_grant|private key/i.test(message)) return warehouseError(where, 'auth', message, error);
  return warehouseError(where, 'sql', message, error);
}
