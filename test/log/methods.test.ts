import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { infoFromLog, logFrom, type LogInfo } from '../../env/log/format.js';
import { lognormalPricePdf, sampleLog } from '../../env/log/generate.js';
import { hindsightClicks, replay } from '../../env/log/replay.js';
import { rng, Rng } from '../../env/rng.js';
import { LinBidBidder, tuneLinBid } from '../../agents/log/lin-bid.js';
import { McpcBidder } from '../../agents/log/mcpc.js';
import { RlbBidder } from '../../agents/log/rlb.js';
import { buildRlbTable, buildRlbTablePlain, clearRlbTableCache, marketPdf, rlbBid, rlbTable, type RlbTableInputs, type RlbValueTable } from '../../agents/log/rlb-table.js';
import { SsMdpBidder } from '../../agents/log/ss-mdp.js';

const dir = mkdtempSync(join(tmpdir(), 'bidgym-rlb-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Mcpc and Lin-Bid: hand-computed', () => {
  // avgCTR = 1/4, cost per click = 100 / 1 = 100 (dyadic numbers, so the floors are exact)
  const info: LogInfo = { impTrain: 4, clkTrain: 1, costTrain: 100, priceCounter: null };
  const log = logFrom('t', { price: [12, 13, 6, 50, 0], pctr: [0.125, 0.125, 0.0625, 0.5, 0], click: [1, 0, 1, 1, 0] });

  it('Mcpc bids floor(pctr × cost_train / clk_train)', () => {
    const m = new McpcBidder(info, 300);
    expect([0.125, 0.0625, 0.5, 0.01].map((p) => m.bid(p, 10, 1000))).toEqual([12, 6, 50, 1]);
    expect(m.bid(0.5, 10, 30)).toBe(30); // capped at the budget left
    expect(new McpcBidder(info, 40).bid(0.5, 10, 1000)).toBe(40); // and at the maximum bid
    // bids 12 (wins 12), 12 (loses 13), 6 (wins 6), 50 (wins 50), 0 (wins 0)
    const r = replay(log, m, { horizon: 5, budget: 1000, maxBid: 300 });
    expect([r.impressions, r.clicks, r.cost]).toEqual([4, 3, 68]);
    // budget 60: after 12 and 6, 42 left: the bid of 50 is capped at 42 and loses
    const s = replay(log, m, { horizon: 5, budget: 60, maxBid: 300 });
    expect([s.impressions, s.clicks, s.cost]).toEqual([3, 2, 18]);
  });

  it('Lin-Bid bids floor(pctr × b0 / avgCTR)', () => {
    const l = new LinBidBidder(24, info, 300);
    expect([0.125, 0.0625, 0.5].map((p) => l.bid(p, 10, 1000))).toEqual([12, 6, 48]);
    const r = replay(log, l, { horizon: 5, budget: 1000, maxBid: 300 });
    expect([r.impressions, r.clicks, r.cost]).toEqual([3, 2, 18]); // 48 < 50
  });

  it('Lin-Bid tunes b0 on a training log to its most clicks', () => {
    const train = logFrom('train', { price: [10, 30, 20, 5], pctr: [0.25, 0.25, 0.25, 0.25], click: [1, 1, 0, 0] });
    const t = tuneLinBid(train, info, { horizon: 4, budget: 1000, maxBid: 300 }, [5, 10, 20, 30, 40]);
    // bids equal b0: b0 30 wins both clicks (and all four); 40 the same at the same cost; the smaller wins the tie
    expect(t.b0).toBe(30);
    expect(t.clicks).toBe(2);
    expect(t.tried.map((x) => x.clicks)).toEqual([0, 1, 1, 2, 2]);
  });
});

/** The Bellman equation by brute force: the best bid a over every a ≤ min(b, maxBid), no early stop. */
function bruteTable(x: RlbTableInputs): Float64Array[] {
  const rows: Float64Array[] = [new Float64Array(x.budget + 1)];
  for (let n = 1; n < x.horizon; n++) {
    const prev = rows[n - 1]!;
    const row = new Float64Array(x.budget + 1);
    for (let b = 1; b <= x.budget; b++) {
      let best = -Infinity;
      for (let a = 0; a <= Math.min(b, x.maxBid); a++) {
        // win every price d ≤ a: a click worth θ and the money left b − d; otherwise keep b
        let v = 0;
        let pWin = 0;
        for (let d = 0; d <= a; d++) {
          v += (x.pdf[d] ?? 0) * (x.avgCtr + prev[b - d]!);
          pWin += x.pdf[d] ?? 0;
        }
        v += (1 - pWin) * prev[b]!;
        best = Math.max(best, v);
      }
      row[b] = best;
    }
    rows.push(row);
  }
  return rows;
}

function randomInputs(s: Rng, horizon: number, budget: number, maxBid: number): RlbTableInputs {
  const counts = Array.from({ length: maxBid + 1 }, () => Math.floor(s.next() * 50));
  return { horizon, budget, maxBid, avgCtr: 0.02 + 0.2 * s.next(), pdf: marketPdf(counts) };
}

describe('RLB value table', () => {
  it('matches a hand-computed two-auction case, and the bids read from it', () => {
    const x: RlbTableInputs = { horizon: 2, budget: 2, maxBid: 2, avgCtr: 0.1, pdf: Float64Array.from([0.5, 0.25, 0.25]) };
    const t = buildRlbTable(x);
    // V[1][1]: A = 1, V = 0 + (0.5 + 0.25) × 0.1 = 0.075; V[1][2]: A = 2, V = 0.1 = 1 × θ, the unlimited value
    expect(Array.from(t.row(0))).toEqual([0, 0, 0]);
    expect(t.value(1, 0)).toBe(0);
    expect(t.value(1, 1)).toBeCloseTo(0.075, 15);
    expect(t.value(1, 2)).toBeCloseTo(0.1, 15);
    // two auctions left with 2: pctr 0.05 → 1 (0.05 + 0.075 − 0.1 ≥ 0 but 0.05 + 0 − 0.1 < 0); 0.2 → 2; 0.01 → 0
    expect(rlbBid(t, 2, 2, 0.05)).toBe(1);
    expect(rlbBid(t, 2, 2, 0.2)).toBe(2);
    expect(rlbBid(t, 2, 2, 0.01)).toBe(0);
    // the last auction: the money is worth nothing later, bid everything (capped)
    expect(rlbBid(t, 1, 2, 0.001)).toBe(2);
    expect(rlbBid(t, 1, 0, 0.5)).toBe(0);
  });

  it('equals the brute-force dynamic program on small budgets', () => {
    const s = rng(11).stream('rlb-brute');
    for (let k = 0; k < 6; k++) {
      const x = randomInputs(s, 25, 30 + k * 3, 8 + k);
      const fast = buildRlbTable(x);
      const brute = bruteTable(x);
      for (let n = 0; n < x.horizon; n++) for (let b = 0; b <= x.budget; b++) expect(Math.abs(fast.value(n, b) - brute[n]![b]!)).toBeLessThan(1e-9);
    }
  });

  it('the monotone fast version equals the plain one, table and bids', () => {
    const s = rng(12).stream('rlb-plain');
    for (let k = 0; k < 4; k++) {
      const x = randomInputs(s, 120, 150 + 40 * k, 20 + 10 * k);
      const fast = buildRlbTable(x);
      const plain = buildRlbTablePlain(x);
      let worst = 0;
      for (let i = 0; i < fast.values.length; i++) worst = Math.max(worst, Math.abs(fast.values[i]! - plain.values[i]!));
      expect(worst).toBeLessThan(1e-12);
      for (let j = 0; j < 2000; j++) {
        const n = 1 + s.int(x.horizon);
        const b = s.int(x.budget + 1);
        const theta = x.avgCtr * Math.exp(s.normal());
        expect(rlbBid(fast, n, b, theta)).toBe(rlbBid(plain, n, b, theta));
      }
    }
  });

  it('reaches the unlimited-money value and stops there', () => {
    const x = randomInputs(rng(13).stream('cut'), 10, 400, 10);
    const t = buildRlbTable(x);
    for (let n = 1; n < 10; n++) expect(t.value(n, 400)).toBeCloseTo(n * x.avgCtr, 9);
    // non-decreasing in b
    for (let n = 1; n < 10; n++) for (let b = 1; b <= 400; b++) expect(t.value(n, b)).toBeGreaterThanOrEqual(t.value(n, b - 1) - 1e-12);
  });

  it('is cached by its inputs, in memory and on disk', () => {
    clearRlbTableCache();
    const x = randomInputs(rng(14).stream('cache'), 50, 80, 12);
    const sources: string[] = [];
    const a = rlbTable(x, { cacheDir: dir, onSource: (w) => sources.push(w) });
    const b = rlbTable(x, { cacheDir: dir, onSource: (w) => sources.push(w) });
    expect(b).toBe(a);
    clearRlbTableCache();
    const c: RlbValueTable = rlbTable(x, { cacheDir: dir, onSource: (w) => sources.push(w) });
    expect(c).not.toBe(a);
    expect(Array.from(c.values)).toEqual(Array.from(a.values));
    // other inputs, another table
    rlbTable({ ...x, avgCtr: x.avgCtr * 1.01 }, { cacheDir: dir, onSource: (w) => sources.push(w) });
    expect(sources).toEqual(['built', 'memory', 'disk', 'built']);
    expect(readdirSync(dir).filter((f) => f.endsWith('.f64'))).toHaveLength(2);
  });
});

describe('the four methods on a generated campaign', () => {
  const world = { pricePdf: lognormalPricePdf(60, 0.7, 300), meanCtr: 0.005, ctrSpread: 1, priceCorrelation: 0.2 };
  const train = sampleLog(world, 20_000, rng(21).stream('train'));
  const test = sampleLog(world, 10_500, rng(21).stream('test'));
  const info = infoFromLog(train, 300);
  const N = 500;
  const B = Math.floor((info.costTrain / info.impTrain) * (1 / 16) * N);
  const p = { horizon: N, budget: B, maxBid: 300 };

  it('RLB uses the pCTR and beats SS-MDP and Mcpc; none beats hindsight', () => {
    const rlb = replay(test, new RlbBidder(info, N, B, 300), p);
    const ss = replay(test, new SsMdpBidder(info, N, B, 300), p);
    const mcpc = replay(test, new McpcBidder(info, 300), p);
    const lin = replay(test, new LinBidBidder(tuneLinBid(train, info, p, [10, 20, 30, 40, 60, 80, 100, 150]).b0, info, 300), p);
    const best = Array.from(hindsightClicks(test, p)).reduce((a, b) => a + b, 0);
    for (const r of [rlb, ss, mcpc, lin]) {
      expect(r.clicks).toBeLessThanOrEqual(best);
      for (let e = 0; e < r.episodes.cost.length; e++) expect(r.episodes.cost[e]!).toBeLessThanOrEqual(B);
    }
    expect(rlb.clicks).toBeGreaterThan(ss.clicks);
    expect(rlb.clicks).toBeGreaterThan(mcpc.clicks);
  });
});
