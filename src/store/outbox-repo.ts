import { v7 as uuidv7 } from 'uuid';
import type { Notification } from '../domain/notification.js';
import type { StoreDb } from './database.js';

export interface OutboxItem {
  id: string;
  channel: string;
  attempts: number;
  /** The claim this sender holds: its updates apply only while the row is still its own. */
  claimedUntil: string;
  notification: Notification;
}

/**
 * Claims up to `limit` notifications that are due, for `leaseMs`: a row is claimed by one
 * sender only (the update checks the claim it read), so replicas never send one twice at
 * once, and a claim left by a crash lapses.
 */
export async function claimDue(db: StoreDb, now: Date, leaseMs: number, limit: number): Promise<OutboxItem[]> {
  const iso = now.toISOString();
  const rows = await db
    .selectFrom('outbox')
    .select(['id', 'channel', 'attempts', 'payload', 'claimed_until'])
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', iso)
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', iso)]))
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  const until = new Date(now.getTime() + leaseMs).toISOString();
  const claimed: OutboxItem[] = [];
  for (const row of rows) {
    // The row must still be as read: due, not retried meanwhile (same attempts), not claimed by another.
    let update = db
      .updateTable('outbox')
      .set({ claimed_until: until })
      .where('id', '=', row.id)
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', iso)
      .where('attempts', '=', row.attempts);
    update = row.claimed_until === null ? update.where('claimed_until', 'is', null) : update.where('claimed_until', '=', row.claimed_until);
    const result = await update.executeTakeFirst();
    if (Number(result.numUpdatedRows) === 1) {
      claimed.push({ id: row.id, channel: row.channel, attempts: row.attempts, claimedUntil: until, notification: JSON.parse(row.payload) as Notification });
    }
  }
  return claimed;
}

/**
 * A delivery succeeded: the row is sent and, for the first delivery of an incident's
 * notification, the incident records it (notification_initial or notification_resolved).
 */
export async function markSent(db: StoreDb, item: OutboxItem, now: Date): Promise<void> {
  const iso = now.toISOString();
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('outbox')
      .set({ status: 'sent', sent_at: iso, attempts: item.attempts + 1, claimed_until: null, last_error: null, updated_at: iso })
      .where('id', '=', item.id)
      .execute();
    const incident = item.notification.incident;
    if (incident === null || item.notification.event === 'monitor_error') return;
    const type = item.notification.event === 'incident_created' ? 'notification_initial' : 'notification_resolved';
    const already = await trx.selectFrom('incident_actions').select('id').where('incident_id', '=', incident.id).where('type', '=', type).executeTakeFirst();
    if (already === undefined) {
      await trx.insertInto('incident_actions').values({ id: uuidv7(), incident_id: incident.id, type, user_id: null, user_name: null, at: iso }).execute();
    }
    await trx.updateTable('incidents').set({ last_notified_at: iso, updated_at: iso }).where('id', '=', incident.id).execute();
  });
}

/**
 * A delivery failed: try again at `retryAt`, or, when null, give up on it. Only while the
 * claim is still this sender's: if it lapsed and another sender delivered the row meanwhile,
 * that delivery stands.
 */
export async function markFailed(db: StoreDb, item: OutboxItem, now: Date, error: string, retryAt: Date | null): Promise<void> {
  const iso = now.toISOString();
  await db
    .updateTable('outbox')
    .set({
      status: retryAt === null ? 'failed' : 'pending',
      attempts: item.attempts + 1,
      next_attempt_at: (retryAt ?? now).toISOString(),
      claimed_until: null,
      last_error: error.slice(0, 2000),
      updated_at: iso,
    })
    .where('id', '=', item.id)
    .where('status', '=', 'pending')
    .where('claimed_until', '=', item.claimedUntil)
    .execute();
}

/** Notifications in a state: 'pending' (waiting to be delivered), 'failed' (given up), 'sent'. */
export async function outboxCount(db: StoreDb, status: 'pending' | 'sent' | 'failed'): Promise<number> {
  const row = await db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', status).executeTakeFirstOrThrow();
  return Number(row.n);
}
