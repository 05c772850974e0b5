import { VigilError, messageOf, type WarehouseErrorKind } from '../domain/errors.js';

/**
 * Why a delivery failed, as a VigilError('notify') whose kind decides whether the outbox
 * tries again:
 *
 * | failure                                                     | kind         | retried |
 * |-------------------------------------------------------------|--------------|---------|
 * | HTTP 5xx, 408, 429; connection refused/reset; DNS; SMTP 4xx | `network`    | yes     |
 * | no answer within the channel's timeout                       | `timeout`    | yes     |
 * | HTTP 401, 403                                               | `permission` | no      |
 * | SMTP 530/534/535/538, or a login the server refused         | `auth`       | no      |
 * | other HTTP 4xx and 3xx, SMTP 5xx, TLS certificate refused   | none         | no      |
 *
 * Messages name the channel and never its secrets: a Slack webhook URL, a webhook URL, a
 * signing secret, configured header values or an SMTP password are cut out of anything a
 * receiver answered, and of the original error kept as `cause`.
 */

const NETWORK_HINTS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'the connection was reset',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed for now',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'the connection was closed while sending',
  ECONNABORTED: 'the connection was aborted',
  UND_ERR_SOCKET: 'the connection was closed by the other side',
  UND_ERR_CLOSED: 'the connection was closed',
};

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

const CERTIFICATE_CODE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL/;

/** `slack channel "alerts"`: the prefix of every message about one channel. */
export function describeChannel(type: string, name: string): string {
  return `${type} channel "${name}"`;
}

/** Removes every secret from a text: each one, and its percent-encoded and decoded forms. */
export function redact(text: string, secrets: readonly string[]): string {
  const forms = secrets.flatMap((s) => [s, encodeURIComponent(s), safeDecode(s)]).filter((s) => s.length >= 4);
  // Longest first, so a URL is cut whole before its path would be.
  return [...new Set(forms)].sort((a, b) => b.length - a.length).reduce((t, s) => t.split(s).join('[redacted]'), text);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The secrets hidden in a URL: the URL itself, its path and query, and any user:password. */
export function urlSecrets(url: string): string[] {
  if (!URL.canParse(url)) return [url];
  const parsed = new URL(url);
  const segments = parsed.pathname.split('/').filter((s) => s.length >= 8);
  return [url, parsed.href, `${parsed.pathname}${parsed.search}`, parsed.search, parsed.username, parsed.password, ...segments];
}

/** A one-line excerpt of what a receiver answered, without secrets: for people, not code. */
export function excerpt(text: string, secrets: readonly string[], max = 200): string {
  const line = redact(text.replace(/\s+/g, ' ').trim(), secrets);
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

/** The original error, or a copy without secrets when its message (or its cause's) holds one. */
export function safeCause(error: unknown, secrets: readonly string[]): unknown {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (redact(e.message, secrets) !== e.message || redact(e.stack ?? '', secrets) !== (e.stack ?? '')) {
      const copy = new Error(redact(messageOf(error), secrets));
      copy.name = error instanceof Error ? error.name : 'Error';
      return copy;
    }
  }
  return error;
}

export function notifyError(where: string, detail: string, kind: WarehouseErrorKind | undefined, cause: unknown, secrets: readonly string[]): VigilError {
  const options = kind === undefined ? { cause: safeCause(cause, secrets) } : { cause: safeCause(cause, secrets), kind };
  return new VigilError('notify', redact(`${where}: ${detail}`, secrets), options);
}

/** "10 s", "250 ms". */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}

/** An HTTP answer other than 2xx; `body` is an excerpt of what the receiver said, if anything. */
export function httpStatusError(where: string, status: number, body: string, secrets: readonly string[], retryAfterMs?: number): VigilError {
  const said = body === '' ? '' : `: ${excerpt(body, secrets)}`;
  const detail = `HTTP ${status} from the webhook${said}`;
  if (status >= 500 || status === 408 || status === 429) {
    const error = notifyError(where, detail, 'network', undefined, secrets);
    return retryAfterMs === undefined ? error : new VigilError('notify', error.message, { kind: 'network', retryAfterMs });
  }
  if (status === 401 || status === 403) return notifyError(where, `${detail} (check the URL, token or secret)`, 'permission', undefined, secrets);
  if (status >= 300 && status < 400) return notifyError(where, `${detail} (a redirect: configure the final URL)`, undefined, undefined, secrets);
  return notifyError(where, detail, undefined, undefined, secrets);
}

