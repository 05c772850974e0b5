import { DAY_MS, HOUR_MS, WEEK_MS, dayOfMonth, dayOfWeek, hourOfDay, isWeekend } from './calendar.js';

/**
 * The seasonal patterns a monitor may follow. Each maps a time to a slot; a model learns an
 * offset per slot. `none` has one slot.
 */
export type SeasonKind = 'none' | 'hour_of_day' | 'hour_of_week' | 'weekend_hour' | 'day_of_week' | 'weekend' | 'month_edge' | 'day_of_month';

export interface Season {
  kind: SeasonKind;
  slots: number;
  /** How long until a slot comes round again: a day for hours of the day, a week for weekdays. */
  cycleMs: number;
  /** How far off a whole number of cycles a visit may be and still be the same phase. */
  toleranceMs: number;
  /**
   * A sparse factor knows no slot until a deviation recurs there (a load on the 15th of
   * every month): ordinary points never teach it, so its many slots add no noise.
   */
  sparse?: boolean;
  /** Slot 0 is every ordinary day (every weekday, every day between month edges): no pattern lives there. */
  ordinaryFirstSlot?: boolean;
  slot(t: number): number;
}

/** The first and last two days of a month get their own slots: month-end loads, billing runs. */
function monthEdgeSlot(t: number): number {
  const { day, daysInMonth } = dayOfMonth(t);
  if (day <= 2) return day; // 1, 2
  if (day > daysInMonth - 2) return 3 + daysInMonth - day; // last day 3, second-to-last 4
  return 0;
}

/**
 * Days 3 to 29 by their number, in every month: payroll on the 15th, a job on the 29th
 * (which in a 30-day month is also a month edge).
 */
function midMonthSlot(t: number): number {
  const { day } = dayOfMonth(t);
  return day >= 3 && day <= 29 ? day : 0;
}

export const SEASONS: Readonly<Record<SeasonKind, Season>> = {
  none: { kind: 'none', slots: 1, cycleMs: 0, toleranceMs: 0, slot: () => 0 },
  hour_of_day: { kind: 'hour_of_day', slots: 24, cycleMs: DAY_MS, toleranceMs: 2 * HOUR_MS, slot: hourOfDay },
  hour_of_week: { kind: 'hour_of_week', slots: 168, cycleMs: WEEK_MS, toleranceMs: 2 * HOUR_MS, slot: (t) => dayOfWeek(t) * 24 + hourOfDay(t) },
  weekend_hour: { kind: 'weekend_hour', slots: 48, cycleMs: DAY_MS, toleranceMs: 2 * HOUR_MS, slot: (t) => (isWeekend(t) ? 24 : 0) + hourOfDay(t) },
  day_of_week: { kind: 'day_of_week', slots: 7, cycleMs: WEEK_MS, toleranceMs: DAY_MS / 2, slot: dayOfWeek },
  weekend: { kind: 'weekend', slots: 2, cycleMs: WEEK_MS, toleranceMs: DAY_MS / 2, ordinaryFirstSlot: true, slot: (t) => (isWeekend(t) ? 1 : 0) },
  month_edge: { kind: 'month_edge', slots: 5, cycleMs: 30.44 * DAY_MS, toleranceMs: 3 * DAY_MS, ordinaryFirstSlot: true, slot: monthEdgeSlot },
  day_of_month: { kind: 'day_of_month', slots: 30, cycleMs: 30.44 * DAY_MS, toleranceMs: 3 * DAY_MS, sparse: true, ordinaryFirstSlot: true, slot: midMonthSlot },
};

/** One candidate model: its seasonal factors, and whether they are shares of the level. */
export interface ModelSpec {
  kinds: SeasonKind[];
  multiplicative: boolean;
}

// The plain model comes first: the learner reads models[0] as the level without a season.
const HOURLY: SeasonKind[][] = [['none'], ['hour_of_day'], ['hour_of_week'], ['weekend_hour']];
const DAILY: SeasonKind[][] = [['none'], ['day_of_week', 'day_of_month'], ['weekend', 'day_of_month'], ['month_edge', 'day_of_month'], ['day_of_week', 'month_edge', 'day_of_month']];
const DAILY_SHARES: SeasonKind[][] = [['day_of_week', 'day_of_month'], ['day_of_week', 'month_edge', 'day_of_month']];

/**
 * The patterns worth trying at a cadence, each a list of factors: hourly data has hours of
 * the day and week; daily data has weekdays, weekends and month ends, alone or together,
 * and the weekday shapes once more as shares of the level, for a growing table whose
 * weekends grow with it.
 */
export function candidateModels(cadenceMs: number): ModelSpec[] {
  const additive = (kinds: SeasonKind[]): ModelSpec => ({ kinds, multiplicative: false });
  const multiplicative = (kinds: SeasonKind[]): ModelSpec => ({ kinds, multiplicative: true });
  if (cadenceMs <= 2 * HOUR_MS) return HOURLY.map(additive);
  if (cadenceMs <= 2 * DAY_MS) return [...DAILY.map(additive), ...DAILY_SHARES.map(multiplicative)];
  return [additive(['none'])];
}

/** Whether two times are one to `maxCycles` whole cycles apart: the same phase of a pattern. */
export function samePhase(gap: number, cycle: number, tolerance: number, maxCycles: number): boolean {
  const cycles = Math.round(gap / cycle);
  return cycles >= 1 && cycles <= maxCycles && Math.abs(gap - cycles * cycle) <= tolerance;
}
