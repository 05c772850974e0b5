import pino from 'pino';
import type { Logger } from '../domain/logger.js';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** Structured JSON logs on stderr, so stdout stays for results. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { name: 'vigil' } }, pino.destination({ dest: 2, sync: true }));
}
