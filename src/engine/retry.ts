import type { VigilError } from '../domain/errors.js';
import { monitorsOf, type Outcome } from './execute.js';
import type { WorkUnit } from './plan.js';

export interface RetryOptions {
  /** Tries after the first; 0 runs once. */
  retries: number;
  /** Waits between tries; real time unless a test passes its own. */
  sleep?: ((ms: number) => Promise<void>) | undefined;
  onRetry?: (error: VigilError, attempt: number, delayMs: number) => void;
  /** The first wait; each next one is four times longer (1 s, 4 s, 16 s, ...), with up to 20% jitter. */
  baseDelayMs?: number;
  /** No wait is longer than this (a minute by default): a retry must not outlast the schedule. */
  maxDelayMs?: number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The unit narrowed to some of its monitors, so a retry asks only for what failed. */
function narrowed(unit: WorkUnit, keep: ReadonlySet<string>): WorkUnit {
  return unit.kind === 'batch' ? { ...unit, monitors: unit.monitors.filter((m) => keep.has(m.id)) } : unit;
}

/**
 * Runs a unit, and runs again what failed transiently (network, timeout), waiting longer
 * each time. SQL, permission and result errors are not retried: they would fail the same way.
 */
export async function runWithRetries(unit: WorkUnit, attempt: (unit: WorkUnit) => Promise<Outcome[]>, options: RetryOptions): Promise<Outcome[]> {
  const sleep = options.sleep ?? realSleep;
  const base = options.baseDelayMs ?? 1000;
  const final = new Map<string, Outcome>();
  let current = unit;
  for (let tries = 0; ; tries++) {
    const outcomes = await attempt(current);
    const transient = outcomes.filter((o) => !o.ok && o.error.isTransient);
    for (const o of outcomes) final.set(o.monitor.id, o);
    if (transient.length === 0 || tries >= options.retries) break;
    const delay = Math.round(Math.min(options.maxDelayMs ?? 60_000, base * 4 ** tries) * (1 + Math.random() * 0.2));
    const first = transient[0]!;
    if (!first.ok) options.onRetry?.(first.error, tries + 1, delay);
    await sleep(delay);
    current = narrowed(current, new Set(transient.map((o) => o.monitor.id)));
  }
  return monitorsOf(unit).flatMap((m) => {
    const outcome = final.get(m.id);
    return outcome === undefined ? [] : [outcome];
  });
}
