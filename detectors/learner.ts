import { median } from 'simple-statistics';
import type { MetricType } from '../src/domain/metric.js';
import { Cadence, CADENCE_CHECK_EVERY } from './cadence.js';
import { DAY_MS, HOUR_MS } from './calendar.js';
import { DeviationLog, type Deviation } from './deviations.js';
import { absoluteFloor, applyMetricRules } from './metric-rules.js';
import { SeasonalModel } from './model.js';
import { DEFAULT_PARAMS, type DetectorParams } from './params.js';
import { robustScale, robustTail } from './robust.js';
import { candidateModels } from './seasons.js';

export type LearnedBand = { state: 'band'; lower: number | null; upper: number | null } | { state: 'learning'; reason: string };

/** Values kept for the first bands, and points kept to rebuild the models when the cadence turns out other. */
const RECENT_KEEP = 64;
const REPLAY_KEEP = 400;

/**
 * Learns a monitor's band from its history, one point at a time, oldest first. Points that
 * were flagged do not train it, unless they turn out to be the new normal:
 *
 * - a run of `shiftRun` flagged points on one side is a new level (a source onboarded); the
 *   models move to it, and for `shiftMemory` points the old level still counts as normal,
 *   so a transient that ends does not alert again on its way back;
 * - a deviation that recurs, about as large, in the same seasonal slot a cycle later is
 *   the pattern (a weekend, a month-end load), learnt by the seasonal models;
 * - deviations as dense as `denseEvents` in `denseWindow` points, or as frequent as
 *   `frequentEvents` within `frequentDays` days, or, on a band that has collapsed (a series
 *   that sat at one value), `frequentEvents` in `frequentWindow` points, are the series'
 *   noise: their errors join the scale (all but the one that showed it, which still alerts).
 *
 * Several seasonal models learn side by side; the band comes from the one with the smallest
 * recent error. `band` changes nothing, so the daemon (which folds a monitor's stored history
 * with its stored flags, then asks once) and the backtest (which asks before every row) see
 * the same bands.
 */
