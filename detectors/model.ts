import type { DetectorParams } from './params.js';
import { RollingResiduals } from './rolling.js';
import { SEASONS, type Season, type SeasonKind } from './seasons.js';

/**
 * One candidate description of a series: a robust additive Holt-Winters model with a level,
 * a damped trend and one offset per seasonal slot, learning one point at a time. Updates are
 * clipped at `clip` scales, so an odd value that was not flagged still moves it little.
 */
export class SeasonalModel {
  readonly season: Season;
  level = Number.NaN;
  trend = 0;
  lastT = Number.NaN;
  readonly offsets: Float64Array;
  readonly known: Uint8Array;
  readonly residuals: RollingResiduals;
  /** Smoothed mean absolute one-step error; picks the model. */
  meanError = Number.NaN;
  /** Per slot: when it was last flagged, and on which side (for recurring deviations). */
  readonly flaggedAt: Float64Array;
  readonly flaggedSide: Int8Array;

  constructor(
    kind: SeasonKind,
    private readonly p: DetectorParams,
    private readonly stepMs: number,
  ) {
    this.season = SEASONS[kind];
    this.offsets = new Float64Array(this.season.slots);
    this.known = new Uint8Array(this.season.slots);
    this.flaggedAt = new Float64Array(this.season.slots).fill(Number.NaN);
    this.flaggedSide = new Int8Array(this.season.slots);
    this.residuals = new RollingResiduals(p.window);
  }

  get ready(): boolean {
    return !Number.isNaN(this.level);
  }

  /** The level (with trend) at t, without the seasonal offset. */
  base(t: number): number {
    return Number.isNaN(this.lastT) ? this.level : this.level + (this.trend * (t - this.lastT)) / this.stepMs;
  }

  predict(t: number): number {
    return this.base(t) + this.offsets[this.season.slot(t)]!;
  }

  /** Whether this model has seen t's slot, so its prediction there means something. */
  knows(t: number): boolean {
    return this.known[this.season.slot(t)] === 1;
  }

  /** Records one one-step error (of a point that trains, or one accepted late). */
  recordError(error: number): void {
    this.residuals.push(error);
    this.meanError = Number.isNaN(this.meanError) ? error : this.meanError + this.p.errorAlpha * (error - this.meanError);
  }

  /** Learns from a point that is normal; `scale` clips the step (0: no clipping yet). */
  learn(t: number, v: number, scale: number): void {
    const p = this.p;
    const slot = this.season.slot(t);
    if (!this.ready) {
      this.level = v;
      this.lastT = t;
      this.known[slot] = 1;
      return;
    }
    const b = this.base(t);
    const knew = this.known[slot] === 1;
    const offset = knew ? this.offsets[slot]! : 0;
    const predicted = b + offset;
    let r = v - predicted;
    if (scale > 0) {
      const c = p.clip * scale;
      if (r > c) r = c;
      else if (r < -c) r = -c;
    }
    const clipped = predicted + r;
    // A slot seen for the first time takes the deviation as its offset rather than the level.
    const seasonal = knew ? offset : clipped - b;
    const level = p.alpha * (clipped - seasonal) + (1 - p.alpha) * b;
    const dt = (t - this.lastT) / this.stepMs;
    if (dt > 0) this.trend = (p.beta * (level - this.level)) / dt + (1 - p.beta) * p.phi * this.trend;
    this.level = level;
    this.offsets[slot] = knew ? p.gamma * (clipped - level) + (1 - p.gamma) * offset : clipped - level;
    this.known[slot] = 1;
    this.lastT = t;
  }

  /** A deviation that recurs in its slot is the pattern: move the slot most of the way to it. */
  learnSlot(t: number, v: number): void {
    const slot = this.season.slot(t);
    const offset = this.offsets[slot]!;
    this.offsets[slot] = offset + this.p.gammaRecur * (v - this.base(t) - offset);
    this.known[slot] = 1;
  }

  /** Moves the level so that t's prediction is `value`, keeping the seasonal shape. */
  relevel(t: number, value: number): void {
    this.level = value - this.offsets[this.season.slot(t)]!;
    this.trend = 0;
    this.lastT = t;
  }

  clone(): SeasonalModel {
    const copy = new SeasonalModel(this.season.kind, this.p, this.stepMs);
    copy.level = this.level;
    copy.trend = this.trend;
    copy.lastT = this.lastT;
    copy.offsets.set(this.offsets);
    copy.known.set(this.known);
    copy.residuals.copyFrom(this.residuals);
    copy.meanError = this.meanError;
    copy.flaggedAt.set(this.flaggedAt);
    copy.flaggedSide.set(this.flaggedSide);
    return copy;
  }
}
