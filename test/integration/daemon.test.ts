import pg from 'pg';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { join } from 'node:path';
import { createApp, type App } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import { ManualClock } from '../../src/domain/clock.js';
import { startDaemon, type Daemon } from '../../src/daemon.js';
import { yamlMonitorId } from '../../src/domain/ids.js';
import type { Timers } from '../../src/scheduler/local.js';
import { verifySignature } from '../../src/notify/webhook.js';
import { describeWithDatabase } from '../helpers/databases.js';
import { HttpReceiver, SmtpReceiver } from '../helpers/receivers.js';
import { tempDir } from '../helpers/temp.js';

/**
 * The daemon on a real PostgreSQL warehouse: a breakage injected into the table opens an
 * incident, notifies a local HTTP receiver (webhook and Slack) and SMTP server, and three
 * good runs resolve it. Time is a manual clock; the test fires the scheduler itself.
 */

const HOUR = 3_600_000;
const SECRET = 'a-webhook-secret-of-some-length';
/** Timers that never fire on their own: the test ticks the scheduler. */
const stillTimers: Timers = { set: () => 0, clear: () => undefined };

describeWithDatabase('TEST_PG_URL', 'vigil start on PostgreSQL', (url) => {
  const schema = `vigil_daemon_${process.pid}`;
  const admin = new pg.Client({ connectionString: url });
  const web = new HttpReceiver();
  const smtp = new SmtpReceiver();
  const running: Array<{ daemon: Daemon; app: App }> = [];

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
    await admin.query(`CREATE TABLE ${schema}.orders (id serial PRIMARY KEY, amount numeric)`);
    await web.start();
    await smtp.start();
  });

  afterEach(async () => {
    for (const { daemon, app } of running.splice(0)) {
      await daemon.stop(1000);
      await app.close();
    }
  });

  afterAll(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
    await web.stop();
    await smtp.stop();
  });

  const setRows = async (n: number) => {
    await admin.query(`TRUNCATE ${schema}.orders; INSERT INTO ${schema}.orders (amount) SELECT g FROM generate_series(1, ${n}) g`);
  };

  async function start(clock: ManualClock) {
    const dir = tempDir();
    const yaml = `
store: sqlite:./vigil.db
public_url: https://vigil.example.com/
api: { port: 0 }
warehouses:
  shop: { type: postgres, url: "${url}" }
monitors:
  - name: orders rows
    warehouse: shop
    table: ${schema}.orders
    metric_type: row_count
    schedule: { cadence: hourly }
    condition: { min: 90, max: 110 }
notifications:
  - { type: webhook, name: hook, url: "${web.url}/hook", secret: ${SECRET} }
  - { type: slack, name: team, webhook_url: "${web.url}/slack" }
  - { type: email, name: oncall, from: vigil@example.com, to: [oncall@example.com], smtp: { host: 127.0.0.1, port: ${smtp.port} } }
`;
    const config = parseConfig(yaml, join(dir, 'vigil.yaml'), {}, 'vigil.yaml');
    const app = await createApp(config, { clock });
    const daemon = await startDaemon(app, { timers: stillTimers, sleep: async () => undefined });
    running.push({ daemon, app });
    return { app, daemon };
  }

  /** Moves the clock an hour and runs what fell due, then delivers the outbox. */
  async function hour(clock: ManualClock, daemon: Daemon) {
    clock.advance(HOUR);
    await daemon.scheduler.tick();
    await daemon.scheduler.idle();
    await daemon.deliver();
  }

  it('opens an incident on a breakage, notifies every channel once, and resolves after three good runs', async () => {
    await setRows(100);
    const clock = new ManualClock('2026-03-02T05:30:00Z');
    const { app, daemon } = await start(clock);
    const id = yamlMonitorId('orders rows');
    const monitor = () => app.db.selectFrom('monitors').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect((await monitor()).next_run_at).toBe('2026-03-02T06:00:00.000Z');

    await hour(clock, daemon); // 06:30: the 06:00 run
    expect(await monitor()).toMatchObject({ status: 'normal', last_measurement_value: 100, next_run_at: '2026-03-02T07:00:00.000Z' });

    await setRows(40); // the breakage
    await hour(clock, daemon);
    expect((await monitor()).status).toBe('incident');
    const [incident] = await app.db.selectFrom('incidents').selectAll().execute();
    expect(incident).toMatchObject({ status: 'active', value: 40 });

    const hooks = web.acceptedAt('/hook');
    expect(hooks).toHaveLength(1);
    const body = JSON.parse(hooks[0]!.body);
    expect(body).toMatchObject({ event: 'incident_created', monitor: { name: 'orders rows' }, incident: { id: incident!.id, url: `https://vigil.example.com/monitor/incident/${incident!.id}` } });
    expect(body.measurement).toEqual({ value: 40, lower: 90, upper: 110 });
    expect(verifySignature(SECRET, hooks[0]!.body, hooks[0]!.headers['x-vigil-signature'] as string, hooks[0]!.headers['x-vigil-timestamp'] as string)).toBe(true);
    expect(hooks[0]!.headers['x-vigil-delivery']).toBe(body.id);
    const slack = web.acceptedAt('/slack');
    expect(slack).toHaveLength(1);
    expect(JSON.parse(slack[0]!.body).blocks.length).toBeGreaterThan(1);
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]!.to).toEqual(['oncall@example.com']);
    expect(smtp.mails[0]!.raw).toContain('orders rows');

    // Still broken an hour later: the incident follows, nobody is told again.
    await setRows(30);
    await hour(clock, daemon);
    expect(await app.db.selectFrom('incidents').select(['value', 'status']).execute()).toEqual([{ value: 30, status: 'active' }]);
    expect(web.acceptedAt('/hook')).toHaveLength(1);

    await setRows(100); // fixed
    await hour(clock, daemon);
    await hour(clock, daemon);
    expect((await monitor()).status).toBe('incident');
    await hour(clock, daemon);
    expect((await monitor()).status).toBe('normal');
    const resolved = await app.db.selectFrom('incidents').selectAll().executeTakeFirstOrThrow();
    expect(resolved).toMatchObject({ status: 'resolved', good_runs: 3 });
    const actions = await app.db.selectFrom('incident_actions').select('type').where('incident_id', '=', resolved.id).orderBy('at').orderBy('id').execute();
    expect(actions.map((a) => a.type)).toEqual(['created', 'notification_initial', 'auto_resolved', 'notification_resolved']);

    expect(web.acceptedAt('/hook').map((r) => JSON.parse(r.body).event)).toEqual(['incident_created', 'incident_resolved']);
    expect(web.acceptedAt('/slack')).toHaveLength(2);
    expect(smtp.mails).toHaveLength(2);
    expect(await app.db.selectFrom('outbox').select('status').where('status', '<>', 'sent').execute()).toEqual([]);

    // Operations: health, readiness and metrics.
    expect((await daemon.server.inject('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await daemon.server.inject('/readyz')).statusCode).toBe(200);
    const metrics = (await daemon.server.inject('/metrics')).body;
    expect(metrics).toMatch(/vigil_monitor_runs_total\{warehouse="shop",status="incident"\} 4/);
    expect(metrics).toMatch(/vigil_open_incidents 0/);
    expect(metrics).toMatch(/vigil_outbox_depth 0/);
    expect(metrics).toMatch(/vigil_run_duration_seconds_count\{warehouse="shop"\} 6/);
  });

  it('a warehouse failure sets the monitor in error, notifies once, and opens no incident', async () => {
    web.accepted.length = 0;
    await setRows(100);
    const clock = new ManualClock('2026-04-01T00:30:00Z');
    const { app, daemon } = await start(clock);
    await admin.query(`ALTER TABLE ${schema}.orders RENAME TO orders_gone`);
    try {
      await hour(clock, daemon);
      await hour(clock, daemon);
    } finally {
      await admin.query(`ALTER TABLE ${schema}.orders_gone RENAME TO orders`);
    }
    const row = await app.db.selectFrom('monitors').selectAll().where('id', '=', yamlMonitorId('orders rows')).executeTakeFirstOrThrow();
    expect(row.status).toBe('error');
    expect(row.last_error_at).toBe('2026-04-01T02:30:00.000Z');
    expect(row.last_error_message).toMatch(/shop/);
    expect(row.last_error_message).toMatch(/orders/);
    expect(await app.db.selectFrom('incidents').selectAll().execute()).toEqual([]);
    const errors = web.acceptedAt('/hook').map((r) => JSON.parse(r.body));
    expect(errors.map((e) => e.event)).toEqual(['monitor_error']);
    expect(errors[0].error).toMatch(/orders/);
    expect((await daemon.server.inject('/metrics')).body).toMatch(/vigil_run_failures_total\{warehouse="shop"\} 2/);
  });
});
