/**
 * A small multilayer perceptron in plain TypeScript: forward pass, hand-written
 * backpropagation and Adam, over `Float64Array`s.
 *
 * The learners' networks are tiny (a handful of inputs, two hidden layers of a
 * few dozen units) and are called once per auction with a batch of one. At that
 * size TensorFlow.js spends far more time dispatching kernels than computing
 * (see docs/agents.md and `bench/agents.ts`, which times both), so the networks
 * are written out by hand. The weights are plain numbers, so an exported policy
 * evaluates with {@link mlpForward} and nothing else.
 *
 * Initialisation: He-uniform for ReLU layers, Glorot-uniform for the output layer
 * (He et al. 2015; Glorot & Bengio 2010), drawn from the stream given.
 * Optimiser: Adam (Kingma & Ba 2015, Algorithm 1) with bias correction.
 */
import type { Rng } from '../env/rng.js';

/** Plain-data weights of an {@link Mlp}: what policy files store. */
export interface MlpWeights {
  /** Layer widths, input first, output last (≥ 2 entries). */
  sizes: number[];
  /** Hidden-layer activation. */
  activation: 'relu' | 'tanh';
  /** Per layer l: weights `sizes[l+1] × sizes[l]`, row-major (output unit major). */
  w: number[][];
  /** Per layer l: biases, `sizes[l+1]`. */
  b: number[][];
}

/** Arguments of {@link Mlp}. */
export interface MlpArgs {
  /** Layer widths, input first, output last, e.g. `[3, 32, 32, 16]`. */
  sizes: number[];
  /** Hidden activation (default relu). */
  activation?: 'relu' | 'tanh';
  /** Adam step size (default 1e-3). */
  learningRate?: number;
  /** Gradient-norm clip per update (default 10; 0 = none). */
  clipNorm?: number;
}

/** A multilayer perceptron with linear output, trained by Adam on accumulated gradients. */
export class Mlp {
  readonly sizes: number[];
  readonly activation: 'relu' | 'tanh';
  learningRate: number;
  readonly clipNorm: number;
  /** Weights and biases per layer. */
  readonly w: Float64Array[];
  readonly b: Float64Array[];
  /** Activations of the last forward pass, per layer (input first). */
  private readonly act: Float64Array[];
  /** Gradient accumulators and Adam moments. */
  private readonly gw: Float64Array[];
  private readonly gb: Float64Array[];
  private readonly mw: Float64Array[];
  private readonly vw: Float64Array[];
  private readonly mb: Float64Array[];
  private readonly vb: Float64Array[];
  private readonly delta: Float64Array[];
  private steps = 0;
  private accumulated = 0;

