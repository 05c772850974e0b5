import { v5 as uuidv5 } from 'uuid';

/** Namespace of Vigil's name-based (v5) UUIDs; never change it, or every id changes. */
const VIGIL_NAMESPACE = '5f0a3c8e-4c1b-4e8f-9d7a-2b6e1c9d0a41';

/** Stable ids, so a YAML monitor keeps its id and history across restarts. */
export function integrationId(warehouseName: string): string {
  return uuidv5(`integration\u0000${warehouseName}`, VIGIL_NAMESPACE);
}

export function targetId(integration: string, table: readonly string[] | null, column: string | null): string {
  return uuidv5(JSON.stringify(['target', integration, table, column]), VIGIL_NAMESPACE);
}

export function yamlMonitorId(monitorName: string): string {
  return uuidv5(`monitor\u0000${monitorName}`, VIGIL_NAMESPACE);
}

export const DEFAULT_WORKSPACE_ID = uuidv5('workspace\u0000default', VIGIL_NAMESPACE);

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}
