/**
 * Opportunities from bidgym's users (env/autobid/user-values.ts): every
 * opportunity's pValues are one user's row of the user model's conversion
 * probabilities (ctr × cvr of each advertiser's best ad), noise 0 gives them
 * exactly; draws are deterministic for a stream; a config with `users` runs
 * on them, and refuses the synthetic generator's fields.
 */
import { describe, expect, it } from 'vitest';
import { makeCatalogue } from '../../../env/ads/catalogue.js';
import { UserValues } from '../../../env/autobid/user-values.js';
import { UserPopulation } from '../../../env/users/population.js';
import { InputError } from '../../../env/errors.js';
import { rng } from '../../../env/rng.js';
import { autoBidValueSource, resolveAutoBidConfig } from '../../../experiments/autobid-config.js';
import { usersSchema } from '../../../experiments/schema.js';
import { runAutoBid } from '../../../experiments/autobid-run.js';

const world = usersSchema.parse({ count: 300, items: 200 });
const advertisers = [0, 1, 2, 3].map((i) => ({ id: `a${i}`, budget: 100, cpa: 50, category: i % 2 }));

describe('UserValues', () => {
  it('pValues are rows of the user model (ctr × cvr of the best ad), with sigma = sigmaShare × pValue', () => {
    const src = new UserValues(world, { opportunities: 480, noise: 0, sigmaShare: 0.1, dayAmplitude: 0.5 }, 4, advertisers, rng(3).stream('w'));
    // The same world, rebuilt by hand.
    const w = rng(3).stream('w');
    const cat = makeCatalogue({ topics: world.topics, items: world.items, advertisers: 4, adsPerAdvertiser: world.adsPerAdvertiser, adSpread: world.adSpread }, w.stream('catalogue'));
    const pop = new UserPopulation(world, cat, w.stream('users'));
    const rows = new Set<string>();
    for (let u = 0; u < pop.count; u++) rows.add(advertisers.map((_, i) => Math.fround(pop.trueCtr(u, pop.bestAd(u, i)) * pop.trueCvr(u, pop.bestAd(u, i)))).join(','));
    const n = src.count(0);
    const pv = new Float32Array(n * 4);
    const sg = new Float32Array(n * 4);
    src.fill(0, pv, sg, rng(9));
    for (let j = 0; j < n; j++) {
      const row = advertisers.map((_, i) => pv[i * n + j]!);
      expect(rows.has(row.join(','))).toBe(true);
      row.forEach((p, i) => expect(sg[i * n + j]).toBeCloseTo(0.1 * p, 9));
    }
    // Conversion probabilities of the order of bidgym's defaults (ctr ≈ 2%, cvr ≈ 2.5%).
    expect(src.meanValue()).toBeGreaterThan(1e-5);
    expect(src.meanValue()).toBeLessThan(1e-2);
    // Deterministic for a stream; the counts add up.
    const pv2 = new Float32Array(n * 4);
    src.fill(0, pv2, new Float32Array(n * 4), rng(9));
    expect(pv2).toEqual(pv);
    expect([0, 1, 2, 3].reduce((a, t) => a + src.count(t), 0)).toBe(480);
  });

  it('a config with users draws from them, runs deterministically, and refuses the synthetic fields', async () => {
    const cfg = { name: 'u', seed: 2, replications: 1, evalEpisodes: 1, steps: 6, auctionsPerEpisode: 3000, users: { count: 300, items: 200 }, bidders: [{ id: 'p', agent: { kind: 'pid' }, budget: 5, cpa: 60 }, { id: 'r', copies: 3, agent: { kind: 'abid' }, budget: 1e6, cpa: 80 }] };
    expect(autoBidValueSource(resolveAutoBidConfig(cfg))).toBeInstanceOf(UserValues);
    const a = await runAutoBid(resolveAutoBidConfig(cfg), { configDir: '.' });
    const b = await runAutoBid(resolveAutoBidConfig(cfg), { configDir: '.' });
    expect(JSON.stringify(a.summary)).toBe(JSON.stringify(b.summary));
    expect(a.summary.bidders['r-1']!.wins.mean).toBeGreaterThan(0);
    expect(() => resolveAutoBidConfig({ ...cfg, values: { median: 0.01 } })).toThrow(InputError);
    expect(() => resolveAutoBidConfig({ ...cfg, values: { median: 0.01 } })).toThrow(/^values\.median: not used with users/);
    expect(() => resolveAutoBidConfig({ ...cfg, users: { count: 0 } })).toThrow(/^users\.count/);
  });
});
