/** Calendar arithmetic on epoch milliseconds (UTC) without Date objects: detectors run it per point. */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;

/** 0 = Sunday ... 6 = Saturday (1970-01-01 was a Thursday). */
export function dayOfWeek(t: number): number {
  return (((Math.floor(t / DAY_MS) + 4) % 7) + 7) % 7;
}

export function hourOfDay(t: number): number {
  return ((Math.floor(t / HOUR_MS) % 24) + 24) % 24;
}

export function isWeekend(t: number): boolean {
  const d = dayOfWeek(t);
  return d === 0 || d === 6;
}

/** The day dayOfMonth last worked out: every model of a series asks about the same point in turn. */
let lastDays = Number.NaN;
let lastMonthDay: { readonly day: number; readonly daysInMonth: number } = { day: 1, daysInMonth: 31 };

/**
 * Day of month (1-31) and the month's length, from days since the epoch
 * (Howard Hinnant's civil_from_days).
 */
export function dayOfMonth(t: number): { readonly day: number; readonly daysInMonth: number } {
  const days = Math.floor(t / DAY_MS);
  if (days !== lastDays) {
    lastMonthDay = civilFromDays(days);
    lastDays = days;
  }
  return lastMonthDay;
}

function civilFromDays(days: number): { day: number; daysInMonth: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const daysInMonth = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return { day, daysInMonth };
}
