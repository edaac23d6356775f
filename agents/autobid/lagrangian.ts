/**
 * `lagrangian`: an online learner of the step-level problem — a bandit over bid
 * factors with a Lagrangian on the CPA constraint (primal–dual), trained over
 * the config's `episodes` and then played frozen.
 *
 * Arms: `arms` factors f_k = α / target, log-spaced from `minFactor` to
 * `maxFactor`. For each arm the learner keeps, over every training step that
 * played it, the expected conversions (Σ pValue of exposed wins) and the cost
 * per unit of offered volume (Σ pValue of the step's opportunities):
 * ĉ_k = conversions / volume, q̂_k = cost / volume. Both should grow with the
 * factor, so they are made monotone by pooling adjacent violators (isotonic
 * regression, weighted by volume) before each decision.
 *
 * The CPA-aware reward (Lagrangian). The constrained problem "maximise
 * conversions subject to cost ≤ target × conversions" has the Lagrangian
 * conversions + μ (conversions − cost / target), μ ≥ 0: per unit of volume the
 * arm's value is
 *
 *   L_k(μ) = (1 + μ) ĉ_k − μ q̂_k / target,
 *
 * and the learner plays argmax_k L_k(μ). The multiplier μ follows dual
 * (sub)gradient steps on the constraint, multiplicatively so it stays positive
 * and scale-free: after each training step, μ ← μ · exp(η · clip(g, −1, 1)) with
 * g = cost so far / (target × expected conversions so far) − 1, the episode's
 * running CPA over the target minus 1 (μ grows while the CPA is over the target,
 * which moves play to lower factors, and shrinks while it is under). μ is kept in
 * [`muMin`, `muMax`]. At a saddle point the CPA is at the target when the target
 * binds (and μ sinks to `muMin` when it does not).
 *
 * Budget. An arm is playable only if its estimated cost for the rest of the
 * episode fits the budget left: q̂_k × (this step's volume + the mean volume of
 * the remaining steps, learnt per step index) ≤ budget left; when none fits, the
 * lowest arm plays. (A hard feasibility rule rather than a second multiplier:
 * budgets are hard in the market, so a multiplier would only see the cap.)
 *
 * Exploration (training only): every arm is played once first (round robin,
 * low to high), then ε-greedy with ε = `epsilon` drawn from the bidder's stream;
 * exploratory steps pick a neighbour of the greedy arm (±`exploreWidth` arms),
 * where the information matters. Evaluation (learning off): the estimates are
 * frozen and μ is the mean of μ over the last `muAverage` training episodes
 * (the ergodic average of primal–dual methods); the same greedy rule, with the
 * live budget, plays.
 */
import { z } from 'zod';
import type { AutoBidContext, AutoBidder, StepFeedback, StepObservation } from '../../env/autobid/core.js';
import type { Rng } from '../../env/rng.js';

/** Arguments of `lagrangian`. */
export const lagrangianSchema = z
  .object({
    kind: z.literal('lagrangian'),
    arms: z.number().int().min(3).max(400).default(49).describe('number of bid factors (log-spaced from minFactor to maxFactor)'),
    minFactor: z.number().positive().default(0.1).describe('lowest factor, α / target'),
    maxFactor: z.number().positive().default(4).describe('highest factor, α / target'),
    epsilon: z.number().min(0).max(1).default(0.2).describe('share of exploratory steps while training'),
    exploreWidth: z.number().int().min(1).default(3).describe('an exploratory step plays an arm within this many of the greedy one'),
    dualRate: z.number().positive().default(0.1).describe('step size η of the multiplicative dual update of μ'),
    muInit: z.number().positive().default(1).describe('initial CPA multiplier μ'),
    muMin: z.number().positive().default(1e-3).describe('smallest μ'),
    muMax: z.number().positive().default(1e3).describe('largest μ'),
    muAverage: z.number().int().min(1).default(5).describe('evaluation μ: mean over this many last training episodes'),
    adapt: z.boolean().default(true).describe('in evaluation, keep taking the dual steps within each episode (from the averaged μ, reset every episode; the estimates stay frozen)'),
  })
  .strict()
  .refine((a) => a.minFactor < a.maxFactor, { message: 'expected minFactor < maxFactor', path: ['minFactor'] })
  .refine((a) => a.muMin <= a.muInit && a.muInit <= a.muMax, { message: 'expected muMin ≤ muInit ≤ muMax', path: ['muInit'] });
