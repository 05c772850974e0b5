import type { VigilConfig } from '../config/types.js';
import type { Clock } from '../domain/clock.js';
import { integrationId } from '../domain/ids.js';
import { cronGapHours, frequencyHours, isCronSchedule } from '../domain/schedule.js';
import type { StoreDb } from './database.js';
import { definitionColumns } from './monitor-rows.js';

/**
 * Writes the config's warehouses and monitors into the store, in one transaction. Ids are
 * stable, so a monitor keeps its history across restarts and edits. A YAML monitor that
 * left the config is disabled, not deleted: its history stays, and it comes back with
 * the same id if it returns.
 */
export async function syncConfig(db: StoreDb, config: VigilConfig, clock: Clock): Promise<void> {
  const now = clock.now().toISOString();
  const frequencies = await Promise.all(
    config.monitors.map(async (m) =>
      frequencyHours(m.schedule, isCronSchedule(m.schedule) ? await cronGapHours(m.schedule) : null),
    ),
  );

  await db.transaction().execute(async (trx) => {
    for (const warehouse of config.warehouses) {
      await trx
        .insertInto('integrations')
        .values({ id: integrationId(warehouse.name), name: warehouse.name, type: warehouse.config.type, created_at: now, updated_at: now })
        .onConflict((oc) => oc.column('id').doUpdateSet({ type: warehouse.config.type, updated_at: now }))
        .execute();
    }

    const targets = new Map(config.monitors.map((m) => [m.targetId, m]));
    for (const [id, m] of targets) {
      await trx
        .insertInto('targets')
        .values({
          id,
          integration_id: m.integrationId,
          entity_type: m.column !== null ? 'column' : m.table !== null ? 'table' : 'integration',
          table_path: m.table === null ? null : JSON.stringify(m.table),
          column_name: m.column,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    }

    for (const [index, m] of config.monitors.entries()) {
      const definition = definitionColumns(m, frequencies[index] ?? null);
      await trx
        .insertInto('monitors')
        .values({ id: m.id, ...definition, status: 'pending', last_error_message: '', created_at: now, updated_at: now })
        .onConflict((oc) => oc.column('id').doUpdateSet({ ...definition, updated_at: now }))
        .execute();
    }

    const kept = config.monitors.map((m) => m.id);
    let orphans = trx
      .updateTable('monitors')
      .set({ is_enabled: 0, updated_at: now })
      .where('source', '=', 'yaml')
      .where('is_enabled', '=', 1);
    if (kept.length > 0) orphans = orphans.where('id', 'not in', kept);
    await orphans.execute();
  });
}
