import { CronExpressionParser, type CronExpression } from 'cron-parser';
import { messageOf, VigilError } from '../domain/errors.js';
import { isCronSchedule, type CadenceSchedule, type CronSchedule, type Schedule } from '../domain/schedule.js';

const SECOND = 1000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
/** 1970-01-04, the epoch's first Sunday: weekly schedules count their weeks from it. */
const FIRST_SUNDAY = 3 * DAY;

/**
 * The first scheduled time strictly after `after`. Pure: the answer depends on the schedule
 * and `after` only, never on when the monitor was created or last ran, so asking again with
 * the previous answer walks the schedule run by run.
 *
 * Cadences are UTC, at minute 0: the `frequency`-th hour, day, week (from Sunday 1970-01-04)
 * or month counted from the epoch. A monthly day past the month's end runs on its last day.
 */
export function nextRunAfter(schedule: Schedule, after: Date): Date {
  const at = after.getTime();
  if (Number.isNaN(at)) throw new VigilError('invalid_argument', 'nextRunAfter needs a valid date');
  return new Date(isCronSchedule(schedule) ? nextCronRun(schedule, at) : nextCadenceRun(schedule, at));
}

/** The least multiple of `n` that is at least `k`. */
function ceilTo(k: number, n: number): number {
  return Math.ceil(k / n) * n;
}

function nextCadenceRun(schedule: CadenceSchedule, at: number): number {
  const n = schedule.frequency;
  if (!Number.isInteger(n) || n < 1) throw new VigilError('invalid_argument', `frequency must be a whole number from 1, got ${n}`);
  const hour = (schedule.hour ?? 0) * HOUR;
  const day = schedule.day ?? 1;
  switch (schedule.cadence) {
    case 'hourly':
      return ceilTo(Math.floor(at / HOUR) + 1, n) * HOUR;
    case 'daily':
      return ceilTo(Math.floor((at - hour) / DAY) + 1, n) * DAY + hour;
    case 'weekly': {
      const base = FIRST_SUNDAY + day * DAY + hour;
      return base + ceilTo(Math.floor((at - base) / WEEK) + 1, n) * WEEK;
    }
    case 'monthly': {
      const start = new Date(at);
      let month = ceilTo((start.getUTCFullYear() - 1970) * 12 + start.getUTCMonth(), n);
      while (monthlyRun(month, day, hour) <= at) month += n;
      return monthlyRun(month, day, hour);
    }
  }
}

/** Day `day` of the month `month` months after 1970-01, or that month's last day if shorter. */
function monthlyRun(month: number, day: number, hour: number): number {
  const lastDay = new Date(Date.UTC(1970, month + 1, 0)).getUTCDate();
  return Date.UTC(1970, month, Math.min(day, lastDay)) + hour;
}

/** More than the largest DST shift (2 h, Antarctica/Troll): how far back a change can matter. */
const LOOKBACK = 3 * HOUR;
/** Offset changes are months apart; probing weekly finds each one alone. */
const PROBE = WEEK;

/**
 * A cron string in its time zone. cron-parser (in UTC, a plain calendar) finds matching
 * wall-clock times; this code places them on the time line. cron-parser's own `tz` mode is
 * not used: asked from 01:00 EST on 2026-11-01 it gives 01:30 EST for `30 1 * * *` although
 * 01:30 EDT already ran, so the answer depended on where one asked from. The rules:
 *
 * - A schedule whose hour field is every hour (`0 * * * *`, `*\/15 * * * *`) follows real
 *   time: the hour skipped in spring has no runs, the hour repeated in autumn runs twice
 *   (01:00 EDT and 01:00 EST are two runs an hour apart). No gap is longer than usual.
 * - Any other schedule runs each wall-clock slot exactly once. A slot inside the skipped
 *   hour runs shifted by the change (`30 2 * * *` runs at 03:30 on the day clocks go
 *   forward at 02:00, as RFC 5545 and Temporal read such times). A slot inside the repeated
 *   hour runs at its first occurrence only, not again an hour later.
 *
 * Day of month and day of week: when both are restricted a day matching either runs (cron's
 * standard OR; node-cron, used to validate, ANDs them). As in Vixie cron and cronie, a field
 * starting with `*` (as `*\/2`) is not restricted, so there both must match; cron-parser
 * alone would OR them. Full day and month names (`monday`), which node-cron accepts, are
 * shortened for cron-parser; `W` and `L-n` day forms cron-parser cannot read are refused.
 */
