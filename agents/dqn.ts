/**
 * Deep Q-network over bid multipliers (Mnih et al., "Human-level control
 * through deep reinforcement learning", 2015), with double-DQN targets (van
 * Hasselt et al., 2016), read top to bottom like CleanRL's dqn.py:
 *
 * 1. act: ε-greedy on Q_θ(x, ·), ε decaying linearly over `epsilonDecay` auctions;
 * 2. learn: store (x, a, r, x', bootstrap?) in a replay ring buffer; every
 *    `trainEvery` stored transitions once `warmup` are stored (a transition is
 *    an auction the bidder took part in with a positive value), sample a minibatch and
 *    take one Adam step on the Huber loss of
 *      y = r + γ · Q_θ⁻(x', argmax_a' Q_θ(x', a'))   (no bootstrap if terminated)
 *    against Q_θ(x, a);
 * 3. every `targetUpdate` gradient steps copy θ into the target network θ⁻;
 * 4. the Adam step size decays with the transitions stored, α_n = α / (1 + n /
 *    `learningRateHalfLife`) (learner/args.ts): at a constant α the outputs keep
 *    moving by about as much as the Q-values of neighbouring multipliers differ
 *    (1–3% in first price), and the greedy action with them.
 *
 * Inputs are the continuous encoded features (features.ts), rewards are divided
 * by the value scale. Discounting and bootstrapping at the horizon follow the
 * shared rules (learner/rules.ts): from x itself when time is not a feature, not
 * at all when it is. The networks are
 * plain-TypeScript MLPs (nn.ts): at one auction per call they are much faster
 * than TensorFlow.js (see docs/agents.md). Replay sampling draws from a stream
 * of the agent's own (`ctx.rng`), exploration only from the stream given to act().
 */
import { z } from 'zod';
import type { Rng } from '../env/rng.js';
import type { Agent, AgentContext, Observation, Policy, Transition } from './core.js';
import { argmax, valueOf } from './features.js';
import { NetworkPolicy } from './frozen.js';
import { decayedStepSize, discountField, learnerFields, learningRateHalfLifeField, type LearnerArgsOf } from './learner/args.js';
import { TransitionBuffer } from './learner/buffer.js';
import { resolveDiscount } from './learner/rules.js';
import { BidShaper } from './learner/shaper.js';
import { Mlp } from './nn.js';

/** `dqn`: deep Q-network with replay, target network and double-DQN targets (config `bidders[i].agent`). */
export const dqnSchema = z
  .object({
    kind: z.literal('dqn'),
    ...learnerFields,
    hidden: z.array(z.number().int().min(1).max(1024)).min(1).max(4).default([32, 32]).describe('hidden layer widths'),
    learningRate: z.number().gt(0).max(1).default(1e-3).describe('Adam step size (at the start: it decays, `learningRateHalfLife`)'),
    discount: discountField('discount γ; auto = 1 when the budget is learnt from the state, else 0'),
    replaySize: z.number().int().min(1).default(20_000).describe('replay buffer capacity, transitions'),
    batchSize: z.number().int().min(1).max(4096).default(32).describe('minibatch size'),
    trainEvery: z.number().int().min(1).default(4).describe('transitions stored between gradient steps (auctions the bidder took part in with a positive value)'),
    warmup: z.number().int().min(0).default(500).describe('transitions in the buffer before learning starts'),
    targetUpdate: z.number().int().min(1).default(500).describe('gradient steps between target-network copies'),
    epsilonStart: z.number().min(0).max(1).default(1).describe('initial exploration rate'),
    epsilonEnd: z.number().min(0).max(1).default(0.02).describe('final exploration rate'),
    epsilonDecay: z.number().int().min(1).default(20_000).describe('auctions over which ε decays linearly'),
    learningRateHalfLife: learningRateHalfLifeField,
  })
  .strict();

/** Arguments of {@link DqnAgent}: its config fields, defaults filled. */
export type DqnArgs = LearnerArgsOf<z.output<typeof dqnSchema>>;

/** Gradient of the Huber loss (δ = 1) at error `err`: the error clipped to [-1, 1]. */
function huber(err: number): number {
  return err > 1 ? 1 : err < -1 ? -1 : err;
}

/** DQN bidder. @example new DqnAgent({ ...defaults }, ctx) */
export class DqnAgent implements Agent {
  readonly kind = 'dqn';
  training = true;
  readonly shaper: BidShaper;
  readonly online: Mlp;
  readonly target: Mlp;
  readonly discount: number;
  private readonly replayRng: Rng;
  /** The replay ring buffer. */
  readonly replay: TransitionBuffer;
  private size = 0;
  private head = 0;
  private steps = 0;
  private transitions = 0;
  private gradientSteps = 0;
  private readonly dOut: Float64Array;
  private readonly x2: Float64Array;

