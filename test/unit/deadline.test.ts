import { describe, expect, it } from 'vitest';
import { withDeadline } from '../../connectors/shared/deadline.js';

describe('withDeadline', () => {
  it('gives the work when it ends in time, and its own failure when it fails', async () => {
    await expect(withDeadline(Promise.resolve(7), 1000, () => new Error('late'))).resolves.toBe(7);
    await expect(withDeadline(Promise.reject(new Error('own')), 1000, () => new Error('late'))).rejects.toThrow('own');
  });

  it('past the deadline, the error late() makes, once, and late() may cancel the work', async () => {
    let cancelled = 0;
    const never = new Promise<number>(() => {});
    await expect(withDeadline(never, 20, () => (cancelled++, new Error('no answer')))).rejects.toThrow('no answer');
    expect(cancelled).toBe(1);
  });
});
