import type { Connector } from '../../src/domain/connector.js';
import type { ServerWarehouseConfig } from '../../src/domain/warehouse.js';
import { createPostgresConnector, type PgSession } from '../postgres/connector.js';

/**
 * Redshift speaks the Postgres protocol, so pg serves it; but it takes no startup options,
 * so each new session sets UTC and the statement timeout with statements of its own. Every
 * query still runs in BEGIN READ ONLY ... ROLLBACK.
 */
export const REDSHIFT_SESSION: PgSession = {
  setup: (timeoutMs) => ["SET timezone TO 'UTC'", `SET statement_timeout TO ${timeoutMs}`],
  startupOptions: () => undefined,
  defaultPort: 5439,
};

export function createRedshiftConnector(name: string, config: ServerWarehouseConfig): Connector {
  return createPostgresConnector(name, config, REDSHIFT_SESSION);
}
