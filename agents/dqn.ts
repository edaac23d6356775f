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
 *    (1–3% in first price), and the greedy action with them;
 * 5. at the end of every training episode (`refitHead`; by default only with full
 *    information and no budget, where it has been measured), the output layer — linear
 *    in the last hidden layer's activations φ(x) — is replaced by its ridge
 *    least-squares fit to the targets of every transition in the buffer (the
 *    shallow update of LS-DQN, Levine et al., "Shallow Updates for Deep
 *    Reinforcement Learning", 2017; {@link DqnAgent.refitHead}). A gradient step
 *    moves each output by noise of the order of the step size, and the outputs of
 *    neighbouring actions independently; the least-squares fit ranks them by one
 *    fit to the same 20,000 stored rewards, whose differences between
 *    neighbouring actions are small and correlated (with full information every
 *    action's reward comes from the same auctions).
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
    refitHead: z
      .union([z.boolean(), z.literal('auto')])
      .default('auto')
      .describe(
        'at the end of every training episode, replace the output layer by its least-squares fit on the replay buffer (ridge, towards the weights SGD reached), the hidden layers as trained (LS-DQN, Levine et al. 2017): the greedy action is then ranked by one fit to every stored reward, not by the noise of the last gradient steps, which is as large as the gaps between actions that earn about the same; false = gradient steps alone; auto = true where the reward of every action is learnt from every auction (counterfactual, one slot, no budget), false elsewhere (with the reward of the played action alone a rarely played action has too few transitions to fit; not yet measured with a budget)',
      ),
  })
  .strict();

/** Arguments of {@link DqnAgent}: its config fields, defaults filled. */
export type DqnArgs = LearnerArgsOf<z.output<typeof dqnSchema>>;

/**
 * Ridge weight of the output layer's least-squares refit, relative to the mean
 * diagonal of the Gram matrix of the activations: about a thousandth of the
 * data's weight, pulling each output's weights towards those SGD reached (so a
 * direction the stored inputs do not determine, e.g. a unit they never activate,
 * stays as trained). Relative, so the same whatever the scale of the activations.
 */
const REFIT_RIDGE = 1e-3;

/**
 * Solves (M) w = rhs in place for a symmetric positive definite d × d matrix
 * given by its lower triangle `chol` already factored by {@link cholesky}.
 */
function choleskySolve(chol: Float64Array, d: number, rhs: Float64Array): void {
  for (let i = 0; i < d; i++) {
    let s = rhs[i]!;
    for (let k = 0; k < i; k++) s -= chol[i * d + k]! * rhs[k]!;
    rhs[i] = s / chol[i * d + i]!;
  }
  for (let i = d - 1; i >= 0; i--) {
    let s = rhs[i]!;
    for (let k = i + 1; k < d; k++) s -= chol[k * d + i]! * rhs[k]!;
    rhs[i] = s / chol[i * d + i]!;
  }
}

