import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BiddingEnv } from '../../env/bidding.js';
import { checkEnv, checkParallelEnv } from '../../env/check.js';
import { MarketEnv } from '../../env/market-env.js';
import { Market, type MarketSpec } from '../../env/market.js';
import { OBS } from '../../env/observation.js';
import { rng } from '../../env/rng.js';
import { VectorBiddingEnv } from '../../env/vector.js';
import { TruthfulPolicy, ShadedPolicy } from '../../agents/baselines.js';
import { marketSpec, resolveConfig } from '../../experiments/config.js';

const smallUsers = { count: 300, topics: 8, items: 100, historyLength: 10, adsPerAdvertiser: 4 };

function spec(over: Partial<MarketSpec> & { users?: unknown } = {}): MarketSpec {
  const cfg = resolveConfig({
    name: 't',
    auctionsPerEpisode: 300,
    users: smallUsers,
    exchange: { mechanism: 'gsp', slots: 2, reservePrice: 0.002, participantsPerAuction: 3 },
    bidders: [
      { id: 'a', agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 2 }, budget: 1 },
      { id: 'b', agent: { kind: 'truthful' }, value: { kind: 'per-conversion', amount: 20 }, budget: 0.5 },
      { id: 'c', agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 1 } },
      { id: 'd', agent: { kind: 'truthful' }, value: { kind: 'uniform', low: 0, high: 0.05 }, budget: 0.3 },
    ],
  });
  return { ...marketSpec(cfg), ...(over as Partial<MarketSpec>) };
}

describe('market: budgets, ledger, determinism', () => {
  it('never lets a bidder spend more than its budget, and the ledger balances to the micro, whatever the bids', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('first-price', 'gsp', 'vcg'),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 1e6 }),
        fc.array(fc.double({ min: 0, max: 3, noNaN: true }), { minLength: 4, maxLength: 4 }),
        (mechanism, share, seed, scale) => {
          const m = new Market({ ...spec(), mechanism: mechanism as MarketSpec['mechanism'], publisherShare: share }, rng(seed));
          for (let ep = 0; ep < 2; ep++) {
            m.resetEpisode();
            const bidRng = rng(seed).stream('bids');
            while (!m.done) {
              const n = m.prepare();
              for (let k = 0; k < n; k++) {
                const b = m.eligible[k]!;
                m.bids[b] = scale[b]! * bidRng.next();
              }
              m.clear();
              for (let b = 0; b < 4; b++) {
                expect(m.totals.spend[b]!).toBeLessThanOrEqual(m.budgetMicros[b]!);
                expect(m.budgetLeftMicros[b]!).toBeGreaterThanOrEqual(0);
              }
            }
            expect(m.ledger.balanced()).toBe(true);
            expect(m.totals.revenue).toBe(m.totals.publisherPayout + m.totals.exchangeFee);
          }
          expect(m.ledger.totalSpend()).toBe(m.ledger.totalPayout() + m.ledger.fees);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a bidder out of budget is terminated and leaves the market', () => {
    const m = new Market({ ...spec(), mechanism: 'first-price' }, rng(3));
    m.resetEpisode();
    let left = false;
    while (!m.done) {
      const n = m.prepare();
      for (let k = 0; k < n; k++) {
        const b = m.eligible[k]!;
        expect(m.active[b]).toBe(1);
        m.bids[b] = 0.2;
      }
      m.clear();
      if (m.terminated[0]) left = true;
    }
    expect(left).toBe(true);
    expect(m.active[0]).toBe(0);
  });

  it('same seed, same trajectory; another seed, another', () => {
    const trace = (seed: number) => {
      const m = new Market(spec(), rng(seed));
      const out: number[] = [];
      for (let ep = 0; ep < 2; ep++) {
        m.resetEpisode();
        while (!m.done) {
          const n = m.prepare();
          for (let k = 0; k < n; k++) m.bids[m.eligible[k]!] = m.observations[m.eligible[k]!]![OBS.value]!;
          m.clear();
          out.push(m.user, m.totals.revenue, m.totals.clicks[0]!, ...m.cost);
        }
      }
      return out;
    };
    expect(trace(11)).toEqual(trace(11));
    expect(trace(11)).not.toEqual(trace(12));
  });

  it('adding a bidder does not change which users arrive', () => {
    const users = (extra: boolean) => {
      const s = spec();
      const bidders = extra ? [...s.bidders, { id: 'e', value: { kind: 'per-click' as const, amount: 1 }, budget: null }] : s.bidders;
      const m = new Market({ ...s, bidders, participantsPerAuction: null }, rng(5));
      m.resetEpisode();
      const seen: number[] = [];
      for (let t = 0; t < 200; t++) {
        const n = m.prepare();
        for (let k = 0; k < n; k++) m.bids[m.eligible[k]!] = 0;
        m.clear();
        seen.push(m.user);
      }
      return seen;
    };
    expect(users(true)).toEqual(users(false));
  });

  it('observations carry pCTR, value, budget and time left', () => {
    const m = new Market(spec(), rng(9));
    m.resetEpisode();
    const n = m.prepare();
    for (let k = 0; k < n; k++) {
      const b = m.eligible[k]!;
      const o = m.observations[b]!;
      expect(o[OBS.timeLeft]).toBe(1);
      expect(o[OBS.budgetLeft]).toBe(1);
      if (b === 0) {
        expect(o[OBS.pctr]).toBeGreaterThan(0);
        expect(o[OBS.pctr]).toBeLessThan(1);
        expect(o[OBS.value]).toBeCloseTo(2 * o[OBS.pctr]!, 12);
      }
    }
  });
});

