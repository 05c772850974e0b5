import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Migrator, type Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isUuid } from '../../src/domain/ids.js';
import { createApiKey, listApiKeys, revokeApiKey, verifyApiKey } from '../../src/store/api-keys-repo.js';
import { openStore, type StoreDb } from '../../src/store/database.js';
import * as initial from '../../src/store/migrations/0001-initial.js';
import * as daemon from '../../src/store/migrations/0002-daemon.js';
import * as apiKeys from '../../src/store/migrations/0003-api-keys.js';
import * as measurementPages from '../../src/store/migrations/0004-measurement-pages.js';
import * as slotClaims from '../../src/store/migrations/0005-slot-claims.js';
import { describeWithDatabase, freshPostgresDatabase } from '../helpers/databases.js';
import { tempDir } from '../helpers/temp.js';

/** API keys on a real store: only a hash kept, checked in constant time, revocable, last use noted once a minute. */

const T0 = new Date('2026-12-01T09:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

function partsOf(key: string): { lookup: string; secret: string } {
  const match = /^vigil_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/.exec(key);
  if (match === null) throw new Error(`not a key: ${key}`);
  return { lookup: match[1]!, secret: match[2]! };
}

/** The same secret with its first character changed. */
function otherSecret(secret: string): string {
  return `${secret[0] === 'A' ? 'B' : 'A'}${secret.slice(1)}`;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function apiKeySuite(open: () => Promise<StoreDb>): void {
  let db: StoreDb;
  beforeEach(async () => {
    db = await open();
    await db.deleteFrom('api_keys').execute();
  });
  afterEach(async () => {
    await db.destroy();
  });

  const lastUsed = async (id: string) => (await db.selectFrom('api_keys').select('last_used_at').where('id', '=', id).executeTakeFirstOrThrow()).last_used_at;

  it('creates a key that verifies as its own principal', async () => {
    const ci = await createApiKey(db, { name: 'ci', role: 'editor' }, T0);
    const dash = await createApiKey(db, { name: 'dashboard', role: 'viewer' }, at(1000));
    expect(ci.key).toMatch(/^vigil_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(isUuid(ci.id)).toBe(true);
    expect(ci).toMatchObject({ name: 'ci', role: 'editor', createdAt: '2026-12-01T09:00:00.000Z' });
    expect(dash.key).not.toBe(ci.key);
    expect(partsOf(dash.key).lookup).not.toBe(partsOf(ci.key).lookup);
    expect(await verifyApiKey(db, ci.key, at(2000))).toEqual({ keyId: ci.id, name: 'ci', role: 'editor' });
    expect(await verifyApiKey(db, dash.key, at(2000))).toEqual({ keyId: dash.id, name: 'dashboard', role: 'viewer' });
  });

  it('stores only the hash of the secret: neither the key nor its secret is anywhere in the table', async () => {
    const created = await createApiKey(db, { name: 'ci', role: 'admin' }, T0);
    const { lookup, secret } = partsOf(created.key);
    const rows = await db.selectFrom('api_keys').selectAll().execute();
    expect(rows).toEqual([
      { id: created.id, name: 'ci', role: 'admin', lookup, secret_hash: sha256Hex(secret), created_at: T0.toISOString(), last_used_at: null, revoked_at: null },
    ]);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(secret.slice(0, 16));
    expect(stored).not.toContain(created.key);
  });

  it('refuses a wrong secret, a wrong lookup, a malformed key, a corrupt hash and a revoked key, with null and no throw', async () => {
    const ci = await createApiKey(db, { name: 'ci', role: 'editor' }, T0);
    const other = await createApiKey(db, { name: 'other', role: 'admin' }, T0);
    const { lookup, secret } = partsOf(ci.key);
    expect(await verifyApiKey(db, ci.key, T0)).not.toBeNull();

    // A wrong secret: one character off, or another key's secret.
    expect(await verifyApiKey(db, `vigil_${lookup}_${otherSecret(secret)}`, T0)).toBeNull();
    expect(await verifyApiKey(db, `vigil_${lookup}_${partsOf(other.key).secret}`, T0)).toBeNull();
    // A wrong lookup: unknown, or another key's.
    expect(await verifyApiKey(db, `vigil_${randomBytes(6).toString('hex')}_${secret}`, T0)).toBeNull();
    expect(await verifyApiKey(db, `vigil_${partsOf(other.key).lookup}_${secret}`, T0)).toBeNull();
    // Malformed.
    const malformed = [
      '',
      'vigil',
      'vigil__',
      `vigil_${lookup}_`,
      `vigil_${lookup}_${secret}=`,
      `vigil_${lookup}_${secret.slice(1)}`,
      `vigil_${lookup.toUpperCase()}_${secret}`,
      `vigil_${lookup.slice(1)}_${secret}`,
      `Bearer ${ci.key}`,
      ` ${ci.key}`,
      `${ci.key}\n`,
      `VIGIL_${lookup}_${secret}`,
      `vigil-${lookup}-${secret}`,
      `${ci.key}${ci.key}`,
      `vigil_${lookup}_${secret.slice(0, -1)}é`,
    ];
    for (const presented of malformed) expect(await verifyApiKey(db, presented, T0), JSON.stringify(presented)).toBeNull();
    expect(await verifyApiKey(db, undefined as unknown as string, T0)).toBeNull();

    // A stored hash that is not 32 bytes of hex never matches (nor throws).
    await db.updateTable('api_keys').set({ secret_hash: 'zz' }).where('id', '=', other.id).execute();
    expect(await verifyApiKey(db, other.key, T0)).toBeNull();

    await revokeApiKey(db, ci.id, at(1000));
    expect(await verifyApiKey(db, ci.key, at(120_000))).toBeNull();
    // Refused keys never count as used after the one good check above.
    expect(await lastUsed(ci.id)).toBe(T0.toISOString());
    expect(await lastUsed(other.id)).toBeNull();
  });

  it('keeps names unique among keys in use; a revoked key gives its name back', async () => {
    const first = await createApiKey(db, { name: 'ci', role: 'editor' }, T0);
    await expect(createApiKey(db, { name: 'ci', role: 'viewer' }, T0)).rejects.toMatchObject({ code: 'conflict', message: 'an API key named "ci" already exists (revoke it first)' });
    await expect(createApiKey(db, { name: ' ci ', role: 'viewer' }, T0)).rejects.toMatchObject({ code: 'conflict' });
    // The store refuses it too, whoever writes: two processes cannot both take a name.
    await expect(
      db.insertInto('api_keys').values({ id: 'x', name: 'ci', role: 'viewer', lookup: '000000000000', secret_hash: sha256Hex('x'), created_at: T0.toISOString(), last_used_at: null, revoked_at: null }).execute(),
    ).rejects.toThrow(/unique|duplicate/i);

    expect(await revokeApiKey(db, 'ci', at(1000))).toMatchObject({ id: first.id, revokedAt: at(1000).toISOString() });
    const second = await createApiKey(db, { name: 'ci', role: 'viewer' }, at(2000));
    expect(second.id).not.toBe(first.id);
    expect((await listApiKeys(db)).map((k) => [k.name, k.role, k.revokedAt])).toEqual([
      ['ci', 'editor', at(1000).toISOString()],
      ['ci', 'viewer', null],
    ]);
    // By name, the key in use is the one revoked; by id, a revoked one is refused.
    expect(await revokeApiKey(db, 'ci', at(3000))).toMatchObject({ id: second.id, revokedAt: at(3000).toISOString() });
    await expect(revokeApiKey(db, 'ci', at(4000))).rejects.toMatchObject({ code: 'conflict', message: `API key ${second.id} (ci) is already revoked` });
    await expect(revokeApiKey(db, first.id, at(4000))).rejects.toMatchObject({ code: 'conflict', message: `API key ${first.id} (ci) is already revoked` });
    await expect(revokeApiKey(db, 'nobody', at(4000))).rejects.toMatchObject({ code: 'not_found', message: 'no API key has the id or name "nobody"' });
    expect((await db.selectFrom('api_keys').select('revoked_at').where('id', '=', first.id).executeTakeFirstOrThrow()).revoked_at).toBe(at(1000).toISOString());
  });

  it('revokes by name the key in use, even when a replacement was made on a clock running behind', async () => {
    const first = await createApiKey(db, { name: 'ci', role: 'editor' }, T0);
    await revokeApiKey(db, first.id, at(1000));
    const second = await createApiKey(db, { name: 'ci', role: 'editor' }, at(-60_000));
    expect(await revokeApiKey(db, 'ci', at(2000))).toMatchObject({ id: second.id, name: 'ci' });
    expect(await verifyApiKey(db, second.key, at(3000))).toBeNull();
  });

  it('refuses an empty name and an unknown role as invalid arguments, storing nothing', async () => {
    await expect(createApiKey(db, { name: '', role: 'admin' }, T0)).rejects.toMatchObject({ code: 'invalid_argument', message: 'an API key needs a name' });
    await expect(createApiKey(db, { name: '   ', role: 'admin' }, T0)).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(createApiKey(db, { name: 'ci', role: 'root' }, T0)).rejects.toMatchObject({ code: 'invalid_argument', message: 'unknown role "root": expected one of admin, editor, viewer' });
    await expect(createApiKey(db, { name: 'ci', role: 'Admin' }, T0)).rejects.toMatchObject({ code: 'invalid_argument' });
    expect(await listApiKeys(db)).toEqual([]);
  });

  it('notes a key as used at most once a minute', async () => {
    const ci = await createApiKey(db, { name: 'ci', role: 'viewer' }, T0);
    const idle = await createApiKey(db, { name: 'idle', role: 'viewer' }, T0);
    expect(await lastUsed(ci.id)).toBeNull();
    await verifyApiKey(db, ci.key, at(5_000));
    expect(await lastUsed(ci.id)).toBe(at(5_000).toISOString());
    expect(await verifyApiKey(db, ci.key, at(35_000))).not.toBeNull();
    expect(await lastUsed(ci.id)).toBe(at(5_000).toISOString());
    await verifyApiKey(db, ci.key, at(64_999));
    expect(await lastUsed(ci.id)).toBe(at(5_000).toISOString());
    await verifyApiKey(db, ci.key, at(65_000));
    expect(await lastUsed(ci.id)).toBe(at(65_000).toISOString());
    await verifyApiKey(db, ci.key, at(90_000));
    expect(await lastUsed(ci.id)).toBe(at(65_000).toISOString());
    expect(await lastUsed(idle.id)).toBeNull();
  });

  it('lists every key, revoked ones too, without hash or lookup', async () => {
    const ci = await createApiKey(db, { name: 'ci', role: 'editor' }, T0);
    const dash = await createApiKey(db, { name: 'dashboard', role: 'viewer' }, at(1000));
    await verifyApiKey(db, dash.key, at(2000));
    await revokeApiKey(db, ci.id, at(3000));
    const listed = await listApiKeys(db);
    expect(listed).toEqual([
      { id: ci.id, name: 'ci', role: 'editor', createdAt: T0.toISOString(), lastUsedAt: null, revokedAt: at(3000).toISOString() },
      { id: dash.id, name: 'dashboard', role: 'viewer', createdAt: at(1000).toISOString(), lastUsedAt: at(2000).toISOString(), revokedAt: null },
    ]);
    const text = JSON.stringify(listed);
    for (const key of [ci.key, dash.key]) {
      expect(text).not.toContain(partsOf(key).lookup);
      expect(text).not.toContain(sha256Hex(partsOf(key).secret));
    }
  });
}

describe('api keys on a SQLite store', () => {
  const dir = tempDir();
  apiKeySuite(() => openStore({ kind: 'sqlite', path: join(dir, 'vigil.db') }));

  it('migrates down (the table goes) and up again', async () => {
    const db = await openStore({ kind: 'sqlite', path: join(dir, 'down.db') });
    try {
      const migrations = { '0001-initial': initial, '0002-daemon': daemon, '0003-api-keys': apiKeys, '0004-measurement-pages': measurementPages, '0005-slot-claims': slotClaims };
      const migrator = new Migrator({ db: db as unknown as Kysely<unknown>, provider: { getMigrations: async () => migrations } });
      const tables = async () => (await db.introspection.getTables()).map((t) => t.name);
      expect(await tables()).toContain('api_keys');
      const down = await migrator.migrateTo('0002-daemon');
      expect(down.error).toBeUndefined();
      expect(down.results?.map((r) => [r.migrationName, r.direction, r.status])).toEqual([
        ['0005-slot-claims', 'Down', 'Success'],
        ['0004-measurement-pages', 'Down', 'Success'],
        ['0003-api-keys', 'Down', 'Success'],
      ]);
      expect(await tables()).not.toContain('api_keys');
      expect(await tables()).toContain('outbox');
      const up = await migrator.migrateToLatest();
      expect(up.results?.map((r) => [r.migrationName, r.status])).toEqual([['0003-api-keys', 'Success'], ['0004-measurement-pages', 'Success'], ['0005-slot-claims', 'Success']]);
      const created = await createApiKey(db, { name: 'ci', role: 'admin' }, T0);
      expect(await verifyApiKey(db, created.key, T0)).toMatchObject({ keyId: created.id });
    } finally {
      await db.destroy();
    }
  });
});

describeWithDatabase('TEST_PG_URL', 'api keys on a Postgres store', (url) => {
  const storeUrl = freshPostgresDatabase(url, 'vigil_keys');

  apiKeySuite(() => openStore({ kind: 'postgres', url: storeUrl() }));
});
