import { median } from 'simple-statistics';
import type { DetectorParams } from './params.js';
import { RollingResiduals } from './rolling.js';
import { SeasonalComponent } from './seasonal-component.js';
import { SEASONS, samePhase, type SeasonKind } from './seasons.js';

/**
 * One candidate description of a series: a robust Holt-Winters model with a level, a damped
 * trend and one or more seasonal factors (a weekly shape plus month-end days, say), learning
 * one point at a time. The factors add amounts, or, in a multiplicative model, shares of the
 * level. Updates are clipped at `clip` scales, so an odd value that was not flagged still
 * moves it little.
 */
export class SeasonalModel {
  readonly kind: string;
  readonly components: SeasonalComponent[];
  level = Number.NaN;
  trend = 0;
  lastT = Number.NaN;
  readonly residuals: RollingResiduals;
  /** The slots of each component at `slotsT`: computed once per point, used by every method. */
  private readonly slots: Int32Array;
  private slotsT = Number.NaN;
  /** Smoothed mean absolute one-step error; picks the model. */
  meanError = Number.NaN;

  constructor(
    kinds: readonly SeasonKind[],
    private readonly p: DetectorParams,
    private readonly stepMs: number,
    /**
     * Seasonal offsets are shares of the level (a weekend at half a weekday) and errors are
     * kept as shares of it too, so both grow with a growing table.
     */
    readonly multiplicative = false,
  ) {
    this.kind = kinds.join('+') + (multiplicative ? ' (x)' : '');
    this.components = kinds.map((kind, i) => new SeasonalComponent(SEASONS[kind], i > 0));
    this.slots = new Int32Array(kinds.length);
    this.residuals = new RollingResiduals(p.window);
  }

  /** What the residuals are measured in at t: 1, or the level for a multiplicative model. */
  residualUnit(t: number): number {
    return this.multiplicative ? Math.abs(this.base(t)) : 1;
  }

  get ready(): boolean {
    return !Number.isNaN(this.level);
  }

  /** The level (with trend) at t, without seasonal offsets. */
  base(t: number): number {
    return Number.isNaN(this.lastT) ? this.level : this.level + (this.trend * (t - this.lastT)) / this.stepMs;
  }

  /** Each component's slot at t (cached for the last t asked). */
  slotsAt(t: number): Int32Array {
    if (t !== this.slotsT) {
      for (let i = 0; i < this.components.length; i++) this.slots[i] = this.components[i]!.season.slot(t);
      this.slotsT = t;
    }
    return this.slots;
  }

  /** The seasonal offsets at t as learnt: amounts, or shares of the level for a multiplicative model. */
  private rawOffsetAt(t: number, except: SeasonalComponent | null = null): number {
    const slots = this.slotsAt(t);
    let sum = 0;
    for (let i = 0; i < this.components.length; i++) {
      const c = this.components[i]!;
      if (c === except) continue;
      const slot = slots[i]!;
      if (c.active(slot) && c.known[slot] === 1) sum += c.offsets[slot]!;
    }
    return sum;
  }

  private offsetAt(t: number, except: SeasonalComponent | null = null): number {
    return this.contribution(this.rawOffsetAt(t, except), t);
  }

  /** What one slot's offset adds at t. */
  private contribution(offset: number, t: number): number {
    return this.multiplicative ? offset * this.base(t) : offset;
  }

  predict(t: number): number {
    return this.base(t) + this.offsetAt(t);
  }

  /**
   * What t's tentative special days add to the prediction: slots of a sparse factor learnt
   * from two deviations that have not been visited since. Two incidents that happened to fall
   * on the same day of two months look like a pattern; the next visit tells.
   */
  tentative(t: number): number {
    const slots = this.slotsAt(t);
    let sum = 0;
    for (let i = 1; i < this.components.length; i++) {
      const c = this.components[i]!;
      const slot = slots[i]!;
      if (c.season.sparse === true && c.active(slot) && c.confirmed[slot] === 0) sum += c.offsets[slot]!;
    }
    return this.contribution(sum, t);
  }

