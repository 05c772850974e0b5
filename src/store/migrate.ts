import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { VigilError, messageOf } from '../domain/errors.js';
import * as initial from './migrations/0001-initial.js';
import * as daemon from './migrations/0002-daemon.js';
import * as apiKeys from './migrations/0003-api-keys.js';
import * as measurementPages from './migrations/0004-measurement-pages.js';
import * as slotClaims from './migrations/0005-slot-claims.js';

/** Migrations in order; a new one is appended here, never edited once released. */
const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-initial': initial,
  '0002-daemon': daemon,
  '0003-api-keys': apiKeys,
  '0004-measurement-pages': measurementPages,
  '0005-slot-claims': slotClaims,
};

const provider: MigrationProvider = { getMigrations: async () => ({ ...MIGRATIONS }) };

/** Whether some migration has not been applied yet (a read: no lock taken). */
export async function hasPendingMigrations(db: Kysely<unknown>): Promise<boolean> {
  const migrations = await new Migrator({ db, provider }).getMigrations();
  return migrations.some((m) => m.executedAt === undefined);
}

/**
 * Brings the store's schema up to date. On Postgres it is safe to run from several processes
 * at once (kysely holds an advisory lock, each run one transaction); on SQLite kysely has no
 * lock, so the caller runs it inside a write transaction (see migrateWithRetry).
 */
export async function migrateToLatest(db: Kysely<unknown>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new VigilError('store', `store migration ${failed ?? ''} failed: ${messageOf(error)}`.replace('  ', ' '), {
      cause: error,
    });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
