import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect, sql, type SqliteDatabase, type SqliteStatement } from 'kysely';
import type { StoreLocation } from '../config/types.js';
import { VigilError, messageOf } from '../domain/errors.js';
import { hasPendingMigrations, migrateToLatest } from './migrate.js';
import type { StoreSchema } from './schema.js';

export type StoreDb = Kysely<StoreSchema>;

/** Prepared statements kept, at most: the store's queries are a few dozen shapes. */
const STATEMENT_CACHE = 256;

/**
 * The connection as kysely sees it, with its prepared statements kept by SQL text: kysely
 * prepares every query again, which costs more than running most of them. kysely runs one
 * query at a time on the connection, so a statement is never used by two at once.
 */
export function withStatementCache(database: SqliteDatabase): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(sql: string): SqliteStatement {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = database.prepare(sql);
        if (statements.size >= STATEMENT_CACHE) statements.delete(statements.keys().next().value!);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

async function sqliteDialect(path: string): Promise<SqliteDialect> {
  const { default: Database } = await import('better-sqlite3');
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new Database(path, { timeout: 10_000 });
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  return new SqliteDialect({ database: withStatementCache(database) });
}

async function postgresDialect(url: string): Promise<PostgresDialect> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    application_name: 'vigil-store',
    options: '-c TimeZone=UTC -c statement_timeout=60000',
    // A store that does not answer fails the command instead of hanging a cron job.
    connectionTimeoutMillis: 10_000,
    query_timeout: 65_000,
  });
  pool.on('error', () => {});
  return new PostgresDialect({ pool });
}

/**
 * Migrates a SQLite store inside one write transaction. kysely's migration lock is a no-op on
 * SQLite and it runs each migration outside any transaction, so several processes starting
 * on a new store at once could each apply part of the list; here the first takes the write
 * lock, the others wait for it (the busy timeout) and then find the work done. A migration
 * that fails leaves the schema as it was.
 */
async function migrateSqlite(db: Kysely<unknown>): Promise<string[]> {
  // An up-to-date store (every start but the first) is only read, so a busy writer does not hold up a start.
  if (!(await hasPendingMigrations(db))) return [];
  return db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection);
    try {
      const applied = await migrateToLatest(connection);
      await sql`commit`.execute(connection);
      return applied;
    } catch (error) {
      await sql`rollback`.execute(connection).catch(() => undefined);
      throw error;
    }
  });
}

/** Whether an error, or one of its causes, is SQLite's "the database is busy / locked". */
export function isSqliteBusy(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code)) return true;
  }
  return false;
}

/**
 * Migrates, trying again on SQLite when the write lock was held past the busy timeout. Any
 * other failure (a migration that fails, a store migrated by a newer Vigil) is reported at once.
 */
export async function migrateWithRetry(db: Kysely<unknown>, location: StoreLocation, attempts = 5): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await (location.kind === 'sqlite' ? migrateSqlite(db) : migrateToLatest(db));
    } catch (error) {
      if (location.kind !== 'sqlite' || attempt >= attempts || !isSqliteBusy(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt + Math.random() * 100));
    }
  }
}

/**
 * Opens the store (SQLite in WAL mode by default, or Postgres) and, unless told not to,
 * migrates it to the latest schema.
 */
export async function openStore(location: StoreLocation, options: { migrate?: boolean } = {}): Promise<StoreDb> {
  const where = location.kind === 'sqlite' ? `store sqlite:${location.path}` : 'store (postgres)';
  let db: StoreDb;
  try {
    const dialect = location.kind === 'sqlite' ? await sqliteDialect(location.path) : await postgresDialect(location.url);
    db = new Kysely<StoreSchema>({ dialect });
  } catch (error) {
    throw new VigilError('store', `${where}: cannot open: ${messageOf(error)}`, { cause: error });
  }
  if (options.migrate === false) return db;
  try {
    await migrateWithRetry(db as Kysely<unknown>, location);
  } catch (error) {
    await db.destroy();
    if (error instanceof VigilError) throw new VigilError('store', `${where}: ${error.message}`, { cause: error.cause });
    throw new VigilError('store', `${where}: ${messageOf(error)}`, { cause: error });
  }
  return db;
}
