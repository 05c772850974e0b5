import type { ChannelConfig } from '../domain/notification.js';
import type { RawNotification } from './schema.js';

/**
 * Channels with their names: the one given, or the type for the only channel of its type
 * (the schema asks for names when there are several). Logs and the outbox name a channel
 * this way, never by its URL.
 */
export function resolveChannels(raw: readonly RawNotification[]): ChannelConfig[] {
  return raw.map((n) => ({ ...n, name: n.name ?? n.type }) as ChannelConfig);
}
