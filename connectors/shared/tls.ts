import type { ServerWarehouseConfig } from '../../src/domain/warehouse.js';

/** The config's `ssl` as Node's TLS options, which pg and mysql2 both take; undefined for none. */
export function tlsOptions(ssl: ServerWarehouseConfig['ssl']): { rejectUnauthorized: boolean; ca?: string } | undefined {
  if (ssl === undefined || ssl === false) return undefined;
  if (ssl === true) return { rejectUnauthorized: true };
  return { rejectUnauthorized: ssl.reject_unauthorized ?? true, ...(ssl.ca === undefined ? {} : { ca: ssl.ca }) };
}
