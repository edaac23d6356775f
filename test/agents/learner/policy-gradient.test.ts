/**
 * The categorical policy of the policy-gradient learners (agents/learner/policy-gradient.ts):
 * softmax, sampling with one draw, and the loss gradient against finite differences.
 */
import { describe, expect, it } from 'vitest';
import { actorNetwork, allActionGradient, categoricalAction, policyGradient, resolveEntropy, sampleSoftmax, softmax } from '../../../agents/learner/policy-gradient.js';
import { rng } from '../../../env/rng.js';

/** −adv · log π(a) − β · H(π) for logits z. */
function loss(z: number[], a: number, adv: number, beta: number): number {
  const p = new Float64Array(z.length);
  softmax(z, p);
  let h = 0;
  for (const x of p) h -= x * Math.log(x);
  return -adv * Math.log(p[a]!) - beta * h;
}

describe('softmax', () => {
  it('is exp(z) / Σ exp(z), stable for large logits', () => {
    const p = new Float64Array(3);
    softmax([1, 2, 3], p);
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
    const s = e[0]! + e[1]! + e[2]!;
    e.forEach((x, i) => expect(p[i]).toBeCloseTo(x / s, 14));
    softmax([1000, 1000, 1000], p);
    for (const x of p) expect(x).toBeCloseTo(1 / 3, 14);
  });

  it('samples action a when the draw falls in [Σ_{j<a} π_j, Σ_{j≤a} π_j)', () => {
    const p = new Float64Array(2);
    const z = Float64Array.of(0, Math.log(3)); // π = [0.25, 0.75]
    expect(sampleSoftmax(z, p, 0.2499)).toBe(0);
    expect(sampleSoftmax(z, p, 0.2501)).toBe(1);
    expect(sampleSoftmax(z, p, 0.999999)).toBe(1);
    expect(p[1]).toBeCloseTo(0.75, 14);
  });

  it('plays the mode without an exploration stream, and samples with one', () => {
    const p = new Float64Array(2);
    const z = Float64Array.of(0, Math.log(3));
    expect(categoricalAction(z, p, null)).toBe(1);
    const r = rng(1);
    let zeros = 0;
    for (let i = 0; i < 4000; i++) if (categoricalAction(z, p, r) === 0) zeros++;
    expect(zeros / 4000).toBeGreaterThan(0.22);
    expect(zeros / 4000).toBeLessThan(0.28);
  });
});

describe('policyGradient', () => {
  it('is the gradient of −adv · log π(a) − β · H(π) with respect to the logits (central differences)', () => {
    const r = rng(7);
    for (let trial = 0; trial < 20; trial++) {
      const z = Array.from({ length: 4 }, () => 3 * r.normal());
      const a = r.int(4);
      const adv = 2 * r.normal();
      const beta = r.next();
      const p = new Float64Array(4);
      softmax(z, p);
      const d = new Float64Array(4);
      policyGradient(p, a, adv, beta, d);
      for (let j = 0; j < 4; j++) {
        const up = [...z];
        const down = [...z];
        up[j]! += 1e-6;
        down[j]! -= 1e-6;
        expect(d[j]).toBeCloseTo((loss(up, a, adv, beta) - loss(down, a, adv, beta)) / 2e-6, 6);
      }
    }
  });
});

describe('allActionGradient', () => {
  /** −Σ π r − β H(π) at logits z. */
  const expected = (z: number[], rew: number[], beta: number): number => {
    const p = new Float64Array(z.length);
    softmax(z, p);
    let v = 0;
    for (let j = 0; j < z.length; j++) v -= p[j]! * rew[j]! - beta * p[j]! * Math.log(p[j]!);
    return v;
  };
  it('is the gradient of −Σ_j π_j r_j − β · H(π) with respect to the logits (central differences), and the mean of the sampled one', () => {
    const r = rng(8);
    for (let trial = 0; trial < 20; trial++) {
      const z = Array.from({ length: 4 }, () => 2 * r.normal());
      const rew = Array.from({ length: 4 }, () => r.normal());
      const beta = trial % 2 ? 0 : r.next();
      const p = new Float64Array(4);
      softmax(z, p);
      const d = new Float64Array(4);
      allActionGradient(p, rew, beta, d);
      for (let j = 0; j < 4; j++) {
        const up = [...z];
        const down = [...z];
        up[j]! += 1e-6;
        down[j]! -= 1e-6;
        expect(d[j]).toBeCloseTo((expected(up, rew, beta) - expected(down, rew, beta)) / 2e-6, 6);
      }
      // E_a~π of the sampled gradient with advantage r_a (no entropy) is the same vector.
      const mean = new Float64Array(4);
      const one = new Float64Array(4);
      for (let a = 0; a < 4; a++) {
        policyGradient(p, a, rew[a]!, 0, one);
        for (let j = 0; j < 4; j++) mean[j]! += p[a]! * one[j]!;
      }
      allActionGradient(p, rew, 0, d);
      for (let j = 0; j < 4; j++) expect(d[j]).toBeCloseTo(mean[j]!, 12);
    }
  });
  it('entropy "auto" is 0.01 learning from the action played, 0 learning counterfactually', () => {
    expect([resolveEntropy('auto', false), resolveEntropy('auto', true), resolveEntropy(0.2, true)]).toEqual([0.01, 0, 0.2]);
  });
});

describe('actorNetwork', () => {
  it('starts from the uniform policy (zero output layer)', () => {
    const actor = actorNetwork([2, 8, 5], 0.01, rng(3));
    const out = actor.forward([0.3, 0.9]);
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0]);
  });
});
