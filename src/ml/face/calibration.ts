// Threshold calibration from an impostor score distribution measured on real photos.
//
// A target FAR below what a small set can measure is a promise the data cannot check: with I
// impostor pairs, FAR moves in steps of 1/I, so the empirical threshold for FAR ≤ 1e-3 on 1,690
// pairs is "just above the highest impostor but one", which the next stranger may well beat.
// The calibrated threshold is therefore the higher of two estimates:
// - empirical: the lowest score threshold whose measured FAR is ≤ the target (no interpolation);
// - parametric: the (1 − target) quantile of a normal distribution fitted to the impostor scores,
//   which extrapolates the tail from all the pairs rather than from the one or two highest.
// Every figure comes back with the counts it rests on, so a caller can quote them.

export interface Calibration {
  /** Accept at or above this score. */
  threshold: number;
  targetFar: number;
  /** Which estimate set the threshold. */
  setBy: 'empirical' | 'normal-fit';
  empirical: number;
  normalFit: number;
  /** Measured at `threshold` on the scores given. */
  far: number;
  frr: number;
  /** 1 / impostor pairs: the smallest non-zero FAR the scores can show. */
  farResolution: number;
  genuinePairs: number;
  impostorPairs: number;
}

/** The inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`A quantile needs 0 < p < 1; got ${p}.`);
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  const poly = (k: number[], x: number) => k.reduce((acc, v) => acc * x + v, 0);
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -poly(c, q) / (poly(d, q) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}

/** Share of `scores` at or above `t`. */
function shareAtOrAbove(scores: ArrayLike<number>, t: number): number {
  let n = 0;
  for (let i = 0; i < scores.length; i++) if ((scores[i] as number) >= t) n++;
  return n / scores.length;
}

/** The lowest threshold (a score, or just above the highest) whose FAR on `impostor` is ≤ `targetFar`. */
export function empiricalThreshold(impostor: ArrayLike<number>, targetFar: number): number {
  const sorted = Float64Array.from(impostor).sort();
  const I = sorted.length;
  // Accepting k impostors is allowed while k / I <= target: the threshold sits just above the
  // (k + 1)-th highest score.
  const k = Math.floor(targetFar * I + 1e-9);
  if (k >= I) return sorted[0] as number;
  const above = sorted[I - 1 - k] as number;
  // The smallest float64 above `above`, so that score itself is refused.
  return above + Math.max(Math.abs(above), 1) * Number.EPSILON;
}

/** Calibrates a threshold for `targetFar` (e.g. 1e-3) from genuine and impostor scores. */
export function calibrateThreshold(
  genuine: ArrayLike<number>,
  impostor: ArrayLike<number>,
  targetFar: number,
): Calibration {
  if (impostor.length < 2 || genuine.length === 0) {
    throw new Error('Calibration needs at least one genuine and two impostor scores.');
  }
  if (!(targetFar > 0 && targetFar < 1)) throw new RangeError(`The target FAR must lie in (0, 1); got ${targetFar}.`);
  let sum = 0;
  for (let i = 0; i < impostor.length; i++) sum += impostor[i] as number;
  const mean = sum / impostor.length;
  let sq = 0;
  for (let i = 0; i < impostor.length; i++) sq += ((impostor[i] as number) - mean) ** 2;
  const sd = Math.sqrt(sq / (impostor.length - 1));
  const normalFit = mean + sd * normalQuantile(1 - targetFar);
  const empirical = empiricalThreshold(impostor, targetFar);
  const threshold = Math.max(empirical, normalFit);
  return {
    threshold,
    targetFar,
    setBy: normalFit >= empirical ? 'normal-fit' : 'empirical',
    empirical,
    normalFit,
    far: shareAtOrAbove(impostor, threshold),
    frr: 1 - shareAtOrAbove(genuine, threshold),
    farResolution: 1 / impostor.length,
    genuinePairs: genuine.length,
    impostorPairs: impostor.length,
  };
}

/** FAR and FRR of a fixed threshold on measured scores. */
export function ratesAt(
  genuine: ArrayLike<number>,
  impostor: ArrayLike<number>,
  threshold: number,
): { far: number; frr: number } {
  return { far: shareAtOrAbove(impostor, threshold), frr: 1 - shareAtOrAbove(genuine, threshold) };
}