  constructor(readonly args: DqnArgs, ctx: AgentContext) {
    this.shaper = new BidShaper(args, ctx);
    const k = this.shaper.encoder.size;
    const nA = this.shaper.actions;
    const sizes = [k, ...args.hidden, nA];
    this.online = new Mlp({ sizes, learningRate: args.learningRate }, ctx.rng.stream('online'));
    this.target = new Mlp({ sizes, learningRate: args.learningRate }, ctx.rng.stream('online'));
    this.target.copyFrom(this.online);
    this.replayRng = ctx.rng.stream('replay');
    this.discount = resolveDiscount(args.discount, this.shaper.budgetInState);
    this.replay = new TransitionBuffer(args.replaySize, k, this.shaper.counterfactualOn ? nA : 0);
    this.dOut = new Float64Array(nA);
    this.x2 = new Float64Array(k);
  }

  /** Current exploration rate. */
  get epsilon(): number {
    const { epsilonStart, epsilonEnd, epsilonDecay } = this.args;
    return Math.max(epsilonEnd, epsilonStart + ((epsilonEnd - epsilonStart) * this.steps) / epsilonDecay);
  }

  act(o: Observation, rng: Rng): number {
    // Warming up (learner.ts): a random action until the learner has measured its value scale.
    const w = this.shaper.warmupAction(rng, this.training);
    if (w !== null) return this.shaper.bid(o, w, true);
    const x = this.shaper.encode(o);
    const n = this.shaper.actions;
    let a: number;
    if (this.training) {
      a = rng.next() < this.epsilon ? rng.int(n) : argmax(this.online.forward(x), 0, n);
      this.steps++;
    } else {
      a = argmax(this.online.forward(x), 0, n);
    }
    return this.shaper.bid(o, a, this.training);
  }

  learn(t: Transition): void {
    if (this.shaper.skipWarmup(t)) return;
    if (!this.training || !(valueOf(t.observation) > 0)) return;
    this.replay.store(this.head, t, this.shaper, this.discount, this.shaper.timeAware);
    this.head = (this.head + 1) % this.args.replaySize;
    this.size = Math.min(this.size + 1, this.args.replaySize);
    this.transitions++;
    if (this.size >= Math.max(this.args.warmup, 1) && this.transitions % this.args.trainEvery === 0) this.train();
  }

  /**
   * The double-DQN target of stored transition `i`:
   *   y = r + γ · Q_θ⁻(x', argmax_a' Q_θ(x', a'))   (y = r when it does not bootstrap).
   */
  tdTarget(i: number): number {
    let y = this.replay.r[i]!;
    if (this.replay.boot[i]) {
      this.replay.row(this.replay.x2, i, this.x2);
      // Double DQN: the online network picks the action, the target network values it.
      const a2 = argmax(this.online.forward(this.x2), 0, this.shaper.actions);
      y += this.discount * this.target.forward(this.x2)[a2]!;
    }
    return y;
  }

  /** The Adam step size now: learningRate / (1 + transitions / learningRateHalfLife) (learner/args.ts). */
  get stepSize(): number {
    return decayedStepSize(this.args.learningRate, this.transitions, this.args.learningRateHalfLife);
  }

  /** One gradient step on a minibatch sampled from the replay buffer. */
  private train(): void {
    const k = this.shaper.encoder.size;
    const x = new Float64Array(k);
    const nA = this.shaper.actions;
    for (let j = 0; j < this.args.batchSize; j++) {
      const i = this.replayRng.int(this.size);
      const y = this.tdTarget(i);
      const q = this.online.forward(this.replay.row(this.replay.x, i, x));
      this.dOut.fill(0);
      if (this.replay.actions > 0 && this.replay.full[i]) {
        // Full information: every output learns its own action's reward (the bootstrap term, y − r, is the same for all).
        const boot = y - this.replay.r[i]!;
        for (let b = 0; b < nA; b++) this.dOut[b] = huber(q[b]! - (this.replay.rAll[i * nA + b]! + boot));
      } else {
        const a = this.replay.a[i]!;
        this.dOut[a] = huber(q[a]! - y);
      }
      this.online.backward(this.dOut);
    }
    this.online.learningRate = this.stepSize;
    this.online.step();
    this.gradientSteps++;
    if (this.gradientSteps % this.args.targetUpdate === 0) this.target.copyFrom(this.online);
  }

  endEpisode(): void {
    this.shaper.endEpisode(this.training);
  }

  policy(): Policy {
    return new NetworkPolicy(this.kind, this.shaper.encoderSpec, this.shaper.multipliers, this.online.weights(), this.shaper.pacerParams(), this.shaper.levelBids);
  }
}
