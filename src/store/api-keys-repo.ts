import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { API_ROLES, isApiRole, type ApiPrincipal, type ApiRole } from '../domain/api-key.js';
import { VigilError } from '../domain/errors.js';
import type { StoreDb } from './database.js';

/**
 * API keys: `vigil_<lookup>_<secret>`, with a lookup of 12 hex chars that finds the row and
 * a secret of 32 random bytes (base64url, 43 chars) of which only the sha256 is stored.
 * The key is shown once, when it is made; a lost key is revoked and made again.
 */

const KEY_PATTERN = /^vigil_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

/** A busy API would write on every request: the time a key was last used moves once a minute at most. */
const NOTE_USE_EVERY_MS = 60_000;

export interface CreatedApiKey {
  /** The whole key: shown to the person once, never stored. */
  key: string;
  id: string;
  name: string;
  role: ApiRole;
  createdAt: string;
}

/** A key as listed: everything but its hash. */
export interface ApiKeyInfo {
  id: string;
  name: string;
  role: ApiRole;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const INFO_COLUMNS = ['id', 'name', 'role', 'created_at', 'last_used_at', 'revoked_at'] as const;

interface InfoRow {
  id: string;
  name: string;
  role: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

function infoOf(row: InfoRow): ApiKeyInfo {
  return { id: row.id, name: row.name, role: row.role as ApiRole, createdAt: row.created_at, lastUsedAt: row.last_used_at, revokedAt: row.revoked_at };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** A unique index refused the row (SQLite or Postgres). */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

async function activeKeyNamed(db: StoreDb, name: string): Promise<boolean> {
  const row = await db.selectFrom('api_keys').select('id').where('name', '=', name).where('revoked_at', 'is', null).executeTakeFirst();
  return row !== undefined;
}

/**
 * Makes a key named `name` (unique among keys not revoked) with `role`, checked here since
 * it may come from the command line. Returns the whole key, which is stored only as a hash.
 */
export async function createApiKey(db: StoreDb, request: { name: string; role: string }, at: Date): Promise<CreatedApiKey> {
  const name = request.name.trim();
  if (name === '') throw new VigilError('invalid_argument', 'an API key needs a name');
  const role = request.role;
  if (!isApiRole(role)) throw new VigilError('invalid_argument', `unknown role ${JSON.stringify(role)}: expected one of ${API_ROLES.join(', ')}`);
  const createdAt = at.toISOString();
  for (let attempt = 1; ; attempt++) {
    if (await activeKeyNamed(db, name)) throw new VigilError('conflict', `an API key named ${JSON.stringify(name)} already exists (revoke it first)`);
    const id = uuidv7();
    const lookup = randomBytes(6).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    try {
      await db
        .insertInto('api_keys')
        .values({ id, name, role, lookup, secret_hash: sha256(secret).toString('hex'), created_at: createdAt, last_used_at: null, revoked_at: null })
        .execute();
      return { key: `vigil_${lookup}_${secret}`, id, name, role, createdAt };
    } catch (error) {
      // Another process took the name meanwhile (the check above says so next time round),
      // or, once in 2^48, the lookup is taken: a new key is drawn.
      if (!isUniqueViolation(error) || attempt >= 3) throw error;
    }
  }
}

/** Every key, revoked ones too, oldest first; never the hash. */
export async function listApiKeys(db: StoreDb): Promise<ApiKeyInfo[]> {
  const rows = await db.selectFrom('api_keys').select(INFO_COLUMNS).orderBy('created_at').orderBy('id').execute();
  return rows.map(infoOf);
}

/**
 * Revokes the key with this id, or else the key in use with this name. Revoked keys stay
 * listed; their name may be given to a new key.
 */
export async function revokeApiKey(db: StoreDb, idOrName: string, at: Date): Promise<ApiKeyInfo> {
  const wanted = idOrName.trim();
  const rows = await db
    .selectFrom('api_keys')
    .select(INFO_COLUMNS)
    .where((eb) => eb.or([eb('id', '=', wanted), eb('name', '=', wanted)]))
    .orderBy('created_at', 'desc')
    .execute();
  const named = rows.filter((r) => r.name === wanted);
  const row = rows.find((r) => r.id === wanted) ?? named.find((r) => r.revoked_at === null) ?? named[0];
  if (row === undefined) throw new VigilError('not_found', `no API key has the id or name ${JSON.stringify(wanted)}`);
  const already = () => new VigilError('conflict', `API key ${row.id} (${row.name}) is already revoked`);
  if (row.revoked_at !== null) throw already();
  const now = at.toISOString();
  const result = await db.updateTable('api_keys').set({ revoked_at: now }).where('id', '=', row.id).where('revoked_at', 'is', null).executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw already();
  return { ...infoOf(row), revokedAt: now };
}

/**
 * Compares in constant time. With no stored hash (an unknown lookup) or a malformed one,
 * the presented hash is still compared, against zeros, and the answer is no.
 */
function sameHash(presented: Buffer, storedHex: string | undefined): boolean {
  const stored = Buffer.from(storedHex ?? '', 'hex');
  const usable = storedHex !== undefined && stored.length === presented.length;
  const equal = timingSafeEqual(presented, usable ? stored : Buffer.alloc(presented.length));
  return usable && equal;
}

/** Sets last_used_at, unless it was set less than a minute before `at` (by any process). */
async function noteUse(db: StoreDb, id: string, lastUsedAt: string | null, at: Date): Promise<void> {
  const cutoff = new Date(at.getTime() - NOTE_USE_EVERY_MS).toISOString();
  if (lastUsedAt !== null && lastUsedAt > cutoff) return;
  await db
    .updateTable('api_keys')
    .set({ last_used_at: at.toISOString() })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', cutoff)]))
    .execute();
}

/**
 * Who presents this key (the token of `Authorization: Bearer <key>`), or null for anything
 * malformed, unknown, wrong or revoked: it never throws on what a caller sent.
 */
export async function verifyApiKey(db: StoreDb, presented: string, at: Date): Promise<ApiPrincipal | null> {
  const parsed = typeof presented === 'string' ? KEY_PATTERN.exec(presented) : null;
  if (parsed === null) return null;
  const lookup = parsed[1]!;
  const secret = parsed[2]!;
  const row = await db
    .selectFrom('api_keys')
    .select(['id', 'name', 'role', 'secret_hash', 'last_used_at', 'revoked_at'])
    .where('lookup', '=', lookup)
    .executeTakeFirst();
  if (!sameHash(sha256(secret), row?.secret_hash)) return null;
  if (row === undefined || row.revoked_at !== null || !isApiRole(row.role)) return null;
  await noteUse(db, row.id, row.last_used_at, at);
  return { keyId: row.id, name: row.name, role: row.role };
}
