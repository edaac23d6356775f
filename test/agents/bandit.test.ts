/**
 * The linear-bandit core (agents/bandit.ts): the two scoring rules computed by
 * hand, the two ways of choosing (best model, best context), and the ad
 * allocators built on it: with clicks drawn from a linear model of the ad's
 * context, LinUCB and Thompson sampling must end up showing the best ad almost
 * always.
 */
import { describe, expect, it } from 'vitest';
import { LinearBandit, ThompsonRule, UcbRule } from '../../agents/bandit.js';
import { RidgeModel } from '../../agents/linear.js';
import { LinUcbAllocator } from '../../agents/linucb.js';
import { ThompsonAllocator } from '../../agents/thompson.js';
import { InputError } from '../../env/errors.js';
import { rng } from '../../env/rng.js';

describe('scoring rules', () => {
  // A fresh model with λ = 2: θ = 0, A⁻¹ = I/2; after one update with x = e₀, r = 1: A = diag(3, 2), θ = (1/3, 0).
  const model = () => {
    const m = new RidgeModel(2, 2);
    m.update([1, 0], 1);
    return m;
  };

  it('UCB: θᵀx + α √(xᵀA⁻¹x) when exploring, θᵀx otherwise', () => {
    const rule = new UcbRule(0.5);
    const x = [1, 1];
    const width = Math.sqrt(1 / 3 + 1 / 2);
    expect(rule.score(model(), x, rng(1))).toBeCloseTo(1 / 3 + 0.5 * width, 14);
    expect(rule.score(model(), x, null)).toBeCloseTo(1 / 3, 14);
    const m = model();
    rule.begin(m, rng(1));
    expect(rule.scoreBegun(m, x)).toBeCloseTo(1 / 3 + 0.5 * width, 14);
    rule.begin(m, null);
    expect(rule.scoreBegun(m, x)).toBeCloseTo(1 / 3, 14);
    expect(() => new UcbRule(-1)).toThrow(InputError);
  });

  it('Thompson: the posterior mean without a stream; with one, draws whose mean and spread match N(θᵀx, σ² xᵀA⁻¹x)', () => {
    const rule = new ThompsonRule(0.5);
    const x = [1, 1];
    expect(rule.score(model(), x, null)).toBeCloseTo(1 / 3, 14);
    const r = rng(2);
    const m = model();
    const draws = Array.from({ length: 20000 }, () => rule.score(m, x, r));
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    const sd = Math.sqrt(draws.reduce((a, b) => a + (b - mean) ** 2, 0) / draws.length);
    expect(mean).toBeCloseTo(1 / 3, 1);
    expect(sd).toBeCloseTo(0.5 * Math.sqrt(1 / 3 + 1 / 2), 1);
    // A model scoring one context draws θ̃ᵀx itself: one normal draw, θᵀx + σ √(xᵀA⁻¹x) z.
    expect(rule.score(m, x, rng(3))).toBeCloseTo(1 / 3 + 0.5 * Math.sqrt(1 / 3 + 1 / 2) * rng(3).normal(), 12);
    // One draw of θ̃ per decision scores every context of it, with the same distribution.
    const r2 = rng(4);
    const begun = Array.from({ length: 20000 }, () => {
      rule.begin(m, r2);
      return rule.scoreBegun(m, x);
    });
    const bm = begun.reduce((a, b) => a + b, 0) / begun.length;
    expect(bm).toBeCloseTo(1 / 3, 1);
    expect(Math.sqrt(begun.reduce((a, b) => a + (b - bm) ** 2, 0) / begun.length)).toBeCloseTo(0.5 * Math.sqrt(1 / 3 + 1 / 2), 1);
    expect(() => new ThompsonRule(0)).toThrow(/^noise:/);
  });
});

describe('LinearBandit', () => {
  it('bestModel: the model that scores one context best; bestContext: the context one model scores best', () => {
    const b = new LinearBandit({ models: 2, dimension: 2, regularisation: 1, decay: 1 }, new UcbRule(0));
    b.update(1, [1, 0], 2); // model 1 expects reward 1 at e₀
    expect(b.bestModel([1, 0], null)).toBe(1);
    expect(b.bestModel([0, 1], null)).toBe(0); // both 0: the first
    expect(b.bestContext(Float64Array.of(0, 1, 1, 0), 2, null)).toBe(0); // model 0 has learnt nothing: ties → the first
    b.update(0, [0, 1], -1);
    expect(b.bestContext(Float64Array.of(0, 1, 1, 0), 2, null)).toBe(1);
  });
});

const D = 4;
const ADS = 6;
const theta = [0.05, 0.1, -0.05, 0.08];

function run(choose: (contexts: Float64Array, n: number, step: number) => number, update: (x: Float64Array, r: number) => void): number {
  const env = rng(21).stream('env');
  const contexts = new Float64Array(ADS * D);
  let bestShown = 0;
  const rounds = 4000;
  for (let t = 0; t < rounds; t++) {
    for (let i = 0; i < contexts.length; i++) contexts[i] = env.next();
    const ctr = (k: number) => 0.05 + theta.reduce((s, w, i) => s + w * contexts[k * D + i]!, 0);
    const k = choose(contexts, ADS, t);
    let best = 0;
    for (let a = 1; a < ADS; a++) if (ctr(a) > ctr(best)) best = a;
    if (t >= rounds - 1000 && ctr(k) >= ctr(best) - 0.01) bestShown++;
    update(contexts.subarray(k * D, (k + 1) * D), env.next() < ctr(k) ? 1 : 0);
  }
  return bestShown / 1000;
}

describe('ad allocators', () => {
  it('LinUCB shows an ad within 0.01 of the best click rate at least 90% of the time after learning', () => {
    const a = new LinUcbAllocator({ dimension: D, alpha: 0.5 });
    const explore = rng(22).stream('allocator');
    const share = run((c, n) => a.chooseAd(c, n, explore), (x, r) => a.update(x, r));
    expect(share).toBeGreaterThanOrEqual(0.9);
  });

  it('Thompson sampling does too, drawing only from the stream it is given', () => {
    const a = new ThompsonAllocator({ dimension: D, noise: 0.2 });
    const explore = rng(22).stream('allocator');
    const share = run((c, n) => a.chooseAd(c, n, explore), (x, r) => a.update(x, r));
    expect(share).toBeGreaterThanOrEqual(0.9);
    // Without a stream it plays the posterior mean: deterministic.
    const c = Float64Array.from({ length: ADS * D }, (_, i) => (i % 7) / 7);
    expect(a.chooseAd(c, ADS, null)).toBe(a.chooseAd(c, ADS, null));
  });

  it('is a test a random allocator fails', () => {
    const r = rng(23).stream('random');
    expect(run((_c, n) => r.int(n), () => {})).toBeLessThan(0.5);
  });

  it('rejects contexts of the wrong size', () => {
    expect(() => new LinUcbAllocator({ dimension: 3 }).chooseAd(new Float64Array(5), 2, null)).toThrow(/expected 2 contexts of 3 numbers/);
  });
});
