import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A local HTTP receiver for webhooks and Slack: it records every request it answered with
 * 2xx in `accepted`, and, while `mode` says so, answers 500 or holds requests unanswered.
 */
export class HttpReceiver {
  readonly accepted: Received[] = [];
  readonly attempts: Received[] = [];
  mode: 'ok' | 'fail' | 'hang' = 'ok';
  private readonly server: Server;
  private readonly held = new Set<() => void>();
  url = '';

  constructor() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        const received = { path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
        this.attempts.push(received);
        if (this.mode === 'hang') {
          this.held.add(() => response.destroy());
          return;
        }
        if (this.mode === 'fail') {
          response.writeHead(500).end('down for maintenance');
          return;
        }
        this.accepted.push(received);
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  acceptedAt(path: string): Received[] {
    return this.accepted.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    for (const drop of this.held) drop();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * A receiver that answers every request with one `status` (and `retryAfter` when set),
 * echoing the URL and Authorization it got as careless servers do: error messages built
 * from its answers must still hold no secret.
 */
export class EchoServer {
  readonly hits: Array<{ url: string; delivery: string | undefined }> = [];
  status: number;
  retryAfter: string | null = null;
  url = '';
  private readonly server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      this.hits.push({ url: request.url ?? '', delivery: request.headers['x-vigil-delivery'] as string | undefined });
      const echo = `rejected POST http://${request.headers.host}${request.url} (authorization: ${request.headers.authorization ?? 'none'})`;
      const headers: Record<string, string> = { 'content-type': 'text/plain' };
      if (this.retryAfter !== null) headers['retry-after'] = this.retryAfter;
      response.writeHead(this.status, headers).end(echo);
    });
  });

  constructor(status = 400) {
    this.status = status;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export interface Mail {
  from: string;
  to: string[];
  raw: string;
}

/** A local SMTP server (smtp-server) that keeps every message it accepted. */
export class SmtpReceiver {
  readonly mails: Mail[] = [];
  port = 0;
  private readonly server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
        this.mails.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
