/**
 * A single bidder's view of the market, Gymnasium-style: the rivals bid with
 * fixed policies, and each step is one auction the learner takes part in
 * (auctions it is not eligible for run in between without it).
 *
 * Env id `bidgym/Bidding-v0`.
 */
import type { AuctionOutcome, Env, Policy, StepResult } from './core.js';
import type { CtrPredictor } from './interest.js';
import { bidBox, observationBox } from './market-env.js';
import { Market, type MarketSpec } from './market.js';
import { rng as rootRng } from './rng.js';
import type { Box } from './spaces.js';

/** Info of a bidding step: the outcome of the auction just cleared. */
export interface BiddingInfo extends Partial<AuctionOutcome> {
  /** Budget left, currency units (Infinity without one). */
  budgetLeft: number;
  /** Auctions run since the last step (the learner's and the ones it sat out). */
  auctionsRun: number;
}

/** Options of {@link BiddingEnv}. */
export interface BiddingEnvOptions {
  /** Id of the learning bidder (one of spec.bidders). */
  learner: string;
  /** Fixed policies of the other bidders, by id. */
  rivals: Record<string, Policy>;
  seed?: number;
  predictor?: (market: Market) => CtrPredictor;
  maxBid?: number;
}

/** One learner against fixed rivals (Gymnasium Env). Observations are fresh arrays. */
export class BiddingEnv implements Env<Float64Array, Float64Array, BiddingInfo> {
  readonly id = 'bidgym/Bidding-v0';
  readonly observationSpace: Box = observationBox();
  readonly actionSpace: Box;
  private market!: Market;
  private readonly learnerIndex: number;
  private seed: number;
  private closed = false;

  constructor(
    readonly spec: MarketSpec,
    private readonly options: BiddingEnvOptions,
  ) {
    this.learnerIndex = spec.bidders.findIndex((b) => b.id === options.learner);
    if (this.learnerIndex < 0) throw new Error(`learner: no bidder "${options.learner}" in the market (have ${spec.bidders.map((b) => b.id).join(', ')})`);
    for (const b of spec.bidders) {
      if (b.id !== options.learner && !options.rivals[b.id]) throw new Error(`rivals: no policy for bidder "${b.id}"`);
    }
    this.seed = options.seed ?? 0;
    this.actionSpace = bidBox(options.maxBid ?? 1000);
  }

  /** The fast core underneath. */
  get core(): Market {
    return this.market;
  }

  /** Runs auctions without the learner until it is eligible; false when the episode ends first. */
  private advance(): { ready: boolean; auctions: number } {
    const m = this.market;
    let auctions = 0;
    while (!m.done) {
      const n = m.prepare();
      let mine = false;
      for (let k = 0; k < n; k++) {
        const b = m.eligible[k]!;
        if (b === this.learnerIndex) mine = true;
        else m.bids[b] = this.options.rivals[m.ids[b]!]!.bid(m.observations[b]!);
      }
      if (mine) return { ready: true, auctions };
      m.clear();
      auctions++;
    }
    return { ready: false, auctions };
  }

  reset(options?: { seed?: number }): { observation: Float64Array; info: BiddingInfo } {
    if (this.closed) throw new Error('reset() after close()');
    if (options?.seed !== undefined || !this.market) {
      this.seed = options?.seed ?? this.seed;
      this.market = new Market(this.spec, rootRng(this.seed).stream('market'));
      if (this.options.predictor) this.market.setPredictor(this.options.predictor(this.market));
    }
    this.market.resetEpisode();
    const { auctions } = this.advance();
    return {
      observation: Float64Array.from(this.market.observations[this.learnerIndex]!),
      info: { budgetLeft: this.market.budgetLeft(this.learnerIndex), auctionsRun: auctions },
    };
  }

  step(action: Float64Array | number[] | number): StepResult<Float64Array, BiddingInfo> {
    if (this.closed) throw new Error('step() after close()');
    const m = this.market;
    const b = this.learnerIndex;
    if (m.done || !m.active[b]) throw new Error('step() after the episode ended: call reset()');
    const bid = typeof action === 'number' ? action : action[0]!;
    if (!this.actionSpace.contains([bid])) throw new Error(`step(): bid must be in [0, ${this.actionSpace.high[0]}], got ${bid}`);
    m.bids[b] = bid;
    m.clear();
    const reward = m.reward[b]!;
    const outcome = m.outcome(b);
    const terminated = m.terminated[b] === 1;
    let auctions = 1;
    let ready = false;
    if (!terminated) {
      const adv = this.advance();
      auctions += adv.auctions;
      ready = adv.ready;
    }
    return {
      observation: Float64Array.from(m.observations[b]!),
      reward,
      terminated,
      truncated: !terminated && !ready,
      info: { ...outcome, budgetLeft: m.budgetLeft(b), auctionsRun: auctions },
    };
  }

  /** Releases the market (the predictor the `predictor` option made with it, too); reset()/step() afterwards throw. */
  close(): void {
    this.closed = true;
    this.market = undefined as unknown as Market;
  }
}
