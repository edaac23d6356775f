/**
 * A small multilayer perceptron on TensorFlow.js for the offline learners, with
 * weights drawn from our own seeded stream (He-uniform hidden layers,
 * Glorot-uniform output, zero biases — the initialisation of agents/nn.ts), so
 * the same seed gives the same network on every backend. Exported as
 * {@link MlpWeights} (row-major, output unit major), which agents/nn.ts's
 * `mlpForward` evaluates in plain TypeScript: a trained policy bids without tfjs.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../../env/rng.js';
import type { MlpWeights } from '../../nn.js';

export class TfMlp {
  private readonly w: tf.Variable[] = [];
  private readonly b: tf.Variable[] = [];

  /** @param sizes layer widths, input first, output last */
  constructor(readonly sizes: readonly number[], rng: Rng) {
    for (let l = 0; l + 1 < sizes.length; l++) {
      const fanIn = sizes[l]!;
      const fanOut = sizes[l + 1]!;
      const last = l + 2 === sizes.length;
      const limit = last ? Math.sqrt(6 / (fanIn + fanOut)) : Math.sqrt(6 / fanIn);
      const v = new Float32Array(fanIn * fanOut);
      for (let i = 0; i < v.length; i++) v[i] = (2 * rng.next() - 1) * limit;
      this.w.push(tf.variable(tf.tensor2d(v, [fanIn, fanOut]), true));
      this.b.push(tf.variable(tf.zeros([fanOut]), true));
    }
  }

  /** Forward pass of a batch `[n, sizes[0]]` → `[n, out]` (ReLU hidden layers, linear output). */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    let h = x;
    const L = this.w.length;
    for (let l = 0; l < L; l++) {
      const z = tf.add(tf.matMul(h, this.w[l]!), this.b[l]!) as tf.Tensor2D;
      h = l < L - 1 ? tf.relu(z) : z;
    }
    return h;
  }

  variables(): tf.Variable[] {
    return [...this.w, ...this.b];
  }

  /** Sets this network's weights to τ · other + (1 − τ) · this (τ = 1 copies). */
  track(other: TfMlp, tau: number): void {
    tf.tidy(() => {
      const mine = this.variables();
      const theirs = other.variables();
      mine.forEach((v, k) => v.assign(tau === 1 ? theirs[k]! : tf.add(tf.mul(theirs[k]!, tau), tf.mul(v, 1 - tau))));
    });
  }

  /** Plain-data weights for `mlpForward` (tfjs keeps `[in, out]`; MlpWeights is `[out][in]`). */
  weights(): MlpWeights {
    const w: number[][] = [];
    const b: number[][] = [];
    for (let l = 0; l < this.w.length; l++) {
      const nIn = this.sizes[l]!;
      const nOut = this.sizes[l + 1]!;
      const src = this.w[l]!.dataSync();
      const row = new Array<number>(nIn * nOut);
      for (let i = 0; i < nIn; i++) for (let j = 0; j < nOut; j++) row[j * nIn + i] = src[i * nOut + j]!;
      w.push(row);
      b.push(Array.from(this.b[l]!.dataSync()));
    }
    return { sizes: [...this.sizes], activation: 'relu', w, b };
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose();
  }
}
