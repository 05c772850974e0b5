import { median, quantileSorted } from 'simple-statistics';
import type { MetricType } from '../src/domain/metric.js';
import { absoluteFloor, applyMetricRules } from './metric-rules.js';
import { SeasonalModel } from './model.js';
import { DEFAULT_PARAMS, type DetectorParams } from './params.js';
import { candidateSeasons } from './seasons.js';

export type LearnedBand =
  | { state: 'band'; lower: number | null; upper: number | null; center: number; model: string }
  | { state: 'learning'; reason: string };

/** A point that was flagged and has not (yet) been accepted as the series' normal. */
interface Deviation {
  t: number;
  v: number;
  side: number;
  /** Its one-step error under each model, recorded if it is accepted later. */
  errors: Array<number | null>;
}

const BOOTSTRAP_KEEP = 64;

/**
 * Learns a monitor's band from its history, one point at a time, oldest first. Points that
 * were flagged do not train it, unless they turn out to be the new normal:
 *
 * - a run of `shiftRun` flagged points on one side is a new level (a source onboarded); the
 *   models move to it, and for `shiftMemory` points the old level still counts as normal,
 *   so a transient that ends does not alert again on its way back;
 * - a deviation that recurs in the same seasonal slot a cycle later is the pattern (a
 *   weekend, a month-end load), learnt by the seasonal models;
 * - flagged events as frequent as `frequentEvents` in `frequentWindow` points mean the band
 *   was too narrow for this series' noise, and their errors join the scale.
 *
 * Several seasonal models learn side by side; the band comes from the one with the smallest
 * recent error. The daemon folds a monitor's stored history into a learner; the backtest
 * folds rows as it goes; both ask `band` before each new point, so both see the same bands.
 */
export class Learner {
  private readonly p: DetectorParams;
  private models: SeasonalModel[] | null = null;
  private buffered: Array<{ t: number; v: number }> = [];
  private trained = 0;
  private observed = 0;
  private readonly recent: number[] = [];
  private quantum = Number.POSITIVE_INFINITY;
  private readonly distinct = new Set<number>();
  private run: Deviation[] = [];
  private pending: Deviation[] = [];
  private eventStarts: number[] = [];
  private previousFlagged = false;
  private snapshot: { models: SeasonalModel[]; until: number } | null = null;

  constructor(
    private readonly metric: MetricType,
    /** Band half-widths are multiplied by this (the sensitivity's factor). */
    private readonly widthFactor = 1,
    params: Partial<DetectorParams> = {},
  ) {
    this.p = { ...DEFAULT_PARAMS, ...params };
  }

  /** The band for a value measured at t, from everything observed before it. */
  band(t: number): LearnedBand {
    if (this.models === null || this.trained < this.p.minPoints) {
      return { state: 'learning', reason: `learning: ${this.trained} of ${this.p.minPoints} points of history` };
    }
    const chosen = this.choose(this.models, t);
    const band = this.bandOf(chosen, t);
    if (this.snapshot !== null) {
      // Just after a new level, the old one still counts as normal.
      const old = this.bandOf(this.choose(this.snapshot.models, t), t);
      band.lower = Math.min(band.lower, old.lower);
      band.upper = Math.max(band.upper, old.upper);
    }
    const ruled = applyMetricRules(this.metric, band);
    return { state: 'band', ...ruled, center: band.center, model: chosen.season.kind };
  }

  /** Takes in the value measured at t; `flagged` says whether it was out of its band. */
  observe(t: number, v: number, flagged: boolean): void {
    if (!Number.isFinite(v)) return;
    this.observed++;
    if (this.models === null) {
      this.buffered.push({ t, v });
      if (this.buffered.length >= this.p.minPoints) this.start();
      return;
    }
    if (this.snapshot !== null && this.observed > this.snapshot.until) this.snapshot = null;
    if (flagged) this.deviate(this.models, t, v);
    else this.learn(this.models, t, v);
    this.previousFlagged = flagged;
  }

  /** The cadence is known once there are a few points: make the models, replay the points. */
  private start(): void {
    const gaps: number[] = [];
    for (let i = 1; i < this.buffered.length; i++) gaps.push(this.buffered[i]!.t - this.buffered[i - 1]!.t);
    const step = Math.max(1, median(gaps));
    this.models = candidateSeasons(step).map((kind) => new SeasonalModel(kind, this.p, step));
    for (const { t, v } of this.buffered) this.learn(this.models, t, v);
    this.buffered = [];
  }

  /**
   * The model with the smallest recent error, a seasonal one only if clearly better, and
   * only one that has seen t's slot (a Saturday noon, before the first Saturday, is unknown).
   */
  private choose(models: SeasonalModel[], t: number): SeasonalModel {
    let best = models[0]!;
    for (let i = 1; i < models.length; i++) {
      const m = models[i]!;
      if (!m.knows(t)) continue;
      if (m.residuals.size >= this.p.minErrors && best.residuals.size >= this.p.minErrors && m.meanError < best.meanError * this.p.margin) {
        best = m;
      }
    }
    return best;
  }

