import { sql, type RawBuilder } from 'kysely';
import type { VigilConfig } from '../config/types.js';
import type { Clock } from '../domain/clock.js';
import { integrationId } from '../domain/ids.js';
import { scheduleFrequencyHours } from '../scheduler/cron-frequency.js';
import type { StoreDb } from './database.js';
import { definitionColumns } from './monitor-rows.js';

/** On conflict, take these columns from the row that was being inserted. */
function fromExcluded(columns: readonly string[]): Record<string, RawBuilder<unknown>> {
  return Object.fromEntries(columns.map((column) => [column, sql.ref(`excluded.${column}`)]));
}

/** Rows a statement at most: well under SQLite's and Postgres' bound-parameter limits. */
const CHUNK = 500;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Writes the config's warehouses and monitors into the store, in one transaction. Ids are
 * stable, so a monitor keeps its history across restarts and edits. A YAML monitor that
 * left the config is disabled, not deleted: its history stays, and it comes back with
 * the same id if it returns.
 */
export async function syncConfig(db: StoreDb, config: VigilConfig, clock: Clock): Promise<void> {
  const now = clock.now().toISOString();
  const frequencies = config.monitors.map((m) => scheduleFrequencyHours(m.schedule));

  await db.transaction().execute(async (trx) => {
    for (const warehouse of config.warehouses) {
      await trx
        .insertInto('integrations')
        .values({ id: integrationId(warehouse.name), name: warehouse.name, type: warehouse.config.type, created_at: now, updated_at: now })
        .onConflict((oc) => oc.column('id').doUpdateSet({ type: warehouse.config.type, updated_at: now }))
        .execute();
    }

    const targets = [...new Map(config.monitors.map((m) => [m.targetId, m])).entries()].map(([id, m]) => ({
      id,
      integration_id: m.integrationId,
      entity_type: m.column !== null ? 'column' : m.table !== null ? 'table' : 'integration',
      table_path: m.table === null ? null : JSON.stringify(m.table),
      column_name: m.column,
      created_at: now,
      updated_at: now,
    }));
    for (const chunk of chunks(targets)) {
      await trx.insertInto('targets').values(chunk).onConflict((oc) => oc.column('id').doNothing()).execute();
    }

    const monitors = config.monitors.map((m, i) => ({
      id: m.id,
      ...definitionColumns(m, frequencies[i] ?? null),
      status: 'pending',
      last_error_message: '',
      created_at: now,
      updated_at: now,
    }));
    for (const chunk of chunks(monitors)) {
      await trx
        .insertInto('monitors')
        .values(chunk)
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({
            ...fromExcluded(Object.keys(definitionColumns(config.monitors[0]!, null))),
            // A new schedule gets a new first run from the scheduler; the same one keeps its place.
            next_run_at: sql<string | null>`case when monitors.schedule = excluded.schedule then monitors.next_run_at else null end`,
            updated_at: now,
          }),
        )
        .execute();
    }

    const kept = new Set(config.monitors.map((m) => m.id));
    const enabled = await trx.selectFrom('monitors').select('id').where('source', '=', 'yaml').where('is_enabled', '=', 1).execute();
    const orphans = enabled.map((row) => row.id).filter((id) => !kept.has(id));
    for (const chunk of chunks(orphans)) {
      await trx.updateTable('monitors').set({ is_enabled: 0, updated_at: now }).where('id', 'in', chunk).execute();
    }
  });
}
