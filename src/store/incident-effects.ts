import type { Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Incident } from '../domain/incident.js';
import type { Monitor } from '../domain/monitor.js';
import type { Notification } from '../domain/notification.js';
import type { IncidentEffect, Transition } from '../incidents/reducer.js';
import { buildNotification } from '../incidents/notification.js';
import { incidentStateColumns } from './incident-rows.js';
import type { StoreSchema } from './schema.js';

export type StoreTrx = Transaction<StoreSchema>;

/** Where notifications go and how links are made; the outbox gets one row per channel. */
export interface NotifyTargets {
  channels: readonly string[];
  publicUrl: string | null;
}

/** One outbox row per channel for a notification: stored with the transition that caused it. */
export async function enqueue(trx: StoreTrx, targets: NotifyTargets, make: (id: string) => Notification): Promise<void> {
  for (const channel of targets.channels) {
    const notification = make(uuidv7());
    await trx
      .insertInto('outbox')
      .values({
        id: notification.id,
        channel,
        event: notification.event,
        monitor_id: notification.monitor.id,
        incident_id: notification.incident?.id ?? null,
        payload: JSON.stringify(notification),
        status: 'pending',
        attempts: 0,
        next_attempt_at: notification.at,
        claimed_until: null,
        last_error: null,
        sent_at: null,
        created_at: notification.at,
        updated_at: notification.at,
      })
      .execute();
  }
}

/** How a resolved incident came to be resolved, from the actions of its transition. */
function resolutionOf(effects: readonly IncidentEffect[]): 'resolved' | 'auto_resolved' | 'marked_normal' | null {
  const types = effects.flatMap((e) => (e.type === 'action' ? [e.action] : []));
  if (types.includes('marked_normal')) return 'marked_normal';
  if (types.includes('auto_resolved')) return 'auto_resolved';
  return types.includes('resolved') ? 'resolved' : null;
}

/**
 * Stores a transition: the incident row (inserted when new), its actions, and its
 * notifications in the outbox, all in the caller's transaction.
 */
export async function applyTransition(
  trx: StoreTrx,
  previous: Incident | null,
  transition: Transition,
  context: { monitor: Monitor; now: string; measurement: Notification['measurement']; targets: NotifyTargets },
): Promise<void> {
  const { incident } = transition;
  if (incident === null) return;
  const { monitor, now } = context;
  if (transition.changed) {
    if (previous === null || previous.id !== incident.id) {
      await trx
        .insertInto('incidents')
        .values({
          id: incident.id,
          monitor_id: monitor.id,
          target_id: monitor.targetId,
          name: monitor.name,
          summary: `${monitor.metricType} out of range`,
          first_seen_at: incident.firstSeenAt,
          last_notified_at: null,
          opened_by: incident.openedBy,
          created_at: now,
          ...incidentStateColumns(incident, now),
        })
        .execute();
    } else {
      await trx.updateTable('incidents').set(incidentStateColumns(incident, now)).where('id', '=', incident.id).execute();
    }
  }
  for (const effect of transition.effects) {
    if (effect.type === 'action') {
      await trx
        .insertInto('incident_actions')
        .values({ id: uuidv7(), incident_id: incident.id, type: effect.action, user_id: effect.actor.userId, user_name: effect.actor.userName, at: effect.at })
        .execute();
    } else if (effect.type === 'notify') {
      const resolution = resolutionOf(transition.effects);
      await enqueue(trx, context.targets, (id) =>
        buildNotification({ id, event: effect.event, at: now, monitor, incident, resolution, measurement: context.measurement, publicUrl: context.targets.publicUrl }),
      );
    }
  }
}
