import pLimit from 'p-limit';
import { dialectFor, queriesInFlight } from '../../connectors/registry.js';
import type { Clock } from '../domain/clock.js';
import { VigilError, messageOf } from '../domain/errors.js';
import { silentLogger, type Logger } from '../domain/logger.js';
import type { Monitor, MonitorStatus } from '../domain/monitor.js';
import type { StoreDb } from '../store/database.js';
import type { NotifyTargets } from '../store/incident-effects.js';
import { recordRun, type RunSlot } from '../store/record-run.js';
import type { WarehouseConnectors } from './connectors.js';
import { executeUnit, monitorsOf, type Outcome } from './execute.js';
import { planRuns, type WorkUnit } from './plan.js';
import { runWithRetries } from './retry.js';
import { score } from './score.js';

/** What the engine reports about each unit of work, for metrics. */
export interface RunObserver {
  unitFinished(warehouse: string, monitors: number, seconds: number): void;
  monitorFinished(warehouse: string, status: MonitorStatus): void;
  /** A scheduled run's query started this long after its slot. */
  runStarted?(seconds: number): void;
}

export interface EngineDeps {
  db: StoreDb;
  connectors: WarehouseConnectors;
  clock: Clock;
  logger?: Logger;
  /** Where incident and error notifications go (outbox rows are written with each run). */
  notify?: NotifyTargets;
  /** Tries after a transient failure (network, timeout); 0 by default. */
  retries?: number;
  /** Waiting between tries; a test passes one that does not wait. */
  sleep?: (ms: number) => Promise<void>;
  observer?: RunObserver;
  /** Told as each monitor's run is stored, so a scheduler can free it before the whole batch ends. */
  onStored?: (result: RunResult) => void;
  /** Once it says stop, work not yet started is not started (its monitors are left as they were). */
  shouldStop?: () => boolean;
}

const NO_NOTIFY: NotifyTargets = { channels: [], publicUrl: null };
/** How long a result may wait to be stored while other units of its run still wait to start. */
export const STORE_DEFER_MS = 2000;
const NO_SLOT: RunSlot = { scheduledFor: null, nextRunAt: null };

/** What one monitor's run came to, as stored. */
export interface RunResult {
  monitor: Monitor;
  status: MonitorStatus;
  value: number | null;
  lower: number | null;
  upper: number | null;
  measuredAt: Date;
  measurementId: string | null;
  /** The open incident after this run, if any. */
  incidentId: string | null;
  error: VigilError | null;
  /** The slot had been stored already (a re-run after a crash): nothing new was written. */
  duplicate: boolean;
}

/** Failures that say the warehouse itself cannot be used, so its other work need not try. */
function isWarehouseDown(error: VigilError): boolean {
  return error.code === 'warehouse' && (error.kind === 'auth' || error.kind === 'network');
}

/**
 * Runs monitors once: plans them into per-table batches, runs each warehouse's work with
 * its own concurrency limit, scores each value and stores it with the monitor's new state.
 * A warehouse that fails affects only its own monitors. Returns results in input order.
 */
