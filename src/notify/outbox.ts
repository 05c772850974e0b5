import type { Clock } from '../domain/clock.js';
import { isVigilError, messageOf } from '../domain/errors.js';
import { silentLogger, type Logger } from '../domain/logger.js';
import type { StoreDb } from '../store/database.js';
import { claimDue, markFailed, markSent, type OutboxItem } from '../store/outbox-repo.js';
import type { Channel } from './channel.js';

/** A claim outlives a delivery's 10 s timeout; after a crash, what it held is sent again this much later. */
export const DEFAULT_LEASE_MS = 30_000;
const DAY_MS = 86_400_000;

export interface OutboxOptions {
  db: StoreDb;
  clock: Clock;
  channels: readonly Channel[];
  logger?: Logger;
  /** A notification still undelivered this long after it was made is given up (failed): a day by default. */
  maxAgeMs?: number;
  /** Deliveries tried per notification before it is given up; no limit by default (the age decides). */
  maxAttempts?: number;
  /** The first wait after a transient failure; it doubles each time, up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** How long a sender holds a notification it is delivering: longer than a delivery's timeout. */
  leaseMs?: number;
  /** Notifications claimed at once. */
  batch?: number;
  onDelivered?: (channel: string, ok: boolean) => void;
}

/**
 * Delivers the outbox: each notification to its channel, retrying transient failures with
 * exponential backoff and giving up on permanent ones. A notification is marked sent only
 * after its channel accepted it, so a crash in between sends it again, with the same id
 * (X-Vigil-Delivery, the email's Message-ID) for the receiver to recognise.
 */
export class OutboxDispatcher {
  private readonly channels: Map<string, Channel>;
  private readonly logger: Logger;

  constructor(private readonly options: OutboxOptions) {
    this.channels = new Map(options.channels.map((c) => [c.name, c]));
    this.logger = options.logger ?? silentLogger;
  }

  /** Delivers what is due now; returns how many notifications it handled. */
  async drainOnce(): Promise<number> {
    const { db, clock } = this.options;
    const items = await claimDue(db, clock.now(), this.options.leaseMs ?? DEFAULT_LEASE_MS, this.options.batch ?? 20);
    await Promise.all(items.map((item) => this.deliver(item)));
    return items.length;
  }

  /** Delivers until nothing is due. */
  async drain(): Promise<void> {
    while ((await this.drainOnce()) > 0);
  }

  private backoff(attempts: number): number {
    const base = this.options.baseDelayMs ?? 5_000;
    const max = this.options.maxDelayMs ?? 15 * 60_000;
    return Math.min(max, base * 2 ** Math.max(0, attempts - 1)) * (1 + Math.random() * 0.2);
  }

  private async deliver(item: OutboxItem): Promise<void> {
    const { db, clock } = this.options;
    const fields = { notification: item.id, channel: item.channel, event: item.notification.event, monitorId: item.notification.monitor.id };
    const channel = this.channels.get(item.channel);
    if (channel === undefined) {
      await markFailed(db, item, clock.now(), `channel "${item.channel}" is no longer configured`, null);
      this.logger.warn(fields, `notification dropped: channel "${item.channel}" is no longer configured`);
      return;
    }
    try {
      await channel.send(item.notification);
      await markSent(db, item, clock.now());
      this.options.onDelivered?.(item.channel, true);
      this.logger.info(fields, 'notification delivered');
    } catch (error) {
      const message = messageOf(error);
      const attempts = item.attempts + 1;
      const transient = isVigilError(error) && error.isTransient;
      const age = clock.now().getTime() - Date.parse(item.notification.at);
      const giveUp = !transient || attempts >= (this.options.maxAttempts ?? Number.POSITIVE_INFINITY) || age >= (this.options.maxAgeMs ?? DAY_MS);
      // A receiver that says when to come back (HTTP 429/503 Retry-After) is believed, up to an hour.
      const asked = isVigilError(error) && error.retryAfterMs !== undefined ? Math.min(error.retryAfterMs, 3_600_000) : 0;
      const retryAt = giveUp ? null : new Date(clock.now().getTime() + Math.max(asked, this.backoff(attempts)));
      await markFailed(db, item, clock.now(), message, retryAt);
      this.options.onDelivered?.(item.channel, false);
      this.logger.warn({ ...fields, attempts, retryAt: retryAt?.toISOString() ?? null }, giveUp ? `notification given up: ${message}` : `notification will be retried: ${message}`);
    }
  }
}