  /** Whether this model has seen t's (primary) slot, so its prediction there means something. */
  knows(t: number): boolean {
    return this.components[0]!.known[this.slotsAt(t)[0]!] === 1;
  }

  /**
   * Records one one-step error, of a point at t that trains (or one accepted late). The error
   * of a special day (a month end, a payroll day) counts in its own slot's noise, not in the
   * residuals that scale every other day's band.
   */
  recordError(error: number, t: number, acceptedNoise = false): void {
    this.meanError = Number.isNaN(this.meanError) ? error : this.meanError + this.p.errorAlpha * (error - this.meanError);
    const slots = this.slotsAt(t);
    let special = false;
    for (let i = 0; i < this.components.length; i++) {
      const c = this.components[i]!;
      if (!c.active(slots[i]!)) continue;
      c.recordSlotError(slots[i]!, error, this.p.slotErrorAlpha);
      if (c.secondary) special = true;
    }
    if (special) return;
    if (!this.multiplicative) this.residuals.push(error);
    else {
      // A share of the level means nothing while the level is not above 0; and a miss of more
      // than `shareErrorMax` of it is a model that lost the series (in the weeks after a
      // jump), not noise, unless the series' noise rules accepted it as noise: such a share
      // would widen its band for months.
      const unit = this.base(t);
      if (unit > 0 && (acceptedNoise || error / unit <= this.p.shareErrorMax)) this.residuals.push(error / unit);
    }
  }

  /**
   * How much noisier than usual t's slot is: night hours are calm, month-end loads are
   * large and loud. The special day of a secondary factor speaks first; few visits say 1.
   */
  noiseRatio(t: number): number {
    if (Number.isNaN(this.meanError) || this.meanError <= 0) return 1;
    const slots = this.slotsAt(t);
    for (let i = this.components.length - 1; i >= 0; i--) {
      const c = this.components[i]!;
      if (c.season.kind === 'none') continue;
      const slot = slots[i]!;
      if (!c.active(slot) || c.slotVisits[slot]! < this.p.slotMinVisits) continue;
      // Few visits say little: the ratio is shrunk toward 1 by slotPrior pseudo-visits.
      const visits = Math.min(c.slotVisits[slot]!, 1 / this.p.slotErrorAlpha);
      const raw = c.slotError[slot]! / this.meanError;
      const ratio = (visits * raw + this.p.slotPrior) / (visits + this.p.slotPrior);
      return Math.min(this.p.slotRatioMax, Math.max(this.p.slotRatioMin, ratio));
    }
    return 1;
  }

