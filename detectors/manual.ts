import type { BandResult } from '../src/domain/measurement.js';
import type { Condition } from '../src/domain/monitor.js';

/** The band a person set: condition min and max, either of which may be open. */
export function manualBand(condition: Condition): BandResult {
  return { state: 'band', lower: condition.min, upper: condition.max };
}