/** The first system or undici error code along an error's causes (and inside an AggregateError). */
export function errorCode(error: unknown, depth = 0): string | undefined {
  if (depth > 5 || typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (code in NETWORK_HINTS || TIMEOUT_CODES.has(code) || CERTIFICATE_CODE.test(code))) return code;
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const found = errorCode(inner, depth + 1);
      if (found !== undefined) return found;
    }
  }
  return errorCode((error as { cause?: unknown }).cause, depth + 1);
}

/** A request that got no HTTP answer: timed out, unreachable, or refused at TLS. */
export function requestFailure(where: string, error: unknown, secrets: readonly string[]): VigilError {
  const code = errorCode(error);
  if (code !== undefined && TIMEOUT_CODES.has(code)) return notifyError(where, `timed out (${code})`, 'timeout', error, secrets);
  if (code !== undefined && CERTIFICATE_CODE.test(code)) {
    return notifyError(where, `the server's TLS certificate was not accepted (${code})`, undefined, error, secrets);
  }
  const hint = code === undefined ? excerpt(messageOf((error as { cause?: unknown }).cause ?? error), secrets) : `${NETWORK_HINTS[code]} (${code})`;
  // An unknown failure to get an answer is most likely the network; retrying is the safe side.
  return notifyError(where, `cannot reach the webhook: ${hint}`, 'network', error, secrets);
}

export function timeoutError(where: string, ms: number, what: string, secrets: readonly string[]): VigilError {
  return notifyError(where, `no answer from ${what} within ${formatDuration(ms)}`, 'timeout', undefined, secrets);
}

interface SmtpErrorFields {
  code?: unknown;
  originalCode?: unknown;
  responseCode?: unknown;
  response?: unknown;
  command?: unknown;
}

const SMTP_AUTH_REPLIES = new Set([530, 534, 535, 538]);

/** A nodemailer failure: 4xx replies and lost connections are transient, 5xx replies are not. */
export function smtpFailure(where: string, error: unknown, secrets: readonly string[]): VigilError {
  const e = (typeof error === 'object' && error !== null ? error : {}) as SmtpErrorFields;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const command = typeof e.command === 'string' && e.command !== 'API' && e.command !== 'CONN' ? ` to ${e.command.split(' ')[0]}` : '';
  if (typeof e.responseCode === 'number') {
    const reply = excerpt(typeof e.response === 'string' ? e.response : String(e.responseCode), secrets);
    const detail = `the SMTP server replied${command}: ${reply}`;
    if (e.responseCode >= 400 && e.responseCode < 500) return notifyError(where, `${detail} (temporary)`, 'network', error, secrets);
    if (SMTP_AUTH_REPLIES.has(e.responseCode) || code === 'EAUTH') return notifyError(where, `${detail} (check smtp.user and smtp.password)`, 'auth', error, secrets);
    return notifyError(where, detail, undefined, error, secrets);
  }
  if (code === 'EAUTH' || code === 'ENOAUTH') return notifyError(where, 'the SMTP server refused the login', 'auth', error, secrets);
  const system = errorCode(error) ?? (typeof e.originalCode === 'string' ? e.originalCode : undefined);
  if (code === 'ETIMEDOUT' || (system !== undefined && TIMEOUT_CODES.has(system))) {
    return notifyError(where, 'the SMTP server did not answer in time', 'timeout', error, secrets);
  }
  if (code === 'ETLS' || (system !== undefined && CERTIFICATE_CODE.test(system))) {
    return notifyError(where, `TLS with the SMTP server failed (check smtp.secure, smtp.port and smtp.reject_unauthorized)`, undefined, error, secrets);
  }
  if (system !== undefined && system in NETWORK_HINTS) return notifyError(where, `cannot reach the SMTP server: ${NETWORK_HINTS[system]} (${system})`, 'network', error, secrets);
  if (code === 'ECONNECTION' || code === 'ESOCKET' || code === 'EDNS' || code === 'EPROTOCOL') {
    return notifyError(where, `the connection to the SMTP server failed (${code})`, 'network', error, secrets);
  }
  return notifyError(where, `the message could not be sent: ${excerpt(messageOf(error), secrets)}`, undefined, error, secrets);
}