  private bandOf(model: SeasonalModel, t: number): { lower: number; upper: number; center: number } {
    const p = this.p;
    let center: number;
    let scale: number;
    let tail = 0;
    let n: number;
    if (model.residuals.size < p.minErrors) {
      // Few one-step errors yet: the robust spread of the values themselves.
      const c = median(this.recent);
      center = c;
      scale = robustScale(this.recent.map((x) => Math.abs(x - c)).sort((a, b) => a - b));
      n = this.recent.length;
    } else {
      center = model.predict(t);
      const sorted = model.residuals.ascending();
      scale = robustScale(sorted);
      if (sorted.length >= p.qMin) tail = quantileSorted(sorted as unknown as number[], p.qp);
      n = sorted.length;
    }
    const small = 1 + p.smallC / Math.sqrt(n);
    let half = Math.max(p.k * scale, p.kq * tail) * small;
    const floor = Math.max(p.relativeFloor * Math.abs(center), absoluteFloor(this.metric), Number.isFinite(this.quantum) ? this.quantum : 0);
    half = Math.max(half, floor) * this.widthFactor;
    return { lower: center - half, upper: center + half, center };
  }

  private learn(models: SeasonalModel[], t: number, v: number): void {
    if (this.snapshot !== null) {
      // A value back at the old level ends a transient: the models before it are right.
      const now = this.choose(models, t).predict(t);
      const before = this.choose(this.snapshot.models, t).predict(t);
      if (Math.abs(v - before) < Math.abs(v - now)) {
        this.models = this.snapshot.models;
        models = this.models;
        this.snapshot = null;
      }
    }
    this.run = [];
    for (const m of models) {
      if (!m.ready) continue;
      if (m.knows(t)) m.recordError(Math.abs(v - m.predict(t)));
    }
    for (const m of models) m.learn(t, v, Number.isNaN(m.meanError) ? 0 : 1.2533 * m.meanError);
    this.trained++;
    this.recent.push(v);
    if (this.recent.length > BOOTSTRAP_KEEP) this.recent.shift();
    if (this.distinct.size < 50 && !this.distinct.has(v)) {
      for (const d of this.distinct) {
        const gap = Math.abs(d - v);
        if (gap > 0 && gap < this.quantum) this.quantum = gap;
      }
      this.distinct.add(v);
    }
  }

  private deviate(models: SeasonalModel[], t: number, v: number): void {
    const p = this.p;
    const side = v > this.choose(models, t).predict(t) ? 1 : -1;
    const deviation: Deviation = { t, v, side, errors: models.map((m) => (m.ready && m.knows(t) ? Math.abs(v - m.predict(t)) : null)) };
    if (this.run.length > 0 && this.run[this.run.length - 1]!.side !== side) this.run = [];
    this.run.push(deviation);
    this.pending.push(deviation);
    if (!this.previousFlagged) this.eventStarts.push(this.observed);
    while (this.eventStarts.length > 0 && this.eventStarts[0]! <= this.observed - p.frequentWindow) this.eventStarts.shift();

    // The same slot deviated the same way last cycle: that is the pattern.
    for (const m of models) {
      if (m.season.kind === 'none') continue;
      const slot = m.season.slot(t);
      const last = m.flaggedAt[slot]!;
      if (!Number.isNaN(last) && m.flaggedSide[slot] === side && t - last <= p.recurCycles * m.season.cycleMs) {
        m.learnSlot(t, v);
        recordAll(models, deviation);
      }
      m.flaggedAt[slot] = t;
      m.flaggedSide[slot] = side;
    }

    if (this.run.length >= p.shiftRun) {
      // A sustained new level: it becomes the normal; the old one is kept for a while.
      const level = median(this.run.map((d) => d.v));
      this.snapshot = { models: models.map((m) => m.clone()), until: this.observed + p.shiftMemory };
      for (const m of models) m.relevel(t, level);
      this.run = [];
      this.pending = [];
      this.eventStarts = [];
    } else if (this.eventStarts.length >= p.frequentEvents) {
      // Deviations this frequent are this series' noise: they join the scale.
      for (const d of this.pending) recordAll(models, d);
      this.pending = [];
      this.eventStarts = [];
    }
  }
}

function recordAll(models: SeasonalModel[], deviation: Deviation): void {
  deviation.errors.forEach((error, i) => {
    if (error !== null) models[i]!.recordError(error);
  });
}

/**
 * A robust scale from absolute deviations in ascending order: the MAD-based one, or, when
 * deviations are mostly zero (a sparse series), 1.2533 times the mean of the smallest 95%
 * of them, whichever is larger.
 */
function robustScale(ascending: ArrayLike<number>): number {
  const n = ascending.length;
  if (n === 0) return 0;
  const mad = 1.4826 * quantileSorted(ascending as number[], 0.5);
  const cut = quantileSorted(ascending as number[], 0.95);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < n && ascending[i]! <= cut; i++) {
    sum += ascending[i]!;
    count++;
  }
  return Math.max(mad, count > 0 ? (1.2533 * sum) / count : 0);
}
