import type { FastifyInstance } from 'fastify';
import type { Clock } from '../domain/clock.js';
import { VigilError } from '../domain/errors.js';
import { principalOf } from './auth.js';
import { HttpError } from './http-errors.js';

/** The window the limit counts in. */
const WINDOW_MS = 60_000;

/** Requests that only read; they are never limited. */
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What `take` says: go ahead, or wait this many whole seconds (at least 1) and try again. */
export type RateVerdict = { ok: true } | { ok: false; retryAfterSeconds: number };

/** The writes one key made in the window: times in ms, oldest first, from `head` on. */
interface KeyLog {
  times: number[];
  head: number;
}

/**
 * Writes a minute per API key, counted in a sliding window (a log of the times of the writes
 * it let through, not a token bucket): in any 60 s, a key gets at most `perMinute` writes,
 * and a refused write is not counted, so hammering does not push the next slot further off.
 *
 * Retry-After is honest: it is when the oldest write in the window leaves it, rounded up to
 * whole seconds (at least 1), so a client that waits that long gets in.
 *
 * Memory stays bounded: a key keeps at most `perMinute` times, and keys are kept in the order
 * of their last write, so a key idle for a whole window is dropped on the next `take`.
 * In memory only: the count starts over when the process does.
 */
export class WriteRateLimiter {
  private readonly keys = new Map<string, KeyLog>();

  constructor(
    readonly perMinute: number,
    private readonly clock: Clock,
  ) {
    if (!Number.isInteger(perMinute) || perMinute < 1) {
      throw new VigilError('invalid_argument', `a write rate limit must be a whole number of writes a minute, at least 1; got ${perMinute}`);
    }
  }

  /** How many keys are tracked (those that wrote within about the last window). */
  get size(): number {
    return this.keys.size;
  }

  /** Counts a write by `keyId` if the limit allows it; otherwise says how long to wait. */
  take(keyId: string): RateVerdict {
    const now = this.clock.now().getTime();
    this.forgetIdle(now);
    const log = this.keys.get(keyId) ?? { times: [], head: 0 };
    expire(log, now);
    if (log.times.length - log.head >= this.perMinute) {
      const waitMs = log.times[log.head]! + WINDOW_MS - now;
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
    }
    log.times.push(now);
    // Re-inserted last, so the map stays in the order of last writes (see forgetIdle).
    this.keys.delete(keyId);
    this.keys.set(keyId, log);
    return { ok: true };
  }

  /** Drops keys whose last write has left the window, from the front (the longest idle). */
  private forgetIdle(now: number): void {
    for (const [keyId, log] of this.keys) {
      const last = log.times[log.times.length - 1];
      if (last !== undefined && last > now - WINDOW_MS) return;
      this.keys.delete(keyId);
    }
  }
}

/** Moves `head` past the times that left the window; compacts once half the array is spent. */
function expire(log: KeyLog, now: number): void {
  while (log.head < log.times.length && log.times[log.head]! <= now - WINDOW_MS) log.head++;
  if (log.head > 0 && log.head * 2 >= log.times.length) {
    log.times = log.times.slice(log.head);
    log.head = 0;
  }
}

/**
 * 429 with Retry-After once a key is past its writes a minute. Install it after the auth
 * hook (it counts by `request.principal`); reads (GET, HEAD, OPTIONS) are never limited.
 */
export function installWriteRateLimit(scope: FastifyInstance, limiter: WriteRateLimiter): void {
  scope.addHook('onRequest', async (request, reply) => {
    if (READS.has(request.method)) return;
    const verdict = limiter.take(principalOf(request).keyId);
    if (verdict.ok) return;
    const seconds = verdict.retryAfterSeconds;
    reply.header('retry-after', String(seconds));
    throw new HttpError(429, {
      detail: `too many writes: a key may make ${limiter.perMinute} a minute (api.write_rate_limit_per_minute); try again in ${seconds} s`,
    });
  });
}
