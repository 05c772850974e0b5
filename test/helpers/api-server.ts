import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { DaemonMetrics } from '../../src/api/metrics.js';
import { createServer } from '../../src/api/ops.js';
import type { ApiDeps } from '../../src/api/server.js';
import { createApp, engineDeps, notifyTargets, runNow, type App } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import { ManualClock } from '../../src/domain/clock.js';
import { DEFAULT_WORKSPACE_ID } from '../../src/domain/ids.js';
import { silentLogger } from '../../src/domain/logger.js';
import { runMonitors } from '../../src/engine/run.js';
import { seedSqlite } from '../integration/conformance/targets.js';
import { tempDir } from './temp.js';

/**
 * The REST API as the API tests use it: a real SQLite store and embedded warehouse, three
 * hourly runs of five YAML monitors (so there are measurements and an open incident), and
 * a server on loopback. Stop it with `close()`.
 */
export interface ApiFixture {
  app: App;
  clock: ManualClock;
  /** Serves the API with these deps (plus `overrides`); more than one may run. */
  serve(overrides?: Partial<ApiDeps>): Promise<{ server: FastifyInstance; base: string }>;
  close(): Promise<void>;
}

export const FIXTURE_YAML = (warehousePath: string) => `
store: sqlite:./vigil.db
warehouses:
  wh: { type: sqlite, path: ${warehousePath} }
  bq: { type: bigquery, project: vigil-test }
monitors:
  - { name: rows, warehouse: wh, table: items, metric_type: row_count, condition: { min: 5, max: 20 } }
  - { name: too many rows, warehouse: wh, table: items, metric_type: row_count, condition: { max: 9 } }
  - { name: nulls, warehouse: wh, table: items, column: amount, metric_type: null_percentage }
  - { name: max amount, warehouse: wh, table: items, column: amount, metric_type: max, condition: { min: 0, max: 1000 } }
  - { name: canary rows, warehouse: wh, table: canary, metric_type: row_count, enabled: false }
`;

export async function apiFixture(): Promise<ApiFixture> {
  const dir = tempDir();
  const seeded = await seedSqlite(dir);
  if (seeded.config.type !== 'sqlite') throw new Error('expected a sqlite warehouse');
  const clock = new ManualClock('2026-11-28T12:00:00Z');
  const app = await createApp(parseConfig(FIXTURE_YAML(seeded.config.path), join(dir, 'vigil.yaml'), {}, 'vigil.yaml'), { clock });
  for (let hour = 0; hour < 3; hour++) {
    await runNow(app);
    clock.advance(3_600_000);
  }
  const servers: FastifyInstance[] = [];
  return {
    app,
    clock,
    async serve(overrides = {}) {
      const server = createServer({
        db: app.db,
        metrics: new DaemonMetrics(app.db),
        ready: () => true,
        api: {
          db: app.db,
          clock,
          logger: silentLogger,
          notify: notifyTargets(app),
          workspace: DEFAULT_WORKSPACE_ID,
          warehouses: ['wh'],
          runMonitors: (monitors) => runMonitors(engineDeps(app), monitors),
          connectors: app.connectors,
          ...overrides,
        },
      });
      servers.push(server);
      return { server, base: await server.listen({ host: '127.0.0.1', port: 0 }) };
    },
    async close() {
      for (const server of servers.splice(0)) await server.close();
      await app.close();
    },
  };
}
