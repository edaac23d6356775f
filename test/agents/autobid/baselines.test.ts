/**
 * Outcome tests of the auto-bidding baselines on a small market (7 fixed-factor
 * rivals), every replication: where the budget allows more than the target CPA
 * lets one buy, PID and online LP end within ±10% of the target; where the
 * budget binds, they spend at least 80% of it without exceeding the target by
 * more than 10%.
 */
import { describe, expect, it } from 'vitest';
import { Abid } from '../../../agents/autobid/abid.js';
import { OnlineLp } from '../../../agents/autobid/online-lp.js';
import { PidCpa } from '../../../agents/autobid/pid.js';
import type { AutoBidder } from '../../../env/autobid/core.js';
import { runStepEpisode } from '../../../env/autobid/market.js';
import { rng } from '../../../env/rng.js';
import { smallMarket } from '../../env/autobid/fixture.js';

const REPLICATIONS = [0, 1, 2];

function play(make: () => AutoBidder, budget: number, seed: number) {
  const { spec, source } = smallMarket({ budget, cpa: 60, opportunities: 300_000 });
  const bidders = spec.advertisers.map((_, i) => (i === 0 ? make() : new Abid()));
  return runStepEpisode(spec, source, bidders, rng(seed))[0]!;
}

const agents: [string, () => AutoBidder][] = [
  ['pid', () => new PidCpa()],
  ['online-lp', () => new OnlineLp()],
];

describe('auto-bidding baselines', () => {
  for (const [kind, make] of agents) {
    it(`${kind}: CPA within ±10% of the target when the budget is ample`, () => {
      for (const seed of REPLICATIONS) {
        const r = play(make, 200_000, seed);
        const abid = play(() => new Abid(), 200_000, seed);
        console.log(`${kind} ample seed ${seed}: CPA/target ${(r.cpa / r.target).toFixed(3)}, spent ${r.budgetSpent.toFixed(3)}, score ${r.score.toFixed(1)} (abid ${abid.score.toFixed(1)})`);
        expect(Math.abs(r.cpa / r.target - 1)).toBeLessThanOrEqual(0.1);
        // Bidding the target itself leaves conversions on the table under GSP.
        expect(r.conversions).toBeGreaterThan(abid.conversions * 1.2);
      }
    });

    it(`${kind}: spends ≥ 80% of a binding budget within the target`, () => {
      for (const seed of REPLICATIONS) {
        const r = play(make, 15_000, seed);
        console.log(`${kind} tight seed ${seed}: CPA/target ${(r.cpa / r.target).toFixed(3)}, spent ${r.budgetSpent.toFixed(3)}, score ${r.score.toFixed(1)}`);
        expect(r.budgetSpent).toBeGreaterThanOrEqual(0.8);
        expect(r.budgetSpent).toBeLessThanOrEqual(1 + 1e-9);
        expect(r.cpa / r.target).toBeLessThanOrEqual(1.1);
      }
    });
  }
});
