/**
 * What evaluation records: per bidder and auction, the value at stake, the
 * competing bid, the cost and the outcome (for the hindsight figures of
 * hindsight.ts), a sample of auctions of the last episode (`samples.csv`), and
 * sums over the evaluation episodes, which become the replication's figures.
 * Also the rows of `episodes.csv`, one per bidder and episode.
 */
import { cpaPenalty, realisedCpa, realisedRoi, roiPenalty } from '../env/autobid/score.js';
import { bestFixedMultiplier, slotPrices, type MultiplierEpisode } from '../agents/hindsight.js';
import { fromMicros } from '../env/exchange/ledger.js';
import type { EpisodeTotals, Market } from '../env/market.js';
import { OBS } from '../env/observation.js';
import type { ResolvedConfig } from './config.js';
import { num } from './format.js';
import { budgetOptimum, regretParts, type EvalRecords } from './hindsight.js';
import type { Replication } from './replication.js';

/** Header of `episodes.csv`. */
export const EPISODE_COLUMNS =
  'replication,episode,phase,bidder,auctions,participations,wins,spend,value,utility,clicks,conversions,bidToValue,budgetSpent,revenuePerAuction,welfarePerAuction';
/** Header of `samples.csv`. */
export const SAMPLE_COLUMNS = 'replication,bidder,t,value,pctr,bid,won,cost,budgetSpent';
/** Samples kept per bidder from the last evaluation episode. */
const SAMPLES_PER_BIDDER = 400;

/** Row of `episodes.csv` for bidder b after episode `ep` of replication r. */
export function episodeRow(cfg: ResolvedConfig, r: number, ep: number, training: boolean, b: number, E: EpisodeTotals): string {
  const spend = fromMicros(E.spend[b]!);
  const budget = cfg.bidders[b]!.budget;
  const auctions = Math.max(1, E.auctions);
  return [
    r,
    ep,
    training ? 'train' : 'eval',
    cfg.bidders[b]!.id,
    E.auctions,
    E.participations[b],
    E.wins[b],
    num(spend),
    num(E.value[b]!),
    num(E.value[b]! - spend),
    E.clicks[b],
    E.conversions[b],
    num(E.bidToValueCount[b]! > 0 ? E.bidToValueSum[b]! / E.bidToValueCount[b]! : 0),
    num(budget ? spend / budget : 0),
    num(fromMicros(E.revenue) / auctions),
    num(E.welfare / auctions),
  ].join(',');
}

/** Per-bidder sums over the evaluation episodes. */
interface BidderSums {
  part: Float64Array;
  wins: Float64Array;
  spend: Float64Array;
  value: Float64Array;
  clicks: Float64Array;
  conv: Float64Array;
  btv: Float64Array;
  btvN: Float64Array;
  /** Σ per-episode score (bidders with targets). */
  score: Float64Array;
  /** Σ bid and Σ value over the participations with a positive value. */
  bidSum: Float64Array;
  bidValueSum: Float64Array;
  budgetSpent: Float64Array;
  optimum: Float64Array;
  optimumInt: Float64Array;
  regret: Float64Array;
  overbid: Float64Array;
  underbid: Float64Array;
  objective: Float64Array;
  /** Σ predicted and Σ true CTR (top slot) of the bidder's ad over the auctions it won, and over all it was asked to. */
  pctrWon: Float64Array;
  ctrWon: Float64Array;
  pctrAll: Float64Array;
  ctrAll: Float64Array;
}

/** Records the evaluation episodes of one replication (see the module comment). */
export class EvalRecorder {
  /** Rows of `samples.csv` (last evaluation episode). */
  readonly sampleRows: string[] = [];
  private readonly cfg: ResolvedConfig;
  private readonly market: Market;
  /** This episode's records, one per bidder; `n[b]` auctions recorded so far. */
  private readonly records: EvalRecords[];
  private readonly n: Int32Array;
  private readonly slots: number;
  private readonly sampleEvery: number;
  private readonly competing: Float64Array;
  private readonly prices: Float64Array;
  private readonly sums: BidderSums;
  /** Every evaluation episode of every bidder, for the best fixed multiplier in hindsight (one α over all of them). */
  private readonly streams: MultiplierEpisode[][];
  /** Bidders whose value comes from users' clicks (a click model predicts their CTR). */
  private readonly clicky: boolean[];
  private readonly marketSums = { auctions: 0, revenue: 0, welfare: 0, payout: 0, fee: 0 };

