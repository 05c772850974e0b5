/**
 * The detector's constants, in one place, each with what it controls. They were chosen on
 * the labelled series of fixtures/series and the public benchmark (bench/); see README.
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
  /** Residuals a model needs before it can be picked. */
  minErrors: number;
  /** Points of history before the first band. */
  minPoints: number;
  /** Band half-width: k scales (sensitivity 5), or kq times the qp-quantile of |residual| once qMin exist. */
  k: number;
  kq: number;
  qp: number;
  qMin: number;
  /** Widening with few residuals: times (1 + smallC / sqrt(n)). */
  smallC: number;
  /** Floor of the half-width as a fraction of the predicted value. */
  relativeFloor: number;
  /** Consecutive flagged points on one side that make a new level. */
  shiftRun: number;
  /** After a new level, points during which the old level still counts as normal. */
  shiftMemory: number;
  /** Flagged events within `frequentWindow` points that make them this series' normal noise. */
  frequentEvents: number;
  frequentWindow: number;
  /** A deviation recurring in the same seasonal slot within this many cycles is a pattern. */
  recurCycles: number;
}

export const DEFAULT_PARAMS: Readonly<DetectorParams> = {
  alpha: 0.3,
  beta: 0,
  phi: 0.9,
  gamma: 0.2,
  gammaRecur: 0.7,
  clip: 3,
  window: 200,
  errorAlpha: 0.05,
  margin: 0.9,
  minErrors: 20,
  minPoints: 7,
  k: 5,
  kq: 1.3,
  qp: 0.98,
  qMin: 0,
  smallC: 2,
  relativeFloor: 0.001,
  shiftRun: 4,
  shiftMemory: 24,
  frequentEvents: 4,
  frequentWindow: 300,
  recurCycles: 2.5,
};
