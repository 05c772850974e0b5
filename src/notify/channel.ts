import { systemClock, type Clock } from '../domain/clock.js';
import type { ChannelConfig, Notification } from '../domain/notification.js';
import { createEmailChannel } from './email.js';
import { createSlackChannel } from './slack.js';
import { createWebhookChannel } from './webhook.js';

/**
 * One configured place notifications go. `send` delivers one notification once: it
 * resolves when the receiver accepted it and rejects with a VigilError('notify') whose
 * kind says whether trying again can help (see errors.ts). Retries, the outbox and
 * scheduling belong to the caller; a channel never retries on its own.
 */
export interface Channel {
  /** The configured name (or `type-N`), used in every message about this channel. */
  readonly name: string;
  readonly type: ChannelConfig['type'];
  send(notification: Notification): Promise<void>;
  /** Releases connections; deliveries still in flight fail as transient. */
  close(): Promise<void>;
}

export interface ChannelOptions {
  /** How long one delivery may take, connecting included; 10 s by default. */
  timeoutMs?: number;
  /** Dates the webhook's X-Vigil-Timestamp. */
  clock?: Clock;
}

/** The options with their defaults applied, as each channel receives them. */
export type DeliveryOptions = Required<ChannelOptions>;

export const DEFAULT_TIMEOUT_MS = 10_000;

export function createChannel(config: ChannelConfig, options: ChannelOptions = {}): Channel {
  const delivery: DeliveryOptions = { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, clock: options.clock ?? systemClock };
  switch (config.type) {
    case 'slack':
      return createSlackChannel(config, delivery);
    case 'webhook':
      return createWebhookChannel(config, delivery);
    case 'email':
      return createEmailChannel(config, delivery);
  }
}
