import { afterAll, beforeAll, expect, it } from 'vitest';
import { join } from 'node:path';
import { createApp, runNow } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import { ManualClock } from '../../src/domain/clock.js';
import { yamlMonitorId } from '../../src/domain/ids.js';
import { listMonitors } from '../../src/store/monitors-repo.js';
import { recordRun, type RunSlot } from '../../src/store/record-run.js';
import { claimSlots, pruneClaims } from '../../src/store/slot-claims-repo.js';
import { replicaClaims } from '../../src/daemon.js';
import { LocalScheduler } from '../../src/scheduler/local.js';
import { runMonitors } from '../../src/engine/run.js';
import type { Monitor } from '../../src/domain/monitor.js';
import { describeWithDatabase, freshPostgresDatabase } from '../helpers/databases.js';
import { tempDir } from '../helpers/temp.js';
import { seedSqlite } from './conformance/targets.js';

/** The same migrations and repositories on a Postgres store, in a database made for this test. */
describeWithDatabase('TEST_PG_URL', 'postgres store', (url) => {
  const storeUrl = freshPostgresDatabase(url, 'vigil_store');

  /** Two processes (apps) on the Postgres store, started at once, over a seeded SQLite warehouse with these monitors. */
  async function twoProcesses(monitors: string, clock: ManualClock) {
    const dir = tempDir();
    const seeded = await seedSqlite(dir);
    const path = seeded.config.type === 'sqlite' ? seeded.config.path : '';
    const yaml = `store: ${storeUrl()}\nwarehouses: { wh: { type: sqlite, path: ${path} } }\nmonitors:\n${monitors}`;
    return Promise.all([0, 1].map(() => createApp(parseConfig(yaml, join(dir, 'vigil.yaml'), {}), { clock })));
  }

  it('migrates, syncs the config and stores runs exactly as on SQLite', async () => {
    const clock = new ManualClock('2026-11-28T12:00:00Z');
    // Two processes starting at once both migrate: the migration lock keeps that safe.
    const [a, b] = await twoProcesses(
      `  - { name: rows, warehouse: wh, table: items, metric_type: row_count, condition: { max: 5 } }
  - { name: mean, warehouse: wh, table: items, column: amount, metric_type: mean }
`,
      clock,
    );
    await b.close();
    try {
      const results = await runNow(a);
      expect(results.map((r) => [r.monitor.name, r.status, r.value])).toEqual([
        ['mean', 'learning', 33.1875],
        ['rows', 'incident', 10],
      ]);
      clock.advance(60_000);
      await runNow(a, ['rows']);
      const monitor = await a.db.selectFrom('monitors').selectAll().where('id', '=', yamlMonitorId('rows')).executeTakeFirstOrThrow();
      expect(monitor).toMatchObject({ status: 'incident', is_enabled: 1, last_success_at: '2026-11-28T12:01:00.000Z', last_measurement_value: 10, condition_manual_max: 5, frequency: 24 });
      const measurements = await a.db.selectFrom('measurements').select(['value', 'status', 'upper_threshold', 'created_at']).where('monitor_id', '=', monitor.id).orderBy('created_at').execute();
      expect(measurements).toEqual([
        { value: 10, status: 'anomaly', upper_threshold: 5, created_at: '2026-11-28T12:00:00.000Z' },
        { value: 10, status: 'anomaly', upper_threshold: 5, created_at: '2026-11-28T12:01:00.000Z' },
      ]);
      // The incident opened once and stayed open through the second breach.
      expect(await a.db.selectFrom('incidents').select(['status', 'value']).execute()).toEqual([{ status: 'active', value: 10 }]);
      const tables = await a.db.introspection.getTables();
      expect(tables.map((t) => t.name).sort()).toEqual(['api_keys', 'background_jobs', 'incident_actions', 'incidents', 'integrations', 'measurements', 'monitors', 'outbox', 'slot_claims', 'targets']);
    } finally {
      await a.close();
    }
  });

  it('two processes storing the same scheduled slot at once store it once, with one incident', async () => {
    const clock = new ManualClock('2026-11-29T06:00:00Z');
    const apps = await twoProcesses('  - { name: slot rows, warehouse: wh, table: items, metric_type: row_count, condition: { max: 5 } }\n', clock);
    try {
      const [monitor] = await listMonitors(apps[0]!.db, { ids: [yamlMonitorId('slot rows')] });
      const slot = { scheduledFor: '2026-11-29T06:00:00.000Z', nextRunAt: '2026-11-29T07:00:00.000Z' };
      const outcome = { ok: true as const, value: 10, lower: null, upper: 5, verdict: 'anomaly' as const };
      const targets = { channels: ['hook'], publicUrl: null };
      for (let round = 0; round < 5; round++) {
        const s = { ...slot, scheduledFor: new Date(Date.parse(slot.scheduledFor) + round * 3_600_000).toISOString() };
        const results = await Promise.all(apps.map((app) => recordRun(app.db, monitor!, outcome, clock.now(), s, targets)));
        expect(results.filter((r) => r.duplicate)).toHaveLength(1);
      }
      const db = apps[0]!.db;
      expect(await db.selectFrom('measurements').select('id').where('monitor_id', '=', monitor!.id).execute()).toHaveLength(5);
      expect(await db.selectFrom('incidents').select('id').where('monitor_id', '=', monitor!.id).execute()).toHaveLength(1);
      expect(await db.selectFrom('outbox').select('id').where('monitor_id', '=', monitor!.id).execute()).toHaveLength(1);

      // Different slots at once (two replicas, each with its own missed slot): both stored, one new incident.
      await db.updateTable('incidents').set({ status: 'resolved' }).where('monitor_id', '=', monitor!.id).execute();
      const results = await Promise.all(
        apps.map((app, i) => recordRun(app.db, monitor!, outcome, clock.now(), { scheduledFor: `2026-11-30T0${i}:00:00.000Z`, nextRunAt: null }, targets)),
      );
      expect(results.map((r) => r.duplicate)).toEqual([false, false]);
      expect(new Set(results.map((r) => r.incidentId)).size).toBe(1);
      expect(await db.selectFrom('incidents').select('id').where('monitor_id', '=', monitor!.id).where('status', '=', 'active').execute()).toHaveLength(1);
      expect(await db.selectFrom('measurements').select('id').where('monitor_id', '=', monitor!.id).execute()).toHaveLength(7);
    } finally {
      await Promise.all(apps.map((app) => app.close()));
    }
  });

  it('two processes failing or resolving the same monitor at once notify once', async () => {
    const clock = new ManualClock('2026-11-29T06:00:00Z');
    const apps = await twoProcesses('  - { name: racing, warehouse: wh, table: items, metric_type: row_count, condition: { max: 5 } }\n', clock);
    try {
      const db = apps[0]!.db;
      const [monitor] = await listMonitors(db, { ids: [yamlMonitorId('racing')] });
      const targets = { channels: ['hook'], publicUrl: null };
      const slot = (h: number, i: number) => ({ scheduledFor: `2026-11-29T${String(h).padStart(2, '0')}:0${i}:00.000Z`, nextRunAt: null });
      const both = (outcome: Parameters<typeof recordRun>[2], h: number) =>
        Promise.all(apps.map((app, i) => recordRun(app.db, monitor!, outcome, clock.now(), slot(h, i), targets)));
      await both({ ok: false, message: 'warehouse wh: gone' }, 1);
      const mine = (table: 'outbox') => db.selectFrom(table).select('event').where('monitor_id', '=', monitor!.id);
      expect(await mine('outbox').execute()).toEqual([{ event: 'monitor_error' }]);
      await both({ ok: true, value: 10, lower: null, upper: 5, verdict: 'anomaly' }, 2);
      const good = { ok: true as const, value: 3, lower: null, upper: 5, verdict: 'normal' as const };
      await both(good, 3); // good runs 1 and 2
      await both(good, 4); // 3 resolves, 4 finds it resolved
      const events = (await mine('outbox').execute()).map((r) => r.event);
      expect(events.sort()).toEqual(['incident_created', 'incident_resolved', 'monitor_error']);
      const actions = await db.selectFrom('incident_actions').innerJoin('incidents', 'incidents.id', 'incident_actions.incident_id').select('type').where('incidents.monitor_id', '=', monitor!.id).execute();
      expect(actions.map((a) => a.type).sort()).toEqual(['auto_resolved', 'created']);
    } finally {
      await Promise.all(apps.map((app) => app.close()));
    }
  });

  it('claims a slot for one replica until its claim lapses; old claims are pruned', async () => {
    const clock = new ManualClock('2026-11-28T12:00:00Z');
    const [a, b] = await twoProcesses('  - { name: rows, warehouse: wh, table: items, metric_type: row_count }\n', clock);
    try {
      const slots = new Map<string, RunSlot>([
        ['m1', { scheduledFor: '2026-11-28T12:00:00.000Z', nextRunAt: '2026-11-28T13:00:00.000Z' }],
        ['m2', { scheduledFor: '2026-11-28T12:00:00.000Z', nextRunAt: '2026-11-28T13:00:00.000Z' }],
        ['by-hand', { scheduledFor: null, nextRunAt: null }],
      ]);
      const now = clock.now();
      const [first, second] = await Promise.all([claimSlots(a.db, 'A', slots, now, 60_000), claimSlots(b.db, 'B', slots, now, 60_000)]);
      // Each slot went to exactly one of them; a run by hand is nobody's to claim.
      expect([...first, ...second].sort()).toEqual(['m1', 'm2']);
      const holder = first.size === 2 ? 'A' : 'B';
      expect(first.size === 2 || second.size === 2).toBe(true);
      // The holder keeps it; the other cannot take it until the claim lapses.
      expect(await claimSlots(holder === 'A' ? a.db : b.db, holder, slots, now, 60_000)).toEqual(new Set(['m1', 'm2']));
      expect(await claimSlots(a.db, 'C', slots, new Date(now.getTime() + 59_000), 60_000)).toEqual(new Set());
      expect(await claimSlots(a.db, 'C', slots, new Date(now.getTime() + 61_000), 60_000)).toEqual(new Set(['m1', 'm2']));
      await pruneClaims(a.db, new Date(now.getTime() + 26 * 3_600_000));
      expect(await a.db.selectFrom('slot_claims').select('monitor_id').execute()).toEqual([]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('two replicas scheduling the same monitors run each slot once: one measures it, the warehouse is asked once', async () => {
    const clock = new ManualClock('2026-11-28T11:30:00Z');
    const replicas = await twoProcesses(
      `  - { name: hourly rows, warehouse: wh, table: items, metric_type: row_count, schedule: { cadence: hourly } }
  - { name: hourly nulls, warehouse: wh, table: items, column: amount, metric_type: null_percentage, schedule: { cadence: hourly } }
  - { name: hourly canary, warehouse: wh, table: canary, metric_type: row_count, schedule: { cadence: hourly } }
`,
      clock,
    );
    const ran: string[][] = [[], []];
    const timers = { set: () => 0, clear: () => {} };
    const schedulers = replicas.map(
      (app, i) =>
        new LocalScheduler({
          db: app.db,
          clock,
          timers,
          refreshMs: 86_400_000,
          claims: replicaClaims(app.db, `replica-${i}`),
          run: async (monitors: Monitor[], slots: Map<string, RunSlot>, control) => {
            ran[i]!.push(...monitors.map((m) => m.name));
            await runMonitors({ db: app.db, connectors: app.connectors, clock, onStored: (r) => control.stored(r.monitor.id) }, monitors, slots);
          },
        }),
    );
    try {
      await Promise.all(schedulers.map((s) => s.start()));
      for (const hour of ['12', '13']) {
        clock.set(`2026-11-28T${hour}:00:00Z`);
        await Promise.all(schedulers.map((s) => s.tick()));
        await Promise.all(schedulers.map((s) => s.idle()));
      }
      // Every monitor ran once an hour in all: not once per replica.
      const names = ['hourly canary', 'hourly nulls', 'hourly rows'];
      expect([...ran[0]!, ...ran[1]!].sort()).toEqual(names.flatMap((n) => [n, n]));
      const ids = names.map((n) => yamlMonitorId(n));
      const measured = await replicas[0]!.db.selectFrom('measurements').select('scheduled_for').where('monitor_id', 'in', ids).execute();
      expect(measured.map((m) => m.scheduled_for).sort()).toEqual([...Array(3).fill('2026-11-28T12:00:00.000Z'), ...Array(3).fill('2026-11-28T13:00:00.000Z')]);
      // Each replica moved on to the next slot, whoever ran this one.
      for (const scheduler of schedulers) expect(scheduler.size).toEqual({ scheduled: 3, running: 0 });
      const next = await replicas[0]!.db.selectFrom('monitors').select('next_run_at').where('id', 'in', ids).execute();
      expect(new Set(next.map((n) => n.next_run_at))).toEqual(new Set(['2026-11-28T14:00:00.000Z']));
    } finally {
      await Promise.all(schedulers.map((s) => s.stop(1000)));
      await Promise.all(replicas.map((app) => app.close()));
    }
  });

  it("runs the slot of a replica that died holding it once its claim lapses", async () => {
    const clock = new ManualClock('2026-11-28T11:30:00Z');
    const [dead, alive] = await twoProcesses('  - { name: orphan rows, warehouse: wh, table: items, metric_type: row_count, schedule: { cadence: hourly } }\n', clock);
    const timers = { set: () => 0, clear: () => {} };
    const ran: string[] = [];
    // The first replica claims the 12:00 slot, then dies before storing anything.
    const doomed = new LocalScheduler({ db: dead.db, clock, timers, refreshMs: 86_400_000, claims: replicaClaims(dead.db, 'dead'), run: async () => undefined });
    const survivor = new LocalScheduler({
      db: alive.db,
      clock,
      timers,
      refreshMs: 60_000,
      claims: replicaClaims(alive.db, 'alive'),
      run: async (monitors: Monitor[], slots: Map<string, RunSlot>, control) => {
        ran.push(...monitors.map((m) => `${m.name} ${slots.get(m.id)?.scheduledFor}`));
        await runMonitors({ db: alive.db, connectors: alive.connectors, clock, onStored: (r) => control.stored(r.monitor.id) }, monitors, slots);
      },
    });
    try {
      await Promise.all([doomed.start(), survivor.start()]);
      clock.set('2026-11-28T12:00:00Z');
      await doomed.tick();
      await doomed.idle();
      await doomed.stop(0);
      await survivor.tick();
      await survivor.idle();
      expect(ran).toEqual([]); // the dead replica's claim still holds
      // Past the 30-minute claim, the survivor's next full read of the store finds the slot unstored.
      clock.set('2026-11-28T12:31:00Z');
      await survivor.tick();
      await survivor.idle();
      expect(ran).toEqual(['orphan rows 2026-11-28T12:00:00.000Z']);
      const monitor = await alive.db.selectFrom('monitors').select('next_run_at').where('id', '=', yamlMonitorId('orphan rows')).executeTakeFirstOrThrow();
      expect(monitor.next_run_at).toBe('2026-11-28T13:00:00.000Z');
    } finally {
      await survivor.stop(1000);
      await Promise.all([dead.close(), alive.close()]);
    }
  });
});
