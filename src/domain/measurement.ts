/** The band a value is judged against; either side may be open. */
export interface Band {
  lower: number | null;
  upper: number | null;
}

/** What a detector says about the next point: a band, or not enough history yet. */
export type BandResult = ({ state: 'band' } & Band) | { state: 'learning'; reason: string };

/** One stored point of a monitor's history, as detectors see it. */
export interface HistoryPoint {
  at: Date;
  value: number | null;
  /** The point was flagged as out of its band when it was measured. */
  isAnomaly: boolean;
  /** A person said the point was fine; it trains the detector even if it was flagged. */
  markedNormal: boolean;
}

/** The verdict on one measured value. */
export type MeasurementStatus = 'learning' | 'normal' | 'anomaly';
