/** When a monitor runs: a cadence, or a raw cron string with an IANA time zone. */
export const CADENCES = ['hourly', 'daily', 'weekly', 'monthly'] as const;
export type Cadence = (typeof CADENCES)[number];

export interface CadenceSchedule {
  cadence: Cadence;
  /** Every `frequency` hours (hourly), days (daily), weeks (weekly) or months (monthly). */
  frequency: number;
  /** Day of week for weekly (0 = Sunday), day of month for monthly. */
  day?: number | undefined;
  /** Hour of day, UTC, for daily, weekly and monthly. */
  hour?: number | undefined;
}

export interface CronSchedule {
  cron: string;
  timezone?: string | undefined;
}

export type Schedule = CadenceSchedule | CronSchedule;

export const DEFAULT_SCHEDULE: CadenceSchedule = { cadence: 'daily', frequency: 1, hour: 0 };

export function isCronSchedule(schedule: Schedule): schedule is CronSchedule {
  return 'cron' in schedule;
}

const HOURS_PER_PERIOD: Readonly<Record<Cadence, number>> = {
  hourly: 1,
  daily: 24,
  weekly: 24 * 7,
  monthly: 24 * 30,
};

/**
 * Hours between two runs, the monitor field `frequency`. A cron schedule has no fixed
 * period, so the caller passes the gap between two of its runs when it knows one.
 */
export function frequencyHours(schedule: Schedule, cronGapHours: number | null = null): number | null {
  if (isCronSchedule(schedule)) return cronGapHours;
  return HOURS_PER_PERIOD[schedule.cadence] * schedule.frequency;
}
