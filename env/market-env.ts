/**
 * The market as a PettingZoo-style ParallelEnv: every bidder still in the market
 * gets an observation each step and all bid at once. Bidders that are not
 * eligible for the current auction (see `participantsPerAuction`) get
 * `info.eligible = false`, a zero value in their observation, and their action
 * is ignored.
 *
 * Env id `bidgym/Market-v0`.
 */
import type { AuctionOutcome, ParallelEnv, ParallelStepResult } from './core.js';
import type { CtrPredictor } from './interest.js';
import { Market, type MarketSpec } from './market.js';
import { OBS, OBS_FEATURES } from './observation.js';
import { rng as rootRng } from './rng.js';
import { Box, box } from './spaces.js';

/** What each bidder learns besides its reward. */
export interface MarketInfo extends Partial<AuctionOutcome> {
  /** Whether the bidder took part in the auction this observation is for. */
  eligible: boolean;
  /** Budget left, currency units (Infinity without a budget). */
  budgetLeft: number;
}

/** Observation space of every bidder: the named OBS features. */
export function observationBox(): Box {
  return box({ low: OBS_FEATURES.map((f) => f.low), high: OBS_FEATURES.map((f) => f.high), names: OBS_FEATURES.map((f) => f.name) });
}

/** Action space of a bidder: a bid in currency units. */
export function bidBox(maxBid: number): Box {
  return box({ low: [0], high: [maxBid], names: ['bid'] });
}

/** Options of {@link MarketEnv}. */
export interface MarketEnvOptions {
  /** Seed used by the first reset() without one. */
  seed?: number;
  /** Click model bidders see (default: the true CTR). */
  predictor?: (market: Market) => CtrPredictor;
  /** Largest bid in the action space, currency units (default 1000). */
  maxBid?: number;
}

/** All bidders bid at once in each auction (PettingZoo ParallelEnv). */
export class MarketEnv implements ParallelEnv<string, Float64Array, Float64Array, MarketInfo> {
  readonly id = 'bidgym/Market-v0';
  readonly possibleAgents: readonly string[];
  private market!: Market;
  private seed: number;
  private closed = false;
  private readonly obsSpace = observationBox();
  private readonly actSpace: Box;

  constructor(
    readonly spec: MarketSpec,
    private readonly options: MarketEnvOptions = {},
  ) {
    this.possibleAgents = spec.bidders.map((b) => b.id);
    this.seed = options.seed ?? 0;
    this.actSpace = bidBox(options.maxBid ?? 1000);
  }

  /** The fast core underneath (for inspection: ledger, population). */
  get core(): Market {
    return this.market;
  }

  get agents(): readonly string[] {
    if (!this.market) return this.possibleAgents;
    return this.possibleAgents.filter((_, b) => this.market.active[b] === 1);
  }

  observationSpace(_agent: string): Box {
    return this.obsSpace;
  }

  actionSpace(_agent: string): Box {
    return this.actSpace;
  }

  /** `reset({ seed })` rebuilds the market from that seed; `reset()` starts the next episode of the same market. */
  reset(options?: { seed?: number }): { observations: Record<string, Float64Array>; infos: Record<string, MarketInfo> } {
    if (this.closed) throw new Error('reset() after close()');
    if (options?.seed !== undefined || !this.market) {
      this.seed = options?.seed ?? this.seed;
      this.market = new Market(this.spec, rootRng(this.seed).stream('market'));
      if (this.options.predictor) this.market.setPredictor(this.options.predictor(this.market));
    }
    this.market.resetEpisode();
    this.market.prepare();
    return this.observe();
  }

  private observe(): { observations: Record<string, Float64Array>; infos: Record<string, MarketInfo> } {
    const m = this.market;
    const observations: Record<string, Float64Array> = {};
    const infos: Record<string, MarketInfo> = {};
    const eligible = new Set(Array.from(m.eligible.subarray(0, m.nEligible)));
    m.ids.forEach((id, b) => {
      if (!m.active[b]) return;
      const o = Float64Array.from(m.observations[b]!);
      const isEligible = eligible.has(b);
      if (!isEligible) {
        o[OBS.value] = 0;
        o[OBS.timeLeft] = (m.spec.auctionsPerEpisode - m.t) / m.spec.auctionsPerEpisode;
        o[OBS.budgetLeft] = m.budgetMicros[b] === Infinity ? 1 : m.budgetLeftMicros[b]! / m.budgetMicros[b]!;
      }
      observations[id] = o;
      infos[id] = { eligible: isEligible, budgetLeft: m.budgetLeft(b) };
    });
    return { observations, infos };
  }

  /** Clears the current auction with `actions` (one-element bid vectors) and prepares the next. */
  step(actions: Readonly<Record<string, Float64Array | number[] | number>>): ParallelStepResult<string, Float64Array, MarketInfo> {
    if (this.closed) throw new Error('step() after close()');
    const m = this.market;
    if (m.done) throw new Error('step() after the episode ended: call reset()');
    const wasActive = m.ids.filter((_, b) => m.active[b]);
    for (let k = 0; k < m.nEligible; k++) {
      const b = m.eligible[k]!;
      const a = actions[m.ids[b]!];
      if (a === undefined) throw new Error(`step(): no action for eligible bidder "${m.ids[b]}"`);
      const bid = typeof a === 'number' ? a : a[0]!;
      if (!this.actSpace.contains([bid])) throw new Error(`step(): bid of "${m.ids[b]}" must be in [0, ${this.actSpace.high[0]}], got ${bid}`);
      m.bids[b] = bid;
    }
    const eligible = new Set(Array.from(m.eligible.subarray(0, m.nEligible)));
    m.clear();
    const rewards: Record<string, number> = {};
    const terminations: Record<string, boolean> = {};
    const truncations: Record<string, boolean> = {};
    const outcomes: Record<string, AuctionOutcome | null> = {};
    for (const id of wasActive) {
      const b = m.ids.indexOf(id);
      const took = eligible.has(b);
      rewards[id] = took ? m.reward[b]! : 0;
      terminations[id] = m.terminated[b] === 1;
      outcomes[id] = took ? m.outcome(b) : null;
    }
    const horizon = m.t >= m.spec.auctionsPerEpisode;
    for (const id of wasActive) truncations[id] = horizon && !terminations[id];
    let next: { observations: Record<string, Float64Array>; infos: Record<string, MarketInfo> };
    if (!m.done) {
      m.prepare();
      next = this.observe();
    } else {
      next = { observations: {}, infos: {} };
    }
    // Agents that left (budget spent or horizon) still get a last observation and info.
    for (const id of wasActive) {
      const b = m.ids.indexOf(id);
      if (!next.observations[id]) {
        const o = Float64Array.from(m.observations[b]!);
        o[OBS.value] = 0;
        o[OBS.timeLeft] = (m.spec.auctionsPerEpisode - m.t) / m.spec.auctionsPerEpisode;
        o[OBS.budgetLeft] = m.budgetMicros[b] === Infinity ? 1 : m.budgetLeftMicros[b]! / m.budgetMicros[b]!;
        next.observations[id] = o;
        next.infos[id] = { eligible: false, budgetLeft: m.budgetLeft(b) };
      }
      const outcome = outcomes[id];
      if (outcome) Object.assign(next.infos[id]!, outcome);
    }
    return { observations: next.observations, rewards, terminations, truncations, infos: next.infos };
  }

  /** Releases the market (the predictor the `predictor` option made with it, too); reset()/step() afterwards throw. */
  close(): void {
    this.closed = true;
    this.market = undefined as unknown as Market;
  }
}
