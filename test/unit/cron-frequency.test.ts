import { describe, expect, it } from 'vitest';
import { cronFrequencyHours, FREQUENCY_REFERENCE } from '../../src/scheduler/cron-frequency.js';
import { frequencyHours } from '../../src/domain/schedule.js';

describe('frequency, the hours between runs', () => {
  it('follows the cadence', () => {
    expect(frequencyHours({ cadence: 'hourly', frequency: 6 })).toBe(6);
    expect(frequencyHours({ cadence: 'daily', frequency: 1, hour: 3 })).toBe(24);
    expect(frequencyHours({ cadence: 'weekly', frequency: 2, day: 1, hour: 0 })).toBe(336);
    expect(frequencyHours({ cadence: 'monthly', frequency: 1, day: 1, hour: 0 })).toBe(720);
  });

  it('is the typical gap of a cron schedule, whatever day it is computed on', () => {
    for (const from of [FREQUENCY_REFERENCE, new Date('2026-03-27T10:00:00Z'), new Date('2026-10-30T18:00:00Z')]) {
      expect(cronFrequencyHours({ cron: '0 9 * * 1-5', timezone: 'Europe/Paris' }, from)).toBe(24);
      expect(cronFrequencyHours({ cron: '*/15 * * * *' }, from)).toBe(0.25);
      expect(cronFrequencyHours({ cron: '0 0 * * 0' }, from)).toBe(168);
      expect(cronFrequencyHours({ cron: '0 * * * *', timezone: 'America/New_York' }, from)).toBe(1);
    }
  });

  it('is deterministic from the fixed reference config sync uses', () => {
    expect(FREQUENCY_REFERENCE.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(cronFrequencyHours({ cron: '0 6 1 * *' }, FREQUENCY_REFERENCE)).toBe(744);
    expect(cronFrequencyHours({ cron: '0 30 2 * * *', timezone: 'America/New_York' }, FREQUENCY_REFERENCE)).toBe(24);
  });
});
