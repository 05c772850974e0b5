import Database from 'better-sqlite3';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp, runNow, type App } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import { ManualClock } from '../../src/domain/clock.js';
import { createChannel, type Channel } from '../../src/notify/channel.js';
import { OutboxDispatcher, type OutboxOptions } from '../../src/notify/outbox.js';
import { openStore, type StoreDb } from '../../src/store/database.js';
import { claimDue } from '../../src/store/outbox-repo.js';
import { EchoServer, HttpReceiver } from '../helpers/receivers.js';
import { freePort, until } from '../helpers/wait.js';
import { tempDir } from '../helpers/temp.js';

/**
 * The notification outbox on a real SQLite store, delivering through real webhook and
 * Slack channels to local HTTP servers. Time is a ManualClock: a retry is due when the
 * test moves the clock to it, never because the test waited.
 */

const START = '2026-05-04T10:00:00.000Z';
const SIGNING_SECRET = 'a-signing-secret-nobody-may-see';
const URL_TOKEN = 'T0KEN-in-the-path-9f8e7d6c';
const QUERY_KEY = 'query-key-5a4b3c2d1e';
const HEADER_SECRET = 'header-value-secret-0a1b2c3d';
const SLACK_TOKEN = 'xoxSlackPathToken77aa88bb';

/**
 * A store connection whose next read of the outbox stops, after the rows came back,
 * until released: a sender that read a row and has not claimed it yet.
 */
class PauseAfterOutboxRead implements KyselyPlugin {
  private readonly reads = new Set<unknown>();
  private armed = false;
  private release: () => void = () => undefined;
  private readonly gate = new Promise<void>((resolve) => (this.release = resolve));
  private reachedResolve: () => void = () => undefined;
  /** Resolves once the sender read the outbox and is held. */
  readonly reached = new Promise<void>((resolve) => (this.reachedResolve = resolve));

  arm(): void {
    this.armed = true;
  }

  open(): void {
    this.release();
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const node = args.node as { kind: string; from?: { froms: Array<{ kind: string; table?: { identifier?: { name?: string } } }> } };
    if (node.kind === 'SelectQueryNode' && node.from?.froms.some((f) => f.table?.identifier?.name === 'outbox')) this.reads.add(args.queryId);
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    if (this.armed && this.reads.has(args.queryId)) {
      this.armed = false;
      this.reachedResolve();
      await this.gate;
    }
    return args.result;
  }
}