export class Learner {
  private readonly p: DetectorParams;
  private models: SeasonalModel[] | null = null;
  private step = 0;
  private trained = 0;
  private observed = 0;
  /** Points of history before the first band: minPoints, or a whole day of sub-daily data. */
  private minHistory: number;
  /** The last RECENT_KEEP values learnt (a ring: order does not matter to its users). */
  private readonly recent: number[] = [];
  private recentNext = 0;
  /** The last REPLAY_KEEP points learnt (a ring of times and values; `replayed` of them are filled). */
  private readonly replayT = new Float64Array(REPLAY_KEEP);
  private readonly replayV = new Float64Array(REPLAY_KEEP);
  private replayed = 0;
  private readonly cadence = new Cadence();
  private quantum = Number.POSITIVE_INFINITY;
  private readonly distinct = new Set<number>();
  /** Whether every value learnt so far was zero or more: then a band never expects a negative. */
  private neverNegative = true;
  private readonly deviations = new DeviationLog();
  /** The models as they were before the latest new level, while the old level still counts. */
  private snapshot: {
    models: SeasonalModel[];
    until: number;
    /** For a new level far above anything before: its points so far, to start the models again from once it has held. */
    regime: Array<{ t: number; v: number }> | null;
  } | null = null;
  /** A set of models no longer in use, kept to become the next snapshot without allocating. */
  private spare: SeasonalModel[] | null = null;

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
    if (!Number.isFinite(band.lower) || !Number.isFinite(band.upper)) {
      return { state: 'learning', reason: 'the values are too large to model' };
    }
    if (this.neverNegative && band.lower < 0) band.lower = 0;
    return { state: 'band', ...applyMetricRules(this.metric, band) };
  }

  /** Takes in the value measured at t; `flagged` says whether it was out of its band. */
  observe(t: number, v: number, flagged: boolean): void {
    if (!Number.isFinite(v)) return;
    this.observed++;
    this.cadence.observe(t);
    if (this.models === null) {
      // Before the first band nothing was judged; a point flagged then (a history that
      // starts with an incident) still does not train.
      if (!flagged) this.keep(t, v);
      if (this.replayed >= this.p.minPoints && this.cadence.known) this.start(this.cadence.step());
      return;
    }
    if (this.snapshot !== null && this.observed > this.snapshot.until) {
      const regime = this.snapshot.regime;
      this.spare = this.snapshot.models;
      this.snapshot = null;
      if (regime !== null && regime.length >= this.minHistory) {
        // A new level far above anything before has held: what was learnt before it says
        // nothing about the table's shape or noise, so the models start again from it.
        this.replayed = 0;
        for (const d of regime) this.keep(d.t, d.v);
        this.start(this.step);
      }
    }
    if (flagged) this.deviate(this.models, t, v);
    else this.learn(this.models, t, v);
    if (this.observed % CADENCE_CHECK_EVERY === 0) this.checkCadence();
  }

  /** A monitor first run by hand a few times, then daily, is daily: models follow the cadence. */
  private checkCadence(): void {
    if (!this.cadence.settled) return;
    const step = this.cadence.step();
    if (step > 3 * this.step || step < this.step / 3) this.start(step);
  }

  /** Makes the models for a cadence and replays the points kept so far into them. */
  private start(step: number): void {
    this.step = step;
    this.models = candidateModels(step).map(({ kinds, multiplicative }) => new SeasonalModel(kinds, this.p, step, multiplicative));
    this.snapshot = null;
    this.spare = null;
    // Hours of the day cannot be told from a level change before a day has been seen.
    this.minHistory = step <= 2 * HOUR_MS ? Math.max(this.p.minPoints, Math.round(DAY_MS / step)) : this.p.minPoints;
    // The points are replayed with their own robust spread as the clip, so one wild value
    // among the first cannot drag every model off before it has anything to compare with.
    const points = this.takeReplay();
    const values = points.map((point) => point.v);
    const center = median(values);
    const spread = robustScale(Float64Array.from(values, (x) => Math.abs(x - center)).sort());
    this.trained = 0;
    this.recent.length = 0;
    this.recentNext = 0;
    for (const { t, v } of points) this.learn(this.models, t, v, spread);
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
      if (best.residuals.size >= this.p.minPoints && (clear || plain)) best = m;
    }
    return best;
  }

  private runnerUp(models: SeasonalModel[], chosen: SeasonalModel, t: number): SeasonalModel | null {
    // A model blind to the chosen one's special days (month-end loads, a learnt day of the
    // month at t) is no second opinion: its errors on those days would widen every band.
    const slots = chosen.slotsAt(t);
    const special = chosen.components.filter((c, i) => c.season.kind === 'month_edge' || (c.season.sparse === true && c.active(slots[i]!)));
    let best: SeasonalModel | null = null;
    for (const m of models) {
      if (m === chosen || !m.knows(t) || m.residuals.size < this.p.minErrors) continue;
      if (!special.every((s) => m.components.some((c) => c.season.kind === s.season.kind && (s.season.sparse !== true || c.active(m.slotOf(c, t)))))) continue;
      if (best === null || m.meanError < best.meanError) best = m;
    }
    return best;
  }

  private bandOf(model: SeasonalModel, t: number): { lower: number; upper: number; center: number } {
    const p = this.p;
    let center: number;
    // Always a Float64Array: one element type keeps the hot loops below monomorphic.
    let deviations: Float64Array;
    let ratio = 1;
    let unit = 1;
    if (model.residuals.size < p.minPoints) {
      // Few one-step errors yet: the robust spread of the values themselves.
      center = median(this.recent);
      deviations = this.recentDeviations(center);
    } else {
      center = model.predict(t);
      deviations = model.residuals.ascending();
      ratio = model.noiseRatio(t);
      unit = model.residualUnit(t);
    }
    const small = 1 + p.smallC / Math.sqrt(deviations.length);
    // A series alerting again and again is more likely noisier than thought than broken
    // every day: each alert beyond `rateFree` in the last `rateWindow` points widens it.
    const brake = 1 + p.rateGain * Math.max(0, this.deviations.alertsWithin(p.rateWindow, this.observed) - p.rateFree);
    const learned = Math.max(p.k * robustScale(deviations), p.kq * robustTail(deviations, p.qp)) * ratio * unit * small * this.widthFactor * brake;
    const floor = Math.max(
      p.relativeFloor * Math.abs(center),
      absoluteFloor(this.metric),
      Number.isFinite(this.quantum) ? this.quantum : 0,
      p.noiseFloor * this.deviations.acceptedSize(),
    );
    const half = Math.max(learned, floor);
    // A special day learnt from two deviations is not trusted yet: the day with or without it is normal.
    const tentative = model.residuals.size < p.minPoints ? 0 : model.tentative(t);
    return { lower: Math.min(center, center - tentative) - half, upper: Math.max(center, center - tentative) + half, center };
  }

  /** Absolute deviations of the recent values from `center`, ascending. */
  private recentDeviations(center: number): Float64Array {
    return Float64Array.from(this.recent, (x) => Math.abs(x - center)).sort();
  }

  private keep(t: number, v: number): void {
    const at = this.replayed % REPLAY_KEEP;
    this.replayT[at] = t;
    this.replayV[at] = v;
    this.replayed++;
  }

  /** The kept points, oldest first, and the ring emptied. */
  private takeReplay(): Array<{ t: number; v: number }> {
    const count = Math.min(this.replayed, REPLAY_KEEP);
    const first = this.replayed - count;
    const points = Array.from({ length: count }, (_, i) => {
      const at = (first + i) % REPLAY_KEEP;
      return { t: this.replayT[at]!, v: this.replayV[at]! };
    });
    this.replayed = 0;
    return points;
  }

  private learn(models: SeasonalModel[], t: number, v: number, clipScale?: number): void {
    if (this.snapshot !== null) {
      // A value back at the old level ends a transient: the models before it are right. The
      // plain level must agree with the chosen model: a seasonal model shifted on a few slots
      // (a burst over a weekend) can be far off on the others and would bring the burst back.
      const now = this.choose(models, t).predict(t);
      const before = this.choose(this.snapshot.models, t).predict(t);
      const plainNow = models[0]!.predict(t);
      const plainBefore = this.snapshot.models[0]!.predict(t);
      // After a jump far above the old level, nearness is by ratio: a weekend at half a
      // weekday, after a table grew tenfold, is nearer the new level than the old one,
      // however many rows apart.
      const positive = this.snapshot.regime !== null && this.neverNegative && v > 0 && before > 0 && now > 0 && plainBefore > 0 && plainNow > 0;
      const distance = (a: number, b: number) => (positive ? Math.abs(Math.log(a / b)) : Math.abs(a - b));
      if (distance(v, before) < distance(v, now) && distance(v, plainBefore) < distance(v, plainNow)) {
        this.spare = models;
        this.models = this.snapshot.models;
        models = this.models;
        this.snapshot = null;
      }
    }
    this.deviations.normal();
    this.snapshot?.regime?.push({ t, v });
    for (const m of models) {
      const predicted = m.ready ? m.predict(t) : Number.NaN;
      if (m.ready && m.knows(t)) m.recordError(Math.abs(v - predicted), t);
      m.learn(t, v, clipScale ?? (Number.isNaN(m.meanError) ? 0 : 1.2533 * m.meanError), predicted);
    }
    this.trained++;
    this.keep(t, v);
    if (v < 0) this.neverNegative = false;
    if (this.recent.length < RECENT_KEEP) this.recent.push(v);
    else this.recent[this.recentNext] = v;
    this.recentNext = (this.recentNext + 1) % RECENT_KEEP;
    if (this.distinct.size < 50 && !this.distinct.has(v)) {
      for (const d of this.distinct) {
        const gap = Math.abs(d - v);
        if (gap > 0 && gap < this.quantum) this.quantum = gap;
      }
      this.distinct.add(v);
    }
  }

  /**
   * Whether the band has collapsed: a series that sat at one value (all zeros, say) has no
   * spread to learn from, so its first few small deviations cannot be judged on their size.
   */
  private degenerate(models: SeasonalModel[], t: number): boolean {
    const model = this.choose(models, t);
    const spread =
      model.residuals.size >= this.p.minErrors
        ? robustScale(model.residuals.ascending()) * model.residualUnit(t)
        : this.recent.length === 0
          ? 0
          : robustScale(this.recentDeviations(median(this.recent)));
    return spread === 0 || (Number.isFinite(this.quantum) && spread < this.quantum);
  }

  private deviate(models: SeasonalModel[], t: number, v: number): void {
    const p = this.p;
    const predicted = this.choose(models, t).predict(t);
    const side = v > predicted ? 1 : -1;
    // A value fallen to half its prediction or less, on a series never negative, is an outage (a
    // failed or partial load): however often it happens, it is never the series' noise.
    const outage = this.neverNegative && v <= p.outageShare * predicted;
    const deviation: Deviation = { t, v, side, index: this.observed, errors: models.map((m) => (m.ready && m.knows(t) ? Math.abs(v - m.predict(t)) : null)), outage };
    const recent = Math.max(1, Math.round((p.frequentDays * DAY_MS) / this.step));
    this.deviations.flagged(deviation, Math.max(p.frequentWindow, p.rateWindow, p.denseWindow, recent));
    this.recur(models, deviation);

    if (this.deviations.runLength >= p.shiftRun) {
      // A sustained new level: it becomes the normal; the old one is kept for a while.
      const run = this.deviations.takeRun();
      const regime = this.regimeAfter(models, run);
      const kept = this.snapshot?.models ?? this.spare ?? models.map((m) => m.clone());
      kept.forEach((m, i) => m.copyFrom(models[i]!));
      this.spare = null;
      this.snapshot = { models: kept, until: this.observed + p.shiftMemory, regime };
      for (const m of models) m.shiftTo(run, this.neverNegative);
    } else {
      // Deviations this frequent are this series' noise: they join the scale.
      const window = this.noiseWindow(models, t, recent);
      if (window === 0) return;
      for (const d of this.deviations.takeNoise(window, this.observed)) {
        d.errors.forEach((error, i) => {
          if (error !== null) models[i]!.recordError(error, d.t, true);
        });
      }
    }
  }

  /**
   * The points of a possible new regime once `run` becomes the level, or null: a run far
   * above anything before starts one; a second run while one settles (its first shift fell
   * short) still belongs to it if it too is far above the level before the regime.
   */
  private regimeAfter(models: SeasonalModel[], run: readonly Deviation[]): Array<{ t: number; v: number }> | null {
    const points = run.map(({ t, v }) => ({ t, v }));
    const settling = this.snapshot?.regime ?? null;
    if (settling !== null) return this.farAbove(this.snapshot!.models, run) ? [...settling, ...points] : null;
    return this.isNewRegime(models, run) ? points : null;
  }

  /**
   * Whether a run of flagged points is `restartJump` times its prediction and the largest
   * recent value, on data never negative (a table filled for real after a trial month). Not
   * for freshness: data that stays late is an incident, however late.
   */
  private isNewRegime(models: SeasonalModel[], run: readonly Deviation[]): boolean {
    if (!this.neverNegative || this.recent.length === 0 || this.metric === 'freshness') return false;
    return this.farAbove(models, run) && median(run.map((d) => d.v)) >= this.p.restartJump * Math.max(...this.recent);
  }

  /** Whether a run is `restartJump` times what the models predicted for it. */
  private farAbove(models: SeasonalModel[], run: readonly Deviation[]): boolean {
    const chosen = this.choose(models, run[run.length - 1]!.t);
    return median(run.map((d) => d.v)) >= this.p.restartJump * median(run.map((d) => chosen.predict(d.t)));
  }

  /**
   * The window whose flagged points are this series' noise, or 0 when they are not: dense
   * ones (`denseEvents` in `denseWindow` points), frequent ones (`frequentEvents` within
   * `recent` points, the `frequentDays`, where those hold at least `frequentWindow` points),
   * or, on a collapsed band, `frequentEvents` in `frequentWindow` points.
   */
  private noiseWindow(models: SeasonalModel[], t: number, recent: number): number {
    const p = this.p;
    if (this.deviations.eventsWithin(p.denseWindow, this.observed) >= p.denseEvents) return p.denseWindow;
    // Only where two weeks hold many points (hourly data): 4 of 14 daily points is a broken series, not noise.
    if (recent >= p.frequentWindow && this.deviations.eventsWithin(recent, this.observed) >= p.frequentEvents) return recent;
    if (this.deviations.eventsWithin(p.frequentWindow, this.observed) >= p.frequentEvents && this.degenerate(models, t)) return p.frequentWindow;
    return 0;
  }

  /**
   * The same slot deviated the same way, about as much, a cycle ago: that is the pattern.
   * Models that learn it record how well they now predict it; the others record their miss.
   */
  private recur(models: SeasonalModel[], deviation: Deviation): void {
    const { t, v, side } = deviation;
    const learnt = models.map((m) => m.recurs(t, v, side, deviation.outage, this.p));
    if (!learnt.includes(true)) return;
    models.forEach((m, i) => {
      const error = learnt[i] ? Math.abs(v - m.predict(t)) : deviation.errors[i];
      if (error !== null && error !== undefined) m.recordError(error, t);
    });
  }
}
