import { sql, type Kysely } from 'kysely';

/**
 * API keys for the REST API. A key is `vigil_<lookup>_<secret>`: the lookup finds the row,
 * and only the secret's sha256 is kept, so the store never holds a usable key.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    // 'admin' | 'editor' | 'viewer'
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('lookup', 'text', (c) => c.notNull().unique())
    // Hex sha256 of the key's secret part.
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
  // A name names one key in use; revoked keys keep theirs, so a name can be used again.
  await db.schema
    .createIndex('api_keys_active_name')
    .on('api_keys')
    .column('name')
    .unique()
    .where(sql.ref('revoked_at'), 'is', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('api_keys_active_name').execute();
  await db.schema.dropTable('api_keys').execute();
}
