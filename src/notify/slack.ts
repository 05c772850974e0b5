import type { ChannelConfig, Notification } from '../domain/notification.js';
import type { Channel, DeliveryOptions } from './channel.js';
import { describeChannel, urlSecrets } from './errors.js';
import { describeNotification, truncate } from './message.js';
import { httpPoster } from './webhook.js';

/**
 * Slack through an incoming webhook: Block Kit blocks, with `text` as the fallback that
 * notifications and old clients show. The webhook URL is itself a secret and never
 * appears in an error. User text (monitor names, targets, errors) is escaped for mrkdwn
 * so it cannot become a link or an @channel mention; the header is plain_text, which
 * Slack does not parse.
 */

export type SlackConfig = Extract<ChannelConfig, { type: 'slack' }>;

export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}

export interface Mrkdwn {
  type: 'mrkdwn';
  text: string;
}

export interface Button {
  type: 'button';
  text: PlainText;
  url: string;
}

export type SlackBlock =
  | { type: 'header'; text: PlainText }
  | { type: 'section'; fields: Mrkdwn[] }
  | { type: 'section'; text: Mrkdwn }
  | { type: 'context'; elements: Mrkdwn[] }
  | { type: 'actions'; elements: Button[] };

export interface SlackPayload {
  text: string;
  blocks: SlackBlock[];
}

/** Slack's limits: a header's text, a field's, a section's, a button URL's. */
const HEADER_MAX = 150;
const FIELD_MAX = 2000;
const SECTION_MAX = 3000;
const URL_MAX = 3000;
const FIELDS_MAX = 10;

/** The three characters Slack's mrkdwn treats as control characters, as entities. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The webhook's JSON for one notification. */
export function slackPayload(notification: Notification): SlackPayload {
  const message = describeNotification(notification);
  const fields = message.facts.slice(0, FIELDS_MAX).map((fact): Mrkdwn => ({
    type: 'mrkdwn',
    text: truncate(`*${fact.label}*\n${escapeMrkdwn(fact.value)}`, FIELD_MAX),
  }));
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(message.title, HEADER_MAX), emoji: true } },
    { type: 'section', fields },
  ];
  if (message.error !== null) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(`*Error*\n${escapeMrkdwn(message.error)}`, SECTION_MAX) } });
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Vigil · ${escapeMrkdwn(message.when)}` }] });
  const link = message.link !== null && message.link.length <= URL_MAX ? message.link : null;
  if (link !== null) {
    blocks.push({ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open incident' }, url: link }] });
  }
  const text = truncate(`${escapeMrkdwn(message.title)}: ${escapeMrkdwn(message.summary)}`, SECTION_MAX);
  return { text, blocks };
}

export function createSlackChannel(config: SlackConfig, options: DeliveryOptions): Channel {
  const where = describeChannel(config.type, config.name);
  const poster = httpPoster(where, config.webhook_url, urlSecrets(config.webhook_url), options.timeoutMs);
  return {
    name: config.name,
    type: config.type,
    async send(notification) {
      const body = Buffer.from(JSON.stringify(slackPayload(notification)), 'utf8');
      await poster.post(body, new Headers({ 'Content-Type': 'application/json', 'User-Agent': 'Vigil' }));
    },
    async close() {
      poster.close();
    },
  };
}