describe('the outbox on a SQLite store', () => {
  const hook = new HttpReceiver();
  const slack = new HttpReceiver();
  const echo = new EchoServer();
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    await hook.start();
    await slack.start();
    await echo.start();
  });

  beforeEach(() => {
    for (const receiver of [hook, slack]) {
      receiver.accepted.length = 0;
      receiver.attempts.length = 0;
      receiver.mode = 'ok';
    }
    echo.hits.length = 0;
    echo.status = 400;
    echo.retryAfter = null;
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  afterAll(async () => {
    await hook.stop();
    await slack.stop();
    await echo.stop();
  });

  interface Setup {
    app: App;
    clock: ManualClock;
    dir: string;
    /** Channels built from the config, closed after the test. */
    channels: Channel[];
    /** A dispatcher over the app's store (or `db`) with these channels (or `channels`). */
    dispatcher(options?: Partial<OutboxOptions>): OutboxDispatcher;
    rows(): ReturnType<typeof outboxRows>;
    /** Another connection to the same store, as another process would have. */
    secondStore(plugins?: KyselyPlugin[]): Promise<StoreDb>;
    setRows(n: number): void;
  }

  function outboxRows(db: StoreDb) {
    return db.selectFrom('outbox').selectAll().orderBy('created_at').orderBy('channel').orderBy('id').execute();
  }

  /**
   * A store and a warehouse with `orders` (10 rows), monitors that breach (row_count <= 5),
   * and the channels given as YAML flow mappings.
   */
  async function setup(notifications: string[], monitors = 1): Promise<Setup> {
    const dir = tempDir();
    const warehouse = join(dir, 'w.db');
    const setRows = (n: number) => {
      const db = new Database(warehouse);
      db.exec('CREATE TABLE IF NOT EXISTS orders (id INTEGER PRIMARY KEY, amount REAL); DELETE FROM orders;');
      const insert = db.prepare('INSERT INTO orders (amount) VALUES (?)');
      for (let i = 0; i < n; i++) insert.run(i);
      db.close();
    };
    setRows(10);
    const monitorLines = Array.from({ length: monitors }, (_, i) => `  - { name: orders rows ${i + 1}, warehouse: w, table: orders, metric_type: row_count, condition: { max: 5 } }`);
    const yaml = [
      'store: sqlite:./vigil.db',
      'warehouses:',
      '  w: { type: sqlite, path: ./w.db }',
      'monitors:',
      ...monitorLines,
      'notifications:',
      ...notifications.map((n) => `  - ${n}`),
      '',
    ].join('\n');
    const config = parseConfig(yaml, join(dir, 'vigil.yaml'), {}, 'vigil.yaml');
    const clock = new ManualClock(START);
    const app = await createApp(config, { clock });
    cleanups.push(() => app.close());
    const channels = config.notifications.map((c) => createChannel(c, { clock, timeoutMs: 5_000 }));
    cleanups.push(() => Promise.allSettled(channels.map((c) => c.close())));
    return {
      app,
      clock,
      dir,
      channels,
      dispatcher: (options = {}) => new OutboxDispatcher({ db: app.db, clock, channels, baseDelayMs: 1_000, maxDelayMs: 3_600_000, ...options }),
      rows: () => outboxRows(app.db),
      async secondStore(plugins = []) {
        let db = await openStore(config.store);
        cleanups.push(() => db.destroy());
        for (const plugin of plugins) db = db.withPlugin(plugin);
        return db;
      },
      setRows,
    };
  }

  const HOOK = (receiver: { url: string }, name = 'hook') => `{ type: webhook, name: ${name}, url: "${receiver.url}/hook", secret: ${SIGNING_SECRET} }`;

  /** Runs every monitor once (a breach opens an incident and fills the outbox). */
  async function breach(app: App) {
    const results = await runNow(app);
    expect(results.map((r) => r.status)).toEqual(results.map(() => 'incident'));
  }

  it('retries a transient failure later, with a growing backoff, and sends nothing before it is due', async () => {
    const s = await setup([HOOK(hook)]);
    await breach(s.app);
    hook.mode = 'fail';
    const dispatcher = s.dispatcher();

    const delays: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      await dispatcher.drain();
      expect(hook.attempts).toHaveLength(attempt);
      const [row] = await s.rows();
      expect(row).toMatchObject({ status: 'pending', attempts: attempt, claimed_until: null, sent_at: null });
      expect(row!.last_error).toBe('webhook channel "hook": HTTP 500 from the webhook: down for maintenance');
      const delay = Date.parse(row!.next_attempt_at) - s.clock.now().getTime();
      // 1 s doubling, plus up to 20 % jitter.
      expect(delay).toBeGreaterThanOrEqual(1_000 * 2 ** (attempt - 1));
      expect(delay).toBeLessThanOrEqual(1_200 * 2 ** (attempt - 1));
      delays.push(delay);

      // Not due yet: neither at the same time nor a millisecond before it is.
      await dispatcher.drain();
      s.clock.set(Date.parse(row!.next_attempt_at) - 1);
      await dispatcher.drain();
      expect(hook.attempts).toHaveLength(attempt);
      s.clock.set(row!.next_attempt_at);
    }
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThan(delays[i - 1]!);
    expect(hook.accepted).toHaveLength(0);
  });

  it('delivers once when the receiver is back, with the same delivery id as every attempt, and records it', async () => {
    const s = await setup([HOOK(hook)]);
    await breach(s.app);
    hook.mode = 'fail';
    const dispatcher = s.dispatcher();
    await dispatcher.drain();
    await dispatcher.drain();
    expect(hook.attempts).toHaveLength(1);

    hook.mode = 'ok';
    const [due] = await s.rows();
    s.clock.set(due!.next_attempt_at);
    await dispatcher.drain();
    expect(hook.accepted).toHaveLength(1);
    const [row] = await s.rows();
    expect(row).toMatchObject({ status: 'sent', attempts: 2, sent_at: due!.next_attempt_at, last_error: null, claimed_until: null });
    expect(hook.attempts.map((a) => a.headers['x-vigil-delivery'])).toEqual([row!.id, row!.id]);

    // Nothing more, however long one waits.
    s.clock.advance(24 * 3_600_000);
    await dispatcher.drain();
    expect(hook.attempts).toHaveLength(2);
    expect(hook.accepted).toHaveLength(1);
  });

  it('fails a permanent failure (HTTP 400) at once, keeps why, and never retries it', async () => {
    const s = await setup([`{ type: webhook, name: strict, url: "${echo.url}/hooks/${URL_TOKEN}" }`]);
    await breach(s.app);
    echo.status = 400;
    const dispatcher = s.dispatcher();
    await dispatcher.drain();
    const [row] = await s.rows();
    expect(row).toMatchObject({ status: 'failed', attempts: 1, sent_at: null, claimed_until: null });
    expect(row!.last_error).toMatch(/^webhook channel "strict": HTTP 400 from the webhook: rejected POST /);
    expect(echo.hits).toHaveLength(1);

    for (const later of [1_000, 60_000, 24 * 3_600_000]) {
      s.clock.advance(later);
      await dispatcher.drain();
    }
    expect(echo.hits).toHaveLength(1);
    expect((await s.rows())[0]).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('waits as long as a receiver asks (Retry-After on a 429), up to an hour', async () => {
    const s = await setup([`{ type: webhook, name: busy, url: "${echo.url}/hooks/${URL_TOKEN}" }`]);
    await breach(s.app);
    echo.status = 429;
    echo.retryAfter = '120';
    const dispatcher = s.dispatcher({ baseDelayMs: 1_000 });
    await dispatcher.drain();
    let [row] = await s.rows();
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(Date.parse(row!.next_attempt_at) - s.clock.now().getTime()).toBe(120_000);
    echo.retryAfter = '86400';
    s.clock.set(row!.next_attempt_at);
    await dispatcher.drain();
    [row] = await s.rows();
    expect(Date.parse(row!.next_attempt_at) - s.clock.now().getTime()).toBe(3_600_000);
  });

  it('keeps retrying until a notification is a day old, then gives it up', async () => {
    const s = await setup([HOOK(hook)]);
    await breach(s.app);
    hook.mode = 'fail';
    const dispatcher = s.dispatcher({ maxDelayMs: 15 * 60_000 });
    let row = (await s.rows())[0]!;
    while (row.status === 'pending') {
      s.clock.set(row.next_attempt_at);
      await dispatcher.drain();
      row = (await s.rows())[0]!;
    }
    expect(row.status).toBe('failed');
    expect(s.clock.now().getTime() - Date.parse(START)).toBeGreaterThanOrEqual(86_400_000);
    expect(s.clock.now().getTime() - Date.parse(START)).toBeLessThan(86_400_000 + 20 * 60_000);
    expect(row.attempts).toBeGreaterThan(90);
  });

  it('gives up after maxAttempts transient failures', async () => {
    const s = await setup([HOOK(hook)]);
    await breach(s.app);
    hook.mode = 'fail';
    const dispatcher = s.dispatcher({ maxAttempts: 3 });
    for (let attempt = 1; attempt <= 3; attempt++) {
      await dispatcher.drain();
      const [row] = await s.rows();
      expect(row).toMatchObject({ attempts: attempt, status: attempt < 3 ? 'pending' : 'failed' });
      s.clock.set(Math.max(Date.parse(row!.next_attempt_at), s.clock.now().getTime() + 3_600_000));
    }
    expect(hook.attempts).toHaveLength(3);
    hook.mode = 'ok';
    s.clock.advance(7 * 24 * 3_600_000);
    await dispatcher.drain();
    expect(hook.attempts).toHaveLength(3);
    const [row] = await s.rows();
    expect(row).toMatchObject({ status: 'failed', attempts: 3, sent_at: null });
    expect(row!.last_error).toContain('HTTP 500');
  });

  it('fails a notification whose channel is no longer configured, saying so', async () => {
    const s = await setup([HOOK(hook, 'old-hook')]);
    await breach(s.app);
    // The daemon restarted with another config: only "new-hook" exists now.
    const renamed = createChannel({ type: 'webhook', name: 'new-hook', url: `${hook.url}/hook`, headers: {} });
    cleanups.push(() => renamed.close());
    await s.dispatcher({ channels: [renamed] }).drain();
    const [row] = await s.rows();
    expect(row).toMatchObject({ channel: 'old-hook', status: 'failed', attempts: 1, sent_at: null });
    expect(row!.last_error).toBe('channel "old-hook" is no longer configured');
    expect(hook.attempts).toHaveLength(0);
  });

  it('two dispatchers on one store draining at once deliver each notification exactly once', async () => {
    const s = await setup([HOOK(hook), `{ type: slack, name: team, webhook_url: "${slack.url}/slack" }`], 12);
    await breach(s.app);
    const rows = await s.rows();
    expect(rows).toHaveLength(24);
    // Another process: its own connection, its own channels.
    const other = await s.secondStore();
    const otherChannels = s.app.config.notifications.map((c) => createChannel(c, { clock: s.clock }));
    cleanups.push(() => Promise.allSettled(otherChannels.map((c) => c.close())));
    const a = s.dispatcher({ batch: 3 });
    const b = new OutboxDispatcher({ db: other, clock: s.clock, channels: otherChannels, batch: 3 });

    const [handledA, handledB] = await Promise.all([countDrained(a), countDrained(b)]);
    expect(handledA + handledB).toBe(24);
    // Each notification reached its receiver once: the hook's by delivery id, Slack's by monitor.
    expect(hook.attempts).toHaveLength(12);
    expect(new Set(hook.accepted.map((r) => r.headers['x-vigil-delivery'])).size).toBe(12);
    expect(slack.attempts).toHaveLength(12);
    expect(new Set(slack.accepted.map((r) => /orders rows \d+/.exec(r.body)?.[0])).size).toBe(12);
    const after = await s.rows();
    expect(after.every((r) => r.status === 'sent' && r.attempts === 1 && r.claimed_until === null)).toBe(true);
    const initial = await s.app.db.selectFrom('incident_actions').select(['incident_id', 'type']).where('type', '=', 'notification_initial').execute();
    expect(initial).toHaveLength(12);
    expect(new Set(initial.map((r) => r.incident_id)).size).toBe(12);
  });

  /** Drains like drain(), counting what it handled. */
  async function countDrained(dispatcher: OutboxDispatcher): Promise<number> {
    let total = 0;
    for (let n = await dispatcher.drainOnce(); n > 0; n = await dispatcher.drainOnce()) total += n;
    return total;
  }

  it('does not send what a crashed dispatcher claimed until its claim lapses, then sends it once', async () => {
    const s = await setup([HOOK(hook)]);
    await breach(s.app);
    // A dispatcher claims the row for a minute, then its process dies before sending.
    const crashed = await claimDue(s.app.db, s.clock.now(), 60_000, 10);
    expect(crashed).toHaveLength(1);
    const [held] = await s.rows();
    expect(held).toMatchObject({ status: 'pending', claimed_until: '2026-05-04T10:01:00.000Z' });

    const dispatcher = s.dispatcher();
    await dispatcher.drain();
    s.clock.advance(59_999);
    await dispatcher.drain();
    expect(hook.attempts).toHaveLength(0);

    s.clock.advance(1);
    await dispatcher.drain();
    await dispatcher.drain();
    expect(hook.accepted).toHaveLength(1);
    expect(hook.attempts).toHaveLength(1);
    expect(hook.accepted[0]!.headers['x-vigil-delivery']).toBe(held!.id);
    expect((await s.rows())[0]).toMatchObject({ status: 'sent', attempts: 1, claimed_until: null });
  });

  it('records notification_initial and notification_resolved once per incident, with two channels and a retry', async () => {
    const s = await setup([HOOK(hook), `{ type: slack, name: team, webhook_url: "${slack.url}/slack" }`]);
    const actions = async () => {
      const rows = await s.app.db.selectFrom('incident_actions').select(['type', 'at']).orderBy('at').orderBy('id').execute();
      return rows.map((r) => `${r.type}@${r.at}`);
    };
    await breach(s.app);
    const dispatcher = s.dispatcher();

    // The hook takes it at 10:00; Slack is down, and takes it on its retry.
    slack.mode = 'fail';
    await dispatcher.drain();
    expect(hook.accepted).toHaveLength(1);
    expect(await actions()).toEqual([`created@${START}`, `notification_initial@${START}`]);
    slack.mode = 'ok';
    const retry = (await s.rows()).find((r) => r.channel === 'team')!;
    s.clock.set(retry.next_attempt_at);
    await dispatcher.drain();
    expect(slack.accepted).toHaveLength(1);
    expect(await actions()).toEqual([`created@${START}`, `notification_initial@${START}`]);
    const incident = await s.app.db.selectFrom('incidents').selectAll().executeTakeFirstOrThrow();
    expect(incident.last_notified_at).toBe(retry.next_attempt_at);

    // Fixed: three good runs resolve it; both channels are told, the action is stored once.
    s.setRows(3);
    for (let i = 0; i < 3; i++) {
      s.clock.advance(3_600_000);
      await runNow(s.app);
    }
    const resolvedAt = s.clock.now().toISOString();
    await dispatcher.drain();
    await dispatcher.drain();
    expect(hook.accepted.map((r) => JSON.parse(r.body).event)).toEqual(['incident_created', 'incident_resolved']);
    expect(slack.accepted).toHaveLength(2);
    const types = (await actions()).map((a) => a.split('@')[0]);
    expect(types).toEqual(['created', 'notification_initial', 'auto_resolved', 'notification_resolved']);
    expect((await actions())[3]).toBe(`notification_resolved@${resolvedAt}`);
    expect((await s.rows()).map((r) => r.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
  });

  it('keeps webhook URLs, header values and secrets out of last_error', async () => {
    const refused = await freePort();
    const s = await setup([
      `{ type: webhook, name: echo-400, url: "${echo.url}/hooks/${URL_TOKEN}?key=${QUERY_KEY}", secret: ${SIGNING_SECRET}, headers: { Authorization: "Bearer ${HEADER_SECRET}" } }`,
      `{ type: slack, name: echo-slack, webhook_url: "${echo.url}/services/T000/B000/${SLACK_TOKEN}" }`,
      `{ type: webhook, name: nobody-home, url: "http://127.0.0.1:${refused}/hooks/${URL_TOKEN}" }`,
    ]);
    await breach(s.app);
    echo.status = 400;
    const dispatcher = s.dispatcher();
    await dispatcher.drain();
    // The same, answered 500 (a retry), for the errors of transient failures too.
    echo.status = 503;
    s.clock.advance(3_600_000);
    await s.app.db.updateTable('outbox').set({ status: 'pending', next_attempt_at: s.clock.now().toISOString() }).execute();
    await dispatcher.drain();

    const rows = await s.rows();
    expect(rows.map((r) => [r.channel, r.attempts])).toEqual([
      ['echo-400', 2],
      ['echo-slack', 2],
      ['nobody-home', 2],
    ]);
    expect(echo.hits.length).toBe(4);
    const errors = rows.map((r) => r.last_error ?? '');
    expect(errors[0]).toMatch(/^webhook channel "echo-400": HTTP 503 from the webhook: rejected POST /);
    expect(errors[1]).toMatch(/^slack channel "echo-slack": HTTP 503 from the webhook: rejected POST /);
    expect(errors[2]).toMatch(/^webhook channel "nobody-home": cannot reach the webhook: connection refused/);
    for (const error of errors) {
      for (const secret of [URL_TOKEN, QUERY_KEY, HEADER_SECRET, SLACK_TOKEN, SIGNING_SECRET, `${echo.url}/hooks`, `${echo.url}/services`, `127.0.0.1:${refused}/`]) {
        expect(error).not.toContain(secret);
      }
    }
  });

  // Found while writing these tests: races between senders (see the report).

  it('a sender that read a row before another one retried it does not send it before it is due', async () => {
    const s = await setup([HOOK(hook)]);
    await breach(s.app);
    hook.mode = 'fail';
    const pause = new PauseAfterOutboxRead();
    const slowDb = await s.secondStore([pause]);
    const slow = new OutboxDispatcher({ db: slowDb, clock: s.clock, channels: s.channels, baseDelayMs: 1_000 });
    const fast = s.dispatcher();

    // The slow sender reads the due row and stops before claiming it...
    pause.arm();
    const slowDrain = slow.drainOnce();
    await pause.reached;
    // ...meanwhile the other one claims it, tries, fails, and schedules the retry for later.
    expect(await fast.drainOnce()).toBe(1);
    const [retry] = await s.rows();
    expect(retry).toMatchObject({ status: 'pending', attempts: 1, claimed_until: null });
    expect(Date.parse(retry!.next_attempt_at)).toBeGreaterThan(s.clock.now().getTime());
    // The slow sender goes on, with the clock unchanged: the row is not due.
    pause.open();
    await slowDrain;
    expect(hook.attempts).toHaveLength(1);
    expect((await s.rows())[0]).toMatchObject({ attempts: 1, next_attempt_at: retry!.next_attempt_at });
  });

  it('a sender whose claim lapsed mid-delivery does not undo the delivery another sender made', async () => {
    const s = await setup([HOOK(hook)]);
    await breach(s.app);
    // The first sender's receiver holds the request past the sender's lease.
    const hanging = new HttpReceiver();
    await hanging.start();
    cleanups.push(() => hanging.stop());
    hanging.mode = 'hang';
    const stuckChannel = createChannel({ type: 'webhook', name: 'hook', url: `${hanging.url}/hook`, headers: {} }, { clock: s.clock, timeoutMs: 60_000 });
    cleanups.push(() => stuckChannel.close());
    const stuck = new OutboxDispatcher({ db: s.app.db, clock: s.clock, channels: [stuckChannel], leaseMs: 1_000 });
    const stuckDrain = stuck.drainOnce();
    await until('the held delivery', () => hanging.attempts.length === 1, 20_000);

    // Its lease lapses; another sender delivers the notification.
    s.clock.advance(1_001);
    await s.dispatcher().drain();
    expect(hook.accepted).toHaveLength(1);
    expect((await s.rows())[0]).toMatchObject({ status: 'sent', attempts: 1 });

    // Only now does the first sender's delivery fail (a transient failure: the connection is dropped).
    await stuckChannel.close();
    await stuckDrain;
    expect(hanging.accepted).toHaveLength(0);
    // The row was delivered, and stays so.
    const [row] = await s.rows();
    expect(row).toMatchObject({ status: 'sent' });
    s.clock.advance(24 * 3_600_000);
    await s.dispatcher().drain();
    expect(hook.attempts).toHaveLength(1);
  });
});
