/**
 * The frozen (greedy, deterministic) policies of the learning bidders, as plain
 * data plus the arithmetic to bid from it. Training code builds them with
 * `agent.policy()`; `loadPolicy()` (policy.ts) rebuilds them from a policy file
 * without any training code.
 *
 * Every learner acts on the same action set: bid = multiplier × `value` / λ(o),
 * the multiplier taken from a fixed grid (`multiplierGrid` in features.ts) and
 * λ(o) the price of money of a bidder with a budget (learner/budget-pacer.ts; 1 without one,
 * `pacer: null`); with a budget they score the paced observation, whose value
 * is v / λ(o). They differ in how they score the multipliers of an observation:
 * - {@link TablePolicy}: a Q-table over a grid of states (tabular Q-learning);
 * - {@link NetworkPolicy}: one network output per multiplier (DQN Q-values, or the
 *   logits of a categorical policy for REINFORCE and actor-critic: the greedy
 *   action is the mode);
 * - {@link LinearArmPolicy}: one linear reward model per multiplier (LinUCB and
 *   Thompson sampling: the greedy action is the best posterior mean).
 */
import { OBS_SIZE } from '../env/observation.js';
import { BudgetPacer, type PacerParams } from './learner/budget-pacer.js';
import type { Observation, Policy, PolicyParams } from './core.js';
import { actionBid, argmax, FeatureEncoder, polynomialContext, StateGrid, valueOf, type EncoderSpec, type StateGridSpec } from './features.js';
import { mlpForward, type MlpWeights } from './nn.js';

/**
 * What the frozen learners share: the feature encoder, the pacer of a budget
 * (null without one) and the action set: the multipliers, bid = m × value, then
 * the bid levels, bid = min(level, value) (features.ts `actionBid`); with a
 * budget divided by λ(o), or for files without `pacer.pacedLevels` on the paced
 * value v' and divided by λ₀ (learner/budget-pacer.ts `bid`).
 * A subclass says only which action is greedy ({@link action}).
 */
abstract class MultiplierPolicy implements Policy {
  protected readonly encoder: FeatureEncoder;
  private readonly pacer: BudgetPacer | null;
  private readonly paced = new Float64Array(OBS_SIZE);
  /** Encoded features of the last {@link encode}. */
  protected readonly x: Float64Array;
  constructor(
    readonly kind: string,
    readonly encoderSpec: EncoderSpec,
    readonly multipliers: readonly number[],
    readonly pacerParams: PacerParams | null,
    readonly levels: readonly number[],
  ) {
    this.pacer = pacerParams ? new BudgetPacer(pacerParams) : null;
    this.encoder = new FeatureEncoder(encoderSpec);
    this.x = new Float64Array(this.encoder.size);
  }
  /** `o`, or with a pacer its paced copy (value v / λ(o)). */
  private view(o: Observation): Observation {
    return this.pacer ? this.pacer.pace(o, this.paced) : o;
  }
  /** Encodes the (paced) observation into {@link x} and returns it. */
  protected encode(o: Observation): Float64Array {
    this.encoder.encode(this.view(o), this.x);
    return this.x;
  }
  /** Number of actions: the multipliers, then the bid levels. */
  get actions(): number {
    return this.multipliers.length + this.levels.length;
  }
  /** Index of the greedy action for `o`. */
  abstract action(o: Observation): number;
  bid(o: Observation): number {
    const a = this.action(o);
    return this.pacer ? this.pacer.bid(this.multipliers, this.levels, a, o) : actionBid(this.multipliers, this.levels, a, valueOf(o));
  }
  /** The levels in the policy's parameters (none: no field, as in files without levels). */
  protected levelParams(): { levels?: number[] } {
    return this.levels.length ? { levels: [...this.levels] } : {};
  }
  abstract params(): PolicyParams;
}

