import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { VigilError } from '../../src/domain/errors.js';
import type { ChannelConfig, Notification, NotificationEvent } from '../../src/domain/notification.js';
import { createChannel, type Channel } from '../../src/notify/channel.js';
import { verifySignature } from '../../src/notify/webhook.js';

/**
 * Each channel against a real receiver on 127.0.0.1: a node:http server standing in for
 * Slack and webhook receivers, and an smtp-server SMTPServer for email.
 */

const SLACK_TOKEN = 'SlackT0kenXyZ0123456789abcdef';
const SECRET = 'webhook-signing-secret-0123456789';
const HEADER_TOKEN = 'Bearer header-token-9f8e7d6c5b4a';
const PASSWORD = 'smtp-P4ssw0rd-correct-horse';
const clock = new ManualClock('2026-01-05T03:00:05Z');

interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

interface Mail {
  from: string;
  to: string[];
  raw: string;
}

let http: Server;
let httpBase = '';
const received: Received[] = [];
let smtp: SMTPServer;
let smtpPort = 0;
const mails: Mail[] = [];
let closedPort = 0;
let silent: TcpServer;
let silentPort = 0;
const silentSockets = new Set<Socket>();
const channels: Channel[] = [];

function listen(server: Server | TcpServer): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

beforeAll(async () => {
  // /status/NNN/... answers NNN and echoes what it got (URL and headers) to test redaction; /hang never answers.
  http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      if (req.url?.startsWith('/hang')) return;
      const status = Number(/^\/status\/(\d{3})/.exec(req.url ?? '')?.[1] ?? 200);
      res.writeHead(status, { 'Content-Type': 'text/plain' });
      res.end(status === 200 ? 'ok' : `refused ${req.url} ${JSON.stringify(req.headers)}`);
    });
  });
  httpBase = `http://127.0.0.1:${await listen(http)}`;

  const closed = createTcpServer();
  closedPort = await listen(closed);
  await new Promise<void>((resolve) => closed.close(() => resolve()));

  silent = createTcpServer((socket) => silentSockets.add(socket)); // accepts, never greets
  silentPort = await listen(silent);

  smtp = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'vigil' && auth.password === PASSWORD) return callback(null, { user: 'vigil' });
      return callback(new Error(`Invalid username or password ${String(auth.password)}`));
    },
    onRcptTo(address, _session, callback) {
      const code = /^reject(\d{3})@/.exec(address.address)?.[1];
      if (code === undefined) return callback();
      return callback(Object.assign(new Error(`mailbox ${address.address} unavailable`), { responseCode: Number(code) }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
        mails.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  smtpPort = await new Promise<number>((resolve) => {
    const server = smtp.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
});

afterEach(async () => {
  for (const channel of channels.splice(0)) await channel.close();
  received.length = 0;
  mails.length = 0;
});

afterAll(async () => {
  http.closeAllConnections();
  await new Promise<void>((resolve) => http.close(() => resolve()));
  for (const socket of silentSockets) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

function open(config: ChannelConfig, timeoutMs = 5000): Channel {
  const channel = createChannel(config, { timeoutMs, clock });
  channels.push(channel);
  return channel;
}

function slack(path = `/services/T0001/B0001/${SLACK_TOKEN}`, name = 'slack-1'): ChannelConfig {
  return { type: 'slack', name, webhook_url: `${httpBase}${path}` };
}

function webhook(path = '/hooks/vigil', secret: string | null = SECRET): ChannelConfig {
  return { type: 'webhook', name: 'hooks', url: `${httpBase}${path}?token=${SLACK_TOKEN}`, secret: secret ?? undefined, headers: { Authorization: HEADER_TOKEN, 'X-Team': 'data' } };
}

function email(to: string[] = ['oncall@example.com', 'data@example.com'], port = smtpPort, password = PASSWORD): ChannelConfig {
  return {
    type: 'email',
    name: 'mail',
    from: 'vigil@example.com',
    to,
    smtp: { host: '127.0.0.1', port, secure: false, user: 'vigil', password, reject_unauthorized: true },
  };
}

function notification(event: NotificationEvent): Notification {
  const incident: Notification['incident'] = {
    id: 'inc-1',
    status: event === 'incident_resolved' ? 'resolved' : 'active',
    firstSeenAt: '2026-01-05T03:00:00Z',
    lastSeenAt: '2026-01-05T03:00:00Z',
    resolvedAt: event === 'incident_resolved' ? '2026-01-06T03:00:00Z' : null,
    resolution: event === 'incident_resolved' ? 'auto_resolved' : null,
    url: 'https://vigil.example.com/incidents/inc-1',
  };
  return {
    id: `0b9f3c1e-0000-4000-8000-00000000000${event.length % 10}`,
    event,
    at: '2026-01-05T03:00:00Z',
    monitor: { id: 'mon-1', name: 'Rows in orders', metricType: 'row_count', warehouse: 'shop', target: 'shop.public.orders' },
    incident: event === 'monitor_error' ? null : incident,
    measurement: event === 'monitor_error' ? null : { value: event === 'incident_created' ? 12 : 1500, lower: 1000, upper: 2000 },
    error: event === 'monitor_error' ? 'relation "public.orders" does not exist' : null,
  };
}

const TITLES: Record<NotificationEvent, string> = {
  incident_created: 'Incident opened: Rows in orders',
  incident_resolved: 'Incident resolved: Rows in orders',
  monitor_error: 'Monitor failed: Rows in orders',
};
const EVENTS: NotificationEvent[] = ['incident_created', 'incident_resolved', 'monitor_error'];

/** The rejection of a delivery, checked to be a notify VigilError that says nothing secret. */
async function failure(promise: Promise<void>, secrets: readonly string[]): Promise<VigilError> {
  const error: unknown = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(VigilError);
  const vigil = error as VigilError;
  expect(vigil.code).toBe('notify');
  const texts: string[] = [];
  for (let e: unknown = vigil, depth = 0; e instanceof Error && depth < 6; e = e.cause, depth++) texts.push(e.message, e.stack ?? '');
  for (const secret of secrets) for (const text of texts) expect(text).not.toContain(secret);
  return vigil;
}

describe('slack channel', () => {
  it.each(EVENTS)('delivers %s as Block Kit JSON', async (event) => {
    await open(slack()).send(notification(event));
    expect(received).toHaveLength(1);
    const request = received[0]!;
    expect(request.url).toBe(`/services/T0001/B0001/${SLACK_TOKEN}`);
    expect(request.headers['content-type']).toBe('application/json');
    const payload = JSON.parse(request.body.toString('utf8')) as { text: string; blocks: Array<{ type: string; text?: { text: string } }> };
    expect(payload.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: TITLES[event], emoji: true } });
    expect(payload.text.startsWith(TITLES[event])).toBe(true);
    expect(payload.blocks.some((b) => b.type === 'actions')).toBe(event !== 'monitor_error');
    if (event === 'monitor_error') expect(JSON.stringify(payload.blocks)).toContain('relation \\"public.orders\\" does not exist');
  });

  it('500 is transient, 429 is transient, 400 is permanent; none names the URL', async () => {
    const secrets = [SLACK_TOKEN, httpBase];
    const e500 = await failure(open(slack(`/status/500/${SLACK_TOKEN}`)).send(notification('incident_created')), secrets);
    expect(e500.message).toMatch(/^slack channel "slack-1": HTTP 500 from the webhook/);
    expect([e500.kind, e500.isTransient]).toEqual(['network', true]);
    const e429 = await failure(open(slack(`/status/429/${SLACK_TOKEN}`)).send(notification('incident_created')), secrets);
    expect(e429.isTransient).toBe(true);
    const e400 = await failure(open(slack(`/status/400/${SLACK_TOKEN}`)).send(notification('incident_created')), secrets);
    expect([e400.kind, e400.isTransient]).toEqual([undefined, false]);
    expect(e400.message).toContain('[redacted]'); // the receiver echoed the URL back
    const e403 = await failure(open(slack(`/status/403/${SLACK_TOKEN}`)).send(notification('incident_created')), secrets);
    expect([e403.kind, e403.isTransient]).toEqual(['permission', false]);
  });

  it('a receiver that never answers is a timeout', async () => {
    const started = Date.now();
    const error = await failure(open(slack(`/hang/${SLACK_TOKEN}`), 300).send(notification('incident_created')), [SLACK_TOKEN]);
    expect([error.kind, error.isTransient]).toEqual(['timeout', true]);
    expect(error.message).toBe('slack channel "slack-1": no answer from the webhook within 300 ms');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('a closed port is a network error', async () => {
    const config: ChannelConfig = { type: 'slack', name: 'slack-1', webhook_url: `http://127.0.0.1:${closedPort}/services/T1/B1/${SLACK_TOKEN}` };
    const error = await failure(open(config).send(notification('incident_created')), [SLACK_TOKEN]);
    expect([error.kind, error.isTransient]).toEqual(['network', true]);
    expect(error.message).toContain('connection refused (ECONNREFUSED)');
  });
});

describe('webhook channel', () => {
  it.each(EVENTS)('delivers %s as signed JSON with the delivery id', async (event) => {
    const n = notification(event);
    await open(webhook()).send(n);
    const request = received[0]!;
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-vigil-event']).toBe(event);
    expect(request.headers['x-vigil-delivery']).toBe(n.id);
    expect(request.headers['authorization']).toBe(HEADER_TOKEN);
    expect(request.headers['x-team']).toBe('data');
    expect(request.headers['x-vigil-timestamp']).toBe(String(Date.parse('2026-01-05T03:00:05Z') / 1000));
    expect(JSON.parse(request.body.toString('utf8'))).toEqual(n);
    const signature = request.headers['x-vigil-signature'] as string;
    const timestamp = request.headers['x-vigil-timestamp'] as string;
    expect(verifySignature(SECRET, request.body, signature, timestamp)).toBe(true);
    expect(verifySignature('another-secret-0123456789abcdef', request.body, signature, timestamp)).toBe(false);
  });

  it('sends no signature without a secret', async () => {
    await open(webhook('/hooks/vigil', null)).send(notification('incident_created'));
    expect(received[0]!.headers['x-vigil-signature']).toBeUndefined();
    expect(received[0]!.headers['x-vigil-timestamp']).toBeUndefined();
  });

  it('maps 500, 429, 400 and a hang; messages hold no URL, secret or header value', async () => {
    const secrets = [SLACK_TOKEN, SECRET, HEADER_TOKEN, 'header-token-9f8e7d6c5b4a', httpBase];
    const at = (path: string, timeoutMs?: number) => open(webhook(path), timeoutMs).send(notification('monitor_error'));
    expect((await failure(at('/status/500'), secrets)).isTransient).toBe(true);
    expect((await failure(at('/status/429'), secrets)).kind).toBe('network');
    const e400 = await failure(at('/status/400'), secrets);
    expect(e400.isTransient).toBe(false);
    expect(e400.message).toMatch(/^webhook channel "hooks": HTTP 400 from the webhook: refused /);
    expect((await failure(at('/hang', 300), secrets)).kind).toBe('timeout');
  });

  it('close() fails a delivery in flight as transient', async () => {
    const channel = open(webhook('/hang'), 5000);
    const delivery = channel.send(notification('incident_created'));
    while (received.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await channel.close();
    const error = await failure(delivery, [SLACK_TOKEN, SECRET]);
    expect([error.kind, error.message]).toEqual(['network', 'webhook channel "hooks": the channel closed during the delivery']);
  });

  it('a closed port is a network error', async () => {
    const config: ChannelConfig = { type: 'webhook', name: 'hooks', url: `http://127.0.0.1:${closedPort}/x?token=${SLACK_TOKEN}`, secret: SECRET, headers: {} };
    const error = await failure(open(config).send(notification('incident_created')), [SLACK_TOKEN, SECRET]);
    expect(error.kind).toBe('network');
  });
});

describe('email channel', () => {
  it.each(EVENTS)('delivers %s to every recipient with subject, body and Message-ID', async (event) => {
    const n = notification(event);
    await open(email()).send(n);
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.from).toBe('vigil@example.com');
    expect(mail.to).toEqual(['oncall@example.com', 'data@example.com']);
    expect(mail.raw).toContain(`Subject: [Vigil] ${TITLES[event]}`);
    expect(mail.raw).toMatch(/^To: oncall@example\.com, data@example\.com$/m);
    expect(mail.raw).toContain(`Message-ID: <${n.id}@vigil>`);
    expect(mail.raw).toContain(`X-Vigil-Delivery: ${n.id}`);
    expect(mail.raw).toContain('Date: Mon, 05 Jan 2026 03:00:05 +0000');
    expect(mail.raw).toContain('Monitor: Rows in orders');
    expect(mail.raw).toContain('Content-Type: text/html');
    if (event === 'monitor_error') expect(mail.raw).toContain('relation "public.orders" does not exist');
  });

  it('a 550 RCPT rejection is permanent, a 451 transient', async () => {
    const e550 = await failure(open(email(['reject550@example.com'])).send(notification('incident_created')), [PASSWORD]);
    expect([e550.kind, e550.isTransient]).toEqual([undefined, false]);
    expect(e550.message).toMatch(/^email channel "mail": the SMTP server replied to RCPT: 550 /);
    const e451 = await failure(open(email(['reject451@example.com'])).send(notification('incident_created')), [PASSWORD]);
    expect([e451.kind, e451.isTransient]).toEqual(['network', true]);
    expect(mails).toHaveLength(0);
  });

  it('delivers to the accepted recipients when one is refused', async () => {
    await open(email(['oncall@example.com', 'reject550@example.com'])).send(notification('incident_created'));
    expect(mails.map((m) => m.to)).toEqual([['oncall@example.com']]);
  });

  it('a refused login is an auth error that does not show the password', async () => {
    const wrong = 'wrong-P4ssw0rd-battery-staple';
    const error = await failure(open(email(undefined, smtpPort, wrong)).send(notification('incident_created')), [wrong, PASSWORD]);
    expect([error.kind, error.isTransient]).toEqual(['auth', false]);
    expect(error.message).toContain('535');
  });

  it('a closed port is a network error, a server that never greets a timeout', async () => {
    const closed = await failure(open(email(undefined, closedPort)).send(notification('incident_created')), [PASSWORD]);
    expect([closed.kind, closed.isTransient]).toEqual(['network', true]);
    const silentError = await failure(open(email(undefined, silentPort), 300).send(notification('incident_created')), [PASSWORD]);
    expect([silentError.kind, silentError.isTransient]).toEqual(['timeout', true]);
  });
});
