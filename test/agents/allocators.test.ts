/**
 * The ad allocators: with clicks drawn from a linear model of the ad's context,
 * LinUCB and Thompson sampling must end up showing the best ad almost always.
 */
import { describe, expect, it } from 'vitest';
import { LinUcbAllocator } from '../../agents/linucb.js';
import { ThompsonAllocator } from '../../agents/thompson.js';
import { rng } from '../../env/rng.js';

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
