/**
 * Outcome test of the online learner with the CPA-aware (Lagrangian) reward,
 * `lagrangian`, on the small market of the baselines' test (7 fixed-factor
 * rivals, 100,000 opportunities, 48 steps), every replication: trained over 25
 * episodes, then played frozen on 3 evaluation episodes,
 * - with an ample budget its CPA ends within ±10% of the target, and its score
 *   is at least 90% of the best fixed factor in hindsight (the factor at which
 *   a fixed-factor bidder's CPA meets the target on the same evaluation
 *   episodes, found by bisection: the known optimum among fixed factors);
 * - with a binding budget it spends at least 80% of it with CPA ≤ 1.1 × target.
 */
import { describe, expect, it } from 'vitest';
import { Abid, abidSchema } from '../../../agents/autobid/abid.js';
import { LagrangianBandit, lagrangianSchema, isotonic } from '../../../agents/autobid/lagrangian.js';
import type { AutoBidder } from '../../../env/autobid/core.js';
import { runStepEpisode } from '../../../env/autobid/market.js';
import { rng } from '../../../env/rng.js';
import { lagrangianFrom } from '../../../experiments/autobid-agents.js';
import { smallMarket } from '../../env/autobid/fixture.js';

const REPLICATIONS = [0, 1, 2];
const TRAIN = 25;
const EVAL = 3;
const TARGET = 60;
const OPPORTUNITIES = 100_000;

function evaluate(make: () => AutoBidder, budget: number, seed: number, learner?: AutoBidder, opportunities = OPPORTUNITIES) {
  const { spec, source } = smallMarket({ budget, cpa: TARGET, opportunities });
  const me = learner ?? make();
  const bidders = spec.advertisers.map((_, i) => (i === 0 ? me : new Abid()));
  const root = rng(seed);
  let conversions = 0;
  let cost = 0;
  let spent = 0;
  let score = 0;
  for (let e = 0; e < EVAL; e++) {
    const r = runStepEpisode(spec, source, bidders, root.stream(`eval:${e}`))[0]!;
    conversions += r.conversions;
    cost += r.cost;
    spent += r.budgetSpent / EVAL;
    score += r.score / EVAL;
  }
  return { cpaRatio: cost / conversions / TARGET, spent, score, conversions: conversions / EVAL };
}

function trained(budget: number, seed: number, opportunities = OPPORTUNITIES, episodes = TRAIN): LagrangianBandit {
  const { spec, source } = smallMarket({ budget, cpa: TARGET, opportunities });
  const learner = new LagrangianBandit(lagrangianSchema.parse({ kind: 'lagrangian' }));
  const bidders = spec.advertisers.map((_, i) => (i === 0 ? learner : new Abid()));
  const root = rng(seed);
  learner.setLearning(true);
  for (let e = 0; e < episodes; e++) runStepEpisode(spec, source, bidders, root.stream(`train:${e}`));
  learner.setLearning(false);
  return learner;
}

/** The fixed factor whose CPA meets the target on the evaluation episodes (bisection on log factor; CPA grows with the factor). */
function bestFixedFactor(budget: number, seed: number) {
  let lo = Math.log(0.2);
  let hi = Math.log(5);
  let best = evaluate(() => new Abid(abidSchema.parse({ kind: 'abid', factor: Math.exp(lo) })), budget, seed);
  for (let k = 0; k < 8; k++) {
    const mid = (lo + hi) / 2;
    const r = evaluate(() => new Abid(abidSchema.parse({ kind: 'abid', factor: Math.exp(mid) })), budget, seed);
    if (r.cpaRatio <= 1) {
      lo = mid;
      if (r.score > best.score) best = r;
    } else hi = mid;
  }
  return best;
}

describe('lagrangian (bandit over bid factors, Lagrangian on the CPA)', () => {
  it('ample budget: CPA within ±10% of the target, score ≥ 90% of the best fixed factor, every replication', () => {
    for (const seed of REPLICATIONS) {
      const learner = trained(200_000, seed);
      const r = evaluate(() => learner, 200_000, seed, learner);
      const oracle = bestFixedFactor(200_000, seed);
      console.log(`lagrangian ample seed ${seed}: CPA/target ${r.cpaRatio.toFixed(3)}, spent ${r.spent.toFixed(3)}, score ${r.score.toFixed(1)} (best fixed factor ${oracle.score.toFixed(1)}), μ ${learner.currentMu().toFixed(3)}`);
      expect(Math.abs(r.cpaRatio - 1)).toBeLessThanOrEqual(0.1);
      expect(r.score).toBeGreaterThanOrEqual(0.9 * oracle.score);
    }
  });

  it('binding budget: spends ≥ 80% of it with CPA ≤ 1.1 × target, every replication', () => {
    for (const seed of REPLICATIONS) {
      const learner = trained(5_000, seed);
      const r = evaluate(() => learner, 5_000, seed, learner);
      console.log(`lagrangian tight seed ${seed}: CPA/target ${r.cpaRatio.toFixed(3)}, spent ${r.spent.toFixed(3)}, score ${r.score.toFixed(1)}`);
      expect(r.spent).toBeGreaterThanOrEqual(0.8);
      expect(r.spent).toBeLessThanOrEqual(1 + 1e-9);
      expect(r.cpaRatio).toBeLessThanOrEqual(1.1);
    }
  });

  it('the exported policy plays the same factors; training is deterministic for a seed', () => {
    const a = trained(200_000, 5, 20_000, 4);
    const b = trained(200_000, 5, 20_000, 4);
    expect(JSON.stringify(a.params())).toBe(JSON.stringify(b.params()));
    const copy = lagrangianFrom(JSON.parse(JSON.stringify(a.params())));
    const ra = evaluate(() => a, 200_000, 9, a, 20_000);
    const rb = evaluate(() => copy, 200_000, 9, copy, 20_000);
    expect(rb).toEqual(ra);
  });

  it('isotonic: pools adjacent violators, weighted; empty arms take their pool’s rate', () => {
    const out = new Float64Array(5);
    isotonic([1, 3, 1, 0, 5], [1, 1, 1, 0, 1], out);
    // rates 1, 3, 1, –, 5 → 1, 2, 2, 2, 5
    expect(Array.from(out)).toEqual([1, 2, 2, 2, 5]);
  });
});