/** Greedy policy of a Q-table: the best multiplier of the observation's state. */
export class TablePolicy extends MultiplierPolicy {
  private readonly grid: StateGrid;
  /**
   * @param kind agent kind that learnt it
   * @param q Q-values, `states × multipliers`, row-major by state
   */
  constructor(
    kind: string,
    encoderSpec: EncoderSpec,
    readonly gridSpec: StateGridSpec,
    multipliers: readonly number[],
    readonly q: Float64Array,
    pacerParams: PacerParams | null = null,
    levels: readonly number[] = [],
  ) {
    super(kind, encoderSpec, multipliers, pacerParams, levels);
    this.grid = new StateGrid(gridSpec);
    if (q.length !== this.grid.size * this.actions) throw new RangeError(`q: expected ${this.grid.size} states × ${this.actions} actions = ${this.grid.size * this.actions} values, got ${q.length}`);
  }
  action(o: Observation): number {
    const n = this.actions;
    return argmax(this.q, this.grid.index(this.encode(o)) * n, n);
  }
  params(): PolicyParams {
    return { encoder: this.encoderSpec, grid: this.gridSpec, multipliers: [...this.multipliers], q: Array.from(this.q), pacer: this.pacerParams, ...this.levelParams() };
  }
}

/** Greedy policy of a network with one output per multiplier (Q-values or logits). */
export class NetworkPolicy extends MultiplierPolicy {
  constructor(
    kind: string,
    encoderSpec: EncoderSpec,
    multipliers: readonly number[],
    readonly network: MlpWeights,
    pacerParams: PacerParams | null = null,
    levels: readonly number[] = [],
  ) {
    super(kind, encoderSpec, multipliers, pacerParams, levels);
    if (network.sizes[0] !== this.encoder.size) throw new RangeError(`network.sizes[0]: expected ${this.encoder.size} inputs (one per feature), got ${network.sizes[0]}`);
    if (network.sizes[network.sizes.length - 1] !== this.actions) throw new RangeError(`network: expected ${this.actions} outputs (one per action), got ${network.sizes[network.sizes.length - 1]}`);
  }
  action(o: Observation): number {
    return argmax(mlpForward(this.network, this.encode(o)), 0, this.actions);
  }
  params(): PolicyParams {
    return { encoder: this.encoderSpec, multipliers: [...this.multipliers], network: this.network, pacer: this.pacerParams, ...this.levelParams() };
  }
}

/** Greedy policy of per-multiplier linear reward models: argmax_a θ_a · context(o). */
export class LinearArmPolicy extends MultiplierPolicy {
  private readonly ctx: Float64Array;
  /**
   * @param theta per multiplier, the reward model's coefficients (`1 + features × degree` numbers)
   */
  constructor(
    kind: string,
    encoderSpec: EncoderSpec,
    readonly degree: 1 | 2 | 3,
    multipliers: readonly number[],
    readonly theta: readonly (readonly number[])[],
    pacerParams: PacerParams | null = null,
    levels: readonly number[] = [],
  ) {
    super(kind, encoderSpec, multipliers, pacerParams, levels);
    this.ctx = new Float64Array(1 + this.encoder.size * degree);
    if (theta.length !== this.actions) throw new RangeError(`theta: expected ${this.actions} rows (one per action), got ${theta.length}`);
    theta.forEach((t, a) => {
      if (t.length !== this.ctx.length) throw new RangeError(`theta[${a}]: expected ${this.ctx.length} coefficients, got ${t.length}`);
    });
  }
  action(o: Observation): number {
    polynomialContext(this.encode(o), this.encoder.size, this.degree, this.ctx);
    let best = 0;
    let bestScore = -Infinity;
    for (let a = 0; a < this.theta.length; a++) {
      const t = this.theta[a]!;
      let s = 0;
      for (let i = 0; i < this.ctx.length; i++) s += t[i]! * this.ctx[i]!;
      if (s > bestScore) {
        bestScore = s;
        best = a;
      }
    }
    return best;
  }
  params(): PolicyParams {
    return { encoder: this.encoderSpec, degree: this.degree, multipliers: [...this.multipliers], theta: this.theta.map((t) => [...t]), pacer: this.pacerParams, ...this.levelParams() };
  }
}