  constructor(
    private readonly rep: Replication,
    private readonly r: number,
  ) {
    const { cfg, market } = rep;
    this.cfg = cfg;
    this.market = market;
    const T = cfg.auctionsPerEpisode;
    const B = market.nBidders;
    // With several slots, hindsight prices every slot: values and costs per (auction, slot).
    const S = (this.slots = cfg.exchange.slots);
    this.records = Array.from({ length: B }, () => ({
      value: new Float64Array(T),
      competing: new Float64Array(T),
      cost: new Float64Array(T),
      won: new Uint8Array(T),
      slotValue: new Float64Array(S > 1 ? T * S : 0),
      slotCost: new Float64Array(S > 1 ? T * S : 0),
    }));
    this.n = new Int32Array(B);
    this.sampleEvery = Math.max(1, Math.floor(T / SAMPLES_PER_BIDDER));
    this.competing = new Float64Array(B);
    this.prices = new Float64Array(S);
    const f = () => new Float64Array(B);
    this.sums = {
      ...{ part: f(), wins: f(), spend: f(), value: f(), clicks: f(), conv: f(), btv: f(), btvN: f(), bidSum: f(), bidValueSum: f(), budgetSpent: f(), score: f() },
      ...{ optimum: f(), optimumInt: f(), regret: f(), overbid: f(), underbid: f(), objective: f() },
      ...{ pctrWon: f(), ctrWon: f(), pctrAll: f(), ctrAll: f() },
    };
    this.streams = Array.from({ length: B }, () => []);
    this.clicky = cfg.bidders.map((b) => b.value?.kind !== 'uniform');
  }

  /** Starts recording an evaluation episode. */
  startEpisode(): void {
    this.n.fill(0);
    const T = this.cfg.auctionsPerEpisode;
    const S = this.slots;
    for (const list of this.streams) list.push({ n: 0, estimates: new Float64Array(T), values: new Float64Array(T), competing: new Float64Array(T * S) });
  }

  /** What a fixed-multiplier bidder would have bid on (its estimate) and against (the top competing bids), and the click model's calibration. */
  private recordStream(b: number, won: boolean): void {
    const m = this.market;
    const list = this.streams[b]!;
    const ep = list[list.length - 1]!;
    const i = ep.n++;
    const S = this.slots;
    ep.estimates[i] = m.estimate[b]!;
    ep.values[i] = m.topValue[b]!;
    const k = m.competingBids(b, this.competing);
    for (let j = 0; j < S; j++) ep.competing[i * S + j] = j < k ? this.competing[j]! : 0;
    if (this.clicky[b]) {
      const s = this.sums;
      s.pctrAll[b]! += m.pctr[b]!;
      s.ctrAll[b]! += m.trueCtrTop[b]!;
      if (won) {
        s.pctrWon[b]! += m.pctr[b]!;
        s.ctrWon[b]! += m.trueCtrTop[b]!;
      }
    }
  }

  /** Records bidder b's part in the auction just cleared (`t`: its time step); `sample` keeps every few auctions for samples.csv. */
  auction(b: number, t: number, sample: boolean): void {
    const m = this.market;
    if (this.rep.hasObjective[b]) this.sums.objective[b]! += this.rep.objectiveOf(b);
    const i = this.n[b]!++;
    const rec = this.records[b]!;
    rec.value[i] = m.topValue[b]!;
    rec.competing[i] = m.competingBid[b]!;
    rec.cost[i] = m.cost[b]!;
    rec.won[i] = m.won[b]!;
    if (this.slots > 1) this.recordSlots(b, i);
    this.recordStream(b, m.won[b] === 1);
    if (sample && t % this.sampleEvery === 0) {
      const o = m.observations[b]!;
      const budget = m.budgetMicros[b]!;
      const spent = budget === Infinity ? 0 : 1 - m.budgetLeftMicros[b]! / budget;
      const T = this.cfg.auctionsPerEpisode;
      this.sampleRows.push([this.r, this.cfg.bidders[b]!.id, num(t / T), num(o[OBS.value]!), num(o[OBS.pctr]!), num(m.bids[b]!), m.won[b], num(m.cost[b]!), num(spent)].join(','));
    }
  }

