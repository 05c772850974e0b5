import { VigilError } from '../domain/errors.js';
import type { Actor, Incident } from '../domain/incident.js';
import type { Monitor } from '../domain/monitor.js';
import { isRefusal, reduceIncident, type IncidentEvent } from '../incidents/reducer.js';
import type { StoreDb } from './database.js';
import { applyTransition, type NotifyTargets, type StoreTrx } from './incident-effects.js';
import { incidentFromRow } from './incident-rows.js';
import { listMonitors } from './monitors-repo.js';

/**
 * What people do to incidents: acknowledge, resolve, and mark a measurement normal. Each
 * reads, reduces and stores its transition (state, actions, notifications) in one transaction.
 */

async function monitorOf(db: StoreDb, id: string): Promise<Monitor> {
  const [monitor] = await listMonitors(db, { ids: [id] });
  if (monitor === undefined) throw new VigilError('not_found', `monitor ${id} does not exist`);
  return monitor;
}

async function incidentIn(trx: StoreTrx, id: string): Promise<Incident | null> {
  const row = await trx.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? null : incidentFromRow(row);
}

/** When a person closes the incident, the monitor is no longer in incident. */
async function settleMonitor(trx: StoreTrx, incident: Incident, now: string): Promise<void> {
  if (incident.status !== 'resolved') return;
  await trx.updateTable('monitors').set({ status: 'normal' }).where('id', '=', incident.monitorId).where('status', '=', 'incident').execute();
}

async function act(db: StoreDb, incidentId: string, targets: NotifyTargets, at: Date, event: (incident: Incident) => IncidentEvent): Promise<Incident> {
  const now = at.toISOString();
  const monitorId = (await db.selectFrom('incidents').select('monitor_id').where('id', '=', incidentId).executeTakeFirst())?.monitor_id;
  if (monitorId === undefined) throw new VigilError('not_found', `incident ${incidentId} does not exist`);
  const monitor = await monitorOf(db, monitorId);
  return db.transaction().execute(async (trx) => {
    const incident = await incidentIn(trx, incidentId);
    if (incident === null) throw new VigilError('not_found', `incident ${incidentId} does not exist`);
    const transition = reduceIncident(incident, event(incident));
    if (isRefusal(transition)) throw new VigilError('conflict', `incident ${incidentId}: ${transition.refused}`);
    const measurement = null;
    await applyTransition(trx, incident, transition, { monitor, now, measurement, targets });
    await settleMonitor(trx, transition.incident!, now);
    return transition.incident!;
  });
}

export function acknowledgeIncident(db: StoreDb, incidentId: string, actor: Actor, at: Date, targets: NotifyTargets): Promise<Incident> {
  return act(db, incidentId, targets, at, () => ({ type: 'acknowledge', at: at.toISOString(), actor }));
}

export function resolveIncident(db: StoreDb, incidentId: string, actor: Actor, at: Date, targets: NotifyTargets): Promise<Incident> {
  return act(db, incidentId, targets, at, () => ({ type: 'resolve', at: at.toISOString(), actor }));
}

/**
 * A person says a measurement was fine: it trains the detector from now on, and the
 * incident it belongs to resolves if no other out-of-range measurement keeps it open.
 * Returns the incident after it, or null when the measurement belonged to none.
 */
export async function markMeasurementNormal(db: StoreDb, measurementId: string, actor: Actor, at: Date, targets: NotifyTargets): Promise<Incident | null> {
  const now = at.toISOString();
  const found = await db.selectFrom('measurements').select(['monitor_id', 'incident_id']).where('id', '=', measurementId).executeTakeFirst();
  if (found === undefined) throw new VigilError('not_found', `measurement ${measurementId} does not exist`);
  const monitor = await monitorOf(db, found.monitor_id);
  return db.transaction().execute(async (trx) => {
    await trx.updateTable('measurements').set({ marked_normal: 1, updated_at: now }).where('id', '=', measurementId).execute();
    if (found.incident_id === null) return null;
    const incident = await incidentIn(trx, found.incident_id);
    if (incident === null) return null;
    const others = await trx
      .selectFrom('measurements')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('incident_id', '=', incident.id)
      .where('is_anomaly', '=', 1)
      .where('marked_normal', '=', 0)
      .where('id', '<>', measurementId)
      .executeTakeFirstOrThrow();
    const transition = reduceIncident(incident, { type: 'mark_normal', at: now, actor, measurementId, othersOutOfRange: Number(others.n) });
    if (isRefusal(transition)) throw new VigilError('conflict', `measurement ${measurementId}: ${transition.refused}`);
    await applyTransition(trx, incident, transition, { monitor, now, measurement: null, targets });
    await settleMonitor(trx, transition.incident!, now);
    return transition.incident;
  });
}
