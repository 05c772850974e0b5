import { median } from 'simple-statistics';
import type { MetricType } from '../src/domain/metric.js';
import { absoluteFloor, applyMetricRules } from './metric-rules.js';
import { SeasonalModel } from './model.js';
import { DEFAULT_PARAMS, type DetectorParams } from './params.js';
import { DAY_MS, HOUR_MS } from './calendar.js';
import { robustScale, robustTail, tailWeight } from './robust.js';
import { candidateSeasons, samePhase } from './seasons.js';

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
const ACCEPTED_KEEP = 16;

/**
 * Learns a monitor's band from its history, one point at a time, oldest first. Points that
 * were flagged do not train it, unless they turn out to be the new normal:
 *
 * - a run of `shiftRun` flagged points on one side is a new level (a source onboarded); the
 *   models move to it, and for `shiftMemory` points the old level still counts as normal,
 *   so a transient that ends does not alert again on its way back;
 * - a deviation that recurs, about as large, in the same seasonal slot a cycle later is
 *   the pattern (a weekend, a month-end load), learnt by the seasonal models;
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
  /** The last BOOTSTRAP_KEEP values learnt (a ring; order does not matter to its users). */
  private readonly recent: number[] = [];
  private recentNext = 0;
  private quantum = Number.POSITIVE_INFINITY;
  private readonly distinct = new Set<number>();
  /** Whether every value learnt so far was zero or more: then a band never expects a negative. */
  private neverNegative = true;
  private run: Deviation[] = [];
  private pending: Deviation[] = [];
  private eventStarts: number[] = [];
  /** Where each recent flagged event started, for the alert-rate brake. */
  private readonly alertStarts: number[] = [];
  private previousFlagged = false;
  private snapshot: { models: SeasonalModel[]; until: number } | null = null;
  /** Points of history before the first band: minPoints, or a whole day of sub-daily data. */
  private minHistory: number;
  /** Sizes of deviations accepted as noise: the band never gets narrower than they were. */
  private readonly acceptedNoise: number[] = [];

  constructor(
    private readonly metric: MetricType,
    /** Band half-widths are multiplied by this (the sensitivity's factor). */
    private readonly widthFactor = 1,
    params: Partial<DetectorParams> = {},
  ) {
    this.p = { ...DEFAULT_PARAMS, ...params };
    this.minHistory = this.p.minPoints;
  }

  /** The band for a value measured at t, from everything observed before it. */
  band(t: number): LearnedBand {
    if (this.models === null || this.trained < this.minHistory) {
      return { state: 'learning', reason: `learning: ${this.trained} of ${this.minHistory} points of history` };
    }
    const chosen = this.choose(this.models, t);
    const band = this.bandOf(chosen, t);
    if (this.p.agree > 0) {
      // A value is only out of range if the runner-up model agrees.
      const second = this.runnerUp(this.models, chosen, t);
      if (second !== null) {
        const other = this.bandOf(second, t);
        band.lower = Math.min(band.lower, band.center - this.p.agree * (band.center - other.lower));
        band.upper = Math.max(band.upper, band.center + this.p.agree * (other.upper - band.center));
      }
    }
    if (this.snapshot !== null) {
      // Just after a new level, the old one still counts as normal.
      const old = this.bandOf(this.choose(this.snapshot.models, t), t);
      band.lower = Math.min(band.lower, old.lower);
      band.upper = Math.max(band.upper, old.upper);
    }
    if (this.neverNegative && band.lower < 0) band.lower = 0;
    const ruled = applyMetricRules(this.metric, band);
    return { state: 'band', ...ruled, center: band.center, model: chosen.kind };
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
    this.models = candidateSeasons(step).map((kinds) => new SeasonalModel(kinds, this.p, step));
    // Hours of the day cannot be told from a level change before a day has been seen.
    if (step <= 2 * HOUR_MS) this.minHistory = Math.max(this.p.minPoints, Math.round(DAY_MS / step));
    // The first points are replayed with their own robust spread as the clip, so one wild
    // value among them cannot drag every model off before it has anything to compare with.
    const values = this.buffered.map((b) => b.v);
    const center = median(values);
    const spread = robustScale(values.map((x) => Math.abs(x - center)).sort((a, b) => a - b));
    for (const { t, v } of this.buffered) this.learn(this.models, t, v, spread);
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
      // Enough errors and a clear margin; or a few errors and a big one (a weekly shape is plain within two weeks).
      const clear = m.residuals.size >= this.p.minErrors && m.meanError < best.meanError * this.p.margin;
      const plain = m.residuals.size >= this.p.minPoints && m.meanError < best.meanError * this.p.plainMargin;
      if (best.residuals.size >= this.p.minPoints && (clear || plain)) {
        best = m;
      }
    }
    return best;
  }

  private runnerUp(models: SeasonalModel[], chosen: SeasonalModel, t: number): SeasonalModel | null {
    let best: SeasonalModel | null = null;
    for (const m of models) {
      if (m === chosen || !m.knows(t) || m.residuals.size < this.p.minErrors) continue;
      if (m.meanError > this.p.agreeWithin * chosen.meanError) continue;
      if (best === null || m.meanError < best.meanError) best = m;
    }
    return best;
  }

  private bandOf(model: SeasonalModel, t: number): { lower: number; upper: number; center: number } {
    const p = this.p;
    let center: number;
    let scale: number;
    let tail = 0;
    let n: number;
    if (model.residuals.size < p.minPoints) {
      // Few one-step errors yet: the robust spread of the values themselves.
      center = median(this.recent);
      const deviations = this.deviations(center);
      scale = robustScale(deviations);
      tail = tailWeight(deviations.length, p.qMin) * robustTail(deviations, p.qp);
      n = this.recent.length;
    } else {
      center = model.predict(t);
      const sorted = model.residuals.ascending();
      const ratio = model.noiseRatio(t);
      scale = robustScale(sorted) * ratio;
      tail = tailWeight(sorted.length, p.qMin) * robustTail(sorted, p.qp) * ratio;
      n = sorted.length;
    }
    const small = 1 + p.smallC / Math.sqrt(n);
    let half = Math.max(p.k * scale, p.kq * tail) * small;
    const noise = this.acceptedNoise.length === 0 ? 0 : p.noiseFloor * median(this.acceptedNoise);
    const floor = Math.max(p.relativeFloor * Math.abs(center), absoluteFloor(this.metric), Number.isFinite(this.quantum) ? this.quantum : 0, noise);
    // A series alerting again and again is more likely noisier than thought than broken
    // every day: each alert beyond `rateFree` in the last `rateWindow` points widens it.
    let recentAlerts = 0;
    for (const start of this.alertStarts) if (start > this.observed - p.rateWindow) recentAlerts++;
    const brake = 1 + p.rateGain * Math.max(0, recentAlerts - p.rateFree);
    half = Math.max(half, floor) * this.widthFactor * brake;
    return { lower: center - half, upper: center + half, center };
  }

  private learn(models: SeasonalModel[], t: number, v: number, clipScale?: number): void {
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
    if (this.run.length > 0) this.run = [];
    for (const m of models) {
      if (!m.ready) continue;
      if (m.knows(t)) m.recordError(Math.abs(v - m.predict(t)), t);
    }
    for (const m of models) m.learn(t, v, clipScale ?? (Number.isNaN(m.meanError) ? 0 : 1.2533 * m.meanError));
    this.trained++;
    if (v < 0) this.neverNegative = false;
    if (this.recent.length < BOOTSTRAP_KEEP) this.recent.push(v);
    else this.recent[this.recentNext] = v;
    this.recentNext = (this.recentNext + 1) % BOOTSTRAP_KEEP;
    if (this.distinct.size < 50 && !this.distinct.has(v)) {
      for (const d of this.distinct) {
        const gap = Math.abs(d - v);
        if (gap > 0 && gap < this.quantum) this.quantum = gap;
      }
      this.distinct.add(v);
    }
  }

  /** Absolute deviations of the recent values from `center`, ascending. */
  private deviations(center: number): number[] {
    return this.recent.map((x) => Math.abs(x - center)).sort((a, b) => a - b);
  }

  /** The robust spread of the recent values themselves. */
  private valueSpread(): number {
    return this.recent.length === 0 ? 0 : robustScale(this.deviations(median(this.recent)));
  }

  /** Whether deviations come so often (denseEvents in denseWindow points) that they are this series' ordinary noise. */
  private dense(): boolean {
    let count = 0;
    for (const start of this.alertStarts) if (start > this.observed - this.p.denseWindow) count++;
    return count >= this.p.denseEvents;
  }

  /**
   * Whether the band has collapsed: a series that sat at one value (all zeros, say) has no
   * spread to learn from, so its first few small deviations cannot be judged on their size.
   */
  private degenerate(models: SeasonalModel[], t: number): boolean {
    const model = this.choose(models, t);
    const spread = model.residuals.size >= this.p.minErrors ? robustScale(model.residuals.ascending()) : this.valueSpread();
    return spread === 0 || (Number.isFinite(this.quantum) && spread < this.quantum);
  }

  private deviate(models: SeasonalModel[], t: number, v: number): void {
    const p = this.p;
    const side = v > this.choose(models, t).predict(t) ? 1 : -1;
    const deviation: Deviation = { t, v, side, errors: models.map((m) => (m.ready && m.knows(t) ? Math.abs(v - m.predict(t)) : null)) };
    if (this.run.length > 0 && this.run[this.run.length - 1]!.side !== side) this.run = [];
    this.run.push(deviation);
    this.pending.push(deviation);
    if (!this.previousFlagged) {
      this.eventStarts.push(this.observed);
      this.alertStarts.push(this.observed);
    }
    while (this.alertStarts.length > 0 && this.alertStarts[0]! <= this.observed - p.rateWindow) this.alertStarts.shift();
    while (this.eventStarts.length > 0 && this.eventStarts[0]! <= this.observed - p.frequentWindow) this.eventStarts.shift();

    // The same slot deviated the same way a cycle ago: that is the pattern. Models that
    // learn it record how well they now predict it; the others record their miss.
    let recurred = false;
    const learnt = models.map(() => false);
    models.forEach((m, i) => {
      for (const c of m.components) {
        if (c.season.kind === 'none') continue;
        const slot = c.season.slot(t);
        if (!c.active(slot)) continue;
        const last = c.flaggedAt[slot]!;
        const size = Math.abs(v - m.predict(t));
        const similar = size <= p.recurSize * c.flaggedSize[slot]! && c.flaggedSize[slot]! <= p.recurSize * size;
        if (!Number.isNaN(last) && c.flaggedSide[slot] === side && similar && samePhase(t - last, c.season.cycleMs, c.season.toleranceMs, p.recurCycles)) {
          m.learnSlot(c, t, v);
          learnt[i] = true;
          recurred = true;
        }
        c.flaggedAt[slot] = t;
        c.flaggedSide[slot] = side;
        c.flaggedSize[slot] = size;
      }
    });
    if (recurred) {
      models.forEach((m, i) => {
        const error = learnt[i] ? Math.abs(v - m.predict(t)) : deviation.errors[i];
        if (error !== null && error !== undefined) m.recordError(error, t);
      });
    }

    if (this.run.length >= p.shiftRun) {
      // A sustained new level: it becomes the normal; the old one is kept for a while.
      const level = median(this.run.map((d) => d.v));
      this.snapshot = { models: models.map((m) => m.clone()), until: this.observed + p.shiftMemory };
      // Models that have not seen this slot yet learn it later; only the others move.
      for (const m of models) if (m.knows(t)) m.relevel(t, level, this.neverNegative);
      this.run = [];
      this.pending = [];
      this.eventStarts = [];
    } else if ((this.eventStarts.length >= p.frequentEvents && this.degenerate(models, t)) || this.dense()) {
      // Deviations this frequent are this series' noise: they join the scale.
      for (const d of this.pending) {
        recordAll(models, d);
        const error = d.errors[0];
        if (error !== null && error !== undefined) this.acceptedNoise.push(error);
      }
      while (this.acceptedNoise.length > ACCEPTED_KEEP) this.acceptedNoise.shift();
      this.pending = [];
      this.eventStarts = [];
    }
  }
}

function recordAll(models: SeasonalModel[], deviation: Deviation): void {
  deviation.errors.forEach((error, i) => {
    if (error !== null) models[i]!.recordError(error, deviation.t);
  });
}
