/**
 * Deep Q-network over bid multipliers (Mnih et al., "Human-level control
 * through deep reinforcement learning", 2015), with double-DQN targets (van
 * Hasselt et al., 2016), read top to bottom like CleanRL's dqn.py:
 *
 * 1. act: ε-greedy on Q_θ(x, ·), ε decaying linearly over `epsilonDecay` auctions;
 * 2. learn: store (x, a, r, x', bootstrap?) in a replay ring buffer; every
 *    `trainEvery` transitions once `warmup` are stored, sample a minibatch and
 *    take one Adam step on the Huber loss of
 *      y = r + γ · Q_θ⁻(x', argmax_a' Q_θ(x', a'))   (no bootstrap if terminated)
 *    against Q_θ(x, a);
 * 3. every `targetUpdate` gradient steps copy θ into the target network θ⁻.
 *
 * Inputs are the continuous encoded features (features.ts), rewards are divided
 * by the value scale. Bootstrapping at the horizon follows q-learning.ts: from x
 * itself when time is not a feature, not at all when it is. The networks are
 * plain-TypeScript MLPs (nn.ts): at one auction per call they are much faster
 * than TensorFlow.js (see docs/agents.md). Replay sampling draws from a stream
 * of the agent's own (`ctx.rng`), exploration only from the stream given to act().
 */
import type { Rng } from '../env/rng.js';
import type { Agent, AgentContext, Observation, Policy, Transition } from './core.js';
import { argmax, valueOf } from './features.js';
import { NetworkPolicy } from './frozen.js';
import { BidShaper, type ShaperArgs } from './learner.js';
import { Mlp } from './nn.js';

/** Arguments of {@link DqnAgent} (defaults in experiments/agent-schema.ts). */
export interface DqnArgs extends ShaperArgs {
  /** Hidden layer widths. */
  hidden: number[];
  /** Adam step size. */
  learningRate: number;
  /** Discount γ, or "auto" (1 when the budget is learnt from the state, else 0). */
  discount: number | 'auto';
  /** Replay capacity, transitions. */
  replaySize: number;
  /** Minibatch size. */
  batchSize: number;
  /** Transitions between gradient steps. */
  trainEvery: number;
  /** Transitions stored before learning starts. */
  warmup: number;
  /** Gradient steps between target-network copies. */
  targetUpdate: number;
  /** ε at the start and the end of its linear decay. */
  epsilonStart: number;
  epsilonEnd: number;
  /** Training auctions over which ε decays. */
  epsilonDecay: number;
}

/** DQN bidder. @example new DqnAgent({ ...defaults }, ctx) */
export class DqnAgent implements Agent {
  readonly kind = 'dqn';
  training = true;
  readonly shaper: BidShaper;
  readonly online: Mlp;
  readonly target: Mlp;
  readonly discount: number;
  private readonly timeAware: boolean;
  private readonly replayRng: Rng;
  // Replay ring buffer (struct of arrays).
  private readonly bx: Float64Array;
  private readonly bx2: Float64Array;
  private readonly ba: Int32Array;
  private readonly br: Float64Array;
  /** 1 = bootstrap from x', 0 = do not. */
  private readonly bboot: Uint8Array;
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
    this.discount = args.discount === 'auto' ? (ctx.budget !== null && !this.shaper.pacer ? 1 : 0) : args.discount;
    if (!(this.discount >= 0 && this.discount <= 1)) throw new RangeError(`discount: expected a number in [0, 1] or "auto", got ${args.discount}`);
    this.timeAware = this.shaper.encoderSpec.features.some((f) => f.name === 'timeLeft');
    const N = args.replaySize;
    this.bx = new Float64Array(N * k);
    this.bx2 = new Float64Array(N * k);
    this.ba = new Int32Array(N);
    this.br = new Float64Array(N);
    this.bboot = new Uint8Array(N);
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
    if (this.shaper.skipWarmup()) return;
    if (!this.training || !(valueOf(t.observation) > 0)) return;
    const k = this.shaper.encoder.size;
    const i = this.head;
    const a = this.shaper.actionOf(t.observation, t.action);
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
    this.ba[i] = a;
    this.br[i] = this.shaper.reward(t);
    this.bboot[i] = boot;
    this.head = (this.head + 1) % this.args.replaySize;
    this.size = Math.min(this.size + 1, this.args.replaySize);
    this.transitions++;
    if (this.size >= Math.max(this.args.warmup, 1) && this.transitions % this.args.trainEvery === 0) this.train();
  }

  /** One gradient step on a minibatch sampled from the replay buffer. */
  private train(): void {
    const k = this.shaper.encoder.size;
    const n = this.shaper.actions;
    const x = new Float64Array(k);
    for (let j = 0; j < this.args.batchSize; j++) {
      const i = this.replayRng.int(this.size);
      let y = this.br[i]!;
      if (this.bboot[i]) {
        for (let d = 0; d < k; d++) this.x2[d] = this.bx2[i * k + d]!;
        // Double DQN: the online network picks the action, the target network values it.
        const a2 = argmax(this.online.forward(this.x2), 0, n);
        y += this.discount * this.target.forward(this.x2)[a2]!;
      }
      for (let d = 0; d < k; d++) x[d] = this.bx[i * k + d]!;
      const q = this.online.forward(x);
      const a = this.ba[i]!;
      const err = q[a]! - y;
      // Huber loss (δ = 1): gradient clipped to [-1, 1].
      this.dOut.fill(0);
      this.dOut[a] = err > 1 ? 1 : err < -1 ? -1 : err;
      this.online.backward(this.dOut);
    }
    this.online.step();
    this.gradientSteps++;
    if (this.gradientSteps % this.args.targetUpdate === 0) this.target.copyFrom(this.online);
  }

  endEpisode(): void {
    this.shaper.endEpisode(this.training);
  }

  policy(): Policy {
    return new NetworkPolicy(this.kind, this.shaper.encoderSpec, this.shaper.actionMultipliers, this.online.weights(), this.shaper.pacerParams(), this.shaper.actionOffsets);
  }
}
