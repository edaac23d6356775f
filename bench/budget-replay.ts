/**
 * What bench/budget-ceiling.ts and bench/pacer-controllers.ts share: the
 * learner matrix's budget markets (bench/learner-matrix.ts `budget-{pv,users}-…`,
 * with the slot count and weights as given), and the replay of a replication's
 * recorded evaluation auctions — the slot a bid reaches and its price, as the
 * market computes them with the other bids held.
 */
import { slotPrices, hindsightOptimumSlots } from '../agents/hindsight.js';
import { MICROS, toMicros } from '../env/exchange/ledger.js';
import { resolveConfig, type ResolvedConfig } from '../experiments/config.js';
import { runReplication, type ReplicationResult } from '../experiments/replication.js';

/** The market of a budget cell: `market` users or pv (private values), `slots` (GSP above one), optional slot weights. */
export interface BudgetMarket {
  market: string;
  slots: number;
  /** Comma-separated slot weights ('' for the default). */
  weights: string;
  name: string;
  replications: number;
  episodes: number;
  evalEpisodes: number;
}

/** The budget cell's config, with the bidder `learner` playing `agent` (and `budget`, when given). */
export function budgetMarket(m: BudgetMarket, agent: Record<string, unknown>, budget?: number): ResolvedConfig {
  const exchange: Record<string, unknown> = { mechanism: m.slots > 1 ? 'gsp' : 'second-price', slots: m.slots, reservePrice: m.market === 'pv' ? 0 : 0.002 };
  if (m.weights) exchange.slotWeights = m.weights.split(',').map(Number);
  const b = budget !== undefined ? { budget } : {};
  const common = { name: m.name, replications: m.replications, episodes: m.episodes, evalEpisodes: m.evalEpisodes, auctionsPerEpisode: 2000, exchange };
  if (m.market === 'pv') {
    const u = (high: number) => ({ kind: 'uniform', low: 0, high });
    return resolveConfig({
      ...common,
      seed: 400 + m.slots,
      bidders: [
        { id: 'learner', agent, value: u(1), ...b },
        ...[{ kind: 'truthful' }, { kind: 'truthful' }, { kind: 'shaded', factor: 0.7 }].map((r, i) => ({ id: `rival${i + 1}`, agent: r, value: u(1.2) })),
      ],
    });
  }
  return resolveConfig({
    ...common,
    seed: 500 + m.slots,
    users: { count: 700, topics: 8, personas: 5, historyLength: 6, items: 150 },
    bidders: [
      { id: 'learner', agent, value: { kind: 'per-click', amount: 1.5 }, ...b },
      { id: 'rival1', agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 1 } },
      { id: 'rival2', agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 2.5 } },
      { id: 'rival3', agent: { kind: 'shaded', factor: 0.8 }, value: { kind: 'per-click', amount: 2 } },
    ],
  });
}

/** One recorded evaluation episode: estimate, true top-slot value, the top `slots` competing bids (row-major). */
export interface Episode {
  est: number[];
  val: number[];
  comp: number[];
}

/** Value and spend of bidding `bid` in auction i with no budget: the slot its bid reaches, priced by the mechanism. */
export class Replay {
  readonly n: number;
  private readonly comp: Float64Array;
  private readonly prices: Float64Array;
  constructor(
    readonly e: Episode,
    readonly W: number[],
    readonly reserve: number,
    mechanism: string,
  ) {
    const S = W.length;
    this.n = e.est.length;
    this.comp = Float64Array.from(e.comp, (c) => Math.round(c * MICROS));
    // Prices in micros per (auction, slot), as the market charges them.
    this.prices = new Float64Array(this.n * S);
    const p = new Float64Array(S);
    for (let i = 0; i < this.n; i++) {
      slotPrices(mechanism, this.comp.subarray(i * S, (i + 1) * S), toMicros(reserve), W, p);
      for (let j = 0; j < S; j++) this.prices[i * S + j] = Math.floor(p[j]!);
    }
  }
  /** Slot reached by a bid of `bidM` micros in auction i (S: none). */
  slot(i: number, bidM: number): number {
    const S = this.W.length;
    if (!(bidM > 0) || bidM < toMicros(this.reserve)) return S;
    let s = 0;
    while (s < S && this.comp[i * S + s]! >= bidM) s++;
    return s;
  }
  price(i: number, s: number): number {
    return this.prices[i * this.W.length + s]! / MICROS;
  }
  /** The LP benchmark (agents/hindsight.ts), with these slot values and prices. */
  lp(budget: number): number {
    const S = this.W.length;
    const v = new Float64Array(this.n * S);
    const c = new Float64Array(this.n * S);
    for (let i = 0; i < this.n; i++)
      for (let j = 0; j < S; j++) {
        v[i * S + j] = this.e.val[i]! * this.W[j]!;
        c[i * S + j] = this.prices[i * S + j]! / MICROS;
      }
    return hindsightOptimumSlots(v, c, S, budget).value;
  }
  /** Spend and wins of bidding estimate / λ all episode, without a budget. */
  flat(lam: number): { spend: number; wins: number } {
    let spend = 0;
    let wins = 0;
    for (let i = 0; i < this.n; i++) {
      const s = this.slot(i, toMicros(this.e.est[i]! / lam));
      if (s === this.W.length) continue;
      spend += this.price(i, s);
      wins++;
    }
    return { spend, wins };
  }
}

/** Runs replication r of `cfg` and records the learner's evaluation episodes as replays. */
export async function recordReplays(cfg: ResolvedConfig, r: number): Promise<{ replays: Replay[]; result: ReplicationResult }> {
  const W = cfg.exchange.slotWeights;
  const eps: Episode[] = [];
  const comp = new Float64Array(32);
  let lastT = -1;
  const result = await runReplication(cfg, r, undefined, (m, b) => {
    if (b !== 0) return;
    if (eps.length === 0 || m.t <= lastT) eps.push({ est: [], val: [], comp: [] });
    lastT = m.t;
    const e = eps[eps.length - 1]!;
    e.est.push(m.estimate[b]!);
    e.val.push(m.topValue[b]!);
    const k = m.competingBids(b, comp);
    for (let j = 0; j < W.length; j++) e.comp.push(j < k ? comp[j]! : 0);
  });
  return { replays: eps.map((e) => new Replay(e, W, cfg.exchange.reservePrice, cfg.exchange.mechanism)), result };
}
