import type { Monitor } from '../domain/monitor.js';
import type { StoreDb } from './database.js';
import { monitorFromRow, type MonitorJoinRow } from './monitor-rows.js';

export interface ScheduledMonitor {
  monitor: Monitor;
  /** ISO time of the next scheduled run; null when it has never been set. */
  nextRunAt: string | null;
}

/** Every enabled monitor with its next run, as the scheduler keeps them. */
export async function loadScheduled(db: StoreDb): Promise<ScheduledMonitor[]> {
  const rows = (await db
    .selectFrom('monitors')
    .innerJoin('targets', 'targets.id', 'monitors.target_id')
    .innerJoin('integrations', 'integrations.id', 'monitors.integration_id')
    .selectAll('monitors')
    .select(['integrations.name as warehouse', 'targets.table_path', 'targets.column_name'])
    .where('monitors.is_enabled', '=', 1)
    .execute()) as MonitorJoinRow[];
  return rows.map((row) => ({ monitor: monitorFromRow(row), nextRunAt: row.next_run_at }));
}

/** Sets the first next run of monitors that have none (new, or whose schedule changed). */
export async function setFirstRuns(db: StoreDb, runs: ReadonlyArray<{ id: string; nextRunAt: string }>): Promise<void> {
  if (runs.length === 0) return;
  await db.transaction().execute(async (trx) => {
    for (const run of runs) {
      await trx.updateTable('monitors').set({ next_run_at: run.nextRunAt }).where('id', '=', run.id).where('next_run_at', 'is', null).execute();
    }
  });
}

/**
 * A fingerprint of the enabled monitors' definitions: it changes when one is added, removed,
 * enabled, disabled or edited (updated_at moves), not when one runs.
 */
export async function definitionsVersion(db: StoreDb): Promise<string> {
  const row = await db
    .selectFrom('monitors')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('updated_at').as('latest')])
    .where('is_enabled', '=', 1)
    .executeTakeFirstOrThrow();
  return `${Number(row.n)}|${row.latest ?? ''}`;
}