  /** @param rng stream for the initial weights */
  constructor(args: MlpArgs, rng: Rng) {
    const sizes = args.sizes;
    if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) throw new RangeError(`Mlp: sizes must be ≥ 2 positive integers, got [${sizes.join(', ')}]`);
    this.sizes = [...sizes];
    this.activation = args.activation ?? 'relu';
    this.learningRate = args.learningRate ?? 1e-3;
    this.clipNorm = args.clipNorm ?? 10;
    const L = sizes.length - 1;
    const zeros = (n: number): Float64Array => new Float64Array(n);
    this.w = [];
    this.b = [];
    for (let l = 0; l < L; l++) {
      const fanIn = sizes[l]!;
      const fanOut = sizes[l + 1]!;
      const last = l === L - 1;
      const limit = last ? Math.sqrt(6 / (fanIn + fanOut)) : Math.sqrt(6 / fanIn);
      const w = zeros(fanIn * fanOut);
      for (let i = 0; i < w.length; i++) w[i] = (2 * rng.next() - 1) * limit;
      this.w.push(w);
      this.b.push(zeros(fanOut));
    }
    this.act = sizes.map((s) => zeros(s));
    this.delta = sizes.map((s) => zeros(s));
    this.gw = this.w.map((w) => zeros(w.length));
    this.gb = this.b.map((b) => zeros(b.length));
    this.mw = this.w.map((w) => zeros(w.length));
    this.vw = this.w.map((w) => zeros(w.length));
    this.mb = this.b.map((b) => zeros(b.length));
    this.vb = this.b.map((b) => zeros(b.length));
  }

  /** Output width. */
  get outputs(): number {
    return this.sizes[this.sizes.length - 1]!;
  }

  /**
   * Forward pass of one input; keeps the activations for {@link backward}.
   * @returns the output layer (a view reused by the next call: copy to keep)
   */
  forward(x: ArrayLike<number>): Float64Array {
    const a0 = this.act[0]!;
    for (let i = 0; i < a0.length; i++) a0[i] = x[i]!;
    const L = this.w.length;
    for (let l = 0; l < L; l++) {
      const input = this.act[l]!;
      const out = this.act[l + 1]!;
      const w = this.w[l]!;
      const b = this.b[l]!;
      const nIn = input.length;
      const hidden = l < L - 1;
      for (let j = 0; j < out.length; j++) {
        let s = b[j]!;
        const row = j * nIn;
        for (let i = 0; i < nIn; i++) s += w[row + i]! * input[i]!;
        out[j] = hidden ? (this.activation === 'relu' ? (s > 0 ? s : 0) : Math.tanh(s)) : s;
      }
    }
    return this.act[L]!;
  }

  /**
   * Accumulates the gradient of a loss whose derivative with respect to the
   * outputs of the last {@link forward} is `dOut` (zeros where the loss does not
   * depend on an output).
   */
  backward(dOut: ArrayLike<number>): void {
    const L = this.w.length;
    const dl = this.delta[L]!;
    for (let j = 0; j < dl.length; j++) dl[j] = dOut[j]!;
    for (let l = L - 1; l >= 0; l--) {
      const input = this.act[l]!;
      const dOutL = this.delta[l + 1]!;
      const w = this.w[l]!;
      const gw = this.gw[l]!;
      const gb = this.gb[l]!;
      const nIn = input.length;
      const dIn = this.delta[l]!;
      dIn.fill(0);
      for (let j = 0; j < dOutL.length; j++) {
        const d = dOutL[j]!;
        if (d === 0) continue;
        gb[j]! += d;
        const row = j * nIn;
        for (let i = 0; i < nIn; i++) {
          gw[row + i]! += d * input[i]!;
          dIn[i]! += d * w[row + i]!;
        }
      }
      if (l > 0) {
        // Through the hidden activation of layer l.
        for (let i = 0; i < nIn; i++) {
          const a = input[i]!;
          dIn[i] = this.activation === 'relu' ? (a > 0 ? dIn[i]! : 0) : dIn[i]! * (1 - a * a);
        }
      }
    }
    this.accumulated++;
  }

  /** One Adam step on the mean of the gradients accumulated since the last step; clears them. */
  step(): void {
    if (this.accumulated === 0) return;
    const scale = 1 / this.accumulated;
    let norm2 = 0;
    for (const g of [...this.gw, ...this.gb]) for (let i = 0; i < g.length; i++) norm2 += (g[i]! * scale) ** 2;
    const norm = Math.sqrt(norm2);
    const clip = this.clipNorm > 0 && norm > this.clipNorm ? this.clipNorm / norm : 1;
    this.steps++;
    const beta1 = 0.9;
    const beta2 = 0.999;
    const eps = 1e-8;
    const c1 = 1 - beta1 ** this.steps;
    const c2 = 1 - beta2 ** this.steps;
    const lr = this.learningRate;
    const update = (p: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array): void => {
      for (let i = 0; i < p.length; i++) {
        const gi = g[i]! * scale * clip;
        m[i] = beta1 * m[i]! + (1 - beta1) * gi;
        v[i] = beta2 * v[i]! + (1 - beta2) * gi * gi;
        p[i]! -= (lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + eps);
        g[i] = 0;
      }
    };
    for (let l = 0; l < this.w.length; l++) {
      update(this.w[l]!, this.gw[l]!, this.mw[l]!, this.vw[l]!);
      update(this.b[l]!, this.gb[l]!, this.mb[l]!, this.vb[l]!);
    }
    this.accumulated = 0;
  }

  /**
   * Forward pass of one input, returning the activations of the last hidden
   * layer (the features the linear output layer reads; a view reused by the
   * next call: copy to keep). Needs at least one hidden layer.
   */
  hidden(x: ArrayLike<number>): Float64Array {
    this.forward(x);
    return this.act[this.w.length - 1]!;
  }

  /** Copies the weights of `other` (same sizes) into this network (target networks). */
  copyFrom(other: Mlp): void {
    for (let l = 0; l < this.w.length; l++) {
      this.w[l]!.set(other.w[l]!);
      this.b[l]!.set(other.b[l]!);
    }
  }

  /** Plain-data copy of the weights. */
  weights(): MlpWeights {
    return { sizes: [...this.sizes], activation: this.activation, w: this.w.map((w) => Array.from(w)), b: this.b.map((b) => Array.from(b)) };
  }
}

