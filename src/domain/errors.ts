/**
 * The one error type of Vigil. `code` says what went wrong in a way code can branch on;
 * `message` says it to a person; `cause` keeps the original error.
 */
export type ErrorCode =
  | 'config_invalid' // the configuration file is wrong: message names file:line:col
  | 'config_not_found'
  | 'warehouse' // a warehouse failed: see `kind`
  | 'metric_result' // a query ran but its result is not a usable measurement
  | 'store' // the Vigil store failed
  | 'notify' // a notification could not be delivered: see `kind`
  | 'not_found'
  | 'conflict' // the request does not fit the current state (acknowledging a resolved incident)
  | 'invalid_argument';

/** What kind of warehouse failure this was; decides whether a retry can help. */
export type WarehouseErrorKind = 'auth' | 'network' | 'timeout' | 'permission' | 'sql';

export class VigilError extends Error {
  readonly code: ErrorCode;
  readonly kind: WarehouseErrorKind | undefined;
  /** When the other side said to try again (an HTTP Retry-After), in ms from now. */
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; kind?: WarehouseErrorKind; retryAfterMs?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VigilError';
    this.code = code;
    this.kind = options.kind;
    this.retryAfterMs = options.retryAfterMs;
  }

  /** Transient failures (network, timeout) may succeed when tried again; the others will not. */
  get isTransient(): boolean {
    return (this.code === 'warehouse' || this.code === 'notify') && (this.kind === 'network' || this.kind === 'timeout');
  }
}

export function isVigilError(error: unknown, code?: ErrorCode): error is VigilError {
  return error instanceof VigilError && (code === undefined || error.code === code);
}

/** A message for any thrown value, without a stack. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
