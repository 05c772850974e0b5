import { createApp } from '../app.js';
import { loadConfigOffThread } from '../config/load-off-thread.js';
import type { Logger } from '../domain/logger.js';
import { startDaemon, useDaemonHeapPolicy } from '../daemon.js';
import { EXIT_ERROR } from './exit-codes.js';

export interface StartOptions {
  config: string;
}

/**
 * `vigil start`: runs until SIGTERM or SIGINT. The first signal stops scheduling, lets
 * runs in flight finish within the grace period, closes pools and exits 0; a second
 * signal exits at once.
 */
export async function startCommand(options: StartOptions, logger: Logger): Promise<number> {
  useDaemonHeapPolicy();
  const config = await loadConfigOffThread(options.config);
  const app = await createApp(config, { logger });
  let daemon;
  try {
    daemon = await startDaemon(app);
  } catch (error) {
    await app.close();
    throw error;
  }
  const scheduled = daemon.scheduler.size.scheduled;
  process.stdout.write(`vigil is running: ${scheduled} monitor${scheduled === 1 ? '' : 's'} scheduled; the API, /healthz, /readyz and /metrics at ${daemon.address}\n`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting now');
        process.exit(EXIT_ERROR);
      }
      stopping = true;
      const graceMs = config.daemon.shutdownGraceSeconds * 1000;
      logger.info({ signal, graceMs }, 'stopping: no new runs; waiting for runs in flight');
      // Queries still running after the grace period would hold their pools open: the
      // process ends regardless a little after it (their slots run again at the next start).
      setTimeout(() => {
        logger.warn({ graceMs }, 'work still running after the grace period: exiting anyway');
        process.exit(0);
      }, graceMs + 5_000).unref();
      void (async () => {
        try {
          await daemon.stop(graceMs);
          await app.close();
          resolve(0);
        } catch (error) {
          logger.error({}, `could not stop cleanly: ${(error as Error).message}`);
          resolve(EXIT_ERROR);
        }
      })();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
