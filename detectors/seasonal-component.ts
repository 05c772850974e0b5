import type { Season } from './seasons.js';

/** One seasonal factor of a model: an offset per slot, and which slots deviated when. */
export class SeasonalComponent {
  readonly offsets: Float64Array;
  readonly known: Uint8Array;
  /** Per slot of a sparse factor: whether a visit since it was learnt confirmed it (until then it is tentative). */
  readonly confirmed: Uint8Array;
  /** Per slot: when it was last flagged, on which side and by how much (for recurring deviations). */
  readonly flaggedAt: Float64Array;
  readonly flaggedSide: Int8Array;
  readonly flaggedSize: Float64Array;
  /** Per slot: smoothed mean absolute error there, and how many errors made it. */
  readonly slotError: Float64Array;
  readonly slotVisits: Uint32Array;

  constructor(
    readonly season: Season,
    /** A secondary factor leaves its slot 0 (the ordinary days) at 0: it only marks special days. */
    readonly secondary: boolean,
  ) {
    this.offsets = new Float64Array(season.slots);
    this.known = new Uint8Array(season.slots);
    this.confirmed = new Uint8Array(season.slots);
    this.flaggedAt = new Float64Array(season.slots).fill(Number.NaN);
    this.flaggedSide = new Int8Array(season.slots);
    this.flaggedSize = new Float64Array(season.slots);
    this.slotError = new Float64Array(season.slots);
    this.slotVisits = new Uint32Array(season.slots);
  }

  recordSlotError(slot: number, error: number, alpha: number): void {
    const visits = ++this.slotVisits[slot]!;
    const a = Math.max(alpha, 1 / visits);
    this.slotError[slot] = this.slotError[slot]! + a * (error - this.slotError[slot]!);
  }

  /** Whether slot takes part: a secondary factor ignores its ordinary slot 0, a sparse one every slot it has not learnt. */
  active(slot: number): boolean {
    return (!this.secondary || slot !== 0) && (this.season.sparse !== true || this.known[slot] === 1);
  }

  /** Whether deviations in slot are watched for a pattern (a sparse factor's unlearnt slots too). */
  watches(slot: number): boolean {
    // Two deviations a week or a month apart on ordinary days are no pattern.
    return slot !== 0 || this.season.ordinaryFirstSlot !== true;
  }

  copyFrom(other: SeasonalComponent): void {
    this.offsets.set(other.offsets);
    this.known.set(other.known);
    this.confirmed.set(other.confirmed);
    this.flaggedAt.set(other.flaggedAt);
    this.flaggedSide.set(other.flaggedSide);
    this.flaggedSize.set(other.flaggedSize);
    this.slotError.set(other.slotError);
    this.slotVisits.set(other.slotVisits);
  }
}
