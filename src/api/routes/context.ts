import type { FastifyRequest } from 'fastify';
import type { Clock } from '../../domain/clock.js';
import type { Monitor } from '../../domain/monitor.js';
import type { WarehouseConnectors } from '../../engine/connectors.js';
import type { RunResult } from '../../engine/run.js';
import type { Logger } from '../../domain/logger.js';
import type { StoreDb } from '../../store/database.js';
import type { NotifyTargets } from '../../store/incident-effects.js';
import { PAGE_SIZE } from '../pagination.js';

/** What the API's routes need. */
export interface ApiDeps {
  db: StoreDb;
  clock: Clock;
  logger: Logger;
  /** Where notifications of people's actions (a resolution) go. */
  notify: NotifyTargets;
  /** The id shown as every monitor's `workspace`. */
  workspace: string;
  /** The warehouses of the config, by name: API monitors may use only these. */
  warehouses: readonly string[];
  /** Runs monitors now (POST /monitor/monitors/run); absent, that route answers 503. */
  runMonitors?: (monitors: Monitor[]) => Promise<RunResult[]>;
  /** Told when monitor definitions change, so the scheduler rereads them at once. */
  changed?: () => void;
  /** The warehouses, to check a new monitor's column where they answer. */
  connectors?: WarehouseConnectors;
  /** Writes a minute per API key (api.write_rate_limit_per_minute); unlimited when absent. */
  writeRateLimitPerMinute?: number;
}

export type Query = Record<string, unknown>;

export const queryOf = (request: FastifyRequest): Query => (request.query ?? {}) as Query;

/** The request's absolute URL, for the list envelope's links. */
export function urlOf(request: FastifyRequest): URL {
  return new URL(request.url, `${request.protocol}://${request.host}`);
}

/** Page and page size from a validated query (see pagingQuery). */
export function pageOf(query: { page?: string | undefined; page_size?: string | undefined }): { page: number; pageSize: number } {
  return { page: query.page === undefined ? 1 : Number(query.page), pageSize: query.page_size === undefined ? PAGE_SIZE : Number(query.page_size) };
}
