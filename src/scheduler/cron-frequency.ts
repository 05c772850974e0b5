import { createTask } from 'node-cron';
import type { CronSchedule } from '../domain/schedule.js';

const SAMPLE = 49;

/**
 * The `frequency` of a cron monitor: the typical hours between runs, as the median gap
 * over its next runs, so "weekdays at 9" is 24 whatever the day it is computed on.
 */
export async function cronFrequencyHours(schedule: CronSchedule): Promise<number | null> {
  const task = createTask(schedule.cron, () => undefined, { timezone: schedule.timezone ?? 'UTC' });
  try {
    const runs = task.getNextRuns(SAMPLE + 1).map((d) => d.getTime());
    const gaps = runs.slice(1).map((t, i) => (t - runs[i]!) / 3_600_000).sort((a, b) => a - b);
    return gaps.length === 0 ? null : gaps[Math.floor(gaps.length / 2)]!;
  } finally {
    await task.destroy();
  }
}