  /**
   * Learns from a point that is normal; `scale` clips the step (0: no clipping yet);
   * `predicted` is predict(t) when the caller has it already.
   */
  learn(t: number, v: number, scale: number, predicted = this.ready ? this.predict(t) : Number.NaN): void {
    const p = this.p;
    const slots = this.slotsAt(t);
    const count = this.components.length;
    if (!this.ready) {
      this.level = v;
      this.lastT = t;
      // The first value is the level in its primary slot; what a special day adds (a
      // month-end load) cannot be told from one value, so that slot waits for its next visit.
      this.components[0]!.known[slots[0]!] = 1;
      return;
    }
    predicted -= this.settleTentative(slots, t, v, predicted);
    const b = this.base(t);
    // A slot seen for the first time takes the whole deviation as its offset, unclipped.
    let unseen = false;
    for (let i = 0; i < count; i++) {
      const c = this.components[i]!;
      if (c.active(slots[i]!) && c.known[slots[i]!] === 0) unseen = true;
    }
    let r = v - predicted;
    if (scale > 0 && !unseen) {
      const c = p.clip * scale;
      if (r > c) r = c;
      else if (r < -c) r = -c;
    }
    const clipped = predicted + r;
    // A multiplicative model takes the value over its seasonal factor (while that factor is
    // not near 0: a weekend of zero rows says nothing about the level).
    const factor = this.multiplicative && b > 0 ? 1 + this.rawOffsetAt(t) : 0;
    const deseasoned = factor > 0.05 ? clipped / factor : clipped - this.offsetAt(t);
    const level = unseen ? b : p.alpha * deseasoned + (1 - p.alpha) * b;
    const dt = (t - this.lastT) / this.stepMs;
    // Points much closer than a step (a run started twice) say nothing about the trend.
    if (dt >= 0.5) this.trend = (p.beta * (level - this.level)) / dt + (1 - p.beta) * p.phi * this.trend;
    this.level = level;
    const primaryKnown = this.components[0]!.known[slots[0]!] === 1;
    for (let i = 0; i < count; i++) {
      const c = this.components[i]!;
      const slot = slots[i]!;
      if (!c.active(slot)) continue;
      // A special day first seen together with an unseen weekday: the weekday takes the deviation.
      if (i > 0 && !primaryKnown && c.known[slot] === 0) continue;
      let target: number;
      if (!this.multiplicative) target = count === 1 ? clipped - level : clipped - level - this.offsetAt(t, c);
      else if (level > 0) target = clipped / level - 1 - (count === 1 ? 0 : this.rawOffsetAt(t, c));
      else continue;
      c.offsets[slot] = c.known[slot] === 1 ? p.gamma * target + (1 - p.gamma) * c.offsets[slot]! : target;
      c.known[slot] = 1;
    }
    if (this.multiplicative) this.normalise();
    this.lastT = t;
  }

  /**
   * Keeps a multiplicative model's level the size of the series: its primary shares average
   * 0 over the slots it knows, and what they held moves into the level (and the trend, and
   * the special days' shares, which are of the level too).
   */
  private normalise(): void {
    const primary = this.components[0]!;
    let sum = 0;
    let count = 0;
    for (let i = 0; i < primary.offsets.length; i++) {
      if (primary.known[i] === 1) {
        sum += primary.offsets[i]!;
        count++;
      }
    }
    if (count < 2) return;
    const factor = 1 + sum / count;
    // Drift of a thousandth is left until it grows: renormalising touches every slot.
    if (!(factor > 0.05) || Math.abs(factor - 1) < 1e-3) return;
    for (let i = 0; i < primary.offsets.length; i++) if (primary.known[i] === 1) primary.offsets[i] = (1 + primary.offsets[i]!) / factor - 1;
    for (let c = 1; c < this.components.length; c++) {
      const offsets = this.components[c]!.offsets;
      for (let i = 0; i < offsets.length; i++) offsets[i] = offsets[i]! / factor;
    }
    this.level *= factor;
    this.trend *= factor;
  }

  /**
   * Notes a flagged value at t; when its slot of some seasonal component deviated the same
   * way, about as much, one to `recurCycles` cycles ago, that is the pattern, and the slot
   * learns it. Returns whether any slot learnt.
   */
  recurs(t: number, v: number, side: number, outage: boolean, p: DetectorParams): boolean {
    let learnt = false;
    for (const c of this.components) {
      if (c.season.kind === 'none') continue;
      // Outages that fall on the same day of two months are still outages: no payroll run.
      if (c.season.sparse === true && outage) continue;
      const slot = this.slotOf(c, t);
      if (!c.watches(slot)) continue;
      const size = Math.abs(v - this.predict(t));
      const last = c.flaggedAt[slot]!;
      const similar = size <= p.recurSize * c.flaggedSize[slot]! && c.flaggedSize[slot]! <= p.recurSize * size;
      if (!Number.isNaN(last) && c.flaggedSide[slot] === side && similar && samePhase(t - last, c.season.cycleMs, c.season.toleranceMs, p.recurCycles)) {
        this.learnSlot(c, t, v);
        learnt = true;
      }
      c.flaggedAt[slot] = t;
      c.flaggedSide[slot] = side;
      c.flaggedSize[slot] = size;
    }
    return learnt;
  }

