import { describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR, type Incident } from '../../src/domain/incident.js';
import { isRefusal, reduceIncident, type IncidentEvent, type Transition } from '../../src/incidents/reducer.js';

const alice = { userId: 'u-1', userName: 'Alice' };
let n = 0;
const at = () => `2026-11-29T${String(n++ % 24).padStart(2, '0')}:00:00.000Z`;

function measured(verdict: 'learning' | 'normal' | 'anomaly', value = 1, id = `m-${n}`): IncidentEvent {
  return { type: 'measured', at: at(), monitorId: 'mon-1', measurementId: id, value, verdict, newIncidentId: `inc-${n}` };
}

function step(open: Incident | null, event: IncidentEvent): Transition {
  const result = reduceIncident(open, event);
  if (isRefusal(result)) throw new Error(`refused: ${result.refused}`);
  return result;
}

const actions = (t: Transition) => t.effects.flatMap((e) => (e.type === 'action' ? [e.action] : []));
const notifies = (t: Transition) => t.effects.flatMap((e) => (e.type === 'notify' ? [e.event] : []));

function opened(): Incident {
  return step(null, measured('anomaly', 50, 'm-open')).incident!;
}

describe('incident reducer', () => {
  it('a breach with no open incident opens one, records created, notifies, and links the measurement', () => {
    const t = step(null, measured('anomaly', 50, 'm-open'));
    expect(t.changed).toBe(true);
    expect(t.incident).toMatchObject({ status: 'active', value: 50, goodRuns: 0, openedBy: 'm-open', monitorId: 'mon-1' });
    expect(t.incident!.firstSeenAt).toBe(t.incident!.lastSeenAt);
    expect(actions(t)).toEqual(['created']);
    expect(notifies(t)).toEqual(['incident_created']);
    expect(t.effects).toContainEqual({ type: 'link_measurement', measurementId: 'm-open' });
    expect(t.effects.find((e) => e.type === 'action')).toMatchObject({ actor: SYSTEM_ACTOR });
  });

  it('a breach while one is open updates value and last_seen_at, and does not notify again', () => {
    const open = opened();
    const t = step(open, measured('anomaly', 80, 'm-2'));
    expect(t.incident).toMatchObject({ id: open.id, status: 'active', value: 80, firstSeenAt: open.firstSeenAt });
    expect(t.incident!.lastSeenAt).not.toBe(open.lastSeenAt);
    expect(actions(t)).toEqual([]);
    expect(notifies(t)).toEqual([]);
    expect(t.effects).toEqual([{ type: 'link_measurement', measurementId: 'm-2' }]);
  });

  it('a breach on an acknowledged incident keeps it acknowledged', () => {
    const ack = step(opened(), { type: 'acknowledge', at: at(), actor: alice }).incident!;
    expect(step(ack, measured('anomaly', 90)).incident).toMatchObject({ status: 'acknowledged', value: 90 });
  });

  it('three consecutive in-range runs resolve it automatically, and notify', () => {
    let incident: Incident | null = opened();
    const one = step(incident, measured('normal'));
    expect(one.incident).toMatchObject({ status: 'active', goodRuns: 1 });
    expect(notifies(one)).toEqual([]);
    const two = step(one.incident, measured('normal'));
    expect(two.incident).toMatchObject({ status: 'active', goodRuns: 2 });
    const three = step(two.incident, measured('normal'));
    incident = three.incident;
    expect(incident).toMatchObject({ status: 'resolved', goodRuns: 3 });
    expect(incident!.resolvedAt).not.toBeNull();
    expect(actions(three)).toEqual(['auto_resolved']);
    expect(notifies(three)).toEqual(['incident_resolved']);
  });

  it('a breach between good runs starts the count again', () => {
    let incident = step(step(opened(), measured('normal')).incident, measured('normal')).incident;
    incident = step(incident, measured('anomaly')).incident;
    expect(incident).toMatchObject({ status: 'active', goodRuns: 0 });
    incident = step(step(incident, measured('normal')).incident, measured('normal')).incident;
    expect(incident).toMatchObject({ status: 'active', goodRuns: 2 });
  });

  it('a learning run neither counts as good nor changes anything', () => {
    const open = step(opened(), measured('normal')).incident!;
    const t = step(open, measured('learning'));
    expect(t).toEqual({ incident: open, changed: false, effects: [] });
  });

  it('in-range and learning runs with nothing open do nothing', () => {
    expect(step(null, measured('normal'))).toEqual({ incident: null, changed: false, effects: [] });
    expect(step(null, measured('learning'))).toEqual({ incident: null, changed: false, effects: [] });
  });

  it('a breach after a resolved incident opens a new one', () => {
    const resolved = step(opened(), { type: 'resolve', at: at(), actor: alice }).incident!;
    const t = step(resolved, measured('anomaly', 7, 'm-new'));
    expect(t.incident!.id).not.toBe(resolved.id);
    expect(t.incident).toMatchObject({ status: 'active', openedBy: 'm-new' });
    expect(notifies(t)).toEqual(['incident_created']);
  });

  it('a person acknowledges an active incident, once', () => {
    const t = step(opened(), { type: 'acknowledge', at: at(), actor: alice });
    expect(t.incident).toMatchObject({ status: 'acknowledged' });
    expect(t.incident!.acknowledgedAt).not.toBeNull();
    expect(t.effects).toEqual([{ type: 'action', action: 'acknowledged', at: t.incident!.acknowledgedAt, actor: alice }]);
    expect(notifies(t)).toEqual([]);
    const again = step(t.incident, { type: 'acknowledge', at: at(), actor: alice });
    expect(again).toEqual({ incident: t.incident, changed: false, effects: [] });
  });

  it('a person resolves an active or acknowledged incident, which notifies', () => {
    for (const start of [opened(), step(opened(), { type: 'acknowledge', at: at(), actor: alice }).incident!]) {
      const t = step(start, { type: 'resolve', at: at(), actor: alice });
      expect(t.incident).toMatchObject({ status: 'resolved' });
      expect(t.effects).toContainEqual({ type: 'action', action: 'resolved', at: t.incident!.resolvedAt, actor: alice });
      expect(notifies(t)).toEqual(['incident_resolved']);
    }
  });

  it('resolving a resolved incident changes nothing; acknowledging one is refused', () => {
    const resolved = step(opened(), { type: 'resolve', at: at(), actor: alice }).incident!;
    expect(step(resolved, { type: 'resolve', at: at(), actor: alice })).toEqual({ incident: resolved, changed: false, effects: [] });
    expect(reduceIncident(resolved, { type: 'acknowledge', at: at(), actor: alice })).toEqual({ refused: 'the incident is already resolved' });
    expect(isRefusal(reduceIncident(null, { type: 'resolve', at: at(), actor: alice }))).toBe(true);
  });

  it('marking the measurement that opened it normal resolves it when nothing else keeps it open', () => {
    const t = step(opened(), { type: 'mark_normal', at: at(), actor: alice, measurementId: 'm-open', othersOutOfRange: 0 });
    expect(t.incident).toMatchObject({ status: 'resolved' });
    expect(actions(t)).toEqual(['marked_normal', 'resolved']);
    expect(notifies(t)).toEqual(['incident_resolved']);
  });

  it('marking one measurement normal while others still breach records the mark only', () => {
    const open = step(opened(), measured('anomaly', 60)).incident!;
    const t = step(open, { type: 'mark_normal', at: at(), actor: alice, measurementId: 'm-open', othersOutOfRange: 1 });
    expect(t.incident).toEqual(open);
    expect(t.changed).toBe(false);
    expect(actions(t)).toEqual(['marked_normal']);
    expect(notifies(t)).toEqual([]);
  });

  it('marking a measurement of a resolved incident normal records the mark and notifies nobody', () => {
    const resolved = step(opened(), { type: 'resolve', at: at(), actor: alice }).incident!;
    const t = step(resolved, { type: 'mark_normal', at: at(), actor: alice, measurementId: 'm-open', othersOutOfRange: 0 });
    expect(t.incident).toEqual(resolved);
    expect(actions(t)).toEqual(['marked_normal']);
    expect(notifies(t)).toEqual([]);
  });

  it('is pure: the same state and event give the same transition, and the input is not changed', () => {
    const open = opened();
    const frozen = structuredClone(open);
    const event = measured('normal');
    expect(reduceIncident(open, event)).toEqual(reduceIncident(open, event));
    expect(open).toEqual(frozen);
  });
});
