import { createTransport } from 'nodemailer';
import { isVigilError } from '../domain/errors.js';
import type { ChannelConfig, Notification } from '../domain/notification.js';
import type { Channel, DeliveryOptions } from './channel.js';
import { describeChannel, smtpFailure, timeoutError } from './errors.js';
import { describeNotification, messageText } from './message.js';

/**
 * Email over SMTP (nodemailer): a text body and a small HTML one, saying what the other
 * channels say. The Message-ID comes from the notification id, so a resend after a retry
 * is recognisable as the same mail. A recipient the server refuses while others accept
 * does not fail the delivery: a retry would mail the others again.
 */

export type EmailConfig = Extract<ChannelConfig, { type: 'email' }>;

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
  messageId: string;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** `<ID@vigil>`: the notification id, kept to the characters a Message-ID allows. */
export function messageIdOf(notificationId: string): string {
  return `<${notificationId.replace(/[^A-Za-z0-9._-]/g, '-')}@vigil>`;
}

/** Subject, bodies and Message-ID of one notification. */
export function emailContent(notification: Notification): EmailContent {
  const message = describeNotification(notification);
  const rows = [...message.facts, { label: 'When', value: message.when }]
    .map((f) => `<tr><th align="left" style="padding-right:12px">${escapeHtml(f.label)}</th><td>${escapeHtml(f.value)}</td></tr>`)
    .join('\n');
  const html = [
    `<h2>${escapeHtml(message.title)}</h2>`,
    `<table>\n${rows}\n</table>`,
    ...(message.error === null ? [] : [`<p><strong>Error</strong></p>`, `<pre style="white-space:pre-wrap">${escapeHtml(message.error)}</pre>`]),
    ...(message.link === null ? [] : [`<p><a href="${escapeHtml(message.link)}">Open incident</a></p>`]),
  ].join('\n');
  return { subject: `[Vigil] ${message.title}`, text: messageText(message), html: `${html}\n`, messageId: messageIdOf(notification.id) };
}

export function createEmailChannel(config: EmailConfig, options: DeliveryOptions): Channel {
  const where = describeChannel(config.type, config.name);
  const { smtp } = config;
  const secrets = smtp.password === undefined ? [] : [smtp.password];
  const timeoutMs = options.timeoutMs;
  // One connection per delivery: notifications are rare, and a pooled connection goes stale.
  const transport = createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    auth: smtp.user === undefined ? undefined : { user: smtp.user, pass: smtp.password },
    tls: { rejectUnauthorized: smtp.reject_unauthorized },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
    logger: false,
  });
  return {
    name: config.name,
    type: config.type,
    async send(notification) {
      const content = emailContent(notification);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        // A backstop only: nodemailer's own connection, greeting and socket timeouts end a
        // silent server first, which stops the send; giving up while a slow but live
        // conversation goes on could let the mail arrive and then be sent again.
        timer = setTimeout(() => reject(timeoutError(where, 3 * timeoutMs, 'the SMTP server', secrets)), 3 * timeoutMs);
      });
      const delivery = transport.sendMail({
        from: config.from,
        to: config.to,
        subject: content.subject,
        text: content.text,
        html: content.html,
        messageId: content.messageId,
        date: options.clock.now(),
        headers: { 'X-Vigil-Event': notification.event, 'X-Vigil-Delivery': notification.id },
      });
      try {
        await Promise.race([delivery, timeout]);
      } catch (error) {
        throw isVigilError(error) ? error : smtpFailure(where, error, secrets);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      transport.close();
    },
  };
}
