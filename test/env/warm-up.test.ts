/**
 * The evaluation users' warm-up runs lean auctions (Market.idleAuctions): only
 * what an auction in which nobody bids does to the users, the streams and the
 * click-model cache. It must leave everything exactly as prepare(), zero bids
 * and clear() did: the same users to the bit, and the same auctions after it.
 */
import { describe, expect, it } from 'vitest';
import { Market, type MarketSpec } from '../../env/market.js';
import { rng } from '../../env/rng.js';
import type { CtrPredictor } from '../../env/interest.js';
import { createAllocator } from '../../experiments/allocators.js';
import { marketSpec, resolveConfig } from '../../experiments/config.js';

const users = { count: 300, adsPerAdvertiser: 5, sessionLength: 4 };

const worlds: { name: string; raw: object; predictor?: boolean; allocator?: boolean }[] = [
  {
    name: 'SP_Oracle-like: per-click, best ad, 2 of 6 asked',
    raw: { name: 'a', auctionsPerEpisode: 3000, users, interestModel: { kind: 'oracle' }, exchange: { mechanism: 'second-price', participantsPerAuction: 2 }, bidders: [{ id: 'b', copies: 6, agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 1 } }] },
  },
  {
    name: 'gsp, 3 slots, exposure, random ads, per-conversion and uniform values, budgets',
    raw: {
      name: 'b',
      auctionsPerEpisode: 3000,
      users,
      exchange: { mechanism: 'gsp', slots: 3, exposure: [1, 0.7, 0.4], reservePrice: 0.01, allocator: 'random', publishers: 7 },
      bidders: [
        { id: 'c', copies: 2, agent: { kind: 'truthful' }, value: { kind: 'per-conversion', amount: 30 }, budget: 5 },
        { id: 'k', agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 2 }, budget: 0.5 },
        { id: 'p', agent: { kind: 'truthful' }, value: { kind: 'uniform', low: 0, high: 0.1 } },
      ],
    },
  },
  {
    name: 'a predictor that is not the oracle, and a learning allocator',
    predictor: true,
    allocator: true,
    raw: { name: 'c', auctionsPerEpisode: 3000, users, exchange: { mechanism: 'second-price', slots: 1 }, bidders: [{ id: 'b', copies: 3, agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 1 } }] },
  },
];

/** A deterministic predictor that is not the oracle (so the market asks the true model separately). */
const scaled: CtrPredictor = {
  kind: 'scaled',
  predict(pop, us, ads, n, out) {
    for (let i = 0; i < n; i++) out[i] = 0.8 * pop.trueCtr(us[i]!, ads[i]!);
  },
};

function build(spec: MarketSpec, w: (typeof worlds)[number]): Market {
  const m = new Market({ ...spec, evaluationWarmup: 0 }, rng(7).stream('market'));
  if (w.predictor) m.setPredictor(scaled);
  if (w.allocator) m.setAllocator(1, createAllocator({ kind: 'thompson', noise: 0.1, regularisation: 1 } as never, m.catalogue!.topics, rng(7).stream('alloc')));
  m.resetEpisode(0); // the evaluation users, no warm-up: the test makes it
  return m;
}

/** Everything the users carry (and the click model's per-session cache). */
function userState(m: Market): unknown[] {
  const p = m.population!;
  const s = p.sessions;
  const cm = p.clickModel as unknown as Record<string, Float64Array | Int32Array>;
  return [
    p.interest, p.history, p.historyHead, p.historyLen, p.historyVersion, p.persona, s.fatigue, s.lastSeen,
    [s.current, s.sessionLeft, s.sessionDepth, s.tick, s.stamp],
    cm.cacheLogit, cm.cacheNum, cm.cacheDen, cm.cacheBase, cm.cacheDot, cm.blockStamp, cm.blockBest,
  ].map((x) => (ArrayBuffer.isView(x) ? Array.from(x as Float64Array) : x));
}

describe('the evaluation warm-up (idle auctions)', () => {
  for (const w of worlds) {
    it(`leaves the users and the next auctions as prepare() + clear() with zero bids: ${w.name}`, () => {
      const spec = marketSpec(resolveConfig(w.raw));
      const lean = build(spec, w);
      const full = build(spec, w);
      const W = 4000;
      lean.idleAuctions(W);
      for (let i = 0; i < W; i++) {
        const n = full.prepare();
        for (let k = 0; k < n; k++) full.bids[full.eligible[k]!] = 0;
        full.clear();
      }
      expect(userState(lean)).toEqual(userState(full));
      // Then a stretch of real auctions (truthful bids) gives the same outcomes, auction by auction.
      for (const m of [lean, full]) {
        m.t = 0;
        m.budgetLeftMicros.set(m.budgetMicros);
        m.active.fill(1);
        m.nActive = m.nBidders;
      }
      for (let i = 0; i < 1500; i++) {
        const rows = [lean, full].map((m) => {
          const n = m.prepare();
          for (let k = 0; k < n; k++) {
            const b = m.eligible[k]!;
            m.bids[b] = m.observations[b]![0]!;
          }
          m.clear();
          return [m.user, Array.from(m.eligible.subarray(0, n)), Array.from(m.won), Array.from(m.cost), Array.from(m.clicks), Array.from(m.conversions), Array.from(m.topValue), Array.from(m.ad)];
        });
        expect(rows[0]).toEqual(rows[1]);
      }
      expect(userState(lean)).toEqual(userState(full));
    });
  }
});
