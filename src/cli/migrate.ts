import { loadConfig } from '../config/load.js';
import { migrateWithRetry, openStore } from '../store/database.js';
import type { Kysely } from 'kysely';

/** `vigil migrate`: brings the store's schema up to date (every command also does this at start). */
export async function migrateCommand(options: { config: string }): Promise<number> {
  const config = loadConfig(options.config);
  const db = await openStore(config.store, { migrate: false });
  try {
    const applied = await migrateWithRetry(db as unknown as Kysely<unknown>, config.store);
    const where = config.store.kind === 'sqlite' ? `sqlite:${config.store.path}` : 'the postgres store';
    process.stdout.write(`${where}: schema is up to date${applied.length > 0 ? ` (applied ${applied.join(', ')})` : ''}\n`);
    return 0;
  } finally {
    await db.destroy();
  }
}
