import { loadConfig } from '../config/load.js';
import { systemClock, type Clock } from '../domain/clock.js';
import { createApiKey, listApiKeys, revokeApiKey, type ApiKeyInfo } from '../store/api-keys-repo.js';
import { openStore, type StoreDb } from '../store/database.js';
import { table } from './output.js';

/** `vigil api-key create|list|revoke`: the keys of the REST API, from the command line. */

async function withStore<T>(configFile: string, work: (db: StoreDb) => Promise<T>): Promise<T> {
  const config = loadConfig(configFile);
  const db = await openStore(config.store);
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}

/** Prints the new key, once: the store keeps only its hash. */
export async function createApiKeyCommand(options: { config: string; name: string; role: string }, clock: Clock = systemClock): Promise<number> {
  return withStore(options.config, async (db) => {
    const created = await createApiKey(db, { name: options.name, role: options.role }, clock.now());
    process.stdout.write(
      `API key ${created.id} created: ${JSON.stringify(created.name)}, role ${created.role}\n` +
        `${created.key}\n` +
        'This key is shown only this once (Vigil stores only its hash): keep it somewhere safe now.\n',
    );
    return 0;
  });
}

function jsonOf(key: ApiKeyInfo): Record<string, string | null> {
  return { id: key.id, name: key.name, role: key.role, created_at: key.createdAt, last_used_at: key.lastUsedAt, revoked_at: key.revokedAt };
}

/** Every key, revoked ones too, oldest first; never a hash. */
export async function listApiKeysCommand(options: { config: string; format: 'table' | 'json' }): Promise<number> {
  return withStore(options.config, async (db) => {
    const keys = await listApiKeys(db);
    if (options.format === 'json') {
      process.stdout.write(`${JSON.stringify(keys.map(jsonOf), null, 2)}\n`);
      return 0;
    }
    const rows = [['ID', 'NAME', 'ROLE', 'CREATED', 'LAST USED', 'REVOKED'], ...keys.map((k) => [k.id, k.name, k.role, k.createdAt, k.lastUsedAt ?? '-', k.revokedAt ?? '-'])];
    const revoked = keys.filter((k) => k.revokedAt !== null).length;
    process.stdout.write(`${table(rows)}\n${keys.length} API key${keys.length === 1 ? '' : 's'}${revoked > 0 ? ` (${revoked} revoked)` : ''}\n`);
    return 0;
  });
}

export async function revokeApiKeyCommand(idOrName: string, options: { config: string }, clock: Clock = systemClock): Promise<number> {
  return withStore(options.config, async (db) => {
    const key = await revokeApiKey(db, idOrName, clock.now());
    process.stdout.write(`API key ${key.id} (${key.name}): revoked\n`);
    return 0;
  });
}
