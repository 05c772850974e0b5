import { median } from 'simple-statistics';

/** A point that was flagged and has not (yet) been accepted as the series' normal. */
export interface Deviation {
  t: number;
  v: number;
  side: number;
  /** Its position among the points observed, to tell how recent it is. */
  index: number;
  /** Its one-step error under each model, recorded if it is accepted later. */
  errors: Array<number | null>;
  /** A fall to half its prediction or less on a series never negative: never accepted as noise. */
  outage: boolean;
}

const ACCEPTED_KEEP = 16;

/**
 * The flagged points of a series and what they add up to: the current run on one side (a
 * new level?), the recent events (too frequent to be anomalies?), and the sizes of those
 * already accepted as noise (a floor for the band).
 */
export class DeviationLog {
  private run: Deviation[] = [];
  private pending: Deviation[] = [];
  /** Where each flagged event (a run of flagged points) started: since the last acceptance, and all recent ones. */
  private readonly eventStarts: number[] = [];
  private readonly alertStarts: number[] = [];
  private previousFlagged = false;
  /** Whether the current event completed a noise pattern (then none of it is accepted). */
  private holdRun = false;
  private readonly accepted: number[] = [];
  private acceptedMedian = 0;

  /** A point that was not flagged ends any run. */
  normal(): void {
    if (this.run.length > 0) this.run = [];
    this.previousFlagged = false;
  }

  flagged(deviation: Deviation, forget: number): void {
    const last = this.run[this.run.length - 1];
    if (last !== undefined && last.side !== deviation.side) this.run = [];
    this.run.push(deviation);
    if (!this.previousFlagged) this.holdRun = false;
    // The rest of an event that completed a noise pattern stays an alert, like its start.
    if (!this.holdRun) this.pending.push(deviation);
    if (!this.previousFlagged) {
      this.eventStarts.push(deviation.index);
      this.alertStarts.push(deviation.index);
    }
    this.previousFlagged = true;
    while (this.eventStarts.length > 0 && this.eventStarts[0]! <= deviation.index - forget) this.eventStarts.shift();
    while (this.alertStarts.length > 0 && this.alertStarts[0]! <= deviation.index - forget) this.alertStarts.shift();
    while (this.pending.length > 0 && this.pending[0]!.index <= deviation.index - forget) this.pending.shift();
  }

  get runLength(): number {
    return this.run.length;
  }

  /** Takes the current run (for a new level) and forgets the flagged points it settles. */
  takeRun(): Deviation[] {
    const run = this.run;
    this.run = [];
    this.pending = [];
    this.eventStarts.length = 0;
    return run;
  }

  /** Flagged events since the last acceptance that started within the last `window` points. */
  eventsWithin(window: number, index: number): number {
    let count = 0;
    for (const start of this.eventStarts) if (start > index - window) count++;
    return count;
  }

  /** All flagged events that started within the last `window` points (for the alert-rate brake). */
  alertsWithin(window: number, index: number): number {
    let count = 0;
    for (const start of this.alertStarts) if (start > index - window) count++;
    return count;
  }

  /**
   * Accepts the flagged points of the last `window` points before `index` as noise, and
   * returns them so that their errors join the models' scale. Older ones stay flagged, and
   * so does the one at `index`: the deviation that shows the pattern is still an alert, and
   * one far larger than those before it (a real incident among the noise) must not set the
   * band.
   */
  takeNoise(window: number, index: number): Deviation[] {
    const taken = this.pending.filter((d) => d.index > index - window && d.index !== index && !d.outage);
    for (const d of taken) {
      const error = d.errors[0];
      if (error !== null && error !== undefined) this.accepted.push(error);
    }
    while (this.accepted.length > ACCEPTED_KEEP) this.accepted.shift();
    this.acceptedMedian = this.accepted.length === 0 ? 0 : median(this.accepted);
    this.pending = [];
    this.eventStarts.length = 0;
    this.holdRun = true;
    return taken;
  }

  /** The typical size of deviations accepted as noise (0 when none were). */
  acceptedSize(): number {
    return this.acceptedMedian;
  }
}
