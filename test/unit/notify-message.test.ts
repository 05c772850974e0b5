import { describe, expect, it } from 'vitest';
import type { Notification } from '../../src/domain/notification.js';
import { emailContent, escapeHtml, messageIdOf } from '../../src/notify/email.js';
import { httpStatusError, redact, smtpFailure } from '../../src/notify/errors.js';
import { describeNotification, formatBand, formatNumber, formatTime, messageText } from '../../src/notify/message.js';
import { escapeMrkdwn, slackPayload } from '../../src/notify/slack.js';
import { createHmac } from 'node:crypto';
import { signBody, verifySignature, webhookBody } from '../../src/notify/webhook.js';

/** The words of a notification, and how each channel lays them out: pure, no I/O. */

function notification(overrides: Partial<Notification> = {}): Notification {
  return {
    id: '7d1c2a4e-0000-4000-8000-000000000001',
    event: 'incident_created',
    at: '2026-01-05T03:00:00.000Z',
    monitor: { id: 'm-1', name: 'Rows in orders', metricType: 'row_count', warehouse: 'shop', target: 'shop.public.orders' },
    incident: {
      id: 'i-1',
      status: 'active',
      firstSeenAt: '2026-01-05T03:00:00.000Z',
      lastSeenAt: '2026-01-05T03:00:00.000Z',
      resolvedAt: null,
      resolution: null,
      url: 'https://vigil.example.com/incidents/i-1',
    },
    measurement: { value: 1234567.891, lower: 1000, upper: 2000 },
    error: null,
    ...overrides,
  };
}

describe('formatNumber', () => {
  it('groups thousands and keeps two decimals', () => {
    expect(formatNumber(1234567.891)).toBe('1,234,567.89');
    expect(formatNumber(-1234.5)).toBe('-1,234.5');
    expect(formatNumber(42)).toBe('42');
  });

  it('never shows a tiny value as 0', () => {
    expect(formatNumber(0.000123)).toBe('0.000123');
    expect(formatNumber(0.004)).toBe('0.004');
    expect(formatNumber(4.2e-9)).toBe('4.2e-9');
    expect(formatNumber(0)).toBe('0');
  });

  it('writes huge and non-finite values readably', () => {
    expect(formatNumber(1.5e18)).toBe('1.5e+18');
    expect(formatNumber(Number.POSITIVE_INFINITY)).toBe('∞');
    expect(formatNumber(Number.NaN)).toBe('NaN');
  });
});

describe('formatBand and formatTime', () => {
  it('writes both sides, or says which one is open', () => {
    expect(formatBand(10, 20)).toBe('10 – 20');
    expect(formatBand(null, 20)).toBe('no lower limit – 20');
    expect(formatBand(10, null)).toBe('10 – no upper limit');
    expect(formatBand(null, null)).toBe('no lower limit – no upper limit');
  });

  it('adds the unit of percentage and freshness metrics', () => {
    expect(formatBand(0.5, 2.25, 'null_percentage')).toBe('0.5% – 2.25%');
    expect(formatBand(null, 24, 'freshness')).toBe('no lower limit – 24 h');
  });

  it('writes times in UTC without milliseconds, and keeps what is not a time', () => {
    expect(formatTime('2026-01-05T03:00:00.000Z')).toBe('2026-01-05 03:00:00 UTC');
    expect(formatTime('2026-01-05T04:00:00+01:00')).toBe('2026-01-05 03:00:00 UTC');
    expect(formatTime('yesterday')).toBe('yesterday');
  });
});

