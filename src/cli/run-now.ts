import { createApp, runNow } from '../app.js';
import { loadConfig } from '../config/load.js';
import type { Logger } from '../domain/logger.js';
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
    return exitCodeFor(results);
  } finally {
    await app.close();
  }
}