/** Cholesky factor (lower triangle, row-major) of the symmetric d × d matrix `m` into `out`; false if it is not positive definite. */
function cholesky(m: Float64Array, d: number, out: Float64Array): boolean {
  out.fill(0);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = m[i * d + j]!;
      for (let k = 0; k < j; k++) s -= out[i * d + k]! * out[j * d + k]!;
      if (i === j) {
        if (!(s > 0)) return false;
        out[i * d + i] = Math.sqrt(s);
      } else out[i * d + j] = s / out[j * d + j]!;
    }
  }
  return true;
}

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
  /** Whether training episodes end with {@link refitHead} (`refitHead`; auto: with full information and no budget). */
  readonly refit: boolean;

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
    // auto: where every stored transition carries every action's reward (one slot, no budget, counterfactual): each
    // output is then fitted on the whole buffer. With the played action's reward alone an output has only the rows
    // where it was played, a few dozen for an action ε rarely tries, and 33 weights fitted on those overfit.
    this.refit = args.refitHead === 'auto' ? ctx.budget === null && this.shaper.counterfactualOn : args.refitHead;
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
    if (this.training && this.refit && this.gradientSteps > 0) this.refitHead();
    this.shaper.endEpisode(this.training);
  }

  /**
   * Replaces the online network's output layer by its ridge least-squares fit
   * on the replay buffer (step 5 of the file comment). Output a is linear in
   * the last hidden layer's activations and a bias, φ(x) = [h(x), 1]: its weights
   * w_a minimise Σ_i (y_ia − w_a·φ(x_i))² + λ_a ‖w_a − w̄_a‖² over the stored
   * transitions i that carry a target for a — every one with full information
   * (y_ia = that action's reward plus the bootstrap term of {@link tdTarget}),
   * else those where a was played (y_ia = the TD target) — with w̄_a the
   * weights SGD reached and λ_a = {@link REFIT_RIDGE} × the mean diagonal of
   * Σ φφᵀ. The squared loss, not the Huber loss of the gradient steps: the
   * rewards are in units of the mean value, so errors beyond 1 are rare. An
   * output with fewer such transitions than weights keeps its SGD weights. No
   * random draws: the same buffer and network give the same weights.
   */
  refitHead(): void {
    const net = this.online;
    const L = net.w.length;
    if (L < 2 || this.size === 0) return;
    const H = net.sizes[L - 1]!;
    const d = H + 1;
    const nA = this.shaper.actions;
    const k = this.shaper.encoder.size;
    const x = new Float64Array(k);
    const phi = new Float64Array(d);
    phi[H] = 1;
    // Gram matrix of the full-information rows (shared by every output), and per output of the rows where only it was played.
    const gram = new Float64Array(d * d);
    const own: (Float64Array | null)[] = Array.from({ length: nA }, () => null);
    const rhs = new Float64Array(nA * d);
    const rows = new Float64Array(nA);
    let fullRows = 0;
    const addOuter = (g: Float64Array): void => {
      for (let i = 0; i < d; i++) {
        const p = phi[i]!;
        if (p === 0) continue;
        for (let j = 0; j <= i; j++) g[i * d + j]! += p * phi[j]!;
      }
    };
    for (let i = 0; i < this.size; i++) {
      const y = this.tdTarget(i);
      phi.set(net.hidden(this.replay.row(this.replay.x, i, x)));
      if (this.replay.actions > 0 && this.replay.full[i]) {
        const boot = y - this.replay.r[i]!;
        addOuter(gram);
        fullRows++;
        for (let a = 0; a < nA; a++) {
          const t = this.replay.rAll[i * nA + a]! + boot;
          const o = a * d;
          for (let j = 0; j < d; j++) rhs[o + j]! += t * phi[j]!;
        }
      } else {
        const a = this.replay.a[i]!;
        addOuter((own[a] ??= new Float64Array(d * d)));
        rows[a]!++;
        const o = a * d;
        for (let j = 0; j < d; j++) rhs[o + j]! += y * phi[j]!;
      }
    }
    const W = net.w[L - 1]!;
    const B = net.b[L - 1]!;
    const m = new Float64Array(d * d);
    const chol = new Float64Array(d * d);
    const sol = new Float64Array(d);
    // The factor in `chol` is of the shared matrix (when `shared`), reused by every output without rows of its own.
    let shared = false;
    let lambda = 0;
    for (let a = 0; a < nA; a++) {
      if (fullRows + rows[a]! < d) continue;
      const g = own[a];
      if (g !== null || !shared) {
        shared = false;
        // M = G (+ the output's own rows) + λ I.
        let trace = 0;
        for (let i = 0; i < d; i++) {
          for (let j = 0; j <= i; j++) {
            const v = gram[i * d + j]! + (g ? g[i * d + j]! : 0);
            m[i * d + j] = v;
            m[j * d + i] = v;
          }
          trace += m[i * d + i]!;
        }
        lambda = (REFIT_RIDGE * trace) / d;
        if (!(lambda > 0)) continue;
        for (let i = 0; i < d; i++) m[i * d + i]! += lambda;
        if (!cholesky(m, d, chol)) continue;
        shared = g === null;
      }
      for (let j = 0; j < H; j++) sol[j] = rhs[a * d + j]! + lambda * W[a * H + j]!;
      sol[H] = rhs[a * d + H]! + lambda * B[a]!;
      choleskySolve(chol, d, sol);
      for (let j = 0; j < H; j++) W[a * H + j] = sol[j]!;
      B[a] = sol[H]!;
    }
  }

  policy(): Policy {
    return new NetworkPolicy(this.kind, this.shaper.encoderSpec, this.shaper.multipliers, this.online.weights(), this.shaper.pacerParams(), this.shaper.levelBids);
  }
}
