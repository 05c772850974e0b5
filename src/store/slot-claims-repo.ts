import type { RunSlot } from './record-run.js';
import type { StoreDb } from './database.js';

/** Rows a claim statement carries: 4 parameters each, well under Postgres' 65,535. */
const CHUNK = 1000;

/** Claims older than this are deleted. */
const KEEP_MS = 24 * 3_600_000;

/**
 * Claims the scheduled slots of these monitors for `replica` until `now + leaseMs`: a slot
 * nobody holds, one whose claim has lapsed, or one this replica holds already. Returns the
 * monitors whose slot is now this replica's; the others are another replica's to run.
 */
export async function claimSlots(db: StoreDb, replica: string, slots: ReadonlyMap<string, RunSlot>, now: Date, leaseMs: number): Promise<Set<string>> {
  const until = new Date(now.getTime() + leaseMs).toISOString();
  const rows = [...slots]
    .filter(([, slot]) => slot.scheduledFor !== null)
    .map(([monitorId, slot]) => ({ monitor_id: monitorId, scheduled_for: slot.scheduledFor!, claimed_by: replica, claimed_until: until }));
  const mine = new Set<string>();
  for (let i = 0; i < rows.length; i += CHUNK) {
    const claimed = await db
      .insertInto('slot_claims')
      .values(rows.slice(i, i + CHUNK))
      .onConflict((oc) =>
        oc
          .columns(['monitor_id', 'scheduled_for'])
          .doUpdateSet((eb) => ({ claimed_by: eb.ref('excluded.claimed_by'), claimed_until: eb.ref('excluded.claimed_until') }))
          .where((eb) => eb.or([eb('slot_claims.claimed_until', '<', now.toISOString()), eb('slot_claims.claimed_by', '=', replica)])),
      )
      .returning('monitor_id')
      .execute();
    for (const row of claimed) mine.add(row.monitor_id);
  }
  return mine;
}

/** Deletes claims that lapsed a day ago or more: their slots are long stored or given up. */
export async function pruneClaims(db: StoreDb, now: Date): Promise<void> {
  await db.deleteFrom('slot_claims').where('claimed_until', '<', new Date(now.getTime() - KEEP_MS).toISOString()).execute();
}
