import { bandFor, HISTORY_LIMIT, judge, needsHistory, type Verdict } from '../../detectors/index.js';
import type { Monitor, MonitorStatus } from '../domain/monitor.js';
import type { StoreDb } from '../store/database.js';
import { loadHistory } from '../store/measurements-repo.js';

/** Judges a value against the band the monitor's condition and history give. */
export async function score(db: StoreDb, monitor: Monitor, value: number | null, at: Date): Promise<Verdict> {
  const history = needsHistory(monitor.condition) ? await loadHistory(db, monitor.id, at, HISTORY_LIMIT) : [];
  const band = bandFor({ metricType: monitor.metricType, condition: monitor.condition, history, now: at });
  return judge(value, band, monitor.condition.bounds);
}

export function monitorStatusOf(verdict: Verdict): MonitorStatus {
  switch (verdict.status) {
    case 'learning':
      return 'learning';
    case 'normal':
      return 'normal';
    case 'anomaly':
      return 'incident';
  }
}
