import { openConnector } from '../connectors/registry.js';
import type { VigilConfig } from './config/types.js';
import { systemClock, type Clock } from './domain/clock.js';
import { VigilError } from './domain/errors.js';
import { silentLogger, type Logger } from './domain/logger.js';
import type { Monitor } from './domain/monitor.js';
import { WarehouseConnectors, type OpenConnector } from './engine/connectors.js';
import { runMonitors, type EngineDeps, type RunResult } from './engine/run.js';
import { openStore, type StoreDb } from './store/database.js';
import type { NotifyTargets } from './store/incident-effects.js';
import { listMonitors } from './store/monitors-repo.js';
import { syncConfig } from './store/sync-config.js';

/** The composition root: the one place concrete parts are built and wired together. */
export interface App {
  config: VigilConfig;
  db: StoreDb;
  connectors: WarehouseConnectors;
  clock: Clock;
  logger: Logger;
  close(): Promise<void>;
}

export interface AppOptions {
  clock?: Clock;
  logger?: Logger;
  openConnector?: OpenConnector;
}

/** Opens and migrates the store, syncs the config's monitors into it, and readies the warehouses. */
export async function createApp(config: VigilConfig, options: AppOptions = {}): Promise<App> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const db = await openStore(config.store);
  try {
    await syncConfig(db, config, clock);
  } catch (error) {
    await db.destroy();
    throw new VigilError('store', `cannot sync the config into the store: ${(error as Error).message}`, { cause: error });
  }
  const connectors = new WarehouseConnectors(config.warehouses, options.openConnector ?? openConnector);
  return {
    config,
    db,
    connectors,
    clock,
    logger,
    async close() {
      await connectors.shutdown();
      await db.destroy();
    },
  };
}

/**
 * The monitors a one-shot run covers: every enabled one, or those named (by name or id),
 * which run even when disabled since a person asked for them.
 */
export async function selectMonitors(app: App, selectors: readonly string[]): Promise<Monitor[]> {
  if (selectors.length === 0) return listMonitors(app.db, { enabledOnly: true });
  const all = await listMonitors(app.db);
  const chosen: Monitor[] = [];
  const missing: string[] = [];
  for (const selector of selectors) {
    const found = all.filter((m) => m.id === selector || m.name === selector);
    if (found.length === 0) missing.push(selector);
    for (const m of found) if (!chosen.includes(m)) chosen.push(m);
  }
  if (missing.length > 0) {
    throw new VigilError('not_found', `no monitor has the name or id ${missing.map((s) => JSON.stringify(s)).join(', ')}`);
  }
  return chosen;
}

/** Where an app's runs send notifications: the outbox rows for each configured channel. */
export function notifyTargets(app: App): NotifyTargets {
  return { channels: app.config.notifications.map((c) => c.name), publicUrl: app.config.publicUrl };
}

/** The engine's dependencies for an app: its store, warehouses, clock, notifications and retries. */
export function engineDeps(app: App, extra: Partial<EngineDeps> = {}): EngineDeps {
  return {
    db: app.db,
    connectors: app.connectors,
    clock: app.clock,
    logger: app.logger,
    notify: notifyTargets(app),
    retries: app.config.daemon.retries,
    ...extra,
  };
}

/** Runs monitors now, by hand: their schedules do not move. Incidents open and resolve as on a schedule. */
export async function runNow(app: App, selectors: readonly string[] = []): Promise<RunResult[]> {
  const monitors = await selectMonitors(app, selectors);
  return runMonitors(engineDeps(app), monitors);
}
