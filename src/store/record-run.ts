import { PostgresAdapter } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { isOpen } from '../domain/incident.js';
import type { MeasurementStatus } from '../domain/measurement.js';
import type { Monitor, MonitorStatus } from '../domain/monitor.js';
import { buildNotification } from '../incidents/notification.js';
import { isRefusal, reduceIncident } from '../incidents/reducer.js';
import type { StoreDb } from './database.js';
import { applyTransition, enqueue, type NotifyTargets, type StoreTrx } from './incident-effects.js';
import { incidentFromRow } from './incident-rows.js';

/** Which scheduled slot a run was for, and when the monitor runs next; both null for runs by hand. */
export interface RunSlot {
  scheduledFor: string | null;
  nextRunAt: string | null;
}

export type RunOutcome =
  | { ok: true; value: number | null; lower: number | null; upper: number | null; verdict: MeasurementStatus }
  /** `notify: false`: no error notification (the warehouse being down was announced by another monitor). */
  | { ok: false; message: string; notify?: boolean };

export interface RecordedRun {
  status: MonitorStatus;
  measurementId: string | null;
  incidentId: string | null;
  /** The slot already had its measurement (stored before a crash, or by another process): nothing was written. */
  duplicate: boolean;
}

async function slotTaken(trx: StoreTrx, monitorId: string, slot: RunSlot): Promise<boolean> {
  if (slot.scheduledFor === null) return false;
  const row = await trx
    .selectFrom('measurements')
    .select('id')
    .where('monitor_id', '=', monitorId)
    .where('scheduled_for', '=', slot.scheduledFor)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Stores one run of a monitor in one transaction: the measurement, the incident transition
 * it causes (with actions and outbox rows), and the monitor's new status and next run. A
 * crash at any point leaves either all of it or none of it.
 */
export async function recordRun(db: StoreDb, monitor: Monitor, outcome: RunOutcome, at: Date, slot: RunSlot, targets: NotifyTargets): Promise<RecordedRun> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await storeRun(db, monitor, outcome, at, slot, targets);
    } catch (error) {
      // Another process stored the same slot between our check and our insert.
      if (slot.scheduledFor !== null && isConflict(error, 'measurements_one_per_slot', 'measurements.scheduled_for')) {
        return { status: 'normal', measurementId: null, incidentId: null, duplicate: true };
      }
      // Another process opened this monitor's incident meanwhile: again, and this run joins it.
      if (attempt < 3 && isConflict(error, 'incidents_one_open_per_monitor', 'incidents.monitor_id')) continue;
      throw error;
    }
  }
}

function isPostgres(trx: StoreTrx): boolean {
  return trx.getExecutor().adapter instanceof PostgresAdapter;
}

/** A unique index refused a row: by its name on Postgres, by its columns in SQLite's message. */
function isConflict(error: unknown, index: string, sqliteColumn: string): boolean {
  const e = error as { code?: unknown; constraint?: unknown; message?: unknown };
  if (e.code === '23505') return e.constraint === index;
  return e.code === 'SQLITE_CONSTRAINT_UNIQUE' && String(e.message).includes(sqliteColumn);
}

async function storeRun(db: StoreDb, monitor: Monitor, outcome: RunOutcome, at: Date, slot: RunSlot, targets: NotifyTargets): Promise<RecordedRun> {
  const now = at.toISOString();
  return db.transaction().execute(async (trx) => {
    // Runs of one monitor are stored one at a time across processes: on Postgres the
    // monitor's row is locked first (SQLite has one writer at a time anyway), so a second
    // process sees the first one's slot, status and incident, and notifies nothing twice.
    const select = trx.selectFrom('monitors').select(['status', 'next_run_at']).where('id', '=', monitor.id);
    const before = await (isPostgres(trx) ? select.forUpdate() : select).executeTakeFirst();
    if (await slotTaken(trx, monitor.id, slot)) return { status: 'normal', measurementId: null, incidentId: null, duplicate: true };
    // Only the slot that was due moves the schedule on; a run by hand leaves it as it is.
    // A run leaves updated_at alone: it dates the monitor's definition (the scheduler reloads when it moves).
    const next = slot.nextRunAt === null ? {} : { next_run_at: slot.nextRunAt };

    if (!outcome.ok) {
      await trx
        .updateTable('monitors')
        .set({ status: 'error', last_attempted_at: now, last_error_at: now, last_error_message: outcome.message, ...next })
        .where('id', '=', monitor.id)
        .execute();
      if (before !== undefined && before.status !== 'error' && outcome.notify !== false) {
        await enqueue(trx, targets, (id) =>
          buildNotification({ id, event: 'monitor_error', at: now, monitor, incident: null, measurement: null, error: outcome.message, publicUrl: targets.publicUrl }),
        );
      }
      return { status: 'error', measurementId: null, incidentId: null, duplicate: false };
    }

    const measurementId = uuidv7();
    const openRow = await trx.selectFrom('incidents').selectAll().where('monitor_id', '=', monitor.id).where('status', '<>', 'resolved').executeTakeFirst();
    const open = openRow === undefined ? null : incidentFromRow(openRow);
    const transition = reduceIncident(open, {
      type: 'measured',
      at: now,
      monitorId: monitor.id,
      measurementId,
      value: outcome.value,
      verdict: outcome.verdict,
      newIncidentId: uuidv7(),
    });
    if (isRefusal(transition)) throw new Error(`incident reducer refused a measurement: ${transition.refused}`);
    const incident = transition.incident;
    const linked = transition.effects.some((e) => e.type === 'link_measurement');
    const measurement = { value: outcome.value, lower: outcome.lower, upper: outcome.upper };

    // The measurement first: a slot another process stored already fails here, before anything else.
    await trx
      .insertInto('measurements')
      .values({
        id: measurementId,
        monitor_id: monitor.id,
        value: outcome.value,
        lower_threshold: outcome.lower,
        upper_threshold: outcome.upper,
        status: outcome.verdict,
        is_anomaly: outcome.verdict === 'anomaly' ? 1 : 0,
        marked_normal: 0,
        incident_id: linked && incident !== null ? incident.id : null,
        incident_metadata: null,
        scheduled_for: slot.scheduledFor,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await applyTransition(trx, open, transition, { monitor, now, measurement, targets });
    // While an incident is open the monitor is in incident, even on a good run.
    const status: MonitorStatus = isOpen(incident) ? 'incident' : outcome.verdict === 'learning' ? 'learning' : 'normal';
    await trx
      .updateTable('monitors')
      .set({
        status,
        last_attempted_at: now,
        last_success_at: now,
        last_measurement: measurementId,
        last_measurement_value: outcome.value,
        ...(incident !== null && transition.changed ? { last_incident: incident.id } : {}),
        ...next,
      })
      .where('id', '=', monitor.id)
      .execute();
    return { status, measurementId, incidentId: isOpen(incident) ? incident.id : null, duplicate: false };
  });
}