export type LagrangianArgs = z.infer<typeof lagrangianSchema>;

/** The learnt state of a `lagrangian` bidder (plain data: what params() exports). */
export interface LagrangianState {
  /** Factors α / target of the arms. */
  factors: number[];
  /** Per arm: offered volume (Σ pValue), expected conversions and cost of the training steps that played it. */
  volume: number[];
  conversions: number[];
  cost: number[];
  /** Mean offered volume per step index (training episodes). */
  stepVolume: number[];
  /** Training episodes those means cover. */
  episodes: number;
  /** The CPA multiplier now, and the one evaluation uses. */
  mu: number;
  muEval: number;
}

export class LagrangianBandit implements AutoBidder {
  readonly kind = 'lagrangian';
  private readonly K: number;
  private readonly factors: Float64Array;
  private readonly vol: Float64Array;
  private readonly conv: Float64Array;
  private readonly cost: Float64Array;
  private readonly cHat: Float64Array;
  private readonly qHat: Float64Array;
  private stepVolume: number[] = [];
  private episodes = 0;
  private mu: number;
  private muEval: number;
  /** μ at the end of each training episode (the last `muAverage`). */
  private muHistory: number[] = [];
  private learning = true;
  /** Evaluation's μ within the episode (starts at muEval; moves only when `adapt`). */
  private muLive = 0;
  private roundRobin = 0;
  private arm = 0;
  private episodeVolume: number[] = [];

  constructor(readonly args: LagrangianArgs = lagrangianSchema.parse({ kind: 'lagrangian' }), state?: LagrangianState) {
    const K = (this.K = args.arms);
    const r = Math.log(args.maxFactor / args.minFactor) / (K - 1);
    this.factors = Float64Array.from({ length: K }, (_, k) => args.minFactor * Math.exp(r * k));
    this.vol = new Float64Array(K);
    this.conv = new Float64Array(K);
    this.cost = new Float64Array(K);
    this.cHat = new Float64Array(K);
    this.qHat = new Float64Array(K);
    this.mu = this.muEval = args.muInit;
    if (state) {
      if (state.factors.length !== K) throw new RangeError(`lagrangian: the state has ${state.factors.length} arms, the arguments ${K}`);
      this.vol.set(state.volume);
      this.conv.set(state.conversions);
      this.cost.set(state.cost);
      this.stepVolume = [...state.stepVolume];
      this.episodes = state.episodes;
      this.mu = state.mu;
      this.muEval = this.muLive = state.muEval;
      this.roundRobin = K;
      this.learning = false;
    }
  }

  /** Learning on (training episodes) or off (evaluation: frozen estimates, μ = the averaged μ). */
  setLearning(on: boolean): void {
    if (this.learning && !on) this.muEval = this.muLive = this.muHistory.length > 0 ? this.muHistory.reduce((a, b) => a + b, 0) / this.muHistory.length : this.mu;
    this.learning = on;
  }

  reset(_ctx: AutoBidContext): void {
    this.episodeVolume = [];
    this.muLive = this.muEval;
  }

  /** The multiplier the greedy rule uses now. */
  currentMu(): number {
    return this.learning ? this.mu : this.muLive;
  }

  factor(o: StepObservation, rng: Rng): number {
    let volume = 0;
    for (let j = 0; j < o.n; j++) volume += o.pValues[j]!;
    this.episodeVolume[o.t] = volume;
    if (this.learning && this.roundRobin < this.K) {
      this.arm = this.roundRobin++;
    } else {
      const greedy = this.greedy(o, volume);
      this.arm = greedy;
      if (this.learning && rng.next() < this.args.epsilon) {
        const w = this.args.exploreWidth;
        const lo = Math.max(0, greedy - w);
        const hi = Math.min(this.K - 1, greedy + w);
        this.arm = lo + Math.floor(rng.next() * (hi - lo + 1));
      }
    }
    return this.factors[this.arm]! * o.ctx.cpa;
  }

  /** argmax_k L_k(μ) among the arms whose estimated cost for the rest of the episode fits the budget left. */
  private greedy(o: StepObservation, volume: number): number {
    this.fit();
    const target = o.ctx.cpa;
    const mu = this.currentMu();
    let future = volume;
    for (let s = o.t + 1; s < o.ctx.steps; s++) future += this.stepVolume[s] ?? volume;
    let best = 0;
    let bestL = -Infinity;
    for (let k = 0; k < this.K; k++) {
      if (this.vol[k]! <= 0) continue;
      if (k > 0 && this.qHat[k]! * future > o.remainingBudget) break; // q̂ is monotone: no higher arm fits either
      const L = (1 + mu) * this.cHat[k]! - (mu * this.qHat[k]!) / target;
      if (L > bestL) {
        bestL = L;
        best = k;
      }
    }
    return best;
  }

