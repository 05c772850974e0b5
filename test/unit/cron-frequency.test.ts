import { describe, expect, it } from 'vitest';
import { cronFrequencyHours } from '../../src/scheduler/cron-frequency.js';
import { frequencyHours } from '../../src/domain/schedule.js';

describe('frequency, the hours between runs', () => {
  it('follows the cadence', () => {
    expect(frequencyHours({ cadence: 'hourly', frequency: 6 })).toBe(6);
    expect(frequencyHours({ cadence: 'daily', frequency: 1, hour: 3 })).toBe(24);
    expect(frequencyHours({ cadence: 'weekly', frequency: 2, day: 1, hour: 0 })).toBe(336);
    expect(frequencyHours({ cadence: 'monthly', frequency: 1, day: 1, hour: 0 })).toBe(720);
  });

  it('is the typical gap of a cron schedule, whatever day it is computed on', async () => {
    expect(await cronFrequencyHours({ cron: '0 9 * * 1-5', timezone: 'Europe/Paris' })).toBe(24);
    expect(await cronFrequencyHours({ cron: '*/15 * * * *' })).toBe(0.25);
    expect(await cronFrequencyHours({ cron: '0 0 * * 0' })).toBe(168);
  });
});
