import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createApp, type App } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import { ManualClock } from '../../src/domain/clock.js';
import { yamlMonitorId } from '../../src/domain/ids.js';
import type { Monitor } from '../../src/domain/monitor.js';
import { runMonitors } from '../../src/engine/run.js';
import { openConnector } from '../../connectors/registry.js';
import type { Connector } from '../../src/domain/connector.js';
import { LocalScheduler, type Timers } from '../../src/scheduler/local.js';
import { recordRun, type RunSlot } from '../../src/store/record-run.js';
import { syncConfig } from '../../src/store/sync-config.js';
import { seedSqlite } from './conformance/targets.js';
import { tempDir } from '../helpers/temp.js';

/** The local scheduler on a real SQLite store and warehouse, with a manual clock. */

const HOUR = 3_600_000;
const apps: App[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

/** Timers that remember the latest wait instead of waiting. */
class RecordingTimers implements Timers {
  waits: number[] = [];
  set(_callback: () => void, ms: number) {
    this.waits.push(ms);
    return this.waits.length;
  }
  clear() {}
}

async function setup(schedule = '{ cadence: hourly }', clock = new ManualClock('2026-03-02T05:30:00Z'), dir = tempDir()) {
  const seeded = await seedSqlite(dir);
  const path = seeded.config.type === 'sqlite' ? seeded.config.path : '';
  const yaml = (s: string) => `
store: sqlite:./vigil.db
warehouses: { wh: { type: sqlite, path: ${path} } }
monitors:
  - { name: rows, warehouse: wh, table: items, metric_type: row_count, schedule: ${s} }
  - { name: nulls, warehouse: wh, table: items, column: amount, metric_type: null_percentage, schedule: ${s} }
  - { name: max, warehouse: wh, table: items, column: amount, metric_type: max, schedule: ${s} }
`;
  const config = parseConfig(yaml(schedule), join(dir, 'vigil.yaml'), {}, 'vigil.yaml');
  const app = await createApp(config, { clock });
  apps.push(app);
  const batches: Array<{ monitors: string[]; slots: RunSlot[] }> = [];
  const timers = new RecordingTimers();
  const scheduler = new LocalScheduler({
    db: app.db,
    clock,
    timers,
    refreshMs: 86_400_000,
    run: async (monitors: Monitor[], slots: Map<string, RunSlot>) => {
      batches.push({ monitors: monitors.map((m) => m.name).sort(), slots: [...slots.values()] });
      await runMonitors({ db: app.db, connectors: app.connectors, clock }, monitors, slots);
    },
  });
  const nextRuns = async () =>
    Object.fromEntries((await app.db.selectFrom('monitors').select(['name', 'next_run_at']).execute()).map((r) => [r.name, r.next_run_at]));
  return { app, clock, scheduler, batches, timers, nextRuns, dir, yaml };
}

describe('LocalScheduler', () => {
  it('gives each monitor its first run, sleeps until it, and runs a table\'s due monitors as one batch', async () => {
    const { scheduler, batches, timers, clock, nextRuns, app } = await setup();
    await scheduler.start();
    expect(await nextRuns()).toEqual({ rows: '2026-03-02T06:00:00.000Z', nulls: '2026-03-02T06:00:00.000Z', max: '2026-03-02T06:00:00.000Z' });
    expect(timers.waits.at(-1)).toBe(30 * 60_000);
    expect(batches).toEqual([]);

    clock.set('2026-03-02T06:00:00Z');
    await scheduler.tick();
    await scheduler.idle();
    expect(batches).toHaveLength(1);
    expect(batches[0]!.monitors).toEqual(['max', 'nulls', 'rows']);
    expect(batches[0]!.slots[0]).toEqual({ scheduledFor: '2026-03-02T06:00:00.000Z', nextRunAt: '2026-03-02T07:00:00.000Z' });
    expect(await nextRuns()).toEqual({ rows: '2026-03-02T07:00:00.000Z', nulls: '2026-03-02T07:00:00.000Z', max: '2026-03-02T07:00:00.000Z' });
    const measured = await app.db.selectFrom('measurements').select(['scheduled_for']).execute();
    expect(measured).toHaveLength(3);
    expect(new Set(measured.map((m) => m.scheduled_for))).toEqual(new Set(['2026-03-02T06:00:00.000Z']));
    expect(timers.waits.at(-1)).toBe(60 * 60_000);
    await scheduler.stop(1000);
  });

  it('sleeps no longer than its refresh period, to see monitors changed elsewhere', async () => {
    const { app, clock, timers } = await setup();
    const scheduler = new LocalScheduler({ db: app.db, clock, timers, refreshMs: 60_000, run: async () => undefined });
    await scheduler.start();
    expect(timers.waits.at(-1)).toBe(60_000);
    await scheduler.stop(1000);
  });

  it('after a restart, a slot missed while it was down runs once at start-up, not once per missed slot', async () => {
    const first = await setup();
    await first.scheduler.start();
    await first.scheduler.stop(1000);
    // Down from 05:30 to 09:45: the 06, 07, 08 and 09 o'clock runs were missed.
    first.clock.set('2026-03-02T09:45:00Z');
    const again = new LocalScheduler({
      db: first.app.db,
      clock: first.clock,
      timers: new RecordingTimers(),
      run: async (monitors, slots) => {
        first.batches.push({ monitors: monitors.map((m) => m.name).sort(), slots: [...slots.values()] });
        await runMonitors({ db: first.app.db, connectors: first.app.connectors, clock: first.clock }, monitors, slots);
      },
    });
    await again.start();
    await again.idle();
    expect(first.batches).toHaveLength(1);
    expect(first.batches[0]!.slots[0]).toEqual({ scheduledFor: '2026-03-02T06:00:00.000Z', nextRunAt: '2026-03-02T10:00:00.000Z' });
    expect(await first.app.db.selectFrom('measurements').select('id').execute()).toHaveLength(3);
    await again.tick();
    await again.idle();
    expect(first.batches).toHaveLength(1);
    await again.stop(1000);
  });

  it('does not start a monitor again while its run is in flight', async () => {
    const { app, clock } = await setup();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const scheduler = new LocalScheduler({
      db: app.db,
      clock,
      timers: new RecordingTimers(),
      run: async (monitors, slots) => {
        calls++;
        await gate;
        await runMonitors({ db: app.db, connectors: app.connectors, clock }, monitors, slots);
      },
    });
    await scheduler.start();
    clock.set('2026-03-02T06:00:00Z');
    await scheduler.tick();
    clock.set('2026-03-02T06:00:30Z');
    await scheduler.tick();
    expect(calls).toBe(1);
    expect(scheduler.size.running).toBe(3);
    release();
    await scheduler.idle();
    expect(scheduler.size.running).toBe(0);
    await scheduler.stop(1000);
  });

  it('a slot stored once is never stored twice: a re-run after a crash writes nothing', async () => {
    const { app, clock } = await setup();
    const [monitor] = await app.db.selectFrom('monitors').select('id').where('id', '=', yamlMonitorId('rows')).execute();
    const m = (await import('../../src/store/monitors-repo.js')).listMonitors;
    const rows = (await m(app.db, { ids: [monitor!.id] }))[0]!;
    const slot = { scheduledFor: '2026-03-02T06:00:00.000Z', nextRunAt: '2026-03-02T07:00:00.000Z' };
    const targets = { channels: ['hook'], publicUrl: null };
    const outcome = { ok: true as const, value: 5, lower: 10, upper: 20, verdict: 'anomaly' as const };
    const first = await recordRun(app.db, rows, outcome, clock.now(), slot, targets);
    const second = await recordRun(app.db, rows, outcome, clock.now(), slot, targets);
    expect(first.duplicate).toBe(false);
    expect(second).toMatchObject({ duplicate: true, measurementId: null });
    expect(await app.db.selectFrom('measurements').select('id').execute()).toHaveLength(1);
    expect(await app.db.selectFrom('incidents').select('id').execute()).toHaveLength(1);
    expect(await app.db.selectFrom('outbox').select('id').execute()).toHaveLength(1);
  });

  it('a changed schedule in the config gets a new first run; an unchanged one keeps its place', async () => {
    const { app, scheduler, clock, nextRuns, yaml, dir } = await setup();
    await scheduler.start();
    await scheduler.stop(1000);
    expect((await nextRuns()).rows).toBe('2026-03-02T06:00:00.000Z');
    await syncConfig(app.db, parseConfig(yaml('{ cadence: hourly }'), join(dir, 'vigil.yaml'), {}, 'vigil.yaml'), clock);
    expect((await nextRuns()).rows).toBe('2026-03-02T06:00:00.000Z');
    await syncConfig(app.db, parseConfig(yaml('{ cadence: daily, hour: 3 }'), join(dir, 'vigil.yaml'), {}, 'vigil.yaml'), clock);
    expect((await nextRuns()).rows).toBeNull();
    await scheduler.refresh();
    expect((await nextRuns()).rows).toBe('2026-03-03T03:00:00.000Z');
  });

  it('frees each monitor as its own run is stored: a slow warehouse does not hold back another', async () => {
    const dir = tempDir();
    const fast = await seedSqlite(tempDir());
    const slow = await seedSqlite(tempDir());
    const pathOf = (w: typeof fast) => (w.config.type === 'sqlite' ? w.config.path : '');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const opener = async (name: string, config: Parameters<typeof openConnector>[1]): Promise<Connector> => {
      const real = await openConnector(name, config);
      const hold = async <T>(work: () => Promise<T>) => {
        if (name === 'slow') await gate;
        return work();
      };
      return { query: (sql) => hold(() => real.query(sql)), queryReadOnly: (sql) => hold(() => real.queryReadOnly(sql)), close: () => real.close() };
    };
    const clock = new ManualClock('2026-03-02T05:30:00Z');
    const yaml = `
store: sqlite:./vigil.db
warehouses: { fast: { type: sqlite, path: ${pathOf(fast)} }, slow: { type: sqlite, path: ${pathOf(slow)} } }
monitors:
  - { name: quick, warehouse: fast, table: items, metric_type: row_count, schedule: { cadence: hourly } }
  - { name: stuck, warehouse: slow, table: items, metric_type: row_count, schedule: { cadence: hourly } }
`;
    const app = await createApp(parseConfig(yaml, join(dir, 'vigil.yaml'), {}), { clock, openConnector: opener });
    apps.push(app);
    const scheduler = new LocalScheduler({
      db: app.db,
      clock,
      timers: new RecordingTimers(),
      refreshMs: 86_400_000,
      run: (monitors, slots, control) =>
        runMonitors({ db: app.db, connectors: app.connectors, clock, onStored: (r) => control.stored(r.monitor.id) }, monitors, slots),
    });
    await scheduler.start();
    clock.set('2026-03-02T06:00:00Z');
    await scheduler.tick();
    const measured = async () => (await app.db.selectFrom('measurements').innerJoin('monitors', 'monitors.id', 'measurements.monitor_id').select(['monitors.name', 'scheduled_for']).execute()).map((r) => `${r.name}@${r.scheduled_for!.slice(11, 16)}`).sort();
    for (let i = 0; i < 100 && (await measured()).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await measured()).toEqual(['quick@06:00']);
    expect(scheduler.size.running).toBe(1);
    // 07:00: the quick monitor runs again while the stuck one is still on its 06:00 slot.
    clock.set('2026-03-02T07:00:00Z');
    await scheduler.tick();
    for (let i = 0; i < 100 && (await measured()).length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await measured()).toEqual(['quick@06:00', 'quick@07:00']);
    release();
    await scheduler.idle();
    expect(await measured()).toEqual(['quick@06:00', 'quick@07:00', 'stuck@06:00']);
    await scheduler.stop(1000);
  });

  it('stops starting queued work once stopped; what did not start runs at the next start', async () => {
    const { app, clock } = await setup();
    const scheduler = new LocalScheduler({
      db: app.db,
      clock,
      timers: new RecordingTimers(),
      run: async (monitors, slots, control) => {
        await scheduler.stop(0);
        return runMonitors({ db: app.db, connectors: app.connectors, clock, shouldStop: control.shouldStop }, monitors, slots);
      },
    });
    await scheduler.start();
    clock.set('2026-03-02T06:00:00Z');
    await scheduler.tick();
    await scheduler.idle();
    expect(await app.db.selectFrom('measurements').select('id').execute()).toEqual([]);
    expect((await app.db.selectFrom('monitors').select('next_run_at').execute()).map((r) => r.next_run_at)).toEqual(Array(3).fill('2026-03-02T06:00:00.000Z'));
  });

  it('sees monitors added, edited or disabled elsewhere at its next refresh; runs alone change nothing it must reread', async () => {
    const { app, clock, yaml, dir } = await setup();
    const scheduler = new LocalScheduler({ db: app.db, clock, timers: new RecordingTimers(), refreshMs: 60_000, run: async () => undefined });
    await scheduler.start();
    expect(scheduler.size.scheduled).toBe(3);
    const oneMonitor = yaml('{ cadence: hourly }').replace(/\n  - \{ name: nulls.*\n  - \{ name: max.*\n/, '\n');
    clock.advance(1000);
    await syncConfig(app.db, parseConfig(oneMonitor, join(dir, 'vigil.yaml'), {}, 'vigil.yaml'), clock);
    clock.advance(60_000);
    await scheduler.tick();
    expect(scheduler.size.scheduled).toBe(1);
    await scheduler.stop(1000);
  });
});