  /** Records an auction bidder b was asked to but declined (out of budget): what it could have won still counts in hindsight. */
  declined(b: number): void {
    const m = this.market;
    const i = this.n[b]!++;
    const rec = this.records[b]!;
    rec.value[i] = m.topValue[b]!;
    rec.competing[i] = m.competingBid[b]!;
    rec.cost[i] = 0;
    rec.won[i] = 0;
    if (this.slots > 1) this.recordSlots(b, i);
    this.recordStream(b, false);
  }

  /** With several slots: bidder b's value of each slot and the price it would have paid for it. */
  private recordSlots(b: number, i: number): void {
    const { exchange } = this.cfg;
    const S = this.slots;
    const rec = this.records[b]!;
    const k = this.market.competingBids(b, this.competing);
    slotPrices(exchange.mechanism, this.competing.subarray(0, k), exchange.reservePrice, exchange.slotWeights, this.prices, true);
    for (let j = 0; j < S; j++) {
      rec.slotValue[i * S + j] = this.market.slotValue(b, j);
      rec.slotCost[i * S + j] = this.prices[j]!;
    }
  }

  /** Adds the episode that just ended (its totals `E`) to the sums, with each bidder's hindsight figures. */
  endEpisode(E: EpisodeTotals): void {
    const s = this.sums;
    for (let b = 0; b < this.market.nBidders; b++) {
      const spend = fromMicros(E.spend[b]!);
      const budget = this.cfg.bidders[b]!.budget;
      s.part[b]! += E.participations[b]!;
      s.wins[b]! += E.wins[b]!;
      s.spend[b]! += spend;
      s.value[b]! += E.value[b]!;
      s.clicks[b]! += E.clicks[b]!;
      s.conv[b]! += E.conversions[b]!;
      s.btv[b]! += E.bidToValueSum[b]!;
      s.btvN[b]! += E.bidToValueCount[b]!;
      s.bidSum[b]! += E.bidSum[b]!;
      s.bidValueSum[b]! += E.bidValueSum[b]!;
      s.budgetSpent[b]! += budget ? spend / budget : 0;
      const targets = this.cfg.bidders[b]!.targets;
      if (targets) s.score[b]! += auctionScore(E.conversions[b]!, spend, E.value[b]!, targets, this.cfg.beta ?? 2);
      const m = this.n[b]!;
      if (budget !== null) {
        const h = budgetOptimum(this.records[b]!, m, this.slots, budget);
        s.optimum[b]! += h.value;
        s.optimumInt[b]! += h.integralValue;
      } else {
        const g = regretParts(this.records[b]!, m, this.slots, E.value[b]! - spend);
        s.regret[b]! += g.regret;
        s.overbid[b]! += g.overbid;
        s.underbid[b]! += g.underbid;
      }
    }
    const ms = this.marketSums;
    ms.auctions += E.auctions;
    ms.revenue += fromMicros(E.revenue);
    ms.welfare += E.welfare;
    ms.payout += fromMicros(E.publisherPayout);
    ms.fee += fromMicros(E.exchangeFee);
  }

  /**
   * The best fixed bid multiplier in hindsight on the bidder's recorded evaluation
   * auctions (agents/hindsight.ts) and the regret to it: with a budget in value
   * won per episode, without one in utility per auction.
   */
  private fixedMultiplierFigures(b: number, value: number, spend: number, auctions: number): Record<string, number> {
    const { exchange } = this.cfg;
    const budget = this.cfg.bidders[b]!.budget;
    const best = bestFixedMultiplier(this.streams[b]!, { mechanism: exchange.mechanism, reservePrice: exchange.reservePrice, slotWeights: exchange.slotWeights, budget });
    const nEval = this.cfg.evalEpisodes;
    if (budget !== null) {
      return { fixedMultiplier: best.multiplier, fixedMultiplierValue: best.value / nEval, regretToFixedMultiplier: (best.value - value) / nEval };
    }
    return { fixedMultiplier: best.multiplier, fixedMultiplierUtilityPerAuction: best.utility / auctions, regretToFixedMultiplierPerAuction: (best.utility - (value - spend)) / auctions };
  }

