import { describe, expect, it } from 'vitest';
import { makeEnv } from '../../../index.js';
import { Abid } from '../../../agents/autobid/abid.js';
import { makeBaselineAutoBidder } from '../../../experiments/autobid-agents.js';
import { checkEnv } from '../../../env/check.js';
import { runStepEpisode } from '../../../env/autobid/market.js';
import { SyntheticValues } from '../../../env/autobid/values.js';
import { rng } from '../../../env/rng.js';
import { autoBidMarketSpec, categoriesOf, resolveAutoBidConfig, type AutoBidConfigInput } from '../../../experiments/autobid-config.js';

const config: AutoBidConfigInput = {
  name: 'gym',
  seed: 2,
  steps: 10,
  auctionsPerEpisode: 3000,
  exchange: { mechanism: 'gsp', slots: 3, exposure: [1, 0.8, 0.6], reservePrice: 0.01 },
  bidders: [
    { id: 'me', agent: { kind: 'abid' }, budget: 150, cpa: 60 },
    { id: 'pid', agent: { kind: 'pid' }, budget: 200, cpa: 70, category: 1 },
    { id: 'lp', agent: { kind: 'online-lp' }, budget: 200, cpa: 80, category: 2 },
  ],
};

describe('bidgym/AutoBidding-v0', () => {
  it('passes the env checker', () => {
    const env = makeEnv('bidgym/AutoBidding-v0', { config });
    expect(env.id).toBe('bidgym/AutoBidding-v0');
    checkEnv(env, 60);
  });

  it('rewards add up to the score of the same episode played by the market with the same factor', () => {
    const env = makeEnv('bidgym/AutoBidding-v0', { config, seed: 11 });
    let { observation } = env.reset({ seed: 11 });
    expect(observation[0]).toBe(1); // time left
    let total = 0;
    let steps = 0;
    for (;;) {
      const r = env.step(Float64Array.of(1.3));
      total += r.reward;
      steps++;
      observation = r.observation;
      if (r.terminated) {
        expect(r.info.score).toBeCloseTo(total, 9);
        break;
      }
    }
    expect(() => env.step(Float64Array.of(1))).toThrow(/episode is over/);
    const c = resolveAutoBidConfig(config);
    const spec = autoBidMarketSpec(c);
    const source = new SyntheticValues({ ...c.values, opportunities: c.auctionsPerEpisode, categories: categoriesOf(c) }, c.steps, spec.advertisers);
    const bidders = c.bidders.map((b, i) => (i === 0 ? new Abid({ kind: 'abid', factor: 1.3 }) : makeBaselineAutoBidder(b.agent)));
    const res = runStepEpisode(spec, source, bidders, rng(11).stream('episode:0'))[0]!;
    expect(res.factors.length).toBe(steps);
    expect(res.score).toBeCloseTo(total, 9);
  });
});