/** Checks that plain-data weights are well formed; throws naming the field. */
export function checkMlpWeights(m: MlpWeights, field = 'network'): void {
  if (!m || !Array.isArray(m.sizes) || m.sizes.length < 2) throw new RangeError(`${field}.sizes: expected at least 2 layer widths`);
  if (m.activation !== 'relu' && m.activation !== 'tanh') throw new RangeError(`${field}.activation: expected relu or tanh, got ${String(m.activation)}`);
  const L = m.sizes.length - 1;
  if (!Array.isArray(m.w) || m.w.length !== L || !Array.isArray(m.b) || m.b.length !== L) throw new RangeError(`${field}: expected ${L} weight and bias arrays`);
  for (let l = 0; l < L; l++) {
    if (m.w[l]!.length !== m.sizes[l]! * m.sizes[l + 1]!) throw new RangeError(`${field}.w[${l}]: expected ${m.sizes[l]! * m.sizes[l + 1]!} numbers, got ${m.w[l]!.length}`);
    if (m.b[l]!.length !== m.sizes[l + 1]!) throw new RangeError(`${field}.b[${l}]: expected ${m.sizes[l + 1]} numbers, got ${m.b[l]!.length}`);
    for (const x of [...m.w[l]!, ...m.b[l]!]) if (typeof x !== 'number' || !Number.isFinite(x)) throw new RangeError(`${field}: layer ${l} has a non-finite weight`);
  }
}

/**
 * Forward pass of plain-data weights (no training code): the same arithmetic,
 * in the same order, as {@link Mlp.forward}, so the outputs are identical.
 *
 * @param m weights (see {@link MlpWeights})
 * @param x input, `m.sizes[0]` numbers
 * @returns the outputs, a new array
 */
export function mlpForward(m: { sizes: number[]; activation: 'relu' | 'tanh'; w: ArrayLike<number>[]; b: ArrayLike<number>[] }, x: ArrayLike<number>): Float64Array {
  let input = Float64Array.from({ length: m.sizes[0]! }, (_, i) => x[i]!);
  const L = m.w.length;
  for (let l = 0; l < L; l++) {
    const w = m.w[l]!;
    const b = m.b[l]!;
    const nIn = input.length;
    const out = new Float64Array(m.sizes[l + 1]!);
    const hidden = l < L - 1;
    for (let j = 0; j < out.length; j++) {
      let s = b[j]!;
      const row = j * nIn;
      for (let i = 0; i < nIn; i++) s += w[row + i]! * input[i]!;
      out[j] = hidden ? (m.activation === 'relu' ? (s > 0 ? s : 0) : Math.tanh(s)) : s;
    }
    input = out;
  }
  return input;
}
