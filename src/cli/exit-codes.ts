import type { RunResult } from '../engine/run.js';

/** `vigil run-now` exits 0 when all is in range, 1 on a breach, 2 on any error. */
export const EXIT_OK = 0;
export const EXIT_BREACH = 1;
export const EXIT_ERROR = 2;

export function exitCodeFor(results: readonly RunResult[]): number {
  if (results.some((r) => r.status === 'error')) return EXIT_ERROR;
  if (results.some((r) => r.status === 'incident')) return EXIT_BREACH;
  return EXIT_OK;
}
