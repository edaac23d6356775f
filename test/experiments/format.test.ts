import { describe, expect, it } from 'vitest';
import { fixed, fixedP, fmt, fmtP, meanCi, num } from '../../experiments/format.js';

describe('num (CSV cells)', () => {
  it('writes integers as they are and other numbers with at most 9 significant digits', () => {
    expect(num(42)).toBe('42');
    expect(num(-3)).toBe('-3');
    expect(num(0.1 + 0.2)).toBe('0.3');
    expect(num(1 / 3)).toBe('0.333333333');
    expect(num(123456.7890123)).toBe('123456.789');
    expect(num(1e-12 / 3)).toBe('3.33333333e-13');
    expect(num(Number.NaN)).toBe('NaN');
    expect(num(Infinity)).toBe('Infinity');
  });
});

describe('fixed and meanCi (terminal tables)', () => {
  it('uses 4 significant digits in fixed notation, 0 for floating-point noise, a dash for what is not finite', () => {
    expect(fixed(123.456)).toBe('123.5');
    expect(fixed(-1.23456)).toBe('-1.235');
    expect(fixed(0.123456)).toBe('0.1235');
    expect(fixed(2174.3)).toBe('2174');
    expect(fixed(6.9e-13)).toBe('0');
    expect(fixed(-3e-10)).toBe('0');
    expect(fixed(Number.NaN)).toBe('–');
  });

  it('shows a statistic as mean ± half the CI width with the decimals of the mean; no ± for one replication', () => {
    expect(meanCi({ mean: 2, ci95: [1.5, 2.5] })).toBe('2.000 ± 0.500');
    expect(meanCi({ mean: 999.5, ci95: [998.5716, 1000.4284] })).toBe('999.5 ± 0.9');
    expect(meanCi({ mean: 0.7, ci95: [0.7, 0.7], values: [0.7] })).toBe('0.7000');
    expect(meanCi({ mean: 1, ci95: [1, 1], values: [1, 1, 1] })).toBe('1.000 ± 0');
  });

  it('writes p-values with 3 decimals, "<0.001" below', () => {
    expect(fixedP(0.04567)).toBe('0.046');
    expect(fixedP(0.0002)).toBe('<0.001');
  });
});

describe('fmt and fmtP (HTML report)', () => {
  it('uses 4 significant digits, exponents outside [1e-3, 1e5)', () => {
    expect(fmt(0)).toBe('0');
    expect(fmt(3.14159)).toBe('3.142');
    expect(fmt(123456)).toBe('1.23e+5');
    expect(fmt(0.0001234)).toBe('1.23e-4');
    expect(fmt(null)).toBe('–');
    expect(fmt(Infinity)).toBe('–');
  });

  it('writes p-values with 3 decimals, "< 0.001" below', () => {
    expect(fmtP(0.04567)).toBe('0.046');
    expect(fmtP(0.0002)).toBe('< 0.001');
    expect(fmtP(undefined)).toBe('–');
  });
});
