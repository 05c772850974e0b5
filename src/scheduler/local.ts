import type { Clock } from '../domain/clock.js';
import { messageOf } from '../domain/errors.js';
import { silentLogger, type Logger } from '../domain/logger.js';
import type { Monitor } from '../domain/monitor.js';
import type { RunSlot } from '../store/record-run.js';
import type { StoreDb } from '../store/database.js';
import { definitionsVersion, loadScheduled, setFirstRuns } from '../store/schedule-repo.js';
import { nextRunAfter } from './next-run.js';

/** Timers, injectable so tests can fire them at will. */
export interface Timers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimers: Timers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Replicas sharing a store: of the slots due now, which this one runs. The others are left
 * to the replica that claimed them; this one moves on to their next slot.
 */
export interface SlotClaims {
  claim(slots: ReadonlyMap<string, RunSlot>, now: Date): Promise<Set<string>>;
}

export interface SchedulerOptions {
  db: StoreDb;
  clock: Clock;
  /**
   * Runs monitors that fell due together (the engine batches them per table). It calls
   * `control.stored` as each monitor's run is stored, and starts no new work once
   * `control.shouldStop()` says so.
   */
  run: (monitors: Monitor[], slots: Map<string, RunSlot>, control: RunControl) => Promise<unknown>;
  logger?: Logger;
  timers?: Timers;
  /** The store is read again at least this often, to see monitors added or changed elsewhere. */
  refreshMs?: number;
  /** Set when several replicas share the store, so each slot is run by one of them. */
  claims?: SlotClaims;
}

/** Even when nothing seems to have changed, the monitors are read in full this often. */
const FULL_REFRESH_MS = 10 * 60_000;

export interface RunControl {
  stored(monitorId: string): void;
  shouldStop(): boolean;
}

interface Entry {
  monitor: Monitor;
  /** Epoch ms of the next run. */
  next: number;
  /** The run after `next` (epoch ms), worked out when the timer is armed for `next`, so the slot itself need not. */
  following?: number;
}

/**
 * The local scheduler. It keeps every enabled monitor's next run in memory (read from the
 * store, which keeps it across restarts), sleeps until the earliest, and runs everything
 * due then as one batch. A monitor's next run moves on only when its run is stored, in the
 * same transaction, so a crash re-runs the slot it interrupted; a slot missed while the
 * daemon was down runs once at start-up, not once per missed slot.
 */
