/**
 * The frozen (greedy, deterministic) policies of the learning bidders, as plain
 * data plus the arithmetic to bid from it. Training code builds them with
 * `agent.policy()`; `loadPolicy()` (policy.ts) rebuilds them from a policy file
 * without any training code.
 *
 * Every learner acts on the same kind of action set: bid = multiplier × `value` / λ(o)
 * + offset, each action either a multiplier (offset 0) or a bid level in
 * currency (multiplier 0; learner.ts), and
 * λ(o) the price of money of a bidder with a budget (budget.ts; 1 without one,
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
import { BudgetPacer, type PacerParams } from './budget.js';
import type { Observation, Policy, PolicyParams } from './core.js';
import { argmax, FeatureEncoder, polynomialContext, StateGrid, valueOf, type EncoderSpec, type StateGridSpec } from './features.js';
import { mlpForward, type MlpWeights } from './nn.js';

/**
 * The bid of action `a` at value `v`: multiplier × v, or for a bid level (an
 * action with an offset > 0) the level in currency, capped at v (a bid above
 * the value is dominated by bidding the value in first price, and never needed
 * in second price; the cap also keeps bid/value ≤ max multiplier).
 */
export function actionBid(multipliers: readonly number[], offsets: readonly number[] | null, a: number, v: number): number {
  const off = offsets ? offsets[a]! : 0;
  return off > 0 ? Math.min(off, v) : multipliers[a]! * v;
}

function checkOffsets(offsets: readonly number[] | null, n: number): void {
  if (offsets === null) return;
  if (offsets.length !== n) throw new RangeError(`offsets: expected ${n} numbers (one per action), got ${offsets.length}`);
  offsets.forEach((x, i) => {
    if (!Number.isFinite(x) || x < 0) throw new RangeError(`offsets[${i}]: expected a finite number ≥ 0, got ${x}`);
  });
}

/** Greedy policy of a Q-table: the best multiplier of the observation's state. */
export class TablePolicy implements Policy {
  private readonly encoder: FeatureEncoder;
  private readonly pacer: BudgetPacer | null;
  private readonly paced = new Float64Array(OBS_SIZE);
  /** `o`, or with a pacer its paced copy (value v / λ(o)). */
  private view(o: Observation): Observation {
    return this.pacer ? this.pacer.pace(o, this.paced) : o;
  }
  private readonly grid: StateGrid;
  private readonly x: Float64Array;
  /**
   * @param kind agent kind that learnt it
   * @param q Q-values, `states × multipliers`, row-major by state
   */
  constructor(
    readonly kind: string,
    readonly encoderSpec: EncoderSpec,
    readonly gridSpec: StateGridSpec,
    readonly multipliers: readonly number[],
    readonly q: Float64Array,
    readonly pacerParams: PacerParams | null = null,
    readonly offsets: readonly number[] | null = null,
  ) {
    checkOffsets(offsets, multipliers.length);
    this.pacer = pacerParams ? new BudgetPacer(pacerParams) : null;
    this.encoder = new FeatureEncoder(encoderSpec);
    this.grid = new StateGrid(gridSpec);
    if (q.length !== this.grid.size * multipliers.length) throw new RangeError(`q: expected ${this.grid.size} states × ${multipliers.length} multipliers = ${this.grid.size * multipliers.length} values, got ${q.length}`);
    this.x = new Float64Array(this.encoder.size);
  }
  /** Index of the greedy multiplier for `o`. */
  action(o: Observation): number {
    this.encoder.encode(this.view(o), this.x);
    const n = this.multipliers.length;
    return argmax(this.q, this.grid.index(this.x) * n, n);
  }
  bid(o: Observation): number {
    return actionBid(this.multipliers, this.offsets, this.action(o), valueOf(this.view(o))) / (this.pacer ? this.pacer.base : 1);
  }
  params(): PolicyParams {
    return { encoder: this.encoderSpec, grid: this.gridSpec, multipliers: [...this.multipliers], q: Array.from(this.q), pacer: this.pacerParams, ...(this.offsets ? { offsets: [...this.offsets] } : {}) };
  }
}

