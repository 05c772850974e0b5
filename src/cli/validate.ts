import { loadConfig } from '../config/load.js';

/** `vigil validate`: reads and checks the config without touching the store or warehouses. */
export function validateCommand(options: { config: string }): number {
  const config = loadConfig(options.config);
  const enabled = config.monitors.filter((m) => m.isEnabled).length;
  process.stdout.write(
    `${options.config}: valid: ${config.warehouses.length} warehouses, ${config.monitors.length} monitors (${enabled} enabled)\n`,
  );
  return 0;
}
