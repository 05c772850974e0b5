/**
 * The detector's constants, in one place, each with what it controls. They were chosen on
 * the labelled series of fixtures/series and the public benchmark; see the README.
 */
export interface DetectorParams {
  /** Level smoothing per point: how fast the level follows the data. */
  alpha: number;
  /** Trend smoothing per point, and its damping per step. */
  beta: number;
  phi: number;
  /** Seasonal slot smoothing per visit, and the step taken when a deviation recurs in its slot. */
  gamma: number;
  gammaRecur: number;
  /** Updates are clipped at this many scales, so one odd value moves nothing far. */
  clip: number;
  /** Residuals kept for the scale. */
  window: number;
  /** Smoothing of the per-model mean absolute error that picks the model. */
  errorAlpha: number;
  /** A seasonal model must beat a simpler one by this factor of error to be picked. */
  margin: number;
  /** Residuals a model needs before it can be picked; with only minPoints of them, it must beat the other by plainMargin. */
  minErrors: number;
  plainMargin: number;
  /** Points of history before the first band. */
  minPoints: number;
  /** Band half-width at sensitivity 5: k robust scales, or kq times the qp-quantile of |residual|, whichever is wider. */
  k: number;
  kq: number;
  qp: number;
  /** Widening with few residuals: times (1 + smallC / sqrt(n)). */
  smallC: number;
  /** Floor of the half-width as a fraction of the predicted value. */
  relativeFloor: number;
  /** Consecutive flagged points on one side that make a new level. */
  shiftRun: number;
  /** After a new level, points during which the old level still counts as normal. */
  shiftMemory: number;
  /** On a collapsed band, flagged events within `frequentWindow` points that make them its noise. */
  frequentEvents: number;
  frequentWindow: number;
  /** On any band, flagged events as frequent as frequentEvents within frequentDays days are its noise too, where those days hold at least frequentWindow points (hourly or finer data). */
  frequentDays: number;
  /** A value at or below this share of its prediction, on a series never negative, is an outage: never accepted as noise. */
  outageShare: number;
  /** On any band, flagged events this dense are noise too. */
  denseEvents: number;
  denseWindow: number;
  /** A deviation recurring in the same seasonal slot within this many cycles, and within this factor of its size, is a pattern. */
  recurCycles: number;
  recurSize: number;
  /** Deviations accepted as noise keep the half-width at least this times their median size. */
  noiseFloor: number;
  /** Alert-rate brake: each flagged event beyond rateFree in the last rateWindow points widens the band by rateGain. */
  rateWindow: number;
  rateFree: number;
  rateGain: number;
  /** The band also reaches this share of the way to the runner-up model's band: both must agree on an alert. */
  agree: number;
  /**
   * Per-slot noise: a slot visited slotMinVisits times scales the band by its own mean error
   * over the model's (smoothed by slotErrorAlpha), kept within slotRatioMin..slotRatioMax.
   */
  slotErrorAlpha: number;
  slotMinVisits: number;
  slotRatioMin: number;
  slotRatioMax: number;
  slotPrior: number;
  /** A multiplicative model keeps its errors as shares of the level, up to this share. */
  shareErrorMax: number;
  /** A new level this many times its prediction and the largest recent value (positive data) starts the models again. */
  restartJump: number;
}

export const DEFAULT_PARAMS: Readonly<DetectorParams> = {
  alpha: 0.1,
  beta: 0.1,
  phi: 0.98,
  gamma: 0.2,
  gammaRecur: 0.7,
  clip: 3,
  window: 200,
  errorAlpha: 0.05,
  margin: 0.9,
  minErrors: 20,
  plainMargin: 0.5,
  minPoints: 7,
  k: 4.5,
  kq: 1.75,
  qp: 0.98,
  smallC: 2,
  relativeFloor: 0.001,
  shiftRun: 4,
  shiftMemory: 24,
  frequentEvents: 4,
  frequentWindow: 300,
  frequentDays: 14,
  outageShare: 0.5,
  denseEvents: 5,
  denseWindow: 48,
  recurCycles: 2.5,
  recurSize: 2.5,
  noiseFloor: 1.1,
  rateWindow: 600,
  rateFree: 2,
  rateGain: 0.1,
  agree: 0.7,
  slotErrorAlpha: 0.05,
  slotMinVisits: 2,
  slotRatioMin: 0.5,
  slotRatioMax: 3,
  slotPrior: 3,
  shareErrorMax: 0.5,
  restartJump: 3,
};