export async function runMonitors(deps: EngineDeps, monitors: readonly Monitor[], slots: ReadonlyMap<string, RunSlot> = new Map()): Promise<RunResult[]> {
  const logger = deps.logger ?? silentLogger;
  const results = new Map<string, RunResult>();
  const targets = deps.notify ?? NO_NOTIFY;
  /** Runs are stored one at a time: the store has one writer (SQLite), or a row lock per monitor (Postgres). */
  const storeLimit = pLimit(1);
  /** Warehouses whose being down was announced in this run: one notification, not one per monitor. */
  const announced = new Set<string>();
  const plan = planRuns(monitors);
  const starting = new StartGate([...plan.values()].reduce((n, units) => n + units.length, 0));

  /** A store that fails (locked, gone) costs this monitor its result, not the whole run. */
  const record = async (outcome: Outcome, at: Date) => {
    try {
      await store(outcome, at);
    } catch (cause) {
      const error = new VigilError('store', `the store could not save this run: ${messageOf(cause)}`, { cause });
      logger.error({ monitor: outcome.monitor.name, monitorId: outcome.monitor.id }, error.message);
      const value = outcome.ok ? outcome.value : null;
      results.set(outcome.monitor.id, { monitor: outcome.monitor, status: 'error', value, lower: null, upper: null, measuredAt: at, measurementId: null, incidentId: null, error, duplicate: false });
    }
    const result = results.get(outcome.monitor.id);
    deps.observer?.monitorFinished(outcome.monitor.warehouse, result?.status ?? 'error');
    if (result !== undefined) deps.onStored?.(result);
  };

  const store = async (outcome: Outcome, at: Date) => {
    const { monitor } = outcome;
    const slot = slots.get(monitor.id) ?? NO_SLOT;
    if (!outcome.ok) {
      logger.warn({ monitor: monitor.name, monitorId: monitor.id, kind: outcome.error.kind }, outcome.error.message);
      const down = isWarehouseDown(outcome.error);
      const notify = !down || !announced.has(monitor.warehouse);
      if (down) announced.add(monitor.warehouse);
      const recorded = await recordRun(deps.db, monitor, { ok: false, message: outcome.error.message, notify }, at, slot, targets);
      results.set(monitor.id, { monitor, status: 'error', value: null, lower: null, upper: null, measuredAt: at, measurementId: null, incidentId: null, error: outcome.error, duplicate: recorded.duplicate });
      return;
    }
    const verdict = await score(deps.db, monitor, outcome.value, at);
    const recorded = await recordRun(deps.db, monitor, { ok: true, value: outcome.value, lower: verdict.lower, upper: verdict.upper, verdict: verdict.status }, at, slot, targets);
    if (recorded.duplicate) logger.info({ monitor: monitor.name, monitorId: monitor.id, slot: slot.scheduledFor }, 'this slot was already measured: nothing stored');
    results.set(monitor.id, {
      monitor,
      status: recorded.duplicate ? verdictStatus(verdict.status) : recorded.status,
      value: outcome.value,
      lower: verdict.lower,
      upper: verdict.upper,
      measuredAt: at,
      measurementId: recorded.measurementId,
      incidentId: recorded.incidentId,
      error: null,
      duplicate: recorded.duplicate,
    });
  };

  const runWarehouse = async (name: string, units: WorkUnit[]) => {
    const warehouse = deps.connectors.warehouse(name);
    if (warehouse === undefined) {
      const error = new VigilError('not_found', `warehouse ${name} is not in the config`);
      for (const unit of units) {
        starting.started();
        for (const m of monitorsOf(unit)) await record({ monitor: m, ok: false, error }, deps.clock.now());
      }
      return;
    }
    const dialect = dialectFor(warehouse.config.type);
    const limit = pLimit(queriesInFlight(warehouse.config));
    let down: VigilError | undefined;
    await Promise.all(
      units.map(async (unit) => {
        const ran = await limit(async (): Promise<{ outcomes: Outcome[]; at: Date } | null> => {
          starting.started();
          if (deps.shouldStop?.() === true) return null;
          const at = deps.clock.now();
          for (const m of monitorsOf(unit)) {
            const slot = slots.get(m.id)?.scheduledFor;
            if (slot != null) deps.observer?.runStarted?.(Math.max(0, (at.getTime() - Date.parse(slot)) / 1000));
          }
          let outcomes: Outcome[];
          if (down !== undefined) {
            outcomes = monitorsOf(unit).map((m) => ({ monitor: m, ok: false, error: down! }));
          } else {
            const attempt = async (work: WorkUnit): Promise<Outcome[]> => {
              try {
                const connector = await deps.connectors.get(name);
                return await executeUnit(work, connector, dialect);
              } catch (error) {
                // Connectors classify their own failures; anything else is a setup problem of this warehouse.
                const vigil = error instanceof VigilError
                  ? error
                  : new VigilError('warehouse', `warehouse ${name} (${warehouse.config.type}): ${messageOf(error)}`, { kind: 'auth', cause: error });
                return monitorsOf(work).map((m) => ({ monitor: m, ok: false, error: vigil }));
              }
            };
            const started = performance.now();
            outcomes = await runWithRetries(unit, attempt, {
              retries: deps.retries ?? 0,
              sleep: deps.sleep,
              onRetry: (error, tries, delayMs) => logger.warn({ warehouse: name, attempt: tries, delayMs, kind: error.kind }, `retrying after a transient failure: ${error.message}`),
            });
            const seconds = (performance.now() - started) / 1000;
            deps.observer?.unitFinished(name, outcomes.length, seconds);
            logger.debug({ warehouse: name, monitors: outcomes.length, ms: Math.round(seconds * 1000) }, 'ran work unit');
            const errors = outcomes.flatMap((o) => (o.ok ? [] : [o.error]));
            if (errors.length === outcomes.length && errors.length > 0 && isWarehouseDown(errors[0]!)) down = errors[0];
          }
          return { outcomes, at };
        });
        if (ran === null) return;
        // Stored outside the warehouse's slot: the next query need not wait for this one's writes.
        // Starting runs on time comes first: while units of this run still wait to start, the
        // store's writes (CPU on this thread) wait too, a little, instead of slowing the queries.
        await starting.allStarted(STORE_DEFER_MS);
        await storeLimit(async () => {
          for (const outcome of ran.outcomes) {
            await record(outcome, ran.at);
            // Let timers and HTTP requests (/healthz) in between runs.
            await new Promise((resolve) => setImmediate(resolve));
          }
        });
      }),
    );
  };

  await Promise.all([...plan].map(([name, units]) => runWarehouse(name, units)));
  return monitors.flatMap((m) => {
    const result = results.get(m.id);
    return result === undefined ? [] : [result];
  });
}

/** Counts the units of a run still to start; tells who waits when none is left, or after a while. */
class StartGate {
  private waiters: Array<() => void> = [];

  constructor(private unstarted: number) {}

  started(): void {
    this.unstarted--;
    if (this.unstarted <= 0) for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves once every unit has started, or after `maxWaitMs`, whichever comes first. */
  allStarted(maxWaitMs: number): Promise<void> {
    if (this.unstarted <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, maxWaitMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
  }
}

function verdictStatus(verdict: 'learning' | 'normal' | 'anomaly'): MonitorStatus {
  return verdict === 'anomaly' ? 'incident' : verdict;
}
