export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  return ms < 10 ? `${ms.toFixed(2)} ms` : ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export { plural } from '../ml/core/words';

const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹';
const superscript = (k: number) =>
  (k < 0 ? '⁻' : '') +
  String(Math.abs(k))
    .split('')
    .map((d) => SUPERSCRIPT[Number(d)])
    .join('');
const WORDS: [number, string][] = [
  [1e12, 'trillion'],
  [1e9, 'billion'],
  [1e6, 'million'],
];

/**
 * A number as a person reads it, to about `digits` significant digits: "4.13", "0.00412",
 * "12,346", "3.2 million", and "2.1 × 10⁻⁷" only where it is very small or very large — never
 * "4.125e+0".
 */
export function formatNumber(x: number, digits = 3): string {
  if (Number.isNaN(x)) return '—';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const sign = x < 0 ? '−' : '';
  const a = Math.abs(x);
  if (a >= 1e15 || a < 1e-4) {
    const [mantissa, exponent] = a.toExponential(Math.max(0, digits - 1)).split('e');
    return `${sign}${Number(mantissa)} × 10${superscript(Number(exponent))}`;
  }
  for (const [size, word] of WORDS) {
    if (a >= size) return `${sign}${Number((a / size).toPrecision(digits)).toLocaleString('en-US')} ${word}`;
  }
  if (a >= 10 ** digits) return `${sign}${Math.round(a).toLocaleString('en-US')}`;
  return `${sign}${Number(a.toPrecision(digits)).toLocaleString('en-US', { maximumFractionDigits: 20 })}`;
}
