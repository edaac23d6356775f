/**
 * `bidgym/AutoBidding-v0`: the step-level auto-bidding problem as a
 * Gymnasium-style single-agent env. One advertiser (the agent) sets a bid
 * factor per decision step; the others bid with their own auto-bidders.
 *
 * - observation: the 13 state features (STATE_FEATURES in state.ts), a Box;
 * - action: `[α / cpa]`, the factor relative to the agent's target CPA (the
 *   binding one, min(cpa, conversionValue / roi), with an ROI target), a Box
 *   `[0, maxFactor]`; the market bids α × pValue on each of the step's opportunities;
 * - reward: the score-shaped reward, the step's change of AuctionNet's score
 *   (score.ts; with an ROI target, × its penalty): the rewards of an episode add up to its score;
 * - terminated: the agent's episode ended (last step played, or its budget
 *   spent): time left is part of the state, so the end is a true terminal;
 *   truncated is always false;
 * - info: the step's cost, conversions, expected conversions, the episode's
 *   totals and the realised CPA.
 *
 * `reset({ seed })` starts episode 0 of that seed; `reset()` the next episode.
 */
import type { Env, StepResult } from '../core.js';
import { rng as rootRng } from '../rng.js';
import { Box, box } from '../spaces.js';
import type { AutoBidder, StepObservation } from './core.js';
import { contextOf, StepEpisode, targetsOf, type StepMarketSpec, type ValueSource } from './market.js';
import { targetScore, targetScoreDelta } from './score.js';
import { FEATURE_CAP, STATE_FEATURES, STATE_SIZE, type AutoBidContext } from './state.js';

/** What the env reports besides the reward. */
export interface AutoBiddingInfo {
  /** Cost and conversions of the step just played (0 after reset). */
  cost: number;
  conversions: number;
  expectedConversions: number;
  /** Episode totals so far. */
  totalCost: number;
  totalConversions: number;
  /** Realised CPA so far (0 without cost, Infinity with cost and no conversion). */
  cpa: number;
  /** Budget left, currency units. */
  remainingBudget: number;
  /** AuctionNet's score of the episode so far. */
  score: number;
}

/** The agent's slot in the market: its factor is whatever the env was last given. */
class Controlled implements AutoBidder {
  readonly kind = 'env';
  alpha = 0;
  reset(_ctx: AutoBidContext): void {}
  factor(): number {
    return this.alpha;
  }
  observe(): void {}
  params(): Record<string, unknown> {
    return {};
  }
}

export class AutoBiddingEnv implements Env<Float64Array, Float64Array, AutoBiddingInfo> {
  readonly id = 'bidgym/AutoBidding-v0';
  readonly observationSpace: Box;
  readonly actionSpace: Box;
  private readonly agentIndex: number;
  private readonly controlled = new Controlled();
  private episode: StepEpisode | null = null;
  private seed: number;
  private count = 0;

  /**
   * @param others bidders of the other advertisers, by advertiser index (the agent's entry is ignored)
   * @param agent id of the agent's advertiser
   */
  constructor(
    readonly spec: StepMarketSpec,
    private readonly source: ValueSource,
    private readonly others: readonly AutoBidder[],
    agent: string,
    options: { seed?: number; maxFactor?: number } = {},
  ) {
    this.agentIndex = spec.advertisers.findIndex((a) => a.id === agent);
    if (this.agentIndex < 0) throw new RangeError(`AutoBiddingEnv: no advertiser "${agent}"`);
    if (others.length !== spec.advertisers.length) throw new RangeError(`AutoBiddingEnv: ${others.length} bidders for ${spec.advertisers.length} advertisers`);
    this.seed = options.seed ?? 0;
    this.observationSpace = box({ low: new Array(STATE_SIZE).fill(0), high: new Array(STATE_SIZE).fill(FEATURE_CAP), names: [...STATE_FEATURES] });
    this.actionSpace = box({ low: [0], high: [options.maxFactor ?? 10], names: ['factor'] });
  }

  private info(cost: number, conversions: number, expected: number): AutoBiddingInfo {
    const tr = this.episode!.tracker(this.agentIndex);
    const T = tr.totals;
    const s = targetScore({ conversions: T.conversions, cost: T.cost, beta: this.spec.beta }, targetsOf(this.spec.advertisers[this.agentIndex]!));
    return { cost, conversions, expectedConversions: expected, totalCost: T.cost, totalConversions: T.conversions, cpa: s.cpa, remainingBudget: tr.remaining, score: s.score };
  }

  /** The agent's observation of the current step, or its final state when its episode is over. */
  private observe(): Float64Array {
    const ep = this.episode!;
    const o: StepObservation | null = ep.done ? null : ep.observation(this.agentIndex);
    return o ? Float64Array.from(o.state) : ep.tracker(this.agentIndex).state([], 0);
  }

  reset(options: { seed?: number } = {}): { observation: Float64Array; info: AutoBiddingInfo } {
    if (options.seed !== undefined) {
      this.seed = options.seed;
      this.count = 0;
    }
    const bidders = this.others.map((b, i) => (i === this.agentIndex ? this.controlled : b));
    this.episode = new StepEpisode(this.spec, this.source, bidders, rootRng(this.seed).stream(`episode:${this.count++}`));
    this.episode.prepare();
    return { observation: this.observe(), info: this.info(0, 0, 0) };
  }

  step(action: Float64Array): StepResult<Float64Array, AutoBiddingInfo> {
    const ep = this.episode;
    if (!ep) throw new RangeError('AutoBiddingEnv.step: call reset() first');
    const i = this.agentIndex;
    if (!ep.isAlive(i)) throw new RangeError('AutoBiddingEnv.step: the episode is over; call reset()');
    const a = action[0]!;
    const adv = this.spec.advertisers[i]!;
    const target = contextOf(adv, this.spec.steps).cpa;
    this.controlled.alpha = Number.isFinite(a) && a > 0 ? a * target : 0;
    const T = ep.tracker(i).totals;
    const before = { conversions: T.conversions, cost: T.cost, e: T.expectedConversions };
    ep.play();
    // Other advertisers play on while the agent waits only if it is out: its episode is then over.
    const ended = !ep.isAlive(i);
    if (!ended) ep.prepare();
    const reward = targetScoreDelta(before, T, targetsOf(adv), this.spec.beta);
    return { observation: this.observe(), reward, terminated: ended, truncated: false, info: this.info(T.cost - before.cost, T.conversions - before.conversions, T.expectedConversions - before.e) };
  }
}