describe('describeNotification', () => {
  it('titles each event and lists the facts of an opened incident', () => {
    const message = describeNotification(notification());
    expect(message.title).toBe('Incident opened: Rows in orders');
    expect(message.facts).toEqual([
      { label: 'Monitor', value: 'Rows in orders' },
      { label: 'Target', value: 'shop.public.orders' },
      { label: 'Metric', value: 'Row count' },
      { label: 'Value', value: '1,234,567.89' },
      { label: 'Band', value: '1,000 – 2,000' },
      { label: 'Status', value: 'active' },
    ]);
    expect(message.summary).toBe('1,234,567.89 outside 1,000 – 2,000');
    expect(message.when).toBe('2026-01-05 03:00:00 UTC');
    expect(message.link).toBe('https://vigil.example.com/incidents/i-1');
    expect(message.error).toBeNull();
  });

  it('says how a resolved incident was resolved', () => {
    const base = notification();
    const resolved = notification({
      event: 'incident_resolved',
      incident: { ...base.incident!, status: 'resolved', resolvedAt: '2026-01-06T03:00:00Z', resolution: 'auto_resolved' },
      measurement: { value: 1500, lower: 1000, upper: 2000 },
    });
    const message = describeNotification(resolved);
    expect(message.title).toBe('Incident resolved: Rows in orders');
    expect(message.facts.find((f) => f.label === 'Status')?.value).toBe('resolved automatically (three runs in range)');
    expect(message.summary).toBe('1,500 within 1,000 – 2,000');
  });

  it('carries the error of a monitor_error and leaves out what was not measured', () => {
    const message = describeNotification(notification({ event: 'monitor_error', incident: null, measurement: null, error: 'relation "orders" does not exist' }));
    expect(message.title).toBe('Monitor failed: Rows in orders');
    expect(message.facts.map((f) => f.label)).toEqual(['Monitor', 'Target', 'Metric', 'Status']);
    expect(message.error).toBe('relation "orders" does not exist');
    expect(message.link).toBeNull();
    expect(messageText(message)).toContain('Error:\nrelation "orders" does not exist');
  });

  it('keeps a title on one line and drops a link that is not http(s)', () => {
    const base = notification();
    const message = describeNotification(
      notification({ monitor: { ...base.monitor, name: 'evil\nBcc: x@example.com' }, incident: { ...base.incident!, url: 'javascript:alert(1)' } }),
    );
    expect(message.title).toBe('Incident opened: evil Bcc: x@example.com');
    expect(message.link).toBeNull();
  });
});

describe('Slack payload', () => {
  it('escapes &, < and > in mrkdwn', () => {
    expect(escapeMrkdwn('a & b <!channel> c > d')).toBe('a &amp; b &lt;!channel&gt; c &gt; d');
  });

  it('has a header, fields, a context line and an Open incident button', () => {
    const payload = slackPayload(notification());
    expect(payload.blocks.map((b) => b.type)).toEqual(['header', 'section', 'context', 'actions']);
    expect(payload.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Incident opened: Rows in orders', emoji: true } });
    const fields = payload.blocks[1]!.type === 'section' && 'fields' in payload.blocks[1]! ? payload.blocks[1].fields : [];
    expect(fields.map((f) => f.text.split('\n')[0])).toEqual(['*Monitor*', '*Target*', '*Metric*', '*Value*', '*Band*', '*Status*']);
    expect(payload.blocks[2]).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: 'Vigil · 2026-01-05 03:00:00 UTC' }] });
    expect(payload.blocks[3]).toEqual({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open incident' }, url: 'https://vigil.example.com/incidents/i-1' }],
    });
    expect(payload.text).toBe('Incident opened: Rows in orders: 1,234,567.89 outside 1,000 – 2,000');
  });

  it('escapes user text in fields, the error and the fallback text', () => {
    const base = notification();
    const payload = slackPayload(
      notification({ event: 'monitor_error', monitor: { ...base.monitor, name: '<!here> & co', target: 'a<b>' }, incident: null, measurement: null, error: 'x < y & <@U123>' }),
    );
    const json = JSON.stringify(payload.blocks.slice(1));
    expect(json).not.toMatch(/<!here>|<@U123>|a<b>/);
    expect(json).toContain('&lt;!here&gt; &amp; co');
    expect(json).toContain('x &lt; y &amp; &lt;@U123&gt;');
    expect(payload.text).toBe('Monitor failed: &lt;!here&gt; &amp; co: x &lt; y &amp; &lt;@U123&gt;');
    expect(payload.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context']);
  });
});

