import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../experiments/config.js';
import { runReplication } from '../../experiments/replication.js';

const users = { count: 2000, items: 300, historyLength: 10 };

describe('runReplication', () => {
  it('never reports a value above the hindsight optimum (single slot: competitive ratio ≤ 1)', async () => {
    for (const mechanism of ['first-price', 'second-price'] as const) {
      for (const factor of [0.5, 1, 1.5]) {
        const cfg = resolveConfig({
          name: 'cr',
          seed: 3,
          replications: 1,
          episodes: 0,
          evalEpisodes: 2,
          auctionsPerEpisode: 3000,
          users,
          exchange: { mechanism, reservePrice: 0.001 },
          bidders: [
            { id: 'me', agent: { kind: 'shaded', factor }, value: { kind: 'per-click', amount: 3 }, budget: 20 },
            { id: 'r', copies: 2, agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 2 } },
          ],
        });
        const r = await runReplication(cfg, 0);
        const me = r.bidders.me!;
        expect(me.competitiveRatio).toBeGreaterThan(0);
        expect(me.competitiveRatio).toBeLessThanOrEqual(1 + 1e-9);
        expect(me.hindsightValue).toBeGreaterThanOrEqual(me.value!);
      }
    }
  });

  it('prices every slot in hindsight: with several slots the competitive ratio stays ≤ 1', async () => {
    for (const mechanism of ['gsp', 'vcg', 'first-price'] as const) {
      for (const factor of [0.6, 1.2]) {
        const cfg = resolveConfig({
          name: 'cr-slots',
          seed: 4,
          replications: 1,
          episodes: 0,
          evalEpisodes: 2,
          auctionsPerEpisode: 3000,
          users,
          exchange: { mechanism, slots: 3, slotWeights: [1, 0.6, 0.3], participantsPerAuction: 4 },
          bidders: [
            { id: 'me', agent: { kind: 'shaded', factor }, value: { kind: 'per-click', amount: 3 }, budget: 15 },
            { id: 'pv', agent: { kind: 'shaded', factor }, value: { kind: 'uniform', low: 0, high: 0.1 }, budget: 20 },
            { id: 'r', copies: 3, agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 2 } },
          ],
        });
        const r = await runReplication(cfg, 0);
        for (const id of ['me', 'pv']) {
          const f = r.bidders[id]!;
          expect(f.competitiveRatio, `${mechanism} ${factor} ${id}`).toBeGreaterThan(0);
          expect(f.competitiveRatio, `${mechanism} ${factor} ${id}`).toBeLessThanOrEqual(1 + 1e-9);
        }
        expect(r.bidders['r-1']!.regretPerAuction).toBeGreaterThanOrEqual(-1e-9);
      }
    }
  });

  it('an objective "value - spend" equals the utility in a single-slot oracle market; other objectives differ', async () => {
    const mk = (objective: string) =>
      resolveConfig({
        name: 'obj',
        replications: 1,
        episodes: 0,
        evalEpisodes: 1,
        auctionsPerEpisode: 4000,
        users,
        exchange: { mechanism: 'second-price' },
        bidders: [
          { id: 'me', agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 2 }, objective },
          { id: 'r', agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 1.5 } },
        ],
      });
    const a = (await runReplication(mk('value - spend'), 0)).bidders.me!;
    expect(a.objectivePerAuction).toBeCloseTo(a.utilityPerAuction!, 10);
    const b = (await runReplication(mk('clicks - 0.5 * spend'), 0)).bidders.me!;
    expect(b.objectivePerAuction).not.toBeCloseTo(b.utilityPerAuction!, 4);
  });

  it('reports regret parts for bidders without a budget: overbid + underbid = regret, truthful second price has no overbid', async () => {
    const cfg = resolveConfig({
      name: 'regret',
      replications: 1,
      episodes: 0,
      evalEpisodes: 1,
      auctionsPerEpisode: 5000,
      exchange: { mechanism: 'second-price' },
      bidders: [
        { id: 'truth', agent: { kind: 'truthful' }, value: { kind: 'uniform' } },
        { id: 'low', agent: { kind: 'shaded', factor: 0.5 }, value: { kind: 'uniform' } },
      ],
    });
    const r = await runReplication(cfg, 0);
    const t = r.bidders.truth!;
    expect(t.overbidRegretPerAuction).toBeCloseTo(0, 12);
    expect(t.regretPerAuction).toBeCloseTo(0, 12);
    const low = r.bidders.low!;
    expect(low.underbidRegretPerAuction).toBeGreaterThan(0.01);
    expect(low.overbidRegretPerAuction! + low.underbidRegretPerAuction!).toBeCloseTo(low.regretPerAuction!, 10);
  });
});
