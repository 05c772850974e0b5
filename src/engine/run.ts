import pLimit from 'p-limit';
import { v7 as uuidv7 } from 'uuid';
import { dialectFor } from '../../connectors/registry.js';
import type { Clock } from '../domain/clock.js';
import { VigilError, messageOf } from '../domain/errors.js';
import { silentLogger, type Logger } from '../domain/logger.js';
import type { Monitor, MonitorStatus } from '../domain/monitor.js';
import type { StoreDb } from '../store/database.js';
import { recordFailure, recordSuccess } from '../store/monitors-repo.js';
import type { WarehouseConnectors } from './connectors.js';
import { executeUnit, monitorsOf, type Outcome } from './execute.js';
import { planRuns, type WorkUnit } from './plan.js';
import { monitorStatusOf, score } from './score.js';

export interface EngineDeps {
  db: StoreDb;
  connectors: WarehouseConnectors;
  clock: Clock;
  logger?: Logger;
}

/** What one monitor's run came to, as stored. */
export interface RunResult {
  monitor: Monitor;
  status: MonitorStatus;
  value: number | null;
  lower: number | null;
  upper: number | null;
  measuredAt: Date;
  measurementId: string | null;
  error: VigilError | null;
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
export async function runMonitors(deps: EngineDeps, monitors: readonly Monitor[]): Promise<RunResult[]> {
  const logger = deps.logger ?? silentLogger;
  const results = new Map<string, RunResult>();

  /** A store that fails (locked, gone) costs this monitor its result, not the whole run. */
  const record = async (outcome: Outcome, at: Date) => {
    try {
      await store(outcome, at);
    } catch (cause) {
      const error = new VigilError('store', `the store could not save this run: ${messageOf(cause)}`, { cause });
      logger.error({ monitor: outcome.monitor.name, monitorId: outcome.monitor.id }, error.message);
      const value = outcome.ok ? outcome.value : null;
      results.set(outcome.monitor.id, { monitor: outcome.monitor, status: 'error', value, lower: null, upper: null, measuredAt: at, measurementId: null, error });
    }
  };

  const store = async (outcome: Outcome, at: Date) => {
    const { monitor } = outcome;
    if (!outcome.ok) {
      logger.warn({ monitor: monitor.name, monitorId: monitor.id, kind: outcome.error.kind }, outcome.error.message);
      await recordFailure(deps.db, monitor.id, outcome.error.message, at);
      results.set(monitor.id, { monitor, status: 'error', value: null, lower: null, upper: null, measuredAt: at, measurementId: null, error: outcome.error });
      return;
    }
    const verdict = await score(deps.db, monitor, outcome.value, at);
    const status = monitorStatusOf(verdict);
    const measurementId = uuidv7();
    await recordSuccess(deps.db, {
      monitorId: monitor.id,
      measurementId,
      at,
      value: outcome.value,
      lower: verdict.lower,
      upper: verdict.upper,
      measurementStatus: verdict.status,
      monitorStatus: status,
    });
    results.set(monitor.id, { monitor, status, value: outcome.value, lower: verdict.lower, upper: verdict.upper, measuredAt: at, measurementId, error: null });
  };

  const runWarehouse = async (name: string, units: WorkUnit[]) => {
    const warehouse = deps.connectors.warehouse(name);
    if (warehouse === undefined) {
      const error = new VigilError('not_found', `warehouse ${name} is not in the config`);
      for (const unit of units) for (const m of monitorsOf(unit)) await record({ monitor: m, ok: false, error }, deps.clock.now());
      return;
    }
    const dialect = dialectFor(warehouse.config.type);
    const limit = pLimit(warehouse.config.max_concurrency);
    let down: VigilError | undefined;
    await Promise.all(
      units.map((unit) =>
        limit(async () => {
          const at = deps.clock.now();
          let outcomes: Outcome[];
          if (down !== undefined) {
            outcomes = monitorsOf(unit).map((m) => ({ monitor: m, ok: false, error: down! }));
          } else {
            try {
              const connector = await deps.connectors.get(name);
              const started = performance.now();
              outcomes = await executeUnit(unit, connector, dialect);
              logger.debug({ warehouse: name, monitors: outcomes.length, ms: Math.round(performance.now() - started) }, 'ran work unit');
            } catch (error) {
              // Connectors classify their own failures; anything else is a setup problem of this warehouse.
              const vigil = error instanceof VigilError
                ? error
                : new VigilError('warehouse', `warehouse ${name} (${warehouse.config.type}): ${messageOf(error)}`, { kind: 'auth', cause: error });
              outcomes = monitorsOf(unit).map((m) => ({ monitor: m, ok: false, error: vigil }));
            }
            const errors = outcomes.flatMap((o) => (o.ok ? [] : [o.error]));
            if (errors.length === outcomes.length && errors.length > 0 && isWarehouseDown(errors[0]!)) down = errors[0];
          }
          for (const outcome of outcomes) await record(outcome, at);
        }),
      ),
    );
  };

  await Promise.all([...planRuns(monitors)].map(([name, units]) => runWarehouse(name, units)));
  return monitors.flatMap((m) => {
    const result = results.get(m.id);
    return result === undefined ? [] : [result];
  });
}
