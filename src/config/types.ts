import type { Monitor } from '../domain/monitor.js';
import type { ChannelConfig } from '../domain/notification.js';
import type { Warehouse } from '../domain/warehouse.js';

/** Where Vigil keeps its own state. */
export type StoreLocation = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/** A validated configuration, with paths made absolute and monitors given their ids. */
export interface VigilConfig {
  /** Absolute path of the file it was read from. */
  file: string;
  store: StoreLocation;
  warehouses: Warehouse[];
  monitors: Monitor[];
  /** Where notifications go; each has a unique name (its type and position when not given). */
  notifications: ChannelConfig[];
  /** Base URL for links to incidents, without a trailing slash; null when not configured. */
  publicUrl: string | null;
  /** Where the API serves, and how many writes a minute each API key may make. */
  api: { host: string; port: number; writeRateLimitPerMinute: number };
  daemon: { shutdownGraceSeconds: number; retries: number };
}
