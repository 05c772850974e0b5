import { integrationId as integrationIdOf, targetId as targetIdOf } from '../domain/ids.js';
import type { Monitor } from '../domain/monitor.js';
import { scheduleFrequencyHours } from '../scheduler/cron-frequency.js';
import type { StoreDb } from './database.js';
import { definitionColumns } from './monitor-rows.js';
import type { IntegrationTable, TargetTable } from './schema.js';

/** Monitors made through the API: created, changed and deleted here (YAML ones are the config's). */

export interface KnownTarget {
  target: TargetTable;
  integration: IntegrationTable;
}

export async function findTarget(db: StoreDb, id: string): Promise<KnownTarget | undefined> {
  const target = await db.selectFrom('targets').selectAll().where('id', '=', id).executeTakeFirst();
  if (target === undefined) return undefined;
  const integration = await db.selectFrom('integrations').selectAll().where('id', '=', target.integration_id).executeTakeFirst();
  return integration === undefined ? undefined : { target, integration };
}

/** The target of a table or column of a configured warehouse, made if Vigil did not know it yet. */
export async function ensureTarget(db: StoreDb, warehouse: string, table: readonly string[] | null, column: string | null, at: Date): Promise<KnownTarget | undefined> {
  const integration = await db.selectFrom('integrations').selectAll().where('id', '=', integrationIdOf(warehouse)).executeTakeFirst();
  if (integration === undefined) return undefined;
  const id = targetIdOf(integration.id, table, column);
  const now = at.toISOString();
  await db
    .insertInto('targets')
    .values({
      id,
      integration_id: integration.id,
      entity_type: column !== null ? 'column' : table !== null ? 'table' : 'integration',
      table_path: table === null ? null : JSON.stringify(table),
      column_name: column,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  return findTarget(db, id);
}

export async function monitorNamed(db: StoreDb, name: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('monitors').select('id').where('name', '=', name).executeTakeFirst();
}

export async function monitorSource(db: StoreDb, id: string): Promise<string | undefined> {
  return (await db.selectFrom('monitors').select('source').where('id', '=', id).executeTakeFirst())?.source;
}

export async function insertApiMonitor(db: StoreDb, monitor: Monitor, at: Date): Promise<void> {
  const now = at.toISOString();
  await db
    .insertInto('monitors')
    .values({ id: monitor.id, ...definitionColumns(monitor, scheduleFrequencyHours(monitor.schedule)), status: 'pending', last_error_message: '', created_at: now, updated_at: now })
    .execute();
}

/** A new definition; a new schedule gets a new first run from the scheduler. */
export async function updateApiMonitor(db: StoreDb, monitor: Monitor, scheduleChanged: boolean, at: Date): Promise<void> {
  await db
    .updateTable('monitors')
    .set({ ...definitionColumns(monitor, scheduleFrequencyHours(monitor.schedule)), ...(scheduleChanged ? { next_run_at: null } : {}), updated_at: at.toISOString() })
    .where('id', '=', monitor.id)
    .execute();
}

/** Deletes a monitor with its measurements and incidents (the store cascades). */
export async function deleteMonitor(db: StoreDb, id: string): Promise<boolean> {
  const result = await db.deleteFrom('monitors').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