  /**
   * A normal value on a tentative special day settles it: nearer the prediction with the
   * day's offset, the pattern is confirmed; nearer the one without, it was a coincidence and
   * is forgotten. Returns how much the prediction drops by what was forgotten.
   */
  private settleTentative(slots: Int32Array, t: number, v: number, predicted: number): number {
    let forgotten = 0;
    for (let i = 1; i < this.components.length; i++) {
      const c = this.components[i]!;
      const slot = slots[i]!;
      if (c.season.sparse !== true || !c.active(slot) || c.confirmed[slot] === 1) continue;
      const offset = this.contribution(c.offsets[slot]!, t);
      if (Math.abs(v - predicted) <= Math.abs(v - (predicted - offset))) c.confirmed[slot] = 1;
      else {
        c.known[slot] = 0;
        c.offsets[slot] = 0;
        forgotten += offset;
      }
    }
    return forgotten;
  }

  /** A deviation that recurs in a slot of `component` is the pattern: move that slot most of the way to it. */
  learnSlot(component: SeasonalComponent, t: number, v: number): void {
    const slot = this.slotOf(component, t);
    const offset = component.offsets[slot]!;
    const base = this.base(t);
    if (this.multiplicative && !(base > 0)) return;
    const target = this.multiplicative ? v / base - 1 - this.rawOffsetAt(t, component) : v - base - this.offsetAt(t, component);
    if (component.known[slot] === 0) component.confirmed[slot] = 0;
    component.offsets[slot] = component.known[slot] === 1 ? offset + this.p.gammaRecur * (target - offset) : target;
    component.known[slot] = 1;
  }

  /** The slot of one of this model's components at t. */
  slotOf(component: SeasonalComponent, t: number): number {
    return this.slotsAt(t)[this.components.indexOf(component)]!;
  }

  /**
   * Moves the model onto a sustained new level seen in `run`: by the shift that best fits
   * the run's points, or, for positive data (`allowRatio`), by a ratio when that fits better
   * (a source that doubles a table doubles its weekday-weekend gap too). Points in slots
   * this model has not seen say nothing about it; with none, it stays.
   */
  shiftTo(run: ReadonlyArray<{ t: number; v: number }>, allowRatio: boolean): void {
    const points = run.filter((d) => this.knows(d.t));
    if (points.length === 0 || !this.ready) return;
    const predictions = points.map((d) => this.predict(d.t));
    const shift = median(points.map((d, i) => d.v - predictions[i]!));
    const additiveMiss = median(points.map((d, i) => Math.abs(d.v - predictions[i]! - shift)));
    if (allowRatio && predictions.every((p) => p > 0)) {
      const ratio = Math.min(10, Math.max(0.1, median(points.map((d, i) => d.v / predictions[i]!))));
      const ratioMiss = median(points.map((d, i) => Math.abs(d.v - predictions[i]! * ratio)));
      if (ratioMiss < additiveMiss) {
        this.level *= ratio;
        this.trend *= ratio;
        // A multiplicative model's offsets are shares of the level: they scale with it.
        if (!this.multiplicative) for (const c of this.components) for (let i = 0; i < c.offsets.length; i++) c.offsets[i] = c.offsets[i]! * ratio;
        return;
      }
    }
    this.level += shift;
  }

  clone(): SeasonalModel {
    const copy = new SeasonalModel(
      this.components.map((c) => c.season.kind),
      this.p,
      this.stepMs,
      this.multiplicative,
    );
    copy.copyFrom(this);
    return copy;
  }

  /** Becomes a copy of `other`, a model of the same kind, without allocating. */
  copyFrom(other: SeasonalModel): void {
    this.level = other.level;
    this.trend = other.trend;
    this.lastT = other.lastT;
    this.components.forEach((c, i) => c.copyFrom(other.components[i]!));
    this.residuals.copyFrom(other.residuals);
    this.meanError = other.meanError;
    this.slotsT = Number.NaN;
  }
}
