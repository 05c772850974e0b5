import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { engineDeps, notifyTargets, type App } from './app.js';
import { DEFAULT_WORKSPACE_ID } from './domain/ids.js';
import { DaemonMetrics } from './api/metrics.js';
import { createServer } from './api/ops.js';
import { VigilError, messageOf } from './domain/errors.js';
import { runMonitors } from './engine/run.js';
import { createChannel, type Channel } from './notify/channel.js';
import { OutboxDispatcher } from './notify/outbox.js';
import { LocalScheduler, realTimers, type SlotClaims, type Timers } from './scheduler/local.js';
import { claimSlots, pruneClaims } from './store/slot-claims-repo.js';

export interface DaemonOptions {
  timers?: Timers;
  /** How often the outbox is looked at when nothing prompts it. */
  outboxIntervalMs?: number;
  /** Waiting between warehouse retries (tests pass one that does not wait). */
  sleep?: (ms: number) => Promise<void>;
  /** Overrides for the outbox's backoff (tests). */
  outbox?: { baseDelayMs?: number; maxDelayMs?: number; leaseMs?: number; maxAttempts?: number; maxAgeMs?: number };
}

export interface Daemon {
  scheduler: LocalScheduler;
  outbox: OutboxDispatcher;
  metrics: DaemonMetrics;
  server: FastifyInstance;
  /** The address the ops server listens on, e.g. http://127.0.0.1:8080 */
  address: string;
  /** Delivers what is due in the outbox now (after any delivery already under way). */
  deliver(): Promise<void>;
  /** Stops scheduling, lets runs finish for up to graceMs, delivers what it can, closes everything. */
  stop(graceMs: number): Promise<{ finished: boolean }>;
}

/**
 * The daemon's heap policy, set once at the start of a long-running process: after each full
 * collection the heap may grow to 1.5x what is live, instead of V8's default of up to 4x. A
 * daemon's steady memory matters more than the little collection time this costs (10,000
 * monitors: ~250 MB resident at peak instead of ~310 MB).
 */
export function useDaemonHeapPolicy(): void {
  setFlagsFromString('--heap-growing-percent=50');
}

/**
 * A claimed slot is this replica's for this long. A run takes at most the query timeout
 * times its tries (5 min x 3 by default); a replica that dies holding slots frees them
 * after this, and another one runs them at its next full read of the store.
 */
const CLAIM_LEASE_MS = 30 * 60_000;
const PRUNE_EVERY_MS = 3_600_000;

/** Slot claims for replicas on a Postgres store, named by host and process; old claims are pruned hourly. */
export function replicaClaims(db: App['db'], replica = `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`): SlotClaims {
  let pruned = 0;
  return {
    async claim(slots, now) {
      if (now.getTime() - pruned >= PRUNE_EVERY_MS) {
        pruned = now.getTime();
        await pruneClaims(db, now);
      }
      return claimSlots(db, replica, slots, now, CLAIM_LEASE_MS);
    },
  };
}

/** `vigil start`: the scheduler, the outbox and the ops endpoints over an app. */
export async function startDaemon(app: App, options: DaemonOptions = {}): Promise<Daemon> {
  const timers = options.timers ?? realTimers;
  const { logger } = app;
  const metrics = new DaemonMetrics(app.db);
  const channels: Channel[] = app.config.notifications.map((c) => createChannel(c));
  const outbox = new OutboxDispatcher({ db: app.db, clock: app.clock, channels, logger, onDelivered: (c, ok) => metrics.delivered(c, ok), ...options.outbox });

  let draining: Promise<void> | null = null;
  let outboxTimer: unknown = null;
  let stopping = false;
  const drainOutbox = (): Promise<void> => {
    draining ??= outbox
      .drain()
      .catch((error) => logger.error({}, `the outbox could not be delivered: ${messageOf(error)}`))
      .finally(() => {
        draining = null;
      });
    return draining;
  };
  const armOutbox = () => {
    if (stopping) return;
    outboxTimer = timers.set(() => void drainOutbox().finally(armOutbox), options.outboxIntervalMs ?? 1000);
  };

  const deps = engineDeps(app, { observer: metrics, sleep: options.sleep });
  const scheduler = new LocalScheduler({
    db: app.db,
    clock: app.clock,
    logger,
    timers,
    ...(app.config.store.kind === 'postgres' ? { claims: replicaClaims(app.db) } : {}),
    run: async (monitors, slots, control) => {
      await runMonitors({ ...deps, onStored: (result) => control.stored(result.monitor.id), shouldStop: control.shouldStop }, monitors, slots);
      void drainOutbox();
    },
  });

  let ready = false;
  const server = createServer({
    db: app.db,
    metrics,
    ready: () => ready && !stopping,
    api: {
      db: app.db,
      clock: app.clock,
      logger,
      notify: notifyTargets(app),
      workspace: DEFAULT_WORKSPACE_ID,
      warehouses: app.config.warehouses.map((w) => w.name),
      runMonitors: (monitors) => runMonitors(deps, monitors),
      changed: () => scheduler.definitionsChanged(),
      writeRateLimitPerMinute: app.config.api.writeRateLimitPerMinute,
      connectors: app.connectors,
    },
  });
  let address: string;
  try {
    address = await server.listen({ host: app.config.api.host, port: app.config.api.port });
  } catch (error) {
    await Promise.allSettled(channels.map((c) => c.close()));
    const code = (error as { code?: string }).code;
    const why = code === 'EADDRINUSE' ? 'the address is already in use' : code === 'EACCES' ? 'permission denied' : messageOf(error);
    throw new VigilError('invalid_argument', `cannot serve on ${app.config.api.host}:${app.config.api.port} (api.port): ${why}`, { cause: error });
  }
  await scheduler.start();
  // Warehouses open now, in the background: the first slot does not pay for it, and one
  // that cannot be reached is said at start-up (it is tried again at its first run).
  for (const { name } of app.config.warehouses) {
    app.connectors.get(name).catch((error: unknown) => logger.warn({ warehouse: name }, `warehouse ${name} cannot be opened yet: ${messageOf(error)}`));
  }
  armOutbox();
  ready = true;
  logger.info({ address, monitors: scheduler.size.scheduled, channels: channels.length }, 'vigil started');

  return {
    scheduler,
    outbox,
    metrics,
    server,
    address,
    async deliver() {
      await (draining ?? Promise.resolve());
      await drainOutbox();
    },
    async stop(graceMs) {
      stopping = true;
      if (outboxTimer !== null) timers.clear(outboxTimer);
      const finished = await scheduler.stop(graceMs);
      if (!finished) logger.warn({ graceMs }, 'runs still in flight after the grace period: their slots run again at the next start');
      await (draining ?? Promise.resolve());
      await server.close();
      await Promise.allSettled(channels.map((c) => c.close()));
      logger.info({}, 'vigil stopped');
      return { finished };
    },
  };
}
