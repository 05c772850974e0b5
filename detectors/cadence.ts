/** How many recent gaps tell the cadence, and the shortest gap that counts (the same time twice does not). */
const GAPS_KEEP = 15;
const MIN_GAP_MS = 1_000;

/** The typical gap between a series' points, from its recent gaps. */
export class Cadence {
  private readonly gaps = new Float64Array(GAPS_KEEP);
  private readonly scratch = new Float64Array(GAPS_KEEP);
  private count = 0;
  private lastT = Number.NaN;

  /** Notes the time of a point. */
  observe(t: number): void {
    if (!Number.isNaN(this.lastT) && t - this.lastT >= MIN_GAP_MS) {
      this.gaps[this.count % GAPS_KEEP] = t - this.lastT;
      this.count++;
    }
    this.lastT = t;
  }

  /** Whether any gap has been seen. */
  get known(): boolean {
    return this.count > 0;
  }

  /** Whether a full set of recent gaps is there to judge from. */
  get settled(): boolean {
    return this.count >= GAPS_KEEP;
  }

  /** The median recent gap, in milliseconds. */
  step(): number {
    const count = Math.min(this.count, GAPS_KEEP);
    if (count === 0) return MIN_GAP_MS;
    const sorted = this.scratch.subarray(0, count);
    sorted.set(this.gaps.subarray(0, count));
    sorted.sort();
    const middle = count >> 1;
    const gap = count % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
    return Math.max(MIN_GAP_MS, gap);
  }
}

/** How often (in points) a learner checks that its models still fit the cadence. */
export const CADENCE_CHECK_EVERY = GAPS_KEEP;
