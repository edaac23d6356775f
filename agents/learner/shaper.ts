/**
 * What every learning bidder shares: its action set (bid multipliers on the
 * value), the features it reads, the budget pacer (budget-pacer.ts) and the
 * reward it learns from. Each algorithm file holds one {@link BidShaper} and
 * only its own learning rule.
 */
import { OBS, OBS_SIZE } from '../../env/observation.js';
import type { AgentContext, Observation, Transition } from '../core.js';
import { checkMultipliers, defaultFeatures, encoderSpec, FeatureEncoder, valueOf, type EncoderSpec } from '../features.js';
import type { LearnerArgs } from './args.js';
import { BudgetPacer, type PacerParams } from './budget-pacer.js';
import { isTimeAware } from './rules.js';

/** Auctions over which the reward scale (the mean value acted on) is averaged. */
const REWARD_WINDOW = 10_000;

/** Turns multipliers into bids and transitions into learning signals. */
export class BidShaper {
  readonly multipliers: number[];
  readonly encoderSpec: EncoderSpec;
  readonly encoder: FeatureEncoder;
  /** Null without a budget, or when the budget is learnt from the state. */
  readonly pacer: BudgetPacer | null;
  /** The bidder has a budget it learns to spend from its state (not paced): "auto" discounting then means γ = 1 (rules.ts). */
  readonly budgetInState: boolean;
  /** The state includes the time left (rules.ts: no bootstrapping at the horizon). */
  readonly timeAware: boolean;
  /** Encoded features of the last {@link encode} call. */
  readonly x: Float64Array;
  /** Running mean of the value the learner acts on (v, or v / λ with a budget): the reward scale. */
  private valueMean: number;
  private seen = 0;
  private lastBid = NaN;
  private readonly paced = new Float64Array(OBS_SIZE);
  private lastAction = 0;
  private lastValue = NaN;
  private lastTime = NaN;

  constructor(args: LearnerArgs, ctx: AgentContext) {
    this.multipliers = checkMultipliers(args.multipliers);
    const pacing = args.pacing && ctx.budget !== null;
    this.encoderSpec = encoderSpec(args.features ?? defaultFeatures(ctx, args.pacing), ctx.valueScale);
    this.encoder = new FeatureEncoder(this.encoderSpec);
    this.pacer = pacing ? new BudgetPacer({ logLambda0: 0, gain: args.pacingGain }) : null;
    this.budgetInState = ctx.budget !== null && !this.pacer;
    this.timeAware = isTimeAware(this.encoderSpec);
    this.x = new Float64Array(this.encoder.size);
    this.valueMean = ctx.valueScale;
  }

  /** Number of actions. */
  get actions(): number {
    return this.multipliers.length;
  }

  /** The observation the learner acts on: `o` itself, or with a budget the paced copy whose value is v / λ(o) (budget-pacer.ts). */
  view(o: Observation): Observation {
    return this.pacer ? this.pacer.pace(o, this.paced) : o;
  }

  /** Encodes the learner's view of `o` into {@link x} and returns it. */
  encode(o: Observation): Float64Array {
    this.encoder.encode(this.view(o), this.x);
    return this.x;
  }

  /**
   * The bid of action `a` on `o`: multiplier × value / λ(o). Remembers the pair
   * so that {@link actionOf} recovers `a` exactly from the transition.
   */
  bid(o: Observation, a: number, training: boolean): number {
    const b = this.multipliers[a]! * valueOf(this.view(o));
    if (training) {
      if (this.pacer) this.pacer.record(o);
      this.trackValue(valueOf(this.view(o)));
    }
    this.lastBid = b;
    this.lastAction = a;
    this.lastValue = o[OBS.value]!;
    this.lastTime = o[OBS.timeLeft]!;
    return b;
  }

  /** Action index of a bid made on `o`: the last one chosen, or else the nearest multiplier. */
  actionOf(o: Observation, bid: number): number {
    if (bid === this.lastBid && o[OBS.value] === this.lastValue && o[OBS.timeLeft] === this.lastTime) return this.lastAction;
    const v = valueOf(this.view(o));
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

  /**
   * Running mean of the values acted on (an exponential moving average over
   * about the last `REWARD_WINDOW` auctions, a plain mean before that).
   */
  private trackValue(v: number): void {
    this.seen++;
    this.valueMean += (v - this.valueMean) / Math.min(this.seen, REWARD_WINDOW);
  }

  /**
   * The reward to learn from, in units of the mean value acted on (reward
   * scaling keeps network and bandit updates the same size whatever the
   * currency or the click rates): the env's reward, or with a budget the
   * Lagrangian reward divided by λ, (r − (λ − 1) × cost) / λ = value won / λ − cost
   * (budget-pacer.ts).
   */
  reward(t: Transition): number {
    const scale = this.valueMean > 0 ? 1 / this.valueMean : 1;
    if (!this.pacer) return t.reward * scale;
    const lambda = this.pacer.lambda(t.observation);
    return ((t.reward - (lambda - 1) * t.info.cost) / lambda) * scale;
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
