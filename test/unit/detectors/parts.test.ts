import { describe, expect, it } from 'vitest';
import { dayOfMonth, dayOfWeek, hourOfDay } from '../../../detectors/calendar.js';
import { robustScale, robustTail } from '../../../detectors/robust.js';
import { RollingResiduals } from '../../../detectors/rolling.js';
import { SEASONS, samePhase } from '../../../detectors/seasons.js';
import { random } from '../../helpers/series.js';

describe('calendar arithmetic without Date objects', () => {
  it('agrees with Date on every hour of four years, leap days included', () => {
    for (let t = Date.UTC(2023, 0, 1); t < Date.UTC(2027, 0, 1); t += 3_600_000 * 7) {
      const d = new Date(t);
      expect(dayOfWeek(t)).toBe(d.getUTCDay());
      expect(hourOfDay(t)).toBe(d.getUTCHours());
      expect(dayOfMonth(t)).toEqual({ day: d.getUTCDate(), daysInMonth: new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate() });
    }
  });

  it('gives month-end days their own slots', () => {
    const slot = (iso: string) => SEASONS.month_edge.slot(Date.parse(iso));
    expect([slot('2026-02-01T05:00:00Z'), slot('2026-02-02T00:00:00Z'), slot('2026-02-15T00:00:00Z'), slot('2026-02-27T00:00:00Z'), slot('2026-02-28T00:00:00Z')]).toEqual([1, 2, 0, 4, 3]);
    expect(slot('2028-02-29T00:00:00Z')).toBe(3);
  });

  it('tells the same phase of a cycle from a neighbouring slot', () => {
    const day = 86_400_000;
    expect(samePhase(7 * day, 7 * day, day / 2, 2.5)).toBe(true);
    expect(samePhase(14 * day, 7 * day, day / 2, 2.5)).toBe(true);
    expect(samePhase(21 * day, 7 * day, day / 2, 2.5)).toBe(false);
    expect(samePhase(day, 7 * day, day / 2, 2.5)).toBe(false);
    expect(samePhase(29 * day, 30.44 * day, 3 * day, 2.5)).toBe(true);
  });
});

describe('robust statistics', () => {
  it('scales by the MAD, or by the trimmed mean when most deviations are zero', () => {
    expect(robustScale(Float64Array.from([1, 1, 2, 2, 3, 100]))).toBeCloseTo(1.4826 * 2, 6);
    const sparse = [...Array(90).fill(0), ...Array(10).fill(1)];
    expect(robustScale(Float64Array.from(sparse))).toBeGreaterThan(0);
    expect(robustScale(new Float64Array(0))).toBe(0);
  });

  it('never lets the two largest values make the tail', () => {
    expect(robustTail(Float64Array.from([1, 2, 3, 4, 1000, 5000]), 0.98)).toBeLessThanOrEqual(4);
    expect(robustTail(Float64Array.from([1, 2]), 0.98)).toBe(0);
  });
});

describe('rolling residuals', () => {
  it('keeps the last values in order as they come and go', () => {
    const rnd = random(31);
    const rolling = new RollingResiduals(50);
    const all: number[] = [];
    for (let i = 0; i < 400; i++) {
      const v = Math.round(rnd() * 100);
      rolling.push(v);
      all.push(v);
      if (i % 37 === 0 || i > 390) {
        expect(Array.from(rolling.ascending())).toEqual(all.slice(-50).sort((a, b) => a - b));
      }
    }
    expect(rolling.size).toBe(50);
    expect(rolling.values()).toEqual(all.slice(-50));
  });
});