describe('webhook body and signature', () => {
  const secret = 'a-signing-secret-of-32-characters';

  it('is the Notification with its own field names, in a fixed order', () => {
    const n = notification();
    const body = webhookBody(n);
    expect(Object.keys(JSON.parse(body) as object)).toEqual(['id', 'event', 'at', 'monitor', 'incident', 'measurement', 'error']);
    expect(JSON.parse(body)).toEqual(n);
  });

  it('verifies with the secret and timestamp, and fails with another secret, body, timestamp or a bad header', () => {
    const body = webhookBody(notification());
    const ts = '1767582005';
    const header = signBody(secret, body, ts);
    expect(header).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(header.slice(7)).toBe(createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex'));
    expect(verifySignature(secret, body, header, ts)).toBe(true);
    expect(verifySignature(secret, Buffer.from(body), header, ts)).toBe(true);
    expect(verifySignature('another-secret-of-enough-length', body, header, ts)).toBe(false);
    expect(verifySignature(secret, body.replace('1234567.891', '1234567.892'), header, ts)).toBe(false);
    expect(verifySignature(secret, body, header, '1767582006')).toBe(false);
    expect(verifySignature(secret, body, header, undefined)).toBe(false);
    expect(verifySignature(secret, body, header.slice(0, -2), ts)).toBe(false);
    expect(verifySignature(secret, body, 'sha1=abc', ts)).toBe(false);
    expect(verifySignature(secret, body, undefined, ts)).toBe(false);
  });
});

describe('email content', () => {
  it('has a [Vigil] subject, a Message-ID from the id, and escaped HTML', () => {
    const base = notification();
    const content = emailContent(notification({ monitor: { ...base.monitor, name: '<b>orders</b> & "co"' } }));
    expect(content.subject).toBe('[Vigil] Incident opened: <b>orders</b> & "co"');
    expect(content.messageId).toBe('<7d1c2a4e-0000-4000-8000-000000000001@vigil>');
    expect(content.html).toContain('&lt;b&gt;orders&lt;/b&gt; &amp; &quot;co&quot;');
    expect(content.html).not.toContain('<b>orders</b>');
    expect(content.html).toContain('<a href="https://vigil.example.com/incidents/i-1">Open incident</a>');
    expect(content.text).toContain('Band: 1,000 – 2,000');
    expect(escapeHtml(`'`)).toBe('&#39;');
    expect(messageIdOf('a b<c>')).toBe('<a-b-c-@vigil>');
  });
});

describe('error classification', () => {
  const where = 'webhook channel "hooks"';

  it('maps HTTP statuses to kinds', () => {
    expect(httpStatusError(where, 500, '', []).kind).toBe('network');
    expect(httpStatusError(where, 503, '', []).isTransient).toBe(true);
    expect(httpStatusError(where, 408, '', []).isTransient).toBe(true);
    expect(httpStatusError(where, 429, '', []).kind).toBe('network');
    expect(httpStatusError(where, 401, '', []).kind).toBe('permission');
    expect(httpStatusError(where, 403, '', []).isTransient).toBe(false);
    expect(httpStatusError(where, 404, '', []).kind).toBeUndefined();
    expect(httpStatusError(where, 301, '', []).isTransient).toBe(false);
    expect(httpStatusError(where, 500, '', []).message).toBe('webhook channel "hooks": HTTP 500 from the webhook');
  });

  it('maps SMTP replies: 4xx transient, 5xx permanent, login refusals auth', () => {
    const reply = (responseCode: number, response: string) => Object.assign(new Error('x'), { code: 'EENVELOPE', responseCode, response, command: 'RCPT TO' });
    expect(smtpFailure(where, reply(451, '451 4.3.0 try later'), []).kind).toBe('network');
    expect(smtpFailure(where, reply(550, '550 5.1.1 no such user'), []).isTransient).toBe(false);
    expect(smtpFailure(where, reply(550, '550 5.1.1 no such user'), []).message).toBe(`${where}: the SMTP server replied to RCPT: 550 5.1.1 no such user`);
    expect(smtpFailure(where, Object.assign(new Error('x'), { code: 'EAUTH', responseCode: 535, response: '535 nope' }), []).kind).toBe('auth');
    expect(smtpFailure(where, Object.assign(new Error('x'), { code: 'ESOCKET', originalCode: 'ECONNREFUSED' }), []).kind).toBe('network');
    expect(smtpFailure(where, Object.assign(new Error('x'), { code: 'ETIMEDOUT' }), []).kind).toBe('timeout');
  });

  it('cuts secrets, encoded or not, out of what a receiver said', () => {
    const url = 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX';
    const said = `bad hook ${url} and ${encodeURIComponent(url)} token XXXXXXXXXXXXXXXX`;
    const error = httpStatusError(where, 400, said, [url, '/services/T000/B000/XXXXXXXXXXXXXXXX', 'XXXXXXXXXXXXXXXX']);
    expect(error.message).not.toContain('XXXXXXXXXXXXXXXX');
    expect(error.message).not.toContain('hooks.slack.com/services');
    expect(redact('pass=hunter22!', ['hunter22!'])).toBe('pass=[redacted]');
  });
});
