/**
 * Advantage actor-critic (A2C: the synchronous variant of Mnih et al.,
 * "Asynchronous Methods for Deep Reinforcement Learning", 2016), categorical
 * policy over bid multipliers, one-step TD critic (Sutton & Barto, 2nd ed., §13.5).
 *
 * Every `batchSize` transitions (x, a, r, x'):
 *   δ_t = r_t + γ · V_φ(x'_t) · [bootstrap] − V_φ(x_t)          (TD error = advantage)
 *   actor:  Adam step on −Σ δ_t · log π_θ(a_t | x_t) − β · H(π_θ(· | x_t))
 *   critic: Adam step on Σ (V_φ(x_t) − (r_t + γ · V_φ(x'_t) · [bootstrap]))²
 * with the targets computed before either network moves; both step sizes decay
 * as α / (1 + n / `learningRateHalfLife`) over the n transitions learnt from
 * (learner/args.ts). Discounting and
 * bootstrapping follow the shared rules (learner/rules.ts): not after a
 * termination (budget spent); at the horizon from x itself when time is not a
 * feature, not at all when it is. The policy's gradient is learner/policy-gradient.ts.
 *
 * Unlike REINFORCE (reinforce.ts) it does not wait for the end of an episode:
 * with γ > 0 the critic's estimate of what follows replaces the rest of the
 * return. Greedy (evaluation) action: the mode of π.
 */
import { z } from 'zod';
import type { Rng } from '../env/rng.js';
import type { Agent, AgentContext, Observation, Policy, Transition } from './core.js';
import { valueOf } from './features.js';
import { NetworkPolicy } from './frozen.js';
import { decayedStepSize, discountField, learnerFields, learningRateHalfLifeField, type LearnerArgsOf } from './learner/args.js';
import { TransitionBuffer } from './learner/buffer.js';
import { actorNetwork, allActionGradient, categoricalAction, entropyField, policyGradient, resolveEntropy, softmax } from './learner/policy-gradient.js';
import { resolveDiscount } from './learner/rules.js';
import { BidShaper } from './learner/shaper.js';
import { Mlp } from './nn.js';

/** `actor-critic`: advantage actor-critic (A2C) with a one-step TD critic (config `bidders[i].agent`). */
export const actorCriticSchema = z
  .object({
    kind: z.literal('actor-critic'),
    ...learnerFields,
    hidden: z.array(z.number().int().min(1).max(1024)).min(1).max(4).default([32]).describe('hidden layer widths of the actor and critic networks'),
    learningRate: z.number().gt(0).max(1).default(2e-3).describe('Adam step size of the actor (at the start: it decays, `learningRateHalfLife`)'),
    criticLearningRate: z.number().gt(0).max(1).default(1e-2).describe('Adam step size of the critic (at the start: it decays, `learningRateHalfLife`)'),
    learningRateHalfLife: learningRateHalfLifeField,
    discount: discountField('discount γ; auto = 1 when the budget is learnt from the state, else 0'),
    batchSize: z.number().int().min(1).default(32).describe('transitions per update (n-step batch)'),
    entropy: entropyField,
  })
  .strict();

/** Arguments of {@link ActorCriticAgent}: its config fields, defaults filled. */
export type ActorCriticArgs = LearnerArgsOf<z.output<typeof actorCriticSchema>>;

/** Actor-critic bidder. @example new ActorCriticAgent({ ...defaults }, ctx) */
export class ActorCriticAgent implements Agent {
  readonly kind = 'actor-critic';
  training = true;
  readonly shaper: BidShaper;
  readonly actor: Mlp;
  readonly critic: Mlp;
  readonly discount: number;
  /** Weight β of the entropy bonus (`entropy`, "auto" resolved). */
  readonly entropy: number;
  private readonly probs: Float64Array;
  private readonly d: Float64Array;
  private readonly d1 = new Float64Array(1);
  /** The transitions of the current batch. */
  readonly batch: TransitionBuffer;
  private n = 0;
  /** Transitions learnt from (the step sizes' schedule). */
  private transitions = 0;

  constructor(readonly args: ActorCriticArgs, ctx: AgentContext) {
    this.shaper = new BidShaper(args, ctx);
    const k = this.shaper.encoder.size;
    const nA = this.shaper.actions;
    this.actor = actorNetwork([k, ...args.hidden, nA], args.learningRate, ctx.rng.stream('actor'));
    this.critic = new Mlp({ sizes: [k, ...args.hidden, 1], learningRate: args.criticLearningRate }, ctx.rng.stream('critic'));
    this.discount = resolveDiscount(args.discount, this.shaper.budgetInState);
    this.entropy = resolveEntropy(args.entropy, this.shaper.counterfactualOn);
    this.probs = new Float64Array(nA);
    this.d = new Float64Array(nA);
    this.batch = new TransitionBuffer(args.batchSize, k, this.shaper.counterfactualOn ? nA : 0);
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
    this.batch.store(this.n, t, this.shaper, this.discount, this.shaper.timeAware);
    this.n++;
    this.transitions++;
    if (this.n === this.args.batchSize) this.update();
  }

  /**
   * The critic's one-step TD targets y_i = r_i + γ · V_φ(x'_i) · [bootstrap] of
   * the first `n` transitions of the batch, into `out`.
   */
  tdTargets(n: number, out: Float64Array): Float64Array {
    const x = new Float64Array(this.shaper.encoder.size);
    for (let i = 0; i < n; i++) {
      let y = this.batch.r[i]!;
      if (this.batch.boot[i]) y += this.discount * this.critic.forward(this.batch.row(this.batch.x2, i, x))[0]!;
      out[i] = y;
    }
    return out;
  }

  /** One actor and one critic step on the batch, then clears it. */
  private update(): void {
    const n = this.n;
    const x = new Float64Array(this.shaper.encoder.size);
    // Targets first, with the critic as it stands; the advantage is the TD error δ = y − V_φ(x).
    const targets = this.tdTargets(n, new Float64Array(n));
    for (let i = 0; i < n; i++) {
      const v = this.critic.forward(this.batch.row(this.batch.x, i, x))[0]!;
      this.d1[0] = v - targets[i]!;
      this.critic.backward(this.d1);
      softmax(this.actor.forward(x), this.probs);
      // Full information: the all-action gradient (the bootstrap term is the same for every action and cancels).
      if (this.batch.actions > 0 && this.batch.full[i]) allActionGradient(this.probs, this.batch.rAll.subarray(i * this.batch.actions, (i + 1) * this.batch.actions), this.entropy, this.d);
      else policyGradient(this.probs, this.batch.a[i]!, targets[i]! - v, this.entropy, this.d);
      this.actor.backward(this.d);
    }
    // Both step sizes decay with the transitions learnt from (learner/args.ts `decayedStepSize`).
    this.critic.learningRate = decayedStepSize(this.args.criticLearningRate, this.transitions, this.args.learningRateHalfLife);
    this.actor.learningRate = decayedStepSize(this.args.learningRate, this.transitions, this.args.learningRateHalfLife);
    this.critic.step();
    this.actor.step();
    this.n = 0;
  }

  endEpisode(): void {
    this.shaper.endEpisode(this.training);
  }

  policy(): Policy {
    return new NetworkPolicy(this.kind, this.shaper.encoderSpec, this.shaper.multipliers, this.actor.weights(), this.shaper.pacerParams(), this.shaper.levelBids);
  }
}
