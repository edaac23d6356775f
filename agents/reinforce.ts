/**
 * REINFORCE with a learned baseline (Williams, 1992; Sutton & Barto, 2nd ed.,
 * §13.4), categorical policy over bid multipliers.
 *
 * Policy π_θ(a | x) = softmax(f_θ(x)), f an MLP with one logit per multiplier;
 * baseline b_φ(x) an MLP with one output. Over a batch of steps t with returns
 * G_t, the policy takes an Adam step on
 *
 *   L(θ) = −Σ_t (G_t − b_φ(x_t)) · log π_θ(a_t | x_t) − β · H(π_θ(· | x_t))
 *
 * (its gradient with respect to the logits: learner/policy-gradient.ts), and the
 * baseline takes one on Σ_t (b_φ(x_t) − G_t)².
 *
 * Returns: with γ = 0 (the "auto" default when auctions are independent: no
 * budget, or a paced one; learner/rules.ts) G_t = r_t and the agent updates every `batchSize` auctions; with
 * γ > 0 the returns G_t = Σ_k γ^k r_{t+k} are computed backwards at the end of
 * each episode (Monte Carlo; the horizon is a true end there), then used in one
 * update. Greedy (evaluation) action: the mode of π.
 */
import { z } from 'zod';
import type { Rng } from '../env/rng.js';
import type { Agent, AgentContext, Observation, Policy, Transition } from './core.js';
import { valueOf } from './features.js';
import { NetworkPolicy } from './frozen.js';
import { discountField, learnerFields, type LearnerArgsOf } from './learner/args.js';
import { actorNetwork, allActionGradient, categoricalAction, entropyField, policyGradient, resolveEntropy, softmax } from './learner/policy-gradient.js';
import { resolveDiscount } from './learner/rules.js';
import { BidShaper } from './learner/shaper.js';
import { Mlp } from './nn.js';

/** `reinforce`: REINFORCE with a learned baseline, categorical policy over multipliers (config `bidders[i].agent`). */
export const reinforceSchema = z
  .object({
    kind: z.literal('reinforce'),
    ...learnerFields,
    hidden: z.array(z.number().int().min(1).max(1024)).min(1).max(4).default([32]).describe('hidden layer widths of the policy and baseline networks'),
    learningRate: z.number().gt(0).max(1).default(5e-3).describe('Adam step size of the policy'),
    baselineLearningRate: z.number().gt(0).max(1).default(1e-2).describe('Adam step size of the baseline'),
    discount: discountField('discount γ of the returns; auto = 1 when the budget is learnt from the state, else 0'),
    batchSize: z.number().int().min(1).default(64).describe('auctions per policy-gradient step (without discounting); with γ > 0 one step per episode'),
    entropy: entropyField,
  })
  .strict();

/** Arguments of {@link ReinforceAgent}: its config fields, defaults filled. */
export type ReinforceArgs = LearnerArgsOf<z.output<typeof reinforceSchema>>;

/** REINFORCE bidder. @example new ReinforceAgent({ ...defaults }, ctx) */
export class ReinforceAgent implements Agent {
  readonly kind = 'reinforce';
  training = true;
  readonly shaper: BidShaper;
  readonly actor: Mlp;
  readonly baseline: Mlp;
  readonly discount: number;
  /** Weight β of the entropy bonus (`entropy`, "auto" resolved). */
  readonly entropy: number;
  private readonly probs: Float64Array;
  private readonly d: Float64Array;
  private readonly d1 = new Float64Array(1);
  // The steps of the current batch (γ = 0) or episode (γ > 0).
  private xs: Float64Array;
  private readonly as: number[] = [];
  private readonly rs: number[] = [];
  /** Per stored step: every action's counterfactual reward (learner/shaper.ts), or null when unknown. */
  private readonly rAlls: (Float64Array | null)[] = [];

  constructor(readonly args: ReinforceArgs, ctx: AgentContext) {
    this.shaper = new BidShaper(args, ctx);
    const k = this.shaper.encoder.size;
    const nA = this.shaper.actions;
    this.actor = actorNetwork([k, ...args.hidden, nA], args.learningRate, ctx.rng.stream('actor'));
    this.baseline = new Mlp({ sizes: [k, ...args.hidden, 1], learningRate: args.baselineLearningRate }, ctx.rng.stream('baseline'));
    this.discount = resolveDiscount(args.discount, this.shaper.budgetInState);
    this.entropy = resolveEntropy(args.entropy, this.shaper.counterfactualOn);
    this.probs = new Float64Array(nA);
    this.d = new Float64Array(nA);
    this.xs = new Float64Array(k * 1024);
  }

  act(o: Observation, rng: Rng): number {
    // Warming up (learner/shaper.ts): a random action until the learner has measured its value scale.
    const w = this.shaper.warmupAction(rng, this.training);
    if (w !== null) return this.shaper.bid(o, w, true);
    const a = categoricalAction(this.actor.forward(this.shaper.encode(o)), this.probs, this.training ? rng : null);
    return this.shaper.bid(o, a, this.training);
  }

  learn(t: Transition): void {
    if (this.shaper.skipWarmup(t)) return;
    if (!this.training || !(valueOf(t.observation) > 0)) return;
    const k = this.shaper.encoder.size;
    const n = this.as.length;
    if ((n + 1) * k > this.xs.length) {
      const grown = new Float64Array(this.xs.length * 2);
      grown.set(this.xs);
      this.xs = grown;
    }
    this.xs.set(this.shaper.encode(t.observation), n * k);
    this.as.push(this.shaper.actionOf(t.observation, t.action));
    this.rs.push(this.shaper.reward(t));
    const all = new Float64Array(this.shaper.actions);
    this.rAlls.push(this.shaper.counterfactualOn && this.shaper.counterfactual(t, all) ? all : null);
    if (this.discount === 0 && this.as.length >= this.args.batchSize) this.update();
  }

  /** One policy-gradient step on the stored steps (returns computed backwards), then clears them. */
  private update(): void {
    const n = this.as.length;
    if (n === 0) return;
    const k = this.shaper.encoder.size;
    const returns = new Float64Array(n);
    let g = 0;
    for (let t = n - 1; t >= 0; t--) {
      g = this.rs[t]! + this.discount * g;
      returns[t] = g;
    }
    const x = new Float64Array(k);
    for (let t = 0; t < n; t++) {
      for (let d = 0; d < k; d++) x[d] = this.xs[t * k + d]!;
      const b = this.baseline.forward(x)[0]!;
      this.d1[0] = b - returns[t]!;
      this.baseline.backward(this.d1);
      softmax(this.actor.forward(x), this.probs);
      // Full information: the all-action gradient (the rest of the return is the same for every action and cancels).
      const all = this.rAlls[t];
      if (all) allActionGradient(this.probs, all, this.entropy, this.d);
      else policyGradient(this.probs, this.as[t]!, returns[t]! - b, this.entropy, this.d);
      this.actor.backward(this.d);
    }
    this.baseline.step();
    this.actor.step();
    this.as.length = 0;
    this.rs.length = 0;
    this.rAlls.length = 0;
  }

  endEpisode(): void {
    if (this.training) this.update();
    this.shaper.endEpisode(this.training);
  }

  policy(): Policy {
    return new NetworkPolicy(this.kind, this.shaper.encoderSpec, this.shaper.multipliers, this.actor.weights(), this.shaper.pacerParams(), this.shaper.levelBids);
  }
}
