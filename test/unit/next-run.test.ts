import { describe, expect, it } from 'vitest';
import { isVigilError } from '../../src/domain/errors.js';
import type { Schedule } from '../../src/domain/schedule.js';
import { nextRunAfter } from '../../src/scheduler/next-run.js';

const HOUR = 3_600_000;

/** The next `count` runs after `after`, each asked from the previous one, as ISO strings. */
function runs(schedule: Schedule, after: string, count: number): string[] {
  const out: string[] = [];
  for (let at = new Date(after); out.length < count; ) {
    at = nextRunAfter(schedule, at);
    out.push(at.toISOString());
  }
  return out;
}

const next = (schedule: Schedule, after: string): string => nextRunAfter(schedule, new Date(after)).toISOString();

describe('nextRunAfter, cadences (UTC, minute 0)', () => {
  it('hourly runs on the hour; on a slot it gives the next one', () => {
    const hourly: Schedule = { cadence: 'hourly', frequency: 1 };
    expect(next(hourly, '2026-01-01T10:20:00Z')).toBe('2026-01-01T11:00:00.000Z');
    expect(next(hourly, '2026-01-01T10:59:59.999Z')).toBe('2026-01-01T11:00:00.000Z');
    expect(next(hourly, '2026-01-01T11:00:00Z')).toBe('2026-01-01T12:00:00.000Z');
  });

  it('hourly every 6 and every 5 count hours from the epoch', () => {
    expect(runs({ cadence: 'hourly', frequency: 6 }, '2026-01-01T07:00:00Z', 3)).toEqual([
      '2026-01-01T12:00:00.000Z', '2026-01-01T18:00:00.000Z', '2026-01-02T00:00:00.000Z',
    ]);
    expect(next({ cadence: 'hourly', frequency: 6 }, '2026-01-01T12:00:00Z')).toBe('2026-01-01T18:00:00.000Z');
    // 2026-01-01T00:00Z is hour 490896 since the epoch, 1 more than a multiple of 5.
    expect(runs({ cadence: 'hourly', frequency: 5 }, '2026-01-01T00:00:00Z', 2)).toEqual(['2026-01-01T04:00:00.000Z', '2026-01-01T09:00:00.000Z']);
  });

  it('daily runs at its hour; every 3 days counts days from the epoch', () => {
    const daily: Schedule = { cadence: 'daily', frequency: 1, hour: 9 };
    expect(next(daily, '2026-01-01T08:59:59Z')).toBe('2026-01-01T09:00:00.000Z');
    expect(next(daily, '2026-01-01T09:00:00Z')).toBe('2026-01-02T09:00:00.000Z');
    // 2026-01-01 is day 20454, a multiple of 3.
    const every3: Schedule = { cadence: 'daily', frequency: 3, hour: 6 };
    expect(next(every3, '2025-12-31T23:00:00Z')).toBe('2026-01-01T06:00:00.000Z');
    expect(runs(every3, '2026-01-01T06:00:00Z', 2)).toEqual(['2026-01-04T06:00:00.000Z', '2026-01-07T06:00:00.000Z']);
    expect(next(every3, '2026-01-02T12:00:00Z')).toBe('2026-01-04T06:00:00.000Z');
  });

  it('weekly runs on its day (0 = Sunday) at its hour', () => {
    const mondays: Schedule = { cadence: 'weekly', frequency: 1, day: 1, hour: 9 };
    expect(next(mondays, '2026-01-01T00:00:00Z')).toBe('2026-01-05T09:00:00.000Z');
    expect(next(mondays, '2026-01-05T09:00:00Z')).toBe('2026-01-12T09:00:00.000Z');
    expect(next({ cadence: 'weekly', frequency: 1, day: 0, hour: 0 }, '2026-01-03T12:00:00Z')).toBe('2026-01-04T00:00:00.000Z');
  });

  it('weekly every 2 weeks counts weeks from Sunday 1970-01-04', () => {
    // The week of Sunday 2026-01-04 is week 2922 (even); the week before is odd, so not Wednesday 2025-12-31.
    const wednesdays: Schedule = { cadence: 'weekly', frequency: 2, day: 3, hour: 0 };
    expect(runs(wednesdays, '2025-12-30T00:00:00Z', 3)).toEqual([
      '2026-01-07T00:00:00.000Z', '2026-01-21T00:00:00.000Z', '2026-02-04T00:00:00.000Z',
    ]);
    expect(next(wednesdays, '2026-01-07T00:00:00Z')).toBe('2026-01-21T00:00:00.000Z');
    expect(runs({ cadence: 'weekly', frequency: 2, day: 0, hour: 12 }, '2026-01-01T00:00:00Z', 2)).toEqual([
      '2026-01-04T12:00:00.000Z', '2026-01-18T12:00:00.000Z',
    ]);
  });

  it('monthly runs on its day at its hour; every 3 months counts months from 1970-01', () => {
    const monthly: Schedule = { cadence: 'monthly', frequency: 1, day: 15, hour: 12 };
    expect(next(monthly, '2026-01-01T00:00:00Z')).toBe('2026-01-15T12:00:00.000Z');
    expect(next(monthly, '2026-01-15T12:00:00Z')).toBe('2026-02-15T12:00:00.000Z');
    // 2026-01 is month 672, a multiple of 3: January, April, July, October.
    const quarterly: Schedule = { cadence: 'monthly', frequency: 3, day: 1, hour: 0 };
    expect(next(quarterly, '2026-01-01T00:00:00Z')).toBe('2026-04-01T00:00:00.000Z');
    expect(runs(quarterly, '2026-02-10T00:00:00Z', 3)).toEqual([
      '2026-04-01T00:00:00.000Z', '2026-07-01T00:00:00.000Z', '2026-10-01T00:00:00.000Z',
    ]);
  });

  it('monthly on a day the month lacks runs on its last day', () => {
    const day31: Schedule = { cadence: 'monthly', frequency: 1, day: 31, hour: 0 };
    expect(runs(day31, '2026-01-31T00:00:00Z', 4)).toEqual([
      '2026-02-28T00:00:00.000Z', '2026-03-31T00:00:00.000Z', '2026-04-30T00:00:00.000Z', '2026-05-31T00:00:00.000Z',
    ]);
    expect(next(day31, '2028-01-31T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
    expect(next({ cadence: 'monthly', frequency: 1, day: 31, hour: 6 }, '2026-02-28T00:00:00Z')).toBe('2026-02-28T06:00:00.000Z');
    expect(next({ cadence: 'monthly', frequency: 1, day: 31, hour: 23 }, '2026-04-30T22:59:00Z')).toBe('2026-04-30T23:00:00.000Z');
    const day30: Schedule = { cadence: 'monthly', frequency: 1, day: 30, hour: 0 };
    expect(next(day30, '2027-02-01T00:00:00Z')).toBe('2027-02-28T00:00:00.000Z');
    expect(next(day30, '2028-02-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
    const day29: Schedule = { cadence: 'monthly', frequency: 1, day: 29, hour: 0 };
    expect(next(day29, '2027-02-01T00:00:00Z')).toBe('2027-02-28T00:00:00.000Z');
    expect(runs(day29, '2028-02-01T00:00:00Z', 2)).toEqual(['2028-02-29T00:00:00.000Z', '2028-03-29T00:00:00.000Z']);
    // Every 5 months from month 675 (2026-04): April, September, February.
    expect(runs({ cadence: 'monthly', frequency: 5, day: 31, hour: 0 }, '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-04-30T00:00:00.000Z', '2026-09-30T00:00:00.000Z', '2027-02-28T00:00:00.000Z',
    ]);
  });
});

describe('nextRunAfter, cron', () => {
  it('runs a 5-field cron in UTC by default; on a slot it gives the next one', () => {
    expect(next({ cron: '0 9 * * 1-5' }, '2026-01-02T09:00:00Z')).toBe('2026-01-05T09:00:00.000Z');
    expect(next({ cron: '*/15 * * * *', timezone: 'UTC' }, '2026-01-01T10:07:30Z')).toBe('2026-01-01T10:15:00.000Z');
    expect(next({ cron: '*/15 * * * *', timezone: 'UTC' }, '2026-01-01T10:15:00Z')).toBe('2026-01-01T10:30:00.000Z');
    expect(next({ cron: '0 9 * * monday' }, '2026-01-01T00:00:00Z')).toBe('2026-01-05T09:00:00.000Z');
  });

  it('runs a 6-field cron with seconds', () => {
    expect(runs({ cron: '*/20 * * * * *' }, '2026-01-01T00:00:00.500Z', 3)).toEqual([
      '2026-01-01T00:00:20.000Z', '2026-01-01T00:00:40.000Z', '2026-01-01T00:01:00.000Z',
    ]);
    expect(next({ cron: '0 30 9 * * *' }, '2026-01-01T09:30:00Z')).toBe('2026-01-02T09:30:00.000Z');
  });

  it('ORs a restricted day of month and day of week, as cron does (node-cron would AND them)', () => {
    expect(runs({ cron: '0 0 1 * 1' }, '2026-01-26T00:00:00Z', 2)).toEqual(['2026-02-01T00:00:00.000Z', '2026-02-02T00:00:00.000Z']);
  });

  it('ANDs them when one field starts with *, as Vixie cron does (cron-parser would OR them)', () => {
    // Odd days of the month that are Mondays.
    expect(runs({ cron: '0 0 */2 * 1' }, '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-05T00:00:00.000Z', '2026-01-19T00:00:00.000Z', '2026-02-09T00:00:00.000Z',
    ]);
  });

  it('refuses what it cannot read with an invalid_argument error', () => {
    for (const schedule of [{ cron: 'not a cron' }, { cron: '0 0 15W * *' }, { cron: '0 0 * * *', timezone: 'Mars/Olympus' }]) {
      const thrown = (() => {
        try {
          nextRunAfter(schedule, new Date('2026-01-01T00:00:00Z'));
        } catch (error) {
          return error;
        }
      })();
      expect(isVigilError(thrown, 'invalid_argument')).toBe(true);
      expect((thrown as Error).message).toMatch(/cannot compute runs of cron|unknown time zone "Mars\/Olympus"/);
    }
  });
});

describe('nextRunAfter, cron across the DST changes of 2026', () => {
  it('Europe/Paris spring forward: 02:30 does not exist on 03-29, so it runs at 03:30 CEST', () => {
    const paris: Schedule = { cron: '30 2 * * *', timezone: 'Europe/Paris' };
    expect(runs(paris, '2026-03-28T00:00:00Z', 3)).toEqual([
      '2026-03-28T01:30:00.000Z', '2026-03-29T01:30:00.000Z', '2026-03-30T00:30:00.000Z',
    ]);
    expect(next(paris, '2026-03-29T01:00:00Z')).toBe('2026-03-29T01:30:00.000Z');
  });

  it('Europe/Paris fall back: 02:30 happens twice on 10-25 and runs once, at the first', () => {
    const paris: Schedule = { cron: '30 2 * * *', timezone: 'Europe/Paris' };
    expect(runs(paris, '2026-10-24T00:00:00Z', 3)).toEqual([
      '2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z',
    ]);
    expect(next(paris, '2026-10-25T01:00:00Z')).toBe('2026-10-26T01:30:00.000Z');
  });

  it('America/New_York spring forward (03-08) and fall back (11-01)', () => {
    expect(runs({ cron: '30 2 * * *', timezone: 'America/New_York' }, '2026-03-07T00:00:00Z', 3)).toEqual([
      '2026-03-07T07:30:00.000Z', '2026-03-08T07:30:00.000Z', '2026-03-09T06:30:00.000Z',
    ]);
    const early: Schedule = { cron: '30 1 * * *', timezone: 'America/New_York' };
    expect(runs(early, '2026-10-31T00:00:00Z', 3)).toEqual([
      '2026-10-31T05:30:00.000Z', '2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z',
    ]);
    expect(next(early, '2026-11-01T06:00:00Z')).toBe('2026-11-02T06:30:00.000Z');
  });

  it('an hourly cron follows real time: the repeated hour runs twice, the skipped hour not at all', () => {
    const hourly: Schedule = { cron: '0 * * * *', timezone: 'America/New_York' };
    expect(runs(hourly, '2026-11-01T03:00:00Z', 5)).toEqual([
      '2026-11-01T04:00:00.000Z', // 00:00 EDT
      '2026-11-01T05:00:00.000Z', // 01:00 EDT
      '2026-11-01T06:00:00.000Z', // 01:00 EST
      '2026-11-01T07:00:00.000Z', // 02:00 EST
      '2026-11-01T08:00:00.000Z',
    ]);
    expect(next(hourly, '2026-11-01T05:30:00Z')).toBe('2026-11-01T06:00:00.000Z');
    expect(runs(hourly, '2026-03-08T05:00:00Z', 3)).toEqual([
      '2026-03-08T06:00:00.000Z', // 01:00 EST
      '2026-03-08T07:00:00.000Z', // 03:00 EDT
      '2026-03-08T08:00:00.000Z',
    ]);
  });

  it('answers from any instant agree with walking the schedule run by run', () => {
    const cases: Array<[Schedule, string, number]> = [
      [{ cron: '*/15 2 * * *', timezone: 'Europe/Paris' }, '2026-03-28T18:00:00Z', 6],
      [{ cron: '*/15 2 * * *', timezone: 'Europe/Paris' }, '2026-10-24T18:00:00Z', 6],
      [{ cron: '0 1-3 * * *', timezone: 'America/New_York' }, '2026-10-31T18:00:00Z', 5],
      [{ cron: '*/20 * * * *', timezone: 'America/New_York' }, '2026-03-08T04:00:00Z', 15],
    ];
    for (const [schedule, from, count] of cases) {
      const walked = runs(schedule, from, count).map((iso) => Date.parse(iso));
      const asked: number[] = [];
      const expected: number[] = [];
      for (let t = Date.parse(from); t < walked.at(-1)!; t += 5 * 60_000) {
        asked.push(nextRunAfter(schedule, new Date(t)).getTime());
        expected.push(walked.find((run) => run > t)!);
      }
      expect(asked).toEqual(expected);
    }
  });
});

describe('nextRunAfter, walked 1000 times', () => {
  /** The gaps between `from` and the first run, then between consecutive runs. */
  const gaps = (schedule: Schedule, from: string): number[] => {
    const times = [Date.parse(from), ...runs(schedule, from, 1000).map((iso) => Date.parse(iso))];
    return times.slice(1).map((t, i) => t - times[i]!);
  };

  it('is strictly increasing for every kind of schedule', () => {
    const schedules: Schedule[] = [
      { cadence: 'hourly', frequency: 6 },
      { cadence: 'daily', frequency: 3, hour: 5 },
      { cadence: 'weekly', frequency: 2, day: 6, hour: 23 },
      { cadence: 'monthly', frequency: 1, day: 31, hour: 0 },
      { cron: '*/7 * * * *', timezone: 'Europe/Paris' },
      { cron: '0 9 * * 1-5', timezone: 'America/New_York' },
    ];
    for (const schedule of schedules) expect(Math.min(...gaps(schedule, '2026-03-01T00:00:00Z'))).toBeGreaterThan(0);
  });

  it('a daily cron is never skipped nor doubled over three years of DST changes', () => {
    for (const timezone of ['Europe/Paris', 'America/New_York']) {
      const daily = gaps({ cron: '30 2 * * *', timezone }, '2026-01-01T00:00:00Z').slice(1);
      expect(daily.every((gap) => gap >= 23 * HOUR && gap <= 25 * HOUR)).toBe(true);
    }
  });

  it('an hourly cron is exactly an hour apart through both changes', () => {
    expect(new Set(gaps({ cron: '0 * * * *', timezone: 'America/New_York' }, '2026-10-20T00:00:00Z'))).toEqual(new Set([HOUR]));
    expect(new Set(gaps({ cron: '0 * * * *', timezone: 'Europe/Paris' }, '2026-03-20T00:00:00Z'))).toEqual(new Set([HOUR]));
  });
});