  /** The replication's figures: market figures per auction, bidder figures per auction or per evaluation episode. */
  figures(): { market: Record<string, number>; bidders: Record<string, Record<string, number>> } {
    const ms = this.marketSums;
    const s = this.sums;
    const A = Math.max(1, ms.auctions);
    const nEval = this.cfg.evalEpisodes;
    const market: Record<string, number> = {
      revenuePerAuction: ms.revenue / A,
      welfarePerAuction: ms.welfare / A,
      publisherPayoutPerAuction: ms.payout / A,
      exchangeFeePerAuction: ms.fee / A,
      auctionsPerEpisode: ms.auctions / nEval,
    };
    const bidders: Record<string, Record<string, number>> = {};
    this.cfg.bidders.forEach((bc, b) => {
      const f: Record<string, number> = {
        utilityPerAuction: (s.value[b]! - s.spend[b]!) / A,
        bidToValue: s.btvN[b]! > 0 ? s.btv[b]! / s.btvN[b]! : 0,
        bidToValueWeighted: s.bidValueSum[b]! > 0 ? s.bidSum[b]! / s.bidValueSum[b]! : 0,
        winRate: s.part[b]! > 0 ? s.wins[b]! / s.part[b]! : 0,
        spend: s.spend[b]! / nEval,
        value: s.value[b]! / nEval,
        clicks: s.clicks[b]! / nEval,
        conversions: s.conv[b]! / nEval,
        participations: s.part[b]! / nEval,
      };
      if (this.rep.hasObjective[b]) f.objectivePerAuction = s.objective[b]! / A;
      if (bc.targets) Object.assign(f, targetFigures(s.conv[b]!, s.spend[b]!, s.value[b]!, s.score[b]!, nEval, bc.targets));
      if (bc.budget !== null) {
        f.budgetSpent = s.budgetSpent[b]! / nEval;
        f.hindsightValue = s.optimum[b]! / nEval;
        f.competitiveRatio = s.optimum[b]! > 0 ? s.value[b]! / s.optimum[b]! : 1;
      } else {
        f.regretPerAuction = s.regret[b]! / A;
        // The overbid / underbid split is defined for one slot.
        if (this.slots === 1) {
          f.overbidRegretPerAuction = s.overbid[b]! / A;
          f.underbidRegretPerAuction = s.underbid[b]! / A;
        }
      }
      Object.assign(f, this.fixedMultiplierFigures(b, s.value[b]!, s.spend[b]!, A));
      if (this.clicky[b]) {
        // The winner's curse: the click model's calibration (Σ predicted ÷ Σ true CTR) on what the bidder won, beside all it was asked to.
        f.pctrOverCtrWon = s.ctrWon[b]! > 0 ? s.pctrWon[b]! / s.ctrWon[b]! : 1;
        f.pctrOverCtrAll = s.ctrAll[b]! > 0 ? s.pctrAll[b]! / s.ctrAll[b]! : 1;
      }
      bidders[bc.id] = f;
    });
    return { market, bidders };
  }
}

/**
 * AuctionNet's score of one episode of a per-auction bidder with targets
 * (cpa: and / or roi:): conversions × the CPA penalty × the ROI penalty, with
 * ROI = value won / spend (docs/autobidding.md; env/autobid/score.ts).
 */
export function auctionScore(conversions: number, spend: number, value: number, t: { cpa?: number; roi?: number }, beta: number): number {
  let penalty = 1;
  if (t.cpa !== undefined) penalty *= cpaPenalty(realisedCpa(spend, conversions), t.cpa, beta);
  if (t.roi !== undefined) penalty *= roiPenalty(realisedRoi(value, spend), t.roi, beta);
  return conversions * penalty;
}

/**
 * The summary figures of a bidder with targets, over the evaluation episodes:
 * cost (spend per episode), cpa (total spend / total conversions;
 * Number.MAX_VALUE when it spent without a conversion, 0 without spend),
 * cpaRatio (with cpa:), roi (value / spend, Number.MAX_VALUE without spend;
 * with roi:), score (per episode); budgetSpent is reported for every bidder with a budget.
 */
export function targetFigures(conv: number, spend: number, value: number, score: number, nEval: number, t: { cpa?: number; roi?: number }): Record<string, number> {
  const finite = (x: number) => (Number.isFinite(x) ? x : Number.MAX_VALUE);
  const cpa = finite(realisedCpa(spend, conv));
  const f: Record<string, number> = { cost: spend / nEval, cpa, score: score / nEval };
  if (t.cpa !== undefined) f.cpaRatio = cpa / t.cpa;
  if (t.roi !== undefined) f.roi = finite(realisedRoi(value, spend));
  return f;
}
