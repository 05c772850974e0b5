import type { FastifyRequest } from 'fastify';
import type { Clock } from '../../domain/clock.js';
import type { Monitor } from '../../domain/monitor.js';
import type { RunResult } from '../../engine/run.js';
import type { Logger } from '../../domain/logger.js';
import type { StoreDb } from '../../store/database.js';
import type { NotifyTargets } from '../../store/incident-effects.js';
import { parsePaging } from '../pagination.js';
import { FieldErrors } from '../request.js';

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
}

export type Query = Record<string, unknown>;

export const queryOf = (request: FastifyRequest): Query => (request.query ?? {}) as Query;

/** The request's absolute URL, for the list envelope's links. */
export function urlOf(request: FastifyRequest): URL {
  return new URL(request.url, `${request.protocol}://${request.host}`);
}

/** Page and page size, collected with the other query problems. */
export function pagingOf(query: Query, errors: FieldErrors): { page: number; pageSize: number } {
  const paging = parsePaging(query);
  if (paging.ok) return { page: paging.page, pageSize: paging.pageSize };
  errors.merge(paging.errors);
  return { page: 1, pageSize: 1 };
}
