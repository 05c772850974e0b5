import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ChannelConfig, Notification } from '../domain/notification.js';
import type { Channel, DeliveryOptions } from './channel.js';
import { describeChannel, httpStatusError, notifyError, requestFailure, timeoutError, urlSecrets } from './errors.js';

/**
 * The generic webhook: the notification as JSON, POSTed to a URL. Receivers drop
 * duplicates by `X-Vigil-Delivery` (the notification id, the same on every retry) and,
 * when a secret is configured, check `X-Vigil-Signature: sha256=<hex HMAC-SHA256(secret,
 * "<X-Vigil-Timestamp>.<body>")>` with verifySignature, refusing old timestamps.
 */

export type WebhookConfig = Extract<ChannelConfig, { type: 'webhook' }>;

/** Posts one JSON body; shared with the Slack channel, whose webhook is one too. */
export interface HttpPoster {
  post(body: Uint8Array, headers: Headers): Promise<void>;
  close(): void;
}

/** Fails every delivery in flight when the channel closes. */
const CLOSED = new Error('closed');

/**
 * POSTs to `url` within `timeoutMs` (the answer's body included). Redirects are not
 * followed: a webhook that moved is a configuration to fix, and the body is not re-sent.
 */
export function httpPoster(where: string, url: string, secrets: readonly string[], timeoutMs: number): HttpPoster {
  const inFlight = new Set<AbortController>();
  let closed = false;
  return {
    async post(body, headers) {
      if (closed) throw notifyError(where, 'the channel is closed', 'network', undefined, secrets);
      const controller = new AbortController();
      const timedOut = new Error('timed out');
      const timer = setTimeout(() => controller.abort(timedOut), timeoutMs);
      inFlight.add(controller);
      const failure = (error: unknown) => {
        if (error === timedOut) return timeoutError(where, timeoutMs, 'the webhook', secrets);
        if (error === CLOSED) return notifyError(where, 'the channel closed during the delivery', 'network', undefined, secrets);
        return requestFailure(where, error, secrets);
      };
      try {
        const response = await fetch(url, { method: 'POST', body, headers, redirect: 'manual', signal: controller.signal }).catch((error: unknown) => {
          throw failure(error);
        });
        if (response.ok) {
          await response.body?.cancel().catch(() => undefined);
          return;
        }
        const text = await response.text().catch(() => '');
        throw httpStatusError(where, response.status, text, secrets, retryAfterMs(response.headers.get('retry-after')));
      } finally {
        clearTimeout(timer);
        inFlight.delete(controller);
      }
    },
    close() {
      closed = true;
      for (const controller of inFlight) controller.abort(CLOSED);
    },
  };
}

/** A Retry-After header (seconds, or an HTTP date) as ms from now; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The body: the Notification's fields as they are, in a fixed order. */
export function webhookBody(notification: Notification): string {
  const { id, event, at, monitor, incident, measurement, error } = notification;
  return JSON.stringify({ id, event, at, monitor, incident, measurement, error });
}

/** HMAC-SHA256(secret, "<timestamp>.<body>"): the time is signed too, so a captured request cannot be replayed later as new. */
function mac(secret: string, body: string | Uint8Array, timestamp: string): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
}

/** `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`, as X-Vigil-Signature carries it. */
export function signBody(secret: string, body: string | Uint8Array, timestamp: string): string {
  return `sha256=${mac(secret, body, timestamp).toString('hex')}`;
}

/**
 * Whether an X-Vigil-Signature header matches the exact body bytes received and the
 * X-Vigil-Timestamp header, compared in constant time. For receivers and tests; a missing
 * or malformed header is false. A receiver should also refuse a timestamp far from its
 * own clock (five minutes, say) and a delivery id it has seen.
 */
export function verifySignature(secret: string, body: string | Uint8Array, header: string | null | undefined, timestamp: string | null | undefined): boolean {
  const match = typeof header === 'string' ? /^sha256=([0-9a-f]{64})$/i.exec(header.trim()) : null;
  if (match?.[1] === undefined || typeof timestamp !== 'string' || !/^\d+$/.test(timestamp)) return false;
  const expected = mac(secret, body, timestamp);
  const given = Buffer.from(match[1], 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The configured headers, checked once: a bad one is a configuration error, named without its value. */
function configuredHeaders(where: string, headers: Readonly<Record<string, string>>, secrets: readonly string[]): Headers {
  const result = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    try {
      result.set(name, value);
    } catch {
      throw notifyError(where, `header "${name}" is not a valid HTTP header name and value`, undefined, undefined, secrets);
    }
  }
  return result;
}

/** Everything a delivery sends besides the body; Vigil's own headers win over configured ones. */
export function webhookHeaders(base: Headers, notification: Notification, body: Uint8Array, secret: string | undefined, unixSeconds: number): Headers {
  const headers = new Headers(base);
  headers.set('Content-Type', 'application/json');
  headers.set('User-Agent', 'Vigil');
  headers.set('X-Vigil-Event', notification.event);
  headers.set('X-Vigil-Delivery', notification.id);
  if (secret !== undefined) {
    headers.set('X-Vigil-Timestamp', String(unixSeconds));
    headers.set('X-Vigil-Signature', signBody(secret, body, String(unixSeconds)));
  }
  return headers;
}

export function createWebhookChannel(config: WebhookConfig, options: DeliveryOptions): Channel {
  const where = describeChannel(config.type, config.name);
  const secrets = [...urlSecrets(config.url), ...(config.secret === undefined ? [] : [config.secret]), ...Object.values(config.headers)];
  const base = configuredHeaders(where, config.headers, secrets);
  const poster = httpPoster(where, config.url, secrets, options.timeoutMs);
  return {
    name: config.name,
    type: config.type,
    async send(notification) {
      const body = Buffer.from(webhookBody(notification), 'utf8');
      const now = Math.floor(options.clock.now().getTime() / 1000);
      await poster.post(body, webhookHeaders(base, notification, body, config.secret, now));
    },
    async close() {
      poster.close();
    },
  };
}
