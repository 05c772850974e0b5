import type { ChannelConfig } from '../domain/notification.js';
import type { RawNotification } from './schema.js';

/** Channels with their names: the one given, or `type-N` (1-based position), so logs can say which failed without its URL. */
export function resolveChannels(raw: readonly RawNotification[]): ChannelConfig[] {
  return raw.map((n, i) => ({ ...n, name: n.name ?? `${n.type}-${i + 1}` }) as ChannelConfig);
}
