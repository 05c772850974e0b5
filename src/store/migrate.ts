import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { VigilError, messageOf } from '../domain/errors.js';
import * as initial from './migrations/0001-initial.js';
import * as daemon from './migrations/0002-daemon.js';
import * as apiKeys from './migrations/0003-api-keys.js';
import * as measurementPages from './migrations/0004-measurement-pages.js';
import * as slotClaims from './migrations/0005-slot-claims.js';

/**
 * Migrations in order; a new one is appended here, never edited once released. On SQLite
 * they all run inside one write transaction (see migrateWithRetry), so a migration must not
 * open a transaction of its own, nor count on PRAGMA foreign_keys (it cannot change there).
 */
const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-initial': initial,
  '0002-daemon': daemon,
  '0003-api-keys': apiKeys,
  '0004-measurement-pages': measurementPages,
  '0005-slot-claims': slotClaims,
};

const provider: MigrationProvider = { getMigrations: async () => ({ ...MIGRATIONS }) };

/**
 * Whether migrating has anything to do (a read: no lock taken): a migration not applied yet,
 * or one applied that this version does not know (a store migrated by a newer Vigil), which
 * migrating refuses with kysely's error rather than running on a schema it does not know.
 */
export async function hasPendingMigrations(db: Kysely<unknown>): Promise<boolean> {
  const migrations = await new Migrator({ db, provider }).getMigrations();
  if (migrations.some((m) => m.executedAt === undefined)) return true;
  const applied = await (db as Kysely<{ kysely_migration: { name: string } }>).selectFrom('kysely_migration').select('name').execute();
  return applied.some((row) => !Object.hasOwn(MIGRATIONS, row.name));
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
    const unknown = /previously executed migration (\S+) is missing/.exec(messageOf(error))?.[1];
    if (unknown !== undefined) {
      throw new VigilError('store', `the store was migrated by a newer Vigil: it has migration ${unknown}, which this version does not know; run that version or newer`, {
        cause: error,
      });
    }
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new VigilError('store', `store migration ${failed ?? ''} failed: ${messageOf(error)}`.replace('  ', ' '), {
      cause: error,
    });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
