import type { Connector } from '../domain/connector.js';
import { VigilError } from '../domain/errors.js';
import type { Warehouse, WarehouseConfig } from '../domain/warehouse.js';

export type OpenConnector = (name: string, config: WarehouseConfig) => Promise<Connector>;

/**
 * The open connectors of a process, one per warehouse, opened on first use. A warehouse
 * that fails to open is tried again on the next call, not remembered as broken.
 */
export class WarehouseConnectors {
  private readonly open = new Map<string, Promise<Connector>>();
  private readonly warehouses: Map<string, Warehouse>;
  private shut = false;

  constructor(
    warehouses: readonly Warehouse[],
    private readonly opener: OpenConnector,
  ) {
    this.warehouses = new Map(warehouses.map((w) => [w.name, w]));
  }

  warehouse(name: string): Warehouse | undefined {
    return this.warehouses.get(name);
  }

  get(name: string): Promise<Connector> {
    if (this.shut) return Promise.reject(new VigilError('warehouse', `warehouse ${name}: Vigil is shutting down`, { kind: 'network' }));
    const existing = this.open.get(name);
    if (existing !== undefined) return existing;
    const warehouse = this.warehouses.get(name);
    if (warehouse === undefined) {
      return Promise.reject(new VigilError('not_found', `warehouse ${name} is not in the config`));
    }
    const opening = this.opener(name, warehouse.config);
    this.open.set(name, opening);
    opening.catch(() => this.open.delete(name));
    return opening;
  }

  /** Closes every connector for good: nothing opens again (the process is stopping). */
  async shutdown(): Promise<void> {
    this.shut = true;
    await this.closeAll();
  }

  /** Closes the open connectors; the next use opens them again. */
  async closeAll(): Promise<void> {
    const opened = [...this.open.values()];
    this.open.clear();
    await Promise.all(
      opened.map(async (pending) => {
        try {
          await (await pending).close();
        } catch {
          // it never opened, or is already gone
        }
      }),
    );
  }
}
