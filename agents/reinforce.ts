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
 * (the gradient of log-softmax with respect to the logits is onehot(a) − π; of
 * the entropy H = −Σ π log π it is −π_j (log π_j + H)), and the baseline takes
 * one on Σ_t (b_φ(x_t) − G_t)².
 *
 * Returns: with γ = 0 (the default when auctions are independent: no budget, or a
 * paced one) G_t = r_t and the agent updates every `batchSize` auctions; with
 * γ > 0 the returns G_t = Σ_k γ^k r_{t+k} are computed backwards at the end of
 * each episode (Monte Carlo; the horizon is a true end there), then used in one
 * update. Greedy (evaluation) action: the mode of π.
 */
import type { Rng } from '../env/rng.js';
import type { Agent, AgentContext, Observation, Policy, Transition } from './core.js';
import { argmax, valueOf } from './features.js';
import { NetworkPolicy } from './frozen.js';
import { BidShaper, type ShaperArgs } from './learner.js';
import { Mlp } from './nn.js';

/** Arguments of {@link ReinforceAgent} (defaults in experiments/agent-schema.ts). */
export interface ReinforceArgs extends ShaperArgs {
  /** Hidden layer widths of both networks. */
  hidden: number[];
  /** Adam step size of the policy. */
  learningRate: number;
  /** Adam step size of the baseline. */
  baselineLearningRate: number;
  /** Discount γ of the returns, or "auto" (1 when the budget is learnt from the state, else 0). */
  discount: number | 'auto';
  /** Steps per update when γ = 0. */
  batchSize: number;
  /** Weight β of the entropy bonus. */
  entropy: number;
}

/**
 * Samples an action from softmax(logits) with one uniform draw; writes the
 * probabilities into `probs`.
 */
export function sampleSoftmax(logits: Float64Array, probs: Float64Array, u: number): number {
  softmax(logits, probs);
  let c = 0;
  for (let a = 0; a < probs.length; a++) {
    c += probs[a]!;
    if (u < c) return a;
  }
  return probs.length - 1;
}

/** Numerically stable softmax of `z` into `p`. */
export function softmax(z: ArrayLike<number>, p: Float64Array): void {
  let m = -Infinity;
  for (let a = 0; a < p.length; a++) if (z[a]! > m) m = z[a]!;
  let s = 0;
  for (let a = 0; a < p.length; a++) {
    p[a] = Math.exp(z[a]! - m);
    s += p[a]!;
  }
  for (let a = 0; a < p.length; a++) p[a]! /= s;
}

/**
 * Gradient of −adv · log π(a) − β · H(π) with respect to the logits, into `d`
 * (`p` = π, already computed).
 */
export function policyGradient(p: Float64Array, a: number, adv: number, beta: number, d: Float64Array): void {
  let h = 0;
  for (let j = 0; j < p.length; j++) if (p[j]! > 0) h -= p[j]! * Math.log(p[j]!);
  for (let j = 0; j < p.length; j++) {
    const logp = p[j]! > 0 ? Math.log(p[j]!) : 0;
    d[j] = -adv * ((j === a ? 1 : 0) - p[j]!) + beta * p[j]! * (logp + h);
  }
}

/** REINFORCE bidder. @example new ReinforceAgent({ ...defaults }, ctx) */
export class ReinforceAgent implements Agent {
  readonly kind = 'reinforce';
  training = true;
  readonly shaper: BidShaper;
  readonly actor: Mlp;
  readonly baseline: Mlp;
  readonly discount: number;
  private readonly probs: Float64Array;
  private readonly d: Float64Array;
  private readonly d1 = new Float64Array(1);
  // The steps of the current batch (γ = 0) or episode (γ > 0).
  private xs: Float64Array;
  private readonly as: number[] = [];
  private readonly rs: number[] = [];

  constructor(readonly args: ReinforceArgs, ctx: AgentContext) {
    this.shaper = new BidShaper(args, ctx);
    const k = this.shaper.encoder.size;
    const nA = this.shaper.actions;
    this.actor = new Mlp({ sizes: [k, ...args.hidden, nA], learningRate: args.learningRate }, ctx.rng.stream('actor'));
    this.baseline = new Mlp({ sizes: [k, ...args.hidden, 1], learningRate: args.baselineLearningRate }, ctx.rng.stream('baseline'));
    // Start from the uniform policy: zero output layer.
    this.actor.w[this.actor.w.length - 1]!.fill(0);
    this.discount = args.discount === 'auto' ? (ctx.budget !== null && !this.shaper.pacer ? 1 : 0) : args.discount;
    if (!(this.discount >= 0 && this.discount <= 1)) throw new RangeError(`discount: expected a number in [0, 1] or "auto", got ${args.discount}`);
    this.probs = new Float64Array(nA);
    this.d = new Float64Array(nA);
    this.xs = new Float64Array(k * 1024);
  }

  act(o: Observation, rng: Rng): number {
    // Warming up (learner.ts): a random action until the learner has measured its value scale.
    const w = this.shaper.warmupAction(rng, this.training);
    if (w !== null) return this.shaper.bid(o, w, true);
    const logits = this.actor.forward(this.shaper.encode(o));
    const a = this.training ? sampleSoftmax(logits, this.probs, rng.next()) : argmax(logits, 0, this.shaper.actions);
    return this.shaper.bid(o, a, this.training);
  }

  learn(t: Transition): void {
    if (this.shaper.skipWarmup()) return;
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
      policyGradient(this.probs, this.as[t]!, returns[t]! - b, this.args.entropy, this.d);
      this.actor.backward(this.d);
    }
    this.baseline.step();
    this.actor.step();
    this.as.length = 0;
    this.rs.length = 0;
  }

  endEpisode(): void {
    if (this.training) this.update();
    this.shaper.endEpisode(this.training);
  }

  policy(): Policy {
    return new NetworkPolicy(this.kind, this.shaper.encoderSpec, this.shaper.actionMultipliers, this.actor.weights(), this.shaper.pacerParams(), this.shaper.actionOffsets);
  }
}
