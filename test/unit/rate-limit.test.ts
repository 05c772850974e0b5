import { describe, expect, it } from 'vitest';
import { WriteRateLimiter } from '../../src/api/rate-limit.js';
import { ManualClock } from '../../src/domain/clock.js';
import { VigilError } from '../../src/domain/errors.js';

const START = '2026-11-28T12:00:00Z';

/** `count` writes by `keyId`, returning how many were let through. */
function takeMany(limiter: WriteRateLimiter, keyId: string, count: number): number {
  let ok = 0;
  for (let i = 0; i < count; i++) if (limiter.take(keyId).ok) ok++;
  return ok;
}

describe('WriteRateLimiter', () => {
  it('lets 30 writes through and refuses the 31st within the minute, with the seconds until a slot frees', () => {
    const clock = new ManualClock(START);
    const limiter = new WriteRateLimiter(30, clock);
    for (let i = 0; i < 30; i++) {
      expect(limiter.take('a'), `write ${i + 1}`).toEqual({ ok: true });
      clock.advance(1_000); // writes at 0 s, 1 s, ..., 29 s
    }
    // At 30 s the oldest write (at 0 s) leaves the window at 60 s: 30 s to wait.
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 30 });
    clock.advance(29_500);
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 1 }); // 0.5 s, rounded up
    clock.advance(500);
    expect(limiter.take('a')).toEqual({ ok: true });
  });

  it('rounds Retry-After up to whole seconds and never says 0', () => {
    const clock = new ManualClock(START);
    const limiter = new WriteRateLimiter(1, clock);
    expect(limiter.take('a').ok).toBe(true);
    clock.advance(100);
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 60 }); // 59.9 s
    clock.advance(59_899);
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 1 }); // 1 ms
    clock.advance(1);
    expect(limiter.take('a')).toEqual({ ok: true });
  });

  it('honours its Retry-After: waiting that long lets the next write through, a second less does not', () => {
    const clock = new ManualClock(START);
    const limiter = new WriteRateLimiter(3, clock);
    for (const at of [0, 10_000, 25_000]) {
      clock.set(Date.parse(START) + at);
      expect(limiter.take('a').ok).toBe(true);
    }
    clock.set(Date.parse(START) + 40_000);
    const refused = limiter.take('a');
    if (refused.ok) throw new Error('expected the 4th write to be refused');
    expect(refused.retryAfterSeconds).toBe(20);
    clock.advance((refused.retryAfterSeconds - 1) * 1_000);
    expect(limiter.take('a').ok).toBe(false);
    clock.advance(1_000);
    expect(limiter.take('a').ok).toBe(true);
  });

  it('does not count refused writes', () => {
    const clock = new ManualClock(START);
    const limiter = new WriteRateLimiter(2, clock);
    expect(takeMany(limiter, 'a', 2)).toBe(2);
    clock.advance(30_000);
    expect(takeMany(limiter, 'a', 50)).toBe(0);
    clock.advance(30_000); // both counted writes leave the window; the 50 refused never entered it
    expect(takeMany(limiter, 'a', 3)).toBe(2);
  });

  it('counts each key on its own', () => {
    const clock = new ManualClock(START);
    const limiter = new WriteRateLimiter(30, clock);
    expect(takeMany(limiter, 'a', 31)).toBe(30);
    expect(limiter.take('b')).toEqual({ ok: true });
    expect(takeMany(limiter, 'b', 30)).toBe(29);
    expect(limiter.take('a').ok).toBe(false);
  });

  it('slides the window: writes leave it one by one as their minute passes', () => {
    const clock = new ManualClock(START);
    const limiter = new WriteRateLimiter(4, clock);
    expect(takeMany(limiter, 'a', 2)).toBe(2); // at 0 s
    clock.advance(30_000);
    expect(takeMany(limiter, 'a', 3)).toBe(2); // at 30 s: full
    clock.advance(29_999);
    expect(limiter.take('a').ok).toBe(false); // 59.999 s: the 0 s writes are still in the window
    clock.advance(1);
    expect(takeMany(limiter, 'a', 3)).toBe(2); // 60 s: the two 0 s writes have left; not a fixed window reset
    clock.advance(30_000);
    expect(takeMany(limiter, 'a', 3)).toBe(2); // 90 s: the two 30 s writes have left
  });

  it('never lets more than perMinute writes into any 60 s, however they are spread', () => {
    const clock = new ManualClock(START);
    const limiter = new WriteRateLimiter(5, clock);
    const accepted: number[] = [];
    for (let t = 0; t < 300_000; t += 1_700) {
      clock.set(Date.parse(START) + t);
      for (let i = 0; i < 3; i++) if (limiter.take('a').ok) accepted.push(t);
    }
    expect(accepted.length).toBeGreaterThan(20);
    for (const start of accepted) expect(accepted.filter((t) => t >= start && t < start + 60_000).length).toBeLessThanOrEqual(5);
  });

  it('forgets keys that have not written for a minute', () => {
    const clock = new ManualClock(START);
    const limiter = new WriteRateLimiter(30, clock);
    for (let i = 0; i < 100; i++) limiter.take(`key-${i}`);
    expect(limiter.size).toBe(100);
    clock.advance(30_000);
    limiter.take('key-0'); // key-0 is active again
    clock.advance(30_000);
    limiter.take('late');
    expect(limiter.size).toBe(2); // key-0 (wrote 30 s ago) and late; the other 99 were idle a minute
    clock.advance(60_000);
    limiter.take('late');
    expect(limiter.size).toBe(1);
  });

  it('forgets a key once its last write leaves the window, and then gives it a full budget', () => {
    const clock = new ManualClock(START);
    const limiter = new WriteRateLimiter(2, clock);
    expect(takeMany(limiter, 'a', 3)).toBe(2);
    clock.advance(59_000);
    expect(limiter.take('b').ok).toBe(true);
    expect(limiter.size).toBe(2);
    clock.advance(1_000);
    expect(limiter.take('b').ok).toBe(true);
    expect(limiter.size).toBe(1); // a is gone
    expect(takeMany(limiter, 'a', 3)).toBe(2);
  });

  it('refuses a limit that is not a whole number of at least 1', () => {
    const clock = new ManualClock(START);
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => new WriteRateLimiter(bad, clock)).toThrow(VigilError);
    expect(new WriteRateLimiter(1, clock).perMinute).toBe(1);
  });
});
