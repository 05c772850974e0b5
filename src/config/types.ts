import type { Monitor } from '../domain/monitor.js';
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
}
