import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { VigilError } from '../../src/domain/errors.js';
import { isSqliteBusy, migrateWithRetry } from '../../src/store/database.js';
import { tempDir } from '../helpers/temp.js';

/** Migrating a SQLite store: a held write lock is waited out, any other failure is reported at once. */

/** A store connection (busy timeout `timeout` ms) that counts the write transactions it tries to open. */
function countingStore(path: string, timeout: number): { db: Kysely<unknown>; writes: () => number } {
  let writes = 0;
  const db = new Kysely<unknown>({
    dialect: new SqliteDialect({ database: new Database(path, { timeout }) }),
    log: (event) => {
      if (event.query.sql === 'begin immediate') writes++;
    },
  });
  return { db, writes: () => writes };
}

/** The error better-sqlite3 raises when another connection holds the write lock. */
function busyError(dir: string): unknown {
  const path = join(dir, 'busy.db');
  const holder = new Database(path);
  const waiter = new Database(path, { timeout: 0 });
  holder.exec('begin immediate');
  try {
    waiter.exec('begin immediate');
    return null;
  } catch (error) {
    return error;
  } finally {
    holder.exec('rollback');
    holder.close();
    waiter.close();
  }
}

describe('SQLite store migrations', () => {
  it('tells a held write lock from other SQLite errors, through the causes it is wrapped in', () => {
    const dir = tempDir();
    const busy = busyError(dir);
    expect((busy as { code?: string }).code).toBe('SQLITE_BUSY');
    expect(isSqliteBusy(busy)).toBe(true);
    expect(isSqliteBusy(new VigilError('store', 'store migration 0003 failed', { cause: busy }))).toBe(true);

    const other = new Database(join(dir, 'other.db'));
    other.exec('create table t (id text)');
    let exists: unknown = null;
    try {
      other.exec('create table t (id text)');
    } catch (error) {
      exists = error;
    }
    other.close();
    expect((exists as { code?: string }).code).toBe('SQLITE_ERROR');
    expect(isSqliteBusy(exists)).toBe(false);
    expect(isSqliteBusy(new VigilError('store', 'the store was migrated by a newer Vigil'))).toBe(false);
    expect(isSqliteBusy('SQLITE_BUSY')).toBe(false);
  });

  it('reports a migration that fails at once, without trying it again', async () => {
    const path = join(tempDir(), 'vigil.db');
    const seed = new Database(path);
    seed.exec('create table api_keys (id text)'); // in the way of migration 0003
    seed.close();
    const { db, writes } = countingStore(path, 1_000);
    try {
      await expect(migrateWithRetry(db, { kind: 'sqlite', path })).rejects.toThrow(/0003-api-keys/);
      expect(writes()).toBe(1);
    } finally {
      await db.destroy();
    }
  });

  it('tries again while another process holds the write lock past the busy timeout, then migrates', async () => {
    const path = join(tempDir(), 'vigil.db');
    const holder = new Database(path);
    holder.exec('begin immediate');
    const { db, writes } = countingStore(path, 20);
    try {
      const migrating = migrateWithRetry(db, { kind: 'sqlite', path });
      // Let the first attempt time out on the lock, then let go of it.
      while (writes() === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      holder.exec('rollback');
      const applied = await migrating;
      expect(applied).toContain('0001-initial');
      expect(writes()).toBeGreaterThan(1);
    } finally {
      if (holder.inTransaction) holder.exec('rollback');
      holder.close();
      await db.destroy();
    }
  });
});
