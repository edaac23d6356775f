/**
 * What every learning bidder shares: its action set (bid multipliers on the
 * value), the features it reads, the budget pacer (budget.ts) and the reward it
 * learns from. Each algorithm file holds one {@link BidShaper} and only its own
 * learning rule.
 */
import type { ObsFeature } from '../env/observation.js';
import { BudgetPacer, type PacerParams } from './budget.js';
import type { AgentContext, Observation, Transition } from './core.js';
import { checkMultipliers, defaultFeatures, encoderSpec, FeatureEncoder, valueOf, type EncoderSpec } from './features.js';

/** Arguments every learner takes (defaults in experiments/agent-schema.ts). */
export interface ShaperArgs {
  /** Bid multipliers on the value (the actions), increasing, ≥ 0. */
  multipliers: number[];
  /** Observation features the learner reads; null = the default for its budget (see `defaultFeatures`). */
  features: ObsFeature[] | null;
  /** With a budget: pace it with λ(o) (budget.ts) — true — or learn to spend it from budgetLeft/timeLeft in the state — false. */
  pacing: boolean;
  /** Gain κ of the pacing rule. */
  pacingGain: number;
}

/** Turns multipliers into bids and transitions into learning signals. */
export class BidShaper {
  readonly multipliers: number[];
  readonly encoderSpec: EncoderSpec;
  readonly encoder: FeatureEncoder;
  /** Null without a budget, or when the budget is learnt from the state. */
  readonly pacer: BudgetPacer | null;
  /** Encoded features of the last {@link encode} call. */
  readonly x: Float64Array;
  private lastBid = NaN;
  private lastAction = 0;

  constructor(args: ShaperArgs, ctx: AgentContext) {
    this.multipliers = checkMultipliers(args.multipliers);
    const pacing = args.pacing && ctx.budget !== null;
    this.encoderSpec = encoderSpec(args.features ?? defaultFeatures(ctx, args.pacing), ctx.valueScale);
    this.encoder = new FeatureEncoder(this.encoderSpec);
    this.pacer = pacing ? new BudgetPacer({ logLambda0: 0, gain: args.pacingGain }) : null;
    this.x = new Float64Array(this.encoder.size);
  }

  /** Number of actions. */
  get actions(): number {
    return this.multipliers.length;
  }

  /** Encodes `o` into {@link x} and returns it. */
  encode(o: Observation): Float64Array {
    this.encoder.encode(o, this.x);
    return this.x;
  }

  /**
   * The bid of action `a` on `o`: multiplier × value / λ(o). Remembers the pair
   * so that {@link actionOf} recovers `a` exactly from the transition.
   */
  bid(o: Observation, a: number, training: boolean): number {
    let b = this.multipliers[a]! * valueOf(o);
    if (this.pacer) {
      b /= this.pacer.lambda(o);
      if (training) this.pacer.record(o);
    }
    this.lastBid = b;
    this.lastAction = a;
    return b;
  }

  /** Action index of a bid made on `o`: the last one chosen, or else the nearest multiplier. */
  actionOf(o: Observation, bid: number): number {
    if (bid === this.lastBid) return this.lastAction;
    const v = valueOf(o) / (this.pacer ? this.pacer.lambda(o) : 1);
    let best = 0;
    let gap = Infinity;
    for (let a = 0; a < this.multipliers.length; a++) {
      const g = Math.abs(this.multipliers[a]! * v - bid);
      if (g < gap) {
        gap = g;
        best = a;
      }
    }
    return best;
  }

  /** The reward to learn from: the env's reward minus (λ − 1) × cost (the Lagrangian of the budget). */
  reward(t: Transition): number {
    return this.pacer ? t.reward - (this.pacer.lambda(t.observation) - 1) * t.info.cost : t.reward;
  }

  /** End of an episode: a training episode moves the pacer's λ₀. */
  endEpisode(training: boolean): void {
    if (this.pacer && training) this.pacer.endEpisode();
  }

  /** The pacer's parameters for the frozen policy (null without one). */
  pacerParams(): PacerParams | null {
    return this.pacer ? this.pacer.params() : null;
  }
}
