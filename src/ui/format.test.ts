import { describe, expect, it } from 'vitest';
import { formatNumber, plural } from './format';

describe('plural', () => {
  it('puts the noun in the number the count asks for', () => {
    expect(plural(1, 'image')).toBe('1 image');
    expect(plural(0, 'image')).toBe('0 images');
    expect(plural(2, 'image')).toBe('2 images');
    expect(plural(1, 'person', 'people')).toBe('1 person');
    expect(plural(1000, 'person', 'people')).toBe('1,000 people');
  });
});

describe('formatNumber', () => {
  it('writes everyday numbers to three significant digits, without an exponent', () => {
    expect(formatNumber(4.125)).toBe('4.13');
    expect(formatNumber(41.25)).toBe('41.3');
    expect(formatNumber(0.004125)).toBe('0.00413');
    expect(formatNumber(1)).toBe('1');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(-0.5)).toBe('−0.5');
  });

  it('groups thousands and names millions', () => {
    expect(formatNumber(12345.6)).toBe('12,346');
    expect(formatNumber(999.96)).toBe('1,000');
    expect(formatNumber(3_210_000)).toBe('3.21 million');
    expect(formatNumber(4.2e9)).toBe('4.2 billion');
  });

  it('keeps powers of ten only for the very small and the very large', () => {
    expect(formatNumber(2.1e-7)).toBe('2.1 × 10⁻⁷');
    expect(formatNumber(1.5e18)).toBe('1.5 × 10¹⁸');
    expect(formatNumber(0.0001)).toBe('0.0001');
  });

  it('says what is not a number', () => {
    expect(formatNumber(NaN)).toBe('—');
    expect(formatNumber(Infinity)).toBe('∞');
  });
});