export class LocalScheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private timer: unknown = null;
  /** When the armed timer fires (epoch ms). */
  private armedAt = Number.POSITIVE_INFINITY;
  private stopped = true;
  private ticking = false;
  /** The definitions last read (see definitionsVersion), and when they were last read in full. */
  private version = '';
  private lastFullRefresh = 0;
  private lastRefresh = 0;
  private readonly logger: Logger;
  private readonly timers: Timers;

  constructor(private readonly options: SchedulerOptions) {
    this.logger = options.logger ?? silentLogger;
    this.timers = options.timers ?? realTimers;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.refresh();
    await this.tick();
  }

  /** Monitor definitions changed (through the API): they are read again now, not within a minute. */
  definitionsChanged(): void {
    if (this.stopped) return;
    this.lastRefresh = 0;
    void this.tick();
  }

  /** Monitors scheduled, and how many are running now. */
  get size(): { scheduled: number; running: number } {
    return { scheduled: this.entries.size, running: this.inFlight.size };
  }

  /** Reads every enabled monitor and its next run from the store; gives a first run to those without one. */
  async refresh(): Promise<void> {
    const now = this.options.clock.now();
    const version = await definitionsVersion(this.options.db);
    this.version = version;
    this.lastFullRefresh = now.getTime();
    const scheduled = await loadScheduled(this.options.db);
    const first: Array<{ id: string; nextRunAt: string }> = [];
    this.entries.clear();
    for (const { monitor, nextRunAt } of scheduled) {
      let next = nextRunAt === null ? Number.NaN : Date.parse(nextRunAt);
      if (Number.isNaN(next)) {
        try {
          next = this.nextAfter(monitor, now);
        } catch (error) {
          this.logger.error({ monitor: monitor.name, monitorId: monitor.id }, `not scheduled: ${messageOf(error)}`);
          continue;
        }
        first.push({ id: monitor.id, nextRunAt: new Date(next).toISOString() });
      }
      this.entries.set(monitor.id, { monitor, next });
    }
    await setFirstRuns(this.options.db, first);
    this.lastRefresh = now.getTime();
  }

  private nextAfter(monitor: Monitor, after: Date): number {
    return nextRunAfter(monitor.schedule, after).getTime();
  }

  /** Starts every due run, then sleeps until the next one. */
  async tick(): Promise<void> {
    if (this.stopped || this.ticking) return;
    this.ticking = true;
    try {
      await this.tickOnce();
    } finally {
      this.ticking = false;
    }
    this.arm();
  }

  private async tickOnce(): Promise<void> {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
    this.armedAt = Number.POSITIVE_INFINITY;
    const now = this.options.clock.now();
    let fullReadDue = false;
    if (now.getTime() - this.lastRefresh >= (this.options.refreshMs ?? 60_000)) {
      try {
        // Definitions that changed are read before anything runs; the periodic full read
        // (10,000 monitors: some 200 ms) waits until the due runs have started.
        if ((await definitionsVersion(this.options.db)) !== this.version) await this.refresh();
        else {
          this.lastRefresh = now.getTime();
          fullReadDue = now.getTime() - this.lastFullRefresh >= FULL_REFRESH_MS;
        }
      } catch (error) {
        this.logger.error({}, `scheduler cannot read the store, keeping what it knew: ${messageOf(error)}`);
      }
    }
    this.dispatchDue(now);
    if (fullReadDue) {
      try {
        await this.refresh();
      } catch (error) {
        this.logger.error({}, `scheduler cannot read the store, keeping what it knew: ${messageOf(error)}`);
      }
      this.dispatchDue(this.options.clock.now());
    }
  }

  private dispatchDue(now: Date): void {
    const due: Entry[] = [];
    for (const [id, entry] of this.entries) if (entry.next <= now.getTime() && !this.inFlight.has(id)) due.push(entry);
    if (due.length > 0) this.dispatch(due, now);
  }

  private dispatch(due: Entry[], now: Date): void {
    const slots = new Map<string, RunSlot>();
    // Monitors due together share their slot: it is made once (10,000 monitors due at once).
    const shared = new Map<string, RunSlot>();
    const slotOf = (at: number, next: number): RunSlot => {
      const key = `${at}:${next}`;
      let slot = shared.get(key);
      if (slot === undefined) shared.set(key, (slot = { scheduledFor: new Date(at).toISOString(), nextRunAt: new Date(next).toISOString() }));
      return slot;
    };
    const batch: Monitor[] = [];
    for (const entry of due) {
      let next: number;
      try {
        next = entry.following !== undefined && entry.following > now.getTime() ? entry.following : this.nextAfter(entry.monitor, now);
      } catch (error) {
        // A schedule the scheduler cannot compute (one a newer writer stored): leave it out, loudly.
        this.logger.error({ monitor: entry.monitor.name, monitorId: entry.monitor.id }, `not scheduled: ${messageOf(error)}`);
        this.entries.delete(entry.monitor.id);
        continue;
      }
      this.inFlight.add(entry.monitor.id);
      batch.push(entry.monitor);
      // Missed slots collapse into this one run; the next run is the first slot after now.
      slots.set(entry.monitor.id, slotOf(entry.next, next));
    }
    if (batch.length === 0) return;
    this.logger.debug({ monitors: batch.length }, 'running due monitors');
    /** A monitor is free again, with its next run, as soon as its own run is stored. */
    const release = (id: string) => {
      if (!this.inFlight.delete(id)) return;
      const current = this.entries.get(id);
      const next = slots.get(id)?.nextRunAt;
      if (current !== undefined && next != null) {
        current.next = Date.parse(next);
        current.following = undefined;
      }
    };
    const control: RunControl = {
      stored: (id) => {
        release(id);
        // Re-arm only if this monitor is due before the timer: a loop over every monitor per stored run would cost more than the run.
        const next = this.entries.get(id)?.next;
        if (!this.stopped && next !== undefined && next < this.armedAt) this.arm();
      },
      shouldStop: () => this.stopped,
    };
    const work = (async () => {
      try {
        const mine = await this.claimed(batch, slots, now);
        if (mine.length > 0) await this.options.run(mine, slots, control);
      } catch (error) {
        this.logger.error({ monitors: batch.length }, `a scheduled run failed: ${messageOf(error)}`);
      } finally {
        for (const monitor of batch) release(monitor.id);
      }
    })();
    this.running.add(work);
    void work.finally(() => {
      this.running.delete(work);
      if (!this.stopped) this.arm();
    });
  }

  /** The monitors of the batch whose slot this replica claimed (all of them without claims). */
  private async claimed(batch: Monitor[], slots: ReadonlyMap<string, RunSlot>, now: Date): Promise<Monitor[]> {
    const claims = this.options.claims;
    if (claims === undefined) return batch;
    let mine: Set<string>;
    try {
      mine = await claims.claim(slots, now);
    } catch (error) {
      // Running them all is safe: a slot is stored once whoever measures it.
      this.logger.warn({ monitors: batch.length }, `cannot claim the due slots, running them all: ${messageOf(error)}`);
      return batch;
    }
    const others = batch.length - mine.size;
    if (others > 0) this.logger.debug({ monitors: others }, 'due monitors claimed by another replica');
    return batch.filter((monitor) => mine.has(monitor.id));
  }

  private arm(): void {
    if (this.stopped || this.ticking) return;
    if (this.timer !== null) this.timers.clear(this.timer);
    let earliest = Number.POSITIVE_INFINITY;
    for (const [id, entry] of this.entries) if (!this.inFlight.has(id) && entry.next < earliest) earliest = entry.next;
    this.prepareFollowing(earliest);
    const refreshMs = this.options.refreshMs ?? 60_000;
    const untilRefresh = this.lastRefresh + refreshMs - this.options.clock.now().getTime();
    const wait = Math.max(0, Math.min(earliest - this.options.clock.now().getTime(), untilRefresh, refreshMs));
    this.armedAt = this.options.clock.now().getTime() + wait;
    this.timer = this.timers.set(() => void this.tick(), wait);
  }

  /** Works out, now, the run after `slot` for the monitors due at it: at the slot (10,000 monitors) that would cost tens of ms before the first query. */
  private prepareFollowing(slot: number): void {
    if (!Number.isFinite(slot)) return;
    for (const [id, entry] of this.entries) {
      if (entry.next !== slot || entry.following !== undefined || this.inFlight.has(id)) continue;
      try {
        entry.following = this.nextAfter(entry.monitor, new Date(slot));
      } catch {
        // left to the slot, which says why
      }
    }
  }

  /** Stops starting runs; waits up to graceMs for those running. Returns whether they all finished. */
  async stop(graceMs: number): Promise<boolean> {
    this.stopped = true;
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
    if (this.running.size === 0) return true;
    let timeout: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      Promise.allSettled([...this.running]).then(() => true),
      new Promise<boolean>((resolve) => {
        timeout = setTimeout(() => resolve(false), graceMs);
      }),
    ]);
    clearTimeout(timeout);
    return finished;
  }

  /** Resolves when every run started so far has finished (tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
