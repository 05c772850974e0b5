import { METRIC_LABEL, normaliseMetricType } from '../domain/metric.js';
import type { Notification, NotificationEvent } from '../domain/notification.js';

/**
 * What a notification says, in plain text: a title and labelled facts. Slack, email and
 * the people reading a webhook receiver's log see the same words; each channel only lays
 * them out and escapes them for its medium. Pure: no I/O, no clock.
 */

export interface Fact {
  readonly label: string;
  readonly value: string;
}

export interface Message {
  /** "Incident opened: Null percentage in amount", on one line. */
  readonly title: string;
  /** Monitor, target, metric, value, band (when measured) and status, in that order. */
  readonly facts: readonly Fact[];
  /** One line for previews: the value against its band, or the error. */
  readonly summary: string;
  /** The transition's time: "2026-01-05 03:00:00 UTC". */
  readonly when: string;
  /** The incident's page, when public_url is configured and it is an http(s) URL. */
  readonly link: string | null;
  /** What failed, for monitor_error. */
  readonly error: string | null;
}

const TITLES: Readonly<Record<NotificationEvent, string>> = {
  incident_created: 'Incident opened',
  incident_resolved: 'Incident resolved',
  monitor_error: 'Monitor failed',
};

const RESOLUTIONS: Readonly<Record<NonNullable<NonNullable<Notification['incident']>['resolution']>, string>> = {
  resolved: 'resolved by a person',
  auto_resolved: 'resolved automatically (three runs in range)',
  marked_normal: 'resolved: marked normal',
};

const LARGE = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const SMALL = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 });

/**
 * A number as people read it: 1234567.891 -> "1,234,567.89", 0.000123 -> "0.000123",
 * 0.0000000042 -> "4.2e-9". A value that is not zero is never shown as 0.
 */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e15 || magnitude < 1e-6) return value.toExponential(2).replace(/\.?0+e/, 'e');
  return magnitude < 1 ? SMALL.format(value) : LARGE.format(value);
}

/** The unit a metric's values are in, as a suffix: "%" for percentages, " h" for freshness. */
function unitOf(metricType: string): string {
  const metric = normaliseMetricType(metricType);
  if (metric === 'null_percentage' || metric === 'unique_percentage') return '%';
  if (metric === 'freshness') return ' h';
  return '';
}

/** A measured value with its unit; null is "no value", never 0. */
export function formatValue(value: number | null, metricType = ''): string {
  return value === null ? 'no value' : `${formatNumber(value)}${unitOf(metricType)}`;
}

/** "10 – 20", "no lower limit – 20", "10 – no upper limit". */
export function formatBand(lower: number | null, upper: number | null, metricType = ''): string {
  const low = lower === null ? 'no lower limit' : formatValue(lower, metricType);
  const high = upper === null ? 'no upper limit' : formatValue(upper, metricType);
  return `${low} – ${high}`;
}

/** An ISO-8601 time as "2026-01-05 03:00:00 UTC"; text that is not a time is kept as it is. */
export function formatTime(iso: string): string {
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return iso;
  return time.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
}

/** User text on one line: control characters (newlines included) become single spaces. */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** User text that may span lines, without the other control characters. */
function multiLine(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, ' ').trim();
}

export function titleOf(notification: Notification): string {
  return `${TITLES[notification.event]}: ${oneLine(notification.monitor.name)}`;
}

function statusOf(notification: Notification): string {
  const incident = notification.incident;
  if (notification.event === 'monitor_error') return 'error';
  if (incident === null) return notification.event === 'incident_resolved' ? 'resolved' : 'active';
  if (incident.status === 'resolved' && incident.resolution !== null) return RESOLUTIONS[incident.resolution];
  return incident.status;
}

function metricLabel(metricType: string): string {
  const metric = normaliseMetricType(metricType);
  return metric === undefined ? oneLine(metricType) : METRIC_LABEL[metric];
}

function summaryOf(notification: Notification, error: string | null): string {
  const measurement = notification.measurement;
  if (notification.event === 'monitor_error') return oneLine(error ?? 'the monitor could not run');
  if (measurement === null) return statusOf(notification);
  const { metricType } = notification.monitor;
  const relation = notification.event === 'incident_created' ? 'outside' : 'within';
  return `${formatValue(measurement.value, metricType)} ${relation} ${formatBand(measurement.lower, measurement.upper, metricType)}`;
}

function linkOf(notification: Notification): string | null {
  const url = notification.incident?.url ?? null;
  return url !== null && /^https?:\/\/\S+$/i.test(url) ? url : null;
}

/** The words every channel sends for one notification. */
export function describeNotification(notification: Notification): Message {
  const { monitor, measurement } = notification;
  const facts: Fact[] = [
    { label: 'Monitor', value: oneLine(monitor.name) },
    { label: 'Target', value: oneLine(monitor.target) },
    { label: 'Metric', value: metricLabel(monitor.metricType) },
  ];
  if (measurement !== null) {
    facts.push({ label: 'Value', value: formatValue(measurement.value, monitor.metricType) });
    facts.push({ label: 'Band', value: formatBand(measurement.lower, measurement.upper, monitor.metricType) });
  }
  facts.push({ label: 'Status', value: statusOf(notification) });
  const error = notification.event === 'monitor_error' || notification.error !== null ? multiLine(notification.error ?? 'unknown error') : null;
  return {
    title: titleOf(notification),
    facts,
    summary: summaryOf(notification, error),
    when: formatTime(notification.at),
    link: linkOf(notification),
    error,
  };
}

/** The message as plain text (email body, logs): title, facts, time, error, link. */
export function messageText(message: Message): string {
  const lines = [message.title, '', ...message.facts.map((f) => `${f.label}: ${f.value}`), `When: ${message.when}`];
  if (message.error !== null) lines.push('', 'Error:', message.error);
  if (message.link !== null) lines.push('', `Open incident: ${message.link}`);
  return `${lines.join('\n')}\n`;
}

/** Cuts text to at most `max` characters, ending with "…" when it was cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
