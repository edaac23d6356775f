/**
 * Evaluation episodes replay a fixed stream of opportunities: what one bidder
 * does changes neither the users nor the values nor the rivals' bids that another
 * bidder (or the same one, bidding differently) faces, so the hindsight optimum
 * is the same for every agent evaluated on the same config and seed.
 */
import { describe, expect, it } from 'vitest';
import { hindsightOptimum } from '../../agents/hindsight.js';
import { Market } from '../../env/market.js';
import { OBS } from '../../env/observation.js';
import { rng } from '../../env/rng.js';
import { marketSpec, resolveConfig } from '../../experiments/config.js';

const T = 1500;

function spec(slots = 1, trainingAttention: 'reference' | 'own' = 'reference') {
  return marketSpec(
    resolveConfig({
      name: 't',
      auctionsPerEpisode: T,
      users: { count: 150, topics: 8, items: 100, historyLength: 10, adsPerAdvertiser: 4, sessionLength: 6, trainingAttention },
      exchange: { mechanism: slots > 1 ? 'gsp' : 'second-price', slots, reservePrice: 0.001, participantsPerAuction: 3 },
      bidders: [
        { id: 'me', agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 2 }, budget: 8 },
        { id: 'r1', agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 1.5 } },
        { id: 'r2', agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 1.2 } },
        { id: 'r3', agent: { kind: 'truthful' }, value: { kind: 'per-conversion', amount: 20 } },
      ],
    }),
  );
}

interface Episode {
  values: number[];
  costs: number[];
  users: number[];
  value: number;
}

/** Bidder 0 bids α × its value; rivals bid truthfully. Two training episodes, then evaluation episodes 0 and 1. */
function play(alpha: number, slots = 1, trainingAttention: 'reference' | 'own' = 'reference'): { train: Episode[]; evaluation: Episode[] } {
  const m = new Market(spec(slots, trainingAttention), rng(5));
  const run = (evaluation?: number): Episode => {
    m.resetEpisode(evaluation);
    const ep: Episode = { values: [], costs: [], users: [], value: 0 };
    while (!m.done) {
      const n = m.prepare();
      for (let k = 0; k < n; k++) {
        const b = m.eligible[k]!;
        m.bids[b] = (b === 0 ? alpha : 1) * m.observations[b]![OBS.value]!;
      }
      let asked = false;
      for (let k = 0; k < n; k++) if (m.eligible[k] === 0) asked = true;
      for (let k = 0; k < m.nShadow; k++) if (m.shadow[k] === 0) asked = true;
      m.clear();
      ep.users.push(m.user);
      if (asked) {
        ep.values.push(m.topValue[0]!);
        ep.costs.push(m.competingBid[0]!);
      }
    }
    ep.value = m.totals.value[0]!;
    return ep;
  };
  const train = [run(), run()];
  const evaluation = [run(0), run(1)];
  return { train, evaluation };
}

