import { createApp, runNow, type App } from '../app.js';
import { loadConfig } from '../config/load.js';
import type { Logger } from '../domain/logger.js';
import { createChannel } from '../notify/channel.js';
import { OutboxDispatcher } from '../notify/outbox.js';
import { exitCodeFor } from './exit-codes.js';
import { renderJson, renderTable } from './output.js';

export interface RunNowOptions {
  config: string;
  monitor: string[];
  format: 'table' | 'json';
}

/** `vigil run-now`: every enabled monitor once; the exit code says how it went. */
export async function runNowCommand(options: RunNowOptions, logger: Logger): Promise<number> {
  const config = loadConfig(options.config);
  const app = await createApp(config, { logger });
  try {
    const results = await runNow(app, options.monitor);
    process.stdout.write(options.format === 'json' ? renderJson(results) : renderTable(results));
    await deliverNotifications(app, logger);
    return exitCodeFor(results);
  } finally {
    await app.close();
  }
}

/**
 * Delivers the notifications this run (or an earlier one) left in the outbox, once each:
 * one that fails transiently stays there for the next run or the daemon to retry.
 */
async function deliverNotifications(app: App, logger: Logger): Promise<void> {
  if (app.config.notifications.length === 0) return;
  const channels = app.config.notifications.map((c) => createChannel(c));
  try {
    await new OutboxDispatcher({ db: app.db, clock: app.clock, channels, logger }).drain();
  } finally {
    await Promise.allSettled(channels.map((c) => c.close()));
  }
}
