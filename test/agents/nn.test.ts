import { describe, expect, it } from 'vitest';
import { rng } from '../../env/rng.js';
import { Mlp, mlpForward } from '../../agents/nn.js';
import { RidgeModel } from '../../agents/linear.js';

describe('Mlp', () => {
  it('backpropagates the exact gradient (finite differences)', () => {
    for (const activation of ['relu', 'tanh'] as const) {
      const net = new Mlp({ sizes: [3, 5, 4, 2], activation, learningRate: 0 }, rng(1).stream('w'));
      const x = [0.3, -0.7, 1.1];
      const dOut = [0.4, -1.3]; // loss = dOut · output
      const loss = () => {
        const y = net.forward(x);
        return dOut[0]! * y[0]! + dOut[1]! * y[1]!;
      };
      loss();
      net.backward(dOut);
      // Read the accumulated gradient through a step with a huge denominator: use private state instead.
      const grads = (net as unknown as { gw: Float64Array[] }).gw;
      const h = 1e-6;
      for (let l = 0; l < net.w.length; l++) {
        for (let i = 0; i < net.w[l]!.length; i++) {
          const w0 = net.w[l]![i]!;
          net.w[l]![i] = w0 + h;
          const up = loss();
          net.w[l]![i] = w0 - h;
          const down = loss();
          net.w[l]![i] = w0;
          expect(grads[l]![i]!).toBeCloseTo((up - down) / (2 * h), 5);
        }
      }
    }
  });

  it('fits a smooth function with Adam', () => {
    const net = new Mlp({ sizes: [1, 16, 1], learningRate: 0.01 }, rng(2).stream('w'));
    const data = rng(3).stream('data');
    const f = (x: number) => Math.sin(3 * x);
    for (let step = 0; step < 3000; step++) {
      for (let b = 0; b < 16; b++) {
        const x = data.uniform(-1, 1);
        net.backward([net.forward([x])[0]! - f(x)]);
      }
      net.step();
    }
    let mse = 0;
    for (let i = 0; i <= 20; i++) {
      const x = -1 + i / 10;
      mse += (net.forward([x])[0]! - f(x)) ** 2 / 21;
    }
    expect(mse).toBeLessThan(0.01);
  });

  it('exports weights whose plain forward pass gives identical outputs', () => {
    const net = new Mlp({ sizes: [4, 8, 8, 3] }, rng(4).stream('w'));
    const w = JSON.parse(JSON.stringify(net.weights()));
    const r = rng(5).stream('x');
    for (let i = 0; i < 100; i++) {
      const x = [r.normal(), r.normal(), r.normal(), r.normal()];
      expect(Array.from(mlpForward(w, x))).toEqual(Array.from(net.forward(x)));
    }
  });

  it('rejects bad layer sizes', () => {
    expect(() => new Mlp({ sizes: [3] }, rng(1))).toThrow(/sizes must be ≥ 2 positive integers/);
  });
});

describe('RidgeModel', () => {
  it('matches the closed-form ridge solution θ = (λI + XᵀX)⁻¹ Xᵀr', () => {
    const m = new RidgeModel(2, 0.5);
    const xs = [
      [1, 0.2],
      [1, 0.9],
      [1, 0.5],
      [1, -0.3],
    ];
    const rs = [0.1, 1.2, 0.6, -0.5];
    xs.forEach((x, i) => m.update(x, rs[i]!));
    // Normal equations by hand (2 × 2).
    let a = 0.5, b = 0, d = 0.5, u = 0, v = 0;
    xs.forEach((x, i) => {
      a += x[0]! * x[0]!;
      b += x[0]! * x[1]!;
      d += x[1]! * x[1]!;
      u += x[0]! * rs[i]!;
      v += x[1]! * rs[i]!;
    });
    const det = a * d - b * b;
    expect(m.theta[0]).toBeCloseTo((d * u - b * v) / det, 12);
    expect(m.theta[1]).toBeCloseTo((a * v - b * u) / det, 12);
    // Width √(xᵀA⁻¹x) with A⁻¹ from the same normal equations.
    const x = [1, 0.4];
    const w2 = (d * x[0]! * x[0]! - 2 * b * x[0]! * x[1]! + a * x[1]! * x[1]!) / det;
    expect(m.width(x)).toBeCloseTo(Math.sqrt(w2), 12);
  });

  it('draws Thompson samples with the posterior covariance', () => {
    const m = new RidgeModel(2, 1);
    for (let i = 0; i < 20; i++) m.update([1, i / 20], i / 20);
    const r = rng(6).stream('ts');
    const x = [1, 0.5];
    const n = 20000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const y = m.sampleMean(x, 1, r);
      s += y;
      s2 += y * y;
    }
    const mean = s / n;
    const sd = Math.sqrt(s2 / n - mean * mean);
    expect(mean).toBeCloseTo(m.mean(x), 2);
    expect(sd).toBeCloseTo(m.width(x), 2);
  });
});