describe('evaluation episodes: a fixed stream of opportunities', () => {
  it('two bidders on the same seed face the same auctions and the same hindsight optimum; the one that wins more value has the higher ratio', () => {
    const a = play(1); // spends its budget early
    const b = play(0.45); // shades: lasts longer
    for (let e = 0; e < 2; e++) {
      const ea = a.evaluation[e]!;
      const eb = b.evaluation[e]!;
      expect(ea.users).toEqual(eb.users);
      expect(ea.values).toEqual(eb.values);
      expect(ea.costs).toEqual(eb.costs);
      const oa = hindsightOptimum(Float64Array.from(ea.values), Float64Array.from(ea.costs), 8).value;
      const ob = hindsightOptimum(Float64Array.from(eb.values), Float64Array.from(eb.costs), 8).value;
      expect(oa).toBe(ob);
      expect(oa).toBeGreaterThan(0);
      expect(ea.value).not.toBe(eb.value);
      // Same optimum: the ratio orders the bidders as the value won does.
      expect(Math.sign(ea.value / oa - eb.value / ob)).toBe(Math.sign(ea.value - eb.value));
      expect(ea.value).toBeLessThanOrEqual(oa + 1e-9);
      expect(eb.value).toBeLessThanOrEqual(ob + 1e-9);
    }
    // Training users move as the evaluation users do (users.trainingAttention: reference, the default): the same opportunities too.
    expect(a.train[1]!.values).toEqual(b.train[1]!.values);
  });

  it('with users.trainingAttention: own the training users react to what each bidder won; evaluation stays fixed', () => {
    const a = play(1, 1, 'own');
    const b = play(0.45, 1, 'own');
    expect(a.train[1]!.values).not.toEqual(b.train[1]!.values);
    expect(a.evaluation[0]!.values).toEqual(b.evaluation[0]!.values);
    // The training users are other people than with reference, evaluation's are not.
    expect(a.train[1]!.values).not.toEqual(play(1).train[1]!.values);
    expect(a.evaluation[1]!.values).toEqual(play(1).evaluation[1]!.values);
  });

  it('the same with several slots (values of the top slot and competing bids alike)', () => {
    const a = play(1, 2);
    const b = play(0.5, 2);
    for (let e = 0; e < 2; e++) {
      expect(a.evaluation[e]!.values).toEqual(b.evaluation[e]!.values);
      expect(a.evaluation[e]!.costs).toEqual(b.evaluation[e]!.costs);
    }
  });

  it('evaluation episodes differ from one another, run every auction, and leave the training users as they were', () => {
    const m = new Market(spec(), rng(5));
    const { evaluation } = play(1);
    expect(evaluation[0]!.users).not.toEqual(evaluation[1]!.users);
    expect(evaluation[0]!.users.length).toBe(T);
    m.resetEpisode(0);
    expect(m.population).not.toBe(m.trainingPopulation);
    m.resetEpisode();
    expect(m.population).toBe(m.trainingPopulation);
    expect(() => m.resetEpisode(-1)).toThrow(RangeError);
  });
});

describe('the runner: the benchmark does not move with the agent', () => {
  it('three agents on the same config and seed face the same hindsight optimum and fixed-multiplier benchmark; more value, higher ratio — in every replication', async () => {
    const { runReplication } = await import('../../experiments/runner.js');
    const cfgFor = (agent: Record<string, unknown>) =>
      resolveConfig({
        name: 'same-optimum',
        seed: 3,
        replications: 2,
        episodes: 2,
        evalEpisodes: 2,
        auctionsPerEpisode: 3000,
        users: { count: 1000, topics: 8, items: 200, historyLength: 10, adsPerAdvertiser: 4 },
        exchange: { mechanism: 'second-price', reservePrice: 0.001 },
        bidders: [
          { id: 'me', agent, value: { kind: 'per-click', amount: 2 }, budget: 1.5 },
          { id: 'rival', copies: 2, agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 2 } },
        ],
      });
    for (let r = 0; r < 2; r++) {
      const figs = [];
      for (const agent of [{ kind: 'pacing' }, { kind: 'truthful' }, { kind: 'shaded', factor: 0.5 }]) figs.push((await runReplication(cfgFor(agent), r)).bidders.me!);
      const [p, t, s] = figs as [Record<string, number>, Record<string, number>, Record<string, number>];
      expect(p.hindsightValue).toBeGreaterThan(0);
      for (const f of [t, s]) {
        expect(f.hindsightValue).toBe(p.hindsightValue);
        expect(f.fixedMultiplierValue).toBe(p.fixedMultiplierValue);
      }
      const byValue = [...figs].sort((a, b) => a.value! - b.value!);
      const byRatio = [...figs].sort((a, b) => a.competitiveRatio! - b.competitiveRatio!);
      expect(byRatio).toEqual(byValue);
      expect(new Set(figs.map((f) => f.value)).size).toBe(3);
      // The best fixed multiplier is one feasible plan: never above the hindsight optimum.
      expect(p.fixedMultiplierValue!).toBeLessThanOrEqual(p.hindsightValue! + 1e-9);
    }
  }, 300_000);
});
