import { messageOf } from '../domain/errors.js';
import { frequencyHours, isCronSchedule, type CronSchedule, type Schedule } from '../domain/schedule.js';
import { nextRunAfter } from './next-run.js';

const SAMPLE = 49;

/**
 * Where config sync measures cron frequencies from: a fixed instant, so the same config
 * always stores the same `frequency` (a monthly cron's gaps depend on the month).
 */
export const FREQUENCY_REFERENCE = new Date('2026-01-01T00:00:00Z');

/**
 * The `frequency` of a cron monitor: the typical hours between runs, as the median of the
 * 49 gaps between its next 50 runs after `from`, so "weekdays at 9" is 24 whatever the day
 * it is computed on, and a DST change (one 23 or 25 hour gap) does not move it.
 */
export function cronFrequencyHours(schedule: CronSchedule, from: Date): number | null {
  const runs: number[] = [];
  for (let at = from; runs.length <= SAMPLE; ) {
    at = nextRunAfter(schedule, at);
    runs.push(at.getTime());
  }
  const gaps = runs.slice(1).map((t, i) => (t - runs[i]!) / 3_600_000).sort((a, b) => a - b);
  return gaps.length === 0 ? null : gaps[Math.floor(gaps.length / 2)]!;
}

/** A monitor's stored `frequency` (hours between runs) for any schedule, cron ones measured from FREQUENCY_REFERENCE. */
export function scheduleFrequencyHours(schedule: Schedule): number | null {
  return frequencyHours(schedule, isCronSchedule(schedule) ? cronFrequencyHours(schedule, FREQUENCY_REFERENCE) : null);
}

/**
 * Why the scheduler cannot run a cron schedule, or undefined when it can: node-cron's
 * validator accepts forms (15W, L-3) that cron-parser cannot compute.
 */
export function unrunnableCron(schedule: Schedule): string | undefined {
  if (!isCronSchedule(schedule)) return undefined;
  try {
    nextRunAfter(schedule, FREQUENCY_REFERENCE);
    return undefined;
  } catch (error) {
    return `the scheduler cannot run this cron expression: ${messageOf(error)}`;
  }
}
