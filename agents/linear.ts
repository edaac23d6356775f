/**
 * Bayesian ridge regression of a reward on a context vector: the model behind
 * the linear contextual bandits (bandit.ts: linucb.ts, thompson.ts) and their ad allocators.
 *
 * With prior precision λ and forgetting factor ρ ∈ (0, 1] (ρ = 1: ordinary ridge
 * regression), after observations (x_i, r_i):
 *
 *   A = ρ·A + x xᵀ   (A₀ = λ I),     b = ρ·b + r x,     θ = A⁻¹ b.
 *
 * A⁻¹ is kept up to date with the Sherman–Morrison formula, O(d²) per update:
 *   (A + x xᵀ)⁻¹ = A⁻¹ − (A⁻¹x)(A⁻¹x)ᵀ / (1 + xᵀA⁻¹x).
 * The posterior of θ under Gaussian noise σ² is N(θ, σ² A⁻¹) (Agrawal & Goyal,
 * "Thompson Sampling for Contextual Bandits with Linear Payoffs", 2013).
 */
import { InputError } from '../env/errors.js';
import type { Rng } from '../env/rng.js';

/** Ridge regression state of one arm (or of a shared allocator model). */
export class RidgeModel {
  /** Dimension of the context. */
  readonly d: number;
  /** A⁻¹, d × d row-major. */
  readonly ainv: Float64Array;
  readonly b: Float64Array;
  /** Posterior mean θ = A⁻¹ b (kept current). */
  readonly theta: Float64Array;
  /** Observations so far. */
  count = 0;
  private readonly u: Float64Array;
  private readonly chol: Float64Array;
  private cholDirty = true;

  /** @param d context dimension (≥ 1) @param lambda prior precision (> 0) */
  constructor(d: number, lambda: number) {
    if (!Number.isInteger(d) || d < 1) throw new RangeError(`RidgeModel: d must be an integer ≥ 1, got ${d}`);
    if (!(lambda > 0)) throw new InputError(`regularisation: expected a number > 0, got ${lambda}`);
    this.d = d;
    this.ainv = new Float64Array(d * d);
    for (let i = 0; i < d; i++) this.ainv[i * d + i] = 1 / lambda;
    this.b = new Float64Array(d);
    this.theta = new Float64Array(d);
    this.u = new Float64Array(d);
    this.chol = new Float64Array(d * d);
  }

  /** Adds the observation (x, r), after discounting the past by `decay`. */
  update(x: ArrayLike<number>, r: number, decay = 1): void {
    const d = this.d;
    const A = this.ainv;
    if (decay !== 1) {
      for (let i = 0; i < A.length; i++) A[i]! /= decay;
      for (let i = 0; i < d; i++) this.b[i]! *= decay;
    }
    // u = A⁻¹ x (A⁻¹ is symmetric), s = xᵀ A⁻¹ x.
    let s = 1;
    for (let i = 0; i < d; i++) {
      let ui = 0;
      for (let j = 0; j < d; j++) ui += A[i * d + j]! * x[j]!;
      this.u[i] = ui;
      s += ui * x[i]!;
    }
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) A[i * d + j]! -= (this.u[i]! * this.u[j]!) / s;
    for (let i = 0; i < d; i++) this.b[i]! += r * x[i]!;
    for (let i = 0; i < d; i++) {
      let t = 0;
      for (let j = 0; j < d; j++) t += A[i * d + j]! * this.b[j]!;
      this.theta[i] = t;
    }
    this.count++;
    this.cholDirty = true;
  }

  /**
   * The update with the one-hot context x = e_i, for a model whose every update
   * is one-hot (A⁻¹ then stays diagonal): the same numbers as {@link update},
   * in O(1) (O(d) with forgetting).
   */
  updateOneHot(i: number, r: number, decay = 1): void {
    const d = this.d;
    const A = this.ainv;
    if (decay !== 1) {
      for (let j = 0; j < d; j++) {
        A[j * d + j]! /= decay;
        this.b[j]! *= decay;
        this.theta[j] = A[j * d + j]! * this.b[j]!;
      }
    }
    const a = A[i * d + i]!;
    A[i * d + i] = a - (a * a) / (1 + a);
    this.b[i]! += r;
    this.theta[i] = A[i * d + i]! * this.b[i]!;
    this.count++;
    this.cholDirty = true;
  }

  /** Posterior mean reward θᵀx. */
  mean(x: ArrayLike<number>): number {
    let s = 0;
    for (let i = 0; i < this.d; i++) s += this.theta[i]! * x[i]!;
    return s;
  }

  /** Confidence width √(xᵀ A⁻¹ x). */
  width(x: ArrayLike<number>): number {
    const d = this.d;
    let s = 0;
    for (let i = 0; i < d; i++) {
      let t = 0;
      for (let j = 0; j < d; j++) t += this.ainv[i * d + j]! * x[j]!;
      s += t * x[i]!;
    }
    return Math.sqrt(Math.max(0, s));
  }

  /** Reward of x under θ̃ ~ N(θ, scale² A⁻¹), drawn from `rng` (d normal draws). */
  sampleMean(x: ArrayLike<number>, scale: number, rng: Rng): number {
    const d = this.d;
    if (this.cholDirty) this.factor();
    // θ̃ = θ + scale · L z; θ̃ᵀx = θᵀx + scale · zᵀ (Lᵀ x).
    let s = this.mean(x);
    for (let j = 0; j < d; j++) {
      let lx = 0;
      for (let i = j; i < d; i++) lx += this.chol[i * d + j]! * x[i]!;
      s += scale * rng.normal() * lx;
    }
    return s;
  }

  /** Writes a draw θ̃ ~ N(θ, scale² A⁻¹) into `out` (d normal draws from `rng`). */
  sampleTheta(scale: number, rng: Rng, out: Float64Array): void {
    const d = this.d;
    if (this.cholDirty) this.factor();
    out.set(this.theta);
    for (let j = 0; j < d; j++) {
      const z = scale * rng.normal();
      for (let i = j; i < d; i++) out[i]! += this.chol[i * d + j]! * z;
    }
  }

  /** Cholesky factor L of A⁻¹ (lower triangular), with a tiny jitter for round-off. */
  private factor(): void {
    const d = this.d;
    const L = this.chol;
    L.fill(0);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j <= i; j++) {
        let s = this.ainv[i * d + j]!;
        for (let k = 0; k < j; k++) s -= L[i * d + k]! * L[j * d + k]!;
        if (i === j) L[i * d + i] = Math.sqrt(Math.max(s, 1e-12));
        else L[i * d + j] = s / L[j * d + j]!;
      }
    }
    this.cholDirty = false;
  }
}