/** Greedy policy of a network with one output per multiplier (Q-values or logits). */
export class NetworkPolicy implements Policy {
  private readonly encoder: FeatureEncoder;
  private readonly pacer: BudgetPacer | null;
  private readonly paced = new Float64Array(OBS_SIZE);
  /** `o`, or with a pacer its paced copy (value v / λ(o)). */
  private view(o: Observation): Observation {
    return this.pacer ? this.pacer.pace(o, this.paced) : o;
  }
  private readonly x: Float64Array;
  constructor(
    readonly kind: string,
    readonly encoderSpec: EncoderSpec,
    readonly multipliers: readonly number[],
    readonly network: MlpWeights,
    readonly pacerParams: PacerParams | null = null,
    readonly offsets: readonly number[] | null = null,
  ) {
    checkOffsets(offsets, multipliers.length);
    this.pacer = pacerParams ? new BudgetPacer(pacerParams) : null;
    this.encoder = new FeatureEncoder(encoderSpec);
    if (network.sizes[0] !== this.encoder.size) throw new RangeError(`network.sizes[0]: expected ${this.encoder.size} inputs (one per feature), got ${network.sizes[0]}`);
    if (network.sizes[network.sizes.length - 1] !== multipliers.length) throw new RangeError(`network: expected ${multipliers.length} outputs (one per multiplier), got ${network.sizes[network.sizes.length - 1]}`);
    this.x = new Float64Array(this.encoder.size);
  }
  /** Index of the greedy multiplier for `o`. */
  action(o: Observation): number {
    this.encoder.encode(this.view(o), this.x);
    return argmax(mlpForward(this.network, this.x), 0, this.multipliers.length);
  }
  bid(o: Observation): number {
    return actionBid(this.multipliers, this.offsets, this.action(o), valueOf(this.view(o))) / (this.pacer ? this.pacer.base : 1);
  }
  params(): PolicyParams {
    return { encoder: this.encoderSpec, multipliers: [...this.multipliers], network: this.network, pacer: this.pacerParams, ...(this.offsets ? { offsets: [...this.offsets] } : {}) };
  }
}

/** Greedy policy of per-multiplier linear reward models: argmax_a θ_a · context(o). */
export class LinearArmPolicy implements Policy {
  private readonly encoder: FeatureEncoder;
  private readonly pacer: BudgetPacer | null;
  private readonly paced = new Float64Array(OBS_SIZE);
  /** `o`, or with a pacer its paced copy (value v / λ(o)). */
  private view(o: Observation): Observation {
    return this.pacer ? this.pacer.pace(o, this.paced) : o;
  }
  private readonly x: Float64Array;
  private readonly ctx: Float64Array;
  /**
   * @param theta per multiplier, the reward model's coefficients (`1 + features × degree` numbers)
   */
  constructor(
    readonly kind: string,
    readonly encoderSpec: EncoderSpec,
    readonly degree: 1 | 2 | 3,
    readonly multipliers: readonly number[],
    readonly theta: readonly (readonly number[])[],
    readonly pacerParams: PacerParams | null = null,
    readonly offsets: readonly number[] | null = null,
  ) {
    checkOffsets(offsets, multipliers.length);
    this.pacer = pacerParams ? new BudgetPacer(pacerParams) : null;
    this.encoder = new FeatureEncoder(encoderSpec);
    this.x = new Float64Array(this.encoder.size);
    this.ctx = new Float64Array(1 + this.encoder.size * degree);
    if (theta.length !== multipliers.length) throw new RangeError(`theta: expected ${multipliers.length} rows (one per multiplier), got ${theta.length}`);
    theta.forEach((t, a) => {
      if (t.length !== this.ctx.length) throw new RangeError(`theta[${a}]: expected ${this.ctx.length} coefficients, got ${t.length}`);
    });
  }
  /** Index of the greedy multiplier for `o`. */
  action(o: Observation): number {
    this.encoder.encode(this.view(o), this.x);
    polynomialContext(this.x, this.encoder.size, this.degree, this.ctx);
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
  bid(o: Observation): number {
    return actionBid(this.multipliers, this.offsets, this.action(o), valueOf(this.view(o))) / (this.pacer ? this.pacer.base : 1);
  }
  params(): PolicyParams {
    return { encoder: this.encoderSpec, degree: this.degree, multipliers: [...this.multipliers], theta: this.theta.map((t) => [...t]), pacer: this.pacerParams, ...(this.offsets ? { offsets: [...this.offsets] } : {}) };
  }
}