  /** ĉ and q̂: per-arm rates made non-decreasing in the factor (pool adjacent violators, weighted by volume). */
  private fit(): void {
    isotonic(this.conv, this.vol, this.cHat);
    isotonic(this.cost, this.vol, this.qHat);
  }

  observe(f: StepFeedback, o: StepObservation): void {
    if (!this.learning && !this.args.adapt) return;
    let volume = 0;
    let conv = 0;
    let cost = 0;
    for (let j = 0; j < f.n; j++) {
      volume += f.pValue[j]!;
      cost += f.cost[j]!;
      if (f.exposed[j]! > 0) conv += f.pValue[j]!;
    }
    if (this.learning) {
      const k = this.arm;
      this.vol[k]! += volume;
      this.conv[k]! += conv;
      this.cost[k]! += cost;
    }
    // Dual step on the episode's running CPA constraint (expected conversions: the less noisy count).
    const totCost = o.totals.cost + cost;
    const totConv = o.totals.expectedConversions + conv;
    if (totCost > 0) {
      const g = totConv > 0 ? totCost / (o.ctx.cpa * totConv) - 1 : 1;
      const a = this.args;
      const step = (mu: number) => Math.min(a.muMax, Math.max(a.muMin, mu * Math.exp(a.dualRate * Math.max(-1, Math.min(1, g)))));
      if (this.learning) this.mu = step(this.mu);
      else this.muLive = step(this.muLive);
    }
  }

  endEpisode(_last: StepObservation): void {
    if (!this.learning) return;
    // Mean volume per step index over training episodes.
    const e = ++this.episodes;
    this.episodeVolume.forEach((v, t) => {
      if (v === undefined) return;
      const old = this.stepVolume[t];
      this.stepVolume[t] = old === undefined ? v : old + (v - old) / e;
    });
    this.muHistory.push(this.mu);
    if (this.muHistory.length > this.args.muAverage) this.muHistory.shift();
  }

  /** The learnt state. */
  state(): LagrangianState {
    return {
      factors: [...this.factors],
      volume: [...this.vol],
      conversions: [...this.conv],
      cost: [...this.cost],
      stepVolume: [...this.stepVolume],
      episodes: this.episodes,
      mu: this.mu,
      muEval: this.learning ? this.muHistory.reduce((a, b) => a + b, 0) / Math.max(1, this.muHistory.length) || this.mu : this.muEval,
    };
  }

  params(): Record<string, unknown> {
    return { ...this.args, state: this.state() };
  }
}

/**
 * Weighted isotonic (non-decreasing) regression of the rates sum[k] / weight[k]
 * by pooling adjacent violators; arms without weight take the rate of the pool
 * they sit in (or of their lower neighbour). Writes into `out`.
 */
export function isotonic(sum: ArrayLike<number>, weight: ArrayLike<number>, out: Float64Array): void {
  const K = out.length;
  const ps: number[] = []; // pooled sums
  const pw: number[] = []; // pooled weights
  const pn: number[] = []; // arms in each pool
  for (let k = 0; k < K; k++) {
    ps.push(sum[k]!);
    pw.push(weight[k]!);
    pn.push(1);
    while (ps.length > 1) {
      const i = ps.length - 1;
      const wA = pw[i - 1]!;
      const wB = pw[i]!;
      if (wB <= 0) {
        // An empty arm joins its lower neighbour's pool.
        pn[i - 1]! += pn[i]!;
        ps.pop();
        pw.pop();
        pn.pop();
        continue;
      }
      if (wA > 0 && ps[i - 1]! / wA <= ps[i]! / wB) break;
      ps[i - 1]! += ps[i]!;
      pw[i - 1]! += pw[i]!;
      pn[i - 1]! += pn[i]!;
      ps.pop();
      pw.pop();
      pn.pop();
    }
  }
  let k = 0;
  for (let p = 0; p < ps.length; p++) {
    const rate = pw[p]! > 0 ? ps[p]! / pw[p]! : 0;
    for (let c = 0; c < pn[p]!; c++) out[k++] = rate;
  }
}
