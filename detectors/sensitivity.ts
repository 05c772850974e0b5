/**
 * Sensitivity 1-10 scales the band: 5 is the tuned default; each step up narrows the band by
 * about 15% (more alerts), each step down widens it by as much.
 */
export const SENSITIVITY_FACTOR: Readonly<Record<number, number>> = {
  1: 1.95,
  2: 1.66,
  3: 1.41,
  4: 1.19,
  5: 1,
  6: 0.85,
  7: 0.72,
  8: 0.61,
  9: 0.52,
  10: 0.44,
};

export function sensitivityFactor(sensitivity: number): number {
  const factor = SENSITIVITY_FACTOR[Math.round(Math.min(10, Math.max(1, sensitivity)))];
  return factor ?? 1;
}