describe('checkEnv on every env', () => {
  it('MarketEnv passes checkParallelEnv', () => {
    checkParallelEnv(new MarketEnv(spec()), 400);
  });
  it('MarketEnv without users (private values) passes', () => {
    const s = marketSpec(
      resolveConfig({
        name: 'pv',
        auctionsPerEpisode: 50,
        exchange: { mechanism: 'first-price' },
        bidders: [{ id: 'x', copies: 3, agent: { kind: 'truthful' }, value: { kind: 'uniform' }, budget: 5 }],
      }),
    );
    checkParallelEnv(new MarketEnv(s), 300);
  });
  it('BiddingEnv passes checkEnv', () => {
    const env = new BiddingEnv(spec(), { learner: 'a', rivals: { b: new TruthfulPolicy(), c: new ShadedPolicy(0.5), d: new TruthfulPolicy() }, maxBid: 1 });
    checkEnv(env, 400);
  });
  it('VectorBiddingEnv copies pass checkEnv and step together', () => {
    const v = new VectorBiddingEnv(3, spec(), { learner: 'c', rivals: { a: new TruthfulPolicy(), b: new TruthfulPolicy(), d: new TruthfulPolicy() }, maxBid: 1 });
    for (const e of v.envs) checkEnv(e, 100);
    const r0 = v.reset({ seed: 4 });
    expect(r0.observations.map((o) => o.length)).toEqual([11, 11, 11]);
    let ends = 0;
    for (let t = 0; t < 600; t++) {
      const s = v.step([0.01, 0.02, 0.03]);
      ends += s.truncations.filter(Boolean).length + s.terminations.filter(Boolean).length;
    }
    expect(ends).toBeGreaterThan(0);
  });
  it('checkEnv catches an env that ignores its seed', () => {
    const env = new BiddingEnv(spec(), { learner: 'a', rivals: { b: new TruthfulPolicy(), c: new TruthfulPolicy(), d: new TruthfulPolicy() } });
    const broken = { ...env, id: env.id, observationSpace: env.observationSpace, actionSpace: env.actionSpace, reset: () => env.reset({ seed: 1 }), step: (a: Float64Array) => env.step(a) };
    expect(() => checkEnv(broken, 50)).toThrow(/different seeds/);
  });
});
