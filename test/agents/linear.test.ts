/** Ridge regression (agents/linear.ts) against the closed form θ = (λI + XᵀX)⁻¹ Xᵀr. */
import { describe, expect, it } from 'vitest';
import { RidgeModel } from '../../agents/linear.js';
import { InputError } from '../../env/errors.js';
import { rng } from '../../env/rng.js';

/** Solves M θ = v by Gaussian elimination (M small, symmetric positive definite). */
function solve(M: number[][], v: number[]): number[] {
  const n = v.length;
  const a = M.map((row, i) => [...row, v[i]!]);
  for (let i = 0; i < n; i++) {
    for (let k = i + 1; k < n; k++) {
      const f = a[k]![i]! / a[i]![i]!;
      for (let j = i; j <= n; j++) a[k]![j]! -= f * a[i]![j]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = a[i]![n]!;
    for (let j = i + 1; j < n; j++) s -= a[i]![j]! * x[j]!;
    x[i] = s / a[i]![i]!;
  }
  return x;
}

describe('RidgeModel', () => {
  it('keeps θ = (λI + Σ ρ^{n−i} x_i x_iᵀ)⁻¹ Σ ρ^{n−i} r_i x_i (Sherman–Morrison, with forgetting)', () => {
    for (const decay of [1, 0.9]) {
      const d = 3;
      const lambda = 0.5;
      const m = new RidgeModel(d, lambda);
      const r = rng(4);
      const A: number[][] = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? lambda : 0)));
      const b = new Array<number>(d).fill(0);
      for (let n = 0; n < 40; n++) {
        const x = Array.from({ length: d }, () => r.normal());
        const y = 0.3 * x[0]! - 0.2 * x[2]! + 0.1 * r.normal();
        m.update(x, y, decay);
        for (let i = 0; i < d; i++) {
          b[i] = decay * b[i]! + y * x[i]!;
          for (let j = 0; j < d; j++) A[i]![j] = decay * A[i]![j]! + x[i]! * x[j]!;
        }
      }
      const theta = solve(A, b);
      theta.forEach((t, i) => expect(m.theta[i]).toBeCloseTo(t, 9));
      expect(m.mean([1, 2, 3])).toBeCloseTo(theta[0]! + 2 * theta[1]! + 3 * theta[2]!, 9);
      // width² = xᵀ A⁻¹ x
      const x = [0.5, -1, 2];
      const ainvx = solve(A, x);
      expect(m.width(x) ** 2).toBeCloseTo(x.reduce((s, xi, i) => s + xi * ainvx[i]!, 0), 9);
      expect(m.count).toBe(40);
    }
  });

  it('refuses a prior precision ≤ 0 (InputError naming regularisation)', () => {
    expect(() => new RidgeModel(2, 0)).toThrow(InputError);
    expect(() => new RidgeModel(2, 0)).toThrow(/^regularisation:/);
  });
});
