/**
 * Advantage actor-critic (A2C: the synchronous variant of Mnih et al.,
 * "Asynchronous Methods for Deep Reinforcement Learning", 2016), categorical
 * policy over bid multipliers, one-step TD critic (Sutton & Barto, 2nd ed., §13.5).
 *
 * Every `batchSize` transitions (x, a, r, x'):
 *   δ_t = r_t + γ · V_φ(x'_t) · [bootstrap] − V_φ(x_t)          (TD error = advantage)
 *   actor:  Adam step on −Σ δ_t · log π_θ(a_t | x_t) − β · H(π_θ(· | x_t))
 *   critic: Adam step on Σ (V_φ(x_t) − (r_t + γ · V_φ(x'_t) · [bootstrap]))²
 * with the targets computed before either network moves. Bootstrapping follows
 * q-learning.ts: not after a termination (budget spent); at the horizon from x
 * itself when time is not a feature, not at all when it is.
 *
 * Unlike REINFORCE (reinforce.ts) it does not wait for the end of an episode:
 * with γ > 0 the critic's estimate of what follows replaces the rest of the
 * return. Greedy (evaluation) action: the mode of π.
 */
import type { Rng } from '../env/rng.js';
import type { Agent, AgentContext, Observation, Policy, Transition } from './core.js';
import { argmax, valueOf } from './features.js';
import { NetworkPolicy } from './frozen.js';
import { BidShaper, type ShaperArgs } from './learner.js';
import { Mlp } from './nn.js';
import { policyGradient, sampleSoftmax, softmax } from './reinforce.js';

/** Arguments of {@link ActorCriticAgent} (defaults in experiments/agent-schema.ts). */
export interface ActorCriticArgs extends ShaperArgs {
  /** Hidden layer widths of both networks. */
  hidden: number[];
  /** Adam step size of the actor. */
  learningRate: number;
  /** Adam step size of the critic. */
  criticLearningRate: number;
  /** Discount γ, or "auto" (1 when the budget is learnt from the state, else 0). */
  discount: number | 'auto';
  /** Transitions per update. */
  batchSize: number;
  /** Weight β of the entropy bonus. */
  entropy: number;
}

/** Actor-critic bidder. @example new ActorCriticAgent({ ...defaults }, ctx) */
export class ActorCriticAgent implements Agent {
  readonly kind = 'actor-critic';
  training = true;
  readonly shaper: BidShaper;
  readonly actor: Mlp;
  readonly critic: Mlp;
  readonly discount: number;
  private readonly timeAware: boolean;
  private readonly probs: Float64Array;
  private readonly d: Float64Array;
  private readonly d1 = new Float64Array(1);
  // The batch: features, next features, actions, rewards, bootstrap flags.
  private readonly bx: Float64Array;
  private readonly bx2: Float64Array;
  private readonly ba: Int32Array;
  private readonly br: Float64Array;
  private readonly bboot: Uint8Array;
  private n = 0;

  constructor(readonly args: ActorCriticArgs, ctx: AgentContext) {
    this.shaper = new BidShaper(args, ctx);
    const k = this.shaper.encoder.size;
    const nA = this.shaper.actions;
    this.actor = new Mlp({ sizes: [k, ...args.hidden, nA], learningRate: args.learningRate }, ctx.rng.stream('actor'));
    this.critic = new Mlp({ sizes: [k, ...args.hidden, 1], learningRate: args.criticLearningRate }, ctx.rng.stream('critic'));
    // Start from the uniform policy: zero output layer.
    this.actor.w[this.actor.w.length - 1]!.fill(0);
    this.discount = args.discount === 'auto' ? (ctx.budget !== null && !this.shaper.pacer ? 1 : 0) : args.discount;
    if (!(this.discount >= 0 && this.discount <= 1)) throw new RangeError(`discount: expected a number in [0, 1] or "auto", got ${args.discount}`);
    this.timeAware = this.shaper.encoderSpec.features.some((f) => f.name === 'timeLeft');
    this.probs = new Float64Array(nA);
    this.d = new Float64Array(nA);
    const B = args.batchSize;
    this.bx = new Float64Array(B * k);
    this.bx2 = new Float64Array(B * k);
    this.ba = new Int32Array(B);
    this.br = new Float64Array(B);
    this.bboot = new Uint8Array(B);
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
    const i = this.n;
    this.bx.set(this.shaper.encode(t.observation), i * k);
    let boot = 0;
    if (!t.terminated && this.discount > 0) {
      if (t.nextObservation) {
        this.bx2.set(this.shaper.encode(t.nextObservation), i * k);
        boot = 1;
      } else if (!this.timeAware) {
        this.bx2.set(this.bx.subarray(i * k, i * k + k), i * k);
        boot = 1;
      }
    }
    this.ba[i] = this.shaper.actionOf(t.observation, t.action);
    this.br[i] = this.shaper.reward(t);
    this.bboot[i] = boot;
    this.n++;
    if (this.n === this.args.batchSize) this.update();
  }

  /** One actor and one critic step on the batch, then clears it. */
  private update(): void {
    const k = this.shaper.encoder.size;
    const n = this.n;
    const x = new Float64Array(k);
    // Targets first, with the critic as it stands.
    const targets = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let y = this.br[i]!;
      if (this.bboot[i]) {
        for (let d = 0; d < k; d++) x[d] = this.bx2[i * k + d]!;
        y += this.discount * this.critic.forward(x)[0]!;
      }
      targets[i] = y;
    }
    for (let i = 0; i < n; i++) {
      for (let d = 0; d < k; d++) x[d] = this.bx[i * k + d]!;
      const v = this.critic.forward(x)[0]!;
      this.d1[0] = v - targets[i]!;
      this.critic.backward(this.d1);
      softmax(this.actor.forward(x), this.probs);
      policyGradient(this.probs, this.ba[i]!, targets[i]! - v, this.args.entropy, this.d);
      this.actor.backward(this.d);
    }
    this.critic.step();
    this.actor.step();
    this.n = 0;
  }

  endEpisode(): void {
    this.shaper.endEpisode(this.training);
  }

  policy(): Policy {
    return new NetworkPolicy(this.kind, this.shaper.encoderSpec, this.shaper.actionMultipliers, this.actor.weights(), this.shaper.pacerParams(), this.shaper.actionOffsets);
  }
}