function nextCronRun(schedule: CronSchedule, at: number): number {
  const zone = schedule.timezone ?? 'UTC';
  const matcher = wallMatcher(schedule.cron);
  let cur = at - LOOKBACK;
  let offset = offsetAt(zone, cur);
  let wallMin = -Infinity;
  let pending = Infinity; // a slot of a skipped hour, run shifted by the change
  for (let step = 0; step < 500; step++) { // one step per offset change on the way
    const wall = matcher.atOrAfter(Math.max(wallMin, Math.floor((at + offset) / SECOND) * SECOND + SECOND));
    const run = wall - offset;
    const change = offsetChange(zone, offset, cur, Math.min(run, pending));
    if (change === null) return Math.min(run, pending);
    const next = offsetAt(zone, change);
    if (!matcher.everyHour && next > offset && wall < change + next) pending = Math.min(pending, run);
    // After an autumn change, a fixed-hour schedule skips the wall times it has already had.
    wallMin = !matcher.everyHour && next < offset ? change + offset : change + next;
    cur = change;
    offset = next;
  }
  throw new VigilError('invalid_argument', `cron ${JSON.stringify(schedule.cron)} in ${zone}: no next run found`);
}

interface WallMatcher {
  /** The hour field matches all 24 hours. */
  everyHour: boolean;
  /** The first matching wall time (as a UTC instant) at or after `wall`, a whole second. */
  atOrAfter(wall: number): number;
}

const FULL_NAMES = /\b(sunday|monday|tuesday|wednesday|thursday|friday|saturday|january|february|march|april|june|july|august|september|october|november|december)\b/gi;
const starred = (field: string): boolean => field.startsWith('*') || field.startsWith('?');

function wallMatcher(cron: string): WallMatcher {
  const fail = (error: unknown): VigilError =>
    new VigilError('invalid_argument', `cannot compute runs of cron ${JSON.stringify(cron)}: ${messageOf(error)}`, { cause: error });
  const parse = (text: string): CronExpression => {
    try {
      return CronExpressionParser.parse(text, { tz: 'UTC', currentDate: new Date(0) });
    } catch (error) {
      throw fail(error);
    }
  };
  const text = cron.trim().replace(FULL_NAMES, (name) => name.slice(0, 3));
  const full = parse(text);
  const fields = text.split(/\s+/);
  const [dom = '*', dow = '*'] = fields.length >= 5 ? [fields.at(-3), fields.at(-1)] : [];
  let expression = full;
  let keep = (_day: Date): boolean => true;
  if ((starred(dom) || starred(dow)) && !full.fields.dayOfMonth.isWildcard && !full.fields.dayOfWeek.isWildcard) {
    // Vixie AND: match the other field with cron-parser, then filter by the starred one.
    const byDate = starred(dom);
    const allowed = new Set<number | string>((byDate ? full.fields.dayOfMonth.values : full.fields.dayOfWeek.values).map((v) => (!byDate && v === 7 ? 0 : v)));
    const starAt = fields.length - (byDate ? 3 : 1);
    expression = parse(fields.map((field, i) => (i === starAt ? '*' : field)).join(' '));
    keep = (day) => allowed.has(byDate ? day.getUTCDate() : day.getUTCDay());
  }
  return {
    everyHour: full.fields.hour.values.length === 24,
    atOrAfter(wall) {
      for (let from = wall, tries = 0; tries < 5000; tries++) {
        let found: Date;
        try {
          expression.reset(new Date(from - 1));
          found = expression.next().toDate();
        } catch (error) {
          throw fail(error);
        }
        if (keep(found)) return found.getTime();
        from = Date.UTC(found.getUTCFullYear(), found.getUTCMonth(), found.getUTCDate() + 1);
      }
      throw fail(new Error('no matching day found'));
    },
  };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Local wall time minus UTC at instant `t`, in ms (+3_600_000 for Paris in winter). */
function offsetAt(zone: string, t: number): number {
  let format = formatters.get(zone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
      });
    } catch (error) {
      throw new VigilError('invalid_argument', `unknown time zone ${JSON.stringify(zone)}: use an IANA name such as Europe/Paris`, { cause: error });
    }
    formatters.set(zone, format);
  }
  const parts = format.formatToParts(t);
  const part = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return wall - Math.floor(t / SECOND) * SECOND;
}

/** The first instant in (`from`, `to`] whose offset is not `offset` (the one at `from`), or null. */
function offsetChange(zone: string, offset: number, from: number, to: number): number | null {
  for (let lo = from; lo < to; ) {
    let hi = Math.min(lo + PROBE, to);
    if (offsetAt(zone, hi) === offset) {
      lo = hi;
      continue;
    }
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (offsetAt(zone, mid) === offset) lo = mid;
      else hi = mid;
    }
    return hi;
  }
  return null;
}
