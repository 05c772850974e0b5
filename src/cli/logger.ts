import pino from 'pino';
import type { Logger } from '../domain/logger.js';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** Fields that can hold credentials; never written, even if some code passes them in. */
const SECRET_FIELDS = ['password', 'secret', 'url', 'webhook_url', 'connectionString', 'authorization'];

/** Structured JSON logs on stderr, so stdout stays for results. */
export function createLogger(level: string): Logger {
  const paths = SECRET_FIELDS.flatMap((f) => [f, `*.${f}`]);
  return pino({ level, base: { name: 'vigil' }, redact: { paths, censor: '[redacted]' } }, pino.destination({ dest: 2, sync: true }));
}
