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
import { argmax, FeatureEncoder, polynomialContext, StateGrid, valueOf, type EncoderSpec, type StateGridSpec } from './features.js';
import { mlpForward, type MlpWeights } from './nn.js';

/**
 * What the frozen learners share: the feature encoder, the pacer of a budget
 * (null without one) and the action set, bid = multiplier × value / λ(o).
 * A subclass says only which multiplier is greedy ({@link action}).
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
  /** Index of the greedy multiplier for `o`. */
  abstract action(o: Observation): number;
  bid(o: Observation): number {
    return this.multipliers[this.action(o)]! * valueOf(this.view(o));
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
  ) {
    super(kind, encoderSpec, multipliers, pacerParams);
    this.grid = new StateGrid(gridSpec);
    if (q.length !== this.grid.size * multipliers.length) throw new RangeError(`q: expected ${this.grid.size} states × ${multipliers.length} multipliers = ${this.grid.size * multipliers.length} values, got ${q.length}`);
  }
  action(o: Observation): number {
    const n = this.multipliers.length;
    return argmax(this.q, this.grid.index(this.encode(o)) * n, n);
  }
  params(): PolicyParams {
    return { encoder: this.encoderSpec, grid: this.gridSpec, multipliers: [...this.multipliers], q: Array.from(this.q), pacer: this.pacerParams };
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
  ) {
    super(kind, encoderSpec, multipliers, pacerParams);
    if (network.sizes[0] !== this.encoder.size) throw new RangeError(`network.sizes[0]: expected ${this.encoder.size} inputs (one per feature), got ${network.sizes[0]}`);
    if (network.sizes[network.sizes.length - 1] !== multipliers.length) throw new RangeError(`network: expected ${multipliers.length} outputs (one per multiplier), got ${network.sizes[network.sizes.length - 1]}`);
  }
  action(o: Observation): number {
    return argmax(mlpForward(this.network, this.encode(o)), 0, this.multipliers.length);
  }
  params(): PolicyParams {
    return { encoder: this.encoderSpec, multipliers: [...this.multipliers], network: this.network, pacer: this.pacerParams };
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
    readonly degree: 1 | 2,
    multipliers: readonly number[],
    readonly theta: readonly (readonly number[])[],
    pacerParams: PacerParams | null = null,
  ) {
    super(kind, encoderSpec, multipliers, pacerParams);
    this.ctx = new Float64Array(1 + this.encoder.size * degree);
    if (theta.length !== multipliers.length) throw new RangeError(`theta: expected ${multipliers.length} rows (one per multiplier), got ${theta.length}`);
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
    return { encoder: this.encoderSpec, degree: this.degree, multipliers: [...this.multipliers], theta: this.theta.map((t) => [...t]), pacer: this.pacerParams };
  }
}
