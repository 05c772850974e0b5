import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresConnector, poolConfig } from '../../connectors/postgres/connector.js';
import { createRedshiftConnector, REDSHIFT_SESSION } from '../../connectors/redshift/connector.js';
import type { ServerWarehouseConfig } from '../../src/domain/warehouse.js';
import { describeWithDatabase } from '../helpers/databases.js';

const base = { type: 'postgres' as const, query_tag: 'vigil-test', max_concurrency: 1, query_timeout_seconds: 30, connect_timeout_seconds: 2 };

describe('postgres pool settings', () => {
  it('parses the url itself, lets explicit fields win, and appends its session settings last', () => {
    const config = poolConfig({ ...base, url: 'postgres://ro@db.internal:5432/shop?options=-c%20search_path%3Danalytics', password: 's3cret', port: 6543 } as ServerWarehouseConfig);
    expect(config).toMatchObject({ host: 'db.internal', port: 6543, user: 'ro', password: 's3cret', database: 'shop', application_name: 'vigil-test', max: 1 });
    expect(config.options).toBe('-c search_path=analytics -c TimeZone=UTC -c statement_timeout=30000 -c default_transaction_read_only=on');
    expect((config as { connectionString?: string }).connectionString).toBeUndefined();
  });

  it('Redshift: redshift:// urls, port 5439 by default, and no startup options (Redshift takes none)', () => {
    const redshift = { ...base, type: 'redshift' as const };
    expect(poolConfig({ ...redshift, url: 'redshift://ro@c.abc.eu-west-1.redshift.amazonaws.com/dev' }, REDSHIFT_SESSION)).toMatchObject({
      host: 'c.abc.eu-west-1.redshift.amazonaws.com', port: 5439, user: 'ro', database: 'dev',
    });
    const config = poolConfig({ ...redshift, host: 'c.example', user: 'ro' }, REDSHIFT_SESSION);
    expect(config).toMatchObject({ host: 'c.example', port: 5439 });
    expect(config.options).toBeUndefined();
    expect(poolConfig({ ...redshift, url: 'postgres://ro@c.example:5440/dev' }, REDSHIFT_SESSION).port).toBe(5440);
  });
});

describeWithDatabase('TEST_PG_URL', 'postgres sessions', (url) => {
  const show = async (connectorUrl: string, settings: string[]) => {
    const connector = createPostgresConnector('pg', { ...base, url: connectorUrl });
    try {
      const out: Record<string, unknown> = {};
      for (const s of settings) out[s] = (await connector.query(`SELECT current_setting('${s}')`)).rows[0]![0];
      return out;
    } finally {
      await connector.close();
    }
  };

  it('Redshift sessions set UTC and the statement timeout with statements, and query read-only', async () => {
    const connector = createRedshiftConnector('rs', { ...base, type: 'redshift', url, query_timeout_seconds: 7 });
    try {
      const result = await connector.query("SELECT current_setting('TimeZone'), current_setting('statement_timeout'), current_setting('transaction_read_only')");
      expect(result.rows[0]).toEqual(['UTC', '7s', 'on']);
    } finally {
      await connector.close();
    }
  });

  it('stays UTC, read-only and time-limited whatever options the url carries', async () => {
    const withOptions = `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent('-c statement_timeout=0 -c default_transaction_read_only=off -c TimeZone=Asia/Tokyo')}`;
    expect(await show(withOptions, ['TimeZone', 'statement_timeout', 'default_transaction_read_only', 'transaction_read_only', 'application_name'])).toEqual({
      TimeZone: 'UTC',
      statement_timeout: '30s',
      default_transaction_read_only: 'on',
      transaction_read_only: 'on',
      application_name: 'vigil-test',
    });
  });

  it('rolls back a session setting a query changes, so the next query on that connection is read-only again', async () => {
    const connector = createPostgresConnector('pg', { ...base, url });
    try {
      const poison = await connector.query("SELECT set_config('default_transaction_read_only', 'off', false), set_config('statement_timeout', '0', false)");
      expect(poison.rows[0]).toEqual(['off', '0']);
      const after = await connector.query("SELECT current_setting('default_transaction_read_only'), current_setting('statement_timeout'), pg_backend_pid()");
      expect(after.rows[0]!.slice(0, 2)).toEqual(['on', '30s']);
      await expect(connector.query('CREATE TEMP TABLE vigil_should_not_exist (x int)')).rejects.toMatchObject({ kind: 'sql', message: expect.stringMatching(/read-only transaction/) });
    } finally {
      await connector.close();
    }
  });
});

describe('postgres connect failures', () => {
  let silent: Server;
  let port = 0;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    // Accepts connections and never answers, like a firewall that swallows packets.
    silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    port = (silent.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('calls a connection that never answers a network failure, so the warehouse counts as down', async () => {
    const connector = createPostgresConnector('silent', { ...base, url: `postgres://vigil@127.0.0.1:${port}/x`, connect_timeout_seconds: 0.5 });
    try {
      await expect(connector.query('SELECT 1')).rejects.toMatchObject({
        code: 'warehouse',
        kind: 'network',
        message: expect.stringMatching(/^warehouse silent \(postgres\): cannot connect: .*no answer within connect_timeout_seconds/),
      });
    } finally {
      await connector.close();
    }
  });

  it('calls a url it cannot read a configuration problem naming the warehouse', () => {
    expect(() => createPostgresConnector('bad', { ...base, url: 'postgres://db.internal:99999999/shop' })).toThrow(/^warehouse bad \(postgres\)/);
  });
});
