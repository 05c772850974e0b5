import pg from 'pg';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openConnector } from '../../connectors/registry.js';
import { createApp, selectMonitors, type App } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import { ManualClock } from '../../src/domain/clock.js';
import type { Connector } from '../../src/domain/connector.js';
import { runMonitors } from '../../src/engine/run.js';
import { describeWithDatabase, uniqueName } from '../helpers/databases.js';
import { tempDir } from '../helpers/temp.js';

/**
 * Transient warehouse failures are retried with backoff; SQL errors are not. The network
 * fault is real: a TCP proxy in front of PostgreSQL that drops the first connections.
 */

class FlakyProxy {
  dropNext = 0;
  connections = 0;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = createServer((client) => {
      this.connections++;
      this.sockets.add(client);
      client.on('close', () => this.sockets.delete(client));
      if (this.dropNext > 0) {
        this.dropNext--;
        client.destroy();
        return;
      }
      const upstream = connect(this.target.port, this.target.host);
      this.sockets.add(upstream);
      client.pipe(upstream).pipe(client);
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end);
      upstream.on('error', end);
      upstream.on('close', end);
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describeWithDatabase('TEST_PG_URL', 'retries', (url) => {
  const schema = uniqueName('vigil_retry');
  const admin = new pg.Client({ connectionString: url });
  const target = new URL(url);
  const proxy = new FlakyProxy({ host: target.hostname, port: Number(target.port || 5432) });
  let app: App;
  let queries = 0;
  const delays: number[] = [];

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.orders (id int); INSERT INTO ${schema}.orders VALUES (1), (2), (3)`);
    await proxy.start();
    const proxied = new URL(url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    const dir = tempDir();
    const yaml = `
store: sqlite:./vigil.db
warehouses: { shop: { type: postgres, url: "${proxied}", connect_timeout_seconds: 5 } }
monitors:
  - { name: rows, warehouse: shop, table: ${schema}.orders, metric_type: row_count }
  - { name: missing, warehouse: shop, table: ${schema}.nowhere, metric_type: row_count }
`;
    const counting = async (name: string, config: Parameters<typeof openConnector>[1]): Promise<Connector> => {
      const real = await openConnector(name, config);
      return { query: (sql) => (queries++, real.query(sql)), queryReadOnly: (sql) => (queries++, real.queryReadOnly(sql)), close: () => real.close() };
    };
    app = await createApp(parseConfig(yaml, join(dir, 'vigil.yaml'), {}), { clock: new ManualClock('2026-11-29T00:00:00Z'), openConnector: counting });
  });

  afterAll(async () => {
    await app?.close();
    await proxy.stop();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });

  const run = async (names: string[], retries: number) => {
    delays.length = 0;
    const monitors = await selectMonitors(app, names);
    return runMonitors({ db: app.db, connectors: app.connectors, clock: app.clock, retries, sleep: async (ms) => void delays.push(ms) }, monitors);
  };

  it('a dropped connection is retried with a growing wait, and the run succeeds', async () => {
    proxy.dropNext = 2;
    const [result] = await run(['rows'], 2);
    expect(result).toMatchObject({ status: 'learning', value: 3, error: null });
    expect(delays).toHaveLength(2);
    expect(delays[1]!).toBeGreaterThan(delays[0]!);
  });

  it('past its retries a network failure is an error that names the warehouse', async () => {
    await app.connectors.closeAll();
    proxy.dropNext = 10;
    const [result] = await run(['rows'], 1);
    proxy.dropNext = 0;
    expect(result!.status).toBe('error');
    expect(result!.error!.kind).toBe('network');
    expect(result!.error!.message).toMatch(/shop/);
    expect(delays).toHaveLength(1);
  });

  it('a SQL error is not retried', async () => {
    const before = queries;
    const [result] = await run(['missing'], 3);
    expect(result!.status).toBe('error');
    expect(result!.error!.kind).toBe('sql');
    expect(result!.error!.message).toMatch(/nowhere/);
    expect(queries - before).toBe(1);
    expect(delays).toEqual([]);
  });
});
