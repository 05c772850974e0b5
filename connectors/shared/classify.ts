import { VigilError, messageOf, type WarehouseErrorKind } from '../../src/domain/errors.js';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EPROTO',
]);

const NETWORK_HINTS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused: is the server running and listening on that host and port?',
  ENOTFOUND: 'host name not found: check the host in the url',
  EAI_AGAIN: 'host name lookup failed for now: check DNS',
  EHOSTUNREACH: 'host unreachable: check the network path to the server',
  ETIMEDOUT: 'connection timed out: check the host, port and firewall',
  ECONNRESET: 'the connection was reset by the server',
};

/** The code of a Node.js system error (ECONNREFUSED...), also inside an AggregateError. */
export function systemErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const innerCode = systemErrorCode(inner);
      if (innerCode !== undefined) return innerCode;
    }
  }
  return undefined;
}

/** A network failure in words a person can act on, or undefined when it is not one. */
export function networkFailure(error: unknown, where: string): VigilError | undefined {
  const code = systemErrorCode(error);
  if (code === undefined) return undefined;
  const hint = NETWORK_HINTS[code] ?? messageOf(error);
  return new VigilError('warehouse', `${where}: ${hint} (${code})`, { kind: 'network', cause: error });
}

export function warehouseError(where: string, kind: WarehouseErrorKind, detail: string, cause: unknown): VigilError {
  return new VigilError('warehouse', `${where}: ${detail}`, { kind, cause });
}

/** "warehouse shop (postgres)", the prefix of every message about one warehouse. */
export function describeWarehouse(name: string, type: string): string {
  return `warehouse ${name} (${type})`;
}
