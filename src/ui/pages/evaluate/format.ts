// How Evaluate writes rates and counts, in words a person reads at a glance.
import { gallerySizeAtFalseMatchRate } from '../../../ml/face/evaluate';
export const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

/** A rate for people: more digits where it is small, so 0.02 % does not read as 0 %. */
export function rate(x: number): string {
  const p = x * 100;
  if (p === 0) return '0 %';
  if (x < 1 && p > 99.9) return '> 99.9 %';
  if (p < 0.1) return `${p.toPrecision(1)} %`;
  return `${p < 10 ? p.toFixed(1) : p.toFixed(0)} %`;
}

/** A gallery size: whole people, in words past a million. */
export function people(n: number): string {
  if (!Number.isFinite(n)) return 'no gallery size';
  if (n >= 1e9) return `${(n / 1e9).toPrecision(2)} billion`;
  if (n >= 1e6) return `${(n / 1e6).toPrecision(2)} million`;
  return Math.max(1, Math.ceil(n)).toLocaleString('en-US');
}

/** "about 63 %", but never "about 100 %" for a rate that only rounds to it. */
export function about(x: number): string {
  return x >= 0.999 ? (x === 1 ? 'all' : 'more than 99.9 %') : `about ${rate(x)}`;
}

/** Where the prediction passes `target`, for the legend. */
export function passes(fmr1: number, target: number): string {
  const n = gallerySizeAtFalseMatchRate(fmr1, target);
  return n <= 1 ? `is above ${target * 100} % from N = 1` : `passes ${target * 100} % at N ≈ ${people(n)}`;
}

export const REFERENCE_GALLERY = 1000;
export const MAX_LOG_N = 6;

/** Predicted 1:N false match rate on a log gallery-size axis, with the measured points on it. */

export const count = (n: number) => n.toLocaleString('en-US');
