import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { MonitorStatus } from '../domain/monitor.js';
import type { RunObserver } from '../engine/run.js';
import type { StoreDb } from '../store/database.js';
import { outboxCount } from '../store/outbox-repo.js';

/** The daemon's Prometheus metrics, in their own registry. */
export class DaemonMetrics implements RunObserver {
  readonly registry = new Registry();
  private readonly runs: Counter<'warehouse' | 'status'>;
  private readonly failures: Counter<'warehouse'>;
  private readonly duration: Histogram<'warehouse'>;
  private readonly lag: Histogram;
  private readonly notifications: Counter<'channel' | 'result'>;

  constructor(db: StoreDb) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'vigil_' });
    this.runs = new Counter({ name: 'vigil_monitor_runs_total', help: 'Monitor runs, by warehouse and resulting status', labelNames: ['warehouse', 'status'], registers });
    this.failures = new Counter({ name: 'vigil_run_failures_total', help: 'Monitor runs that failed (connection, SQL, timeout), by warehouse', labelNames: ['warehouse'], registers });
    this.duration = new Histogram({
      name: 'vigil_run_duration_seconds',
      help: 'Time to run one unit of work (one query for a table\'s monitors, or one custom query), by warehouse',
      labelNames: ['warehouse'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
      registers,
    });
    this.lag = new Histogram({ name: 'vigil_schedule_lag_seconds', help: 'How long after its scheduled time each run\'s query was sent to the warehouse', buckets: [0.01, 0.1, 0.5, 1, 5, 60, 3600], registers });
    this.notifications = new Counter({ name: 'vigil_notifications_total', help: 'Notification deliveries, by channel and result', labelNames: ['channel', 'result'], registers });
    new Gauge({
      name: 'vigil_open_incidents',
      help: 'Incidents not yet resolved',
      registers,
      async collect() {
        const row = await db.selectFrom('incidents').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '<>', 'resolved').executeTakeFirstOrThrow();
        this.set(Number(row.n));
      },
    });
    new Gauge({
      name: 'vigil_outbox_depth',
      help: 'Notifications waiting to be delivered',
      registers,
      async collect() {
        this.set(await outboxCount(db, 'pending'));
      },
    });
    new Gauge({
      name: 'vigil_outbox_failed',
      help: 'Notifications given up: a permanent error, or undelivered for a day (alert on this)',
      registers,
      async collect() {
        this.set(await outboxCount(db, 'failed'));
      },
    });
  }

  unitFinished(warehouse: string, _monitors: number, seconds: number): void {
    this.duration.observe({ warehouse }, seconds);
  }

  monitorFinished(warehouse: string, status: MonitorStatus): void {
    this.runs.inc({ warehouse, status });
    if (status === 'error') this.failures.inc({ warehouse });
  }

  runStarted(seconds: number): void {
    this.lag.observe(seconds);
  }

  delivered(channel: string, ok: boolean): void {
    this.notifications.inc({ channel, result: ok ? 'sent' : 'failed' });
  }
}
