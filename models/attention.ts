/**
 * The attention interest model: the candidate ad attends over the user's history.
 *
 * Scaled dot-product attention (Vaswani et al. 2017, eq. 1) with the candidate ad
 * as the single query and the items of the user's history as keys and values, in
 * `heads` heads of width `width / heads`; the target-aware readout of DIN (Zhou et
 * al. 2018) turns each head's output into one interaction feature with the ad:
 *
 *   Q = e_a W_q,   K = E_h W_k,   V = E_h W_v,   R = e_a W_r        (per head h, width dₕ)
 *   α_h = softmax_i(t_h · Q_h · K_h,i / √dₕ)     over the history items i (masked)
 *   z_h = (Σ_i α_h,i V_h,i) · R_h                 (0 for an empty history)
 *   g   = (x_u W_u) · (e_a W_g)                   user features × ad
 *   x   = [z_1 … z_H, g, x_u, fatigue, e_a]
 *   logit = w₂ · relu(x W₁ + b₁) + x w_lin + (x_u ⊗ e_a) · w_x + b,    p = sigmoid(logit)
 *
 * The linear path x w_lin + (x_u ⊗ e_a) · w_x holds every term of the logistic
 * model (models/baselines.ts: user features, ad, their cross products, fatigue),
 * so the attention model nests logistic regression (w₂ = 0 and zero weights on
 * z, g give it exactly): it knows who the user is as well as what they did, and
 * where the history says little it can fall back on what logistic regression
 * learns.
 *
 * t_h = exp(logTemp_h) is a learned inverse temperature per head (starting at 1):
 * sharp attention needs large query–key products, which a scalar reaches in far
 * fewer steps than the projection matrices would.
 *
 * e_a and the rows of E_h are the catalogue's content embeddings of the ad and of
 * the history items (precomputed features: no learned lookup, so no tf.gather
 * gradient, which the wasm backend lacks). x_u are the user's observed features.
 *
 * Because Q, K, V, R are linear in the embeddings, Q_h · K_h,i = e_i · q̃_h(a) with
 * q̃_h(a) = W_k,h W_q,hᵀ e_a / √dₕ (and likewise V_h,i · R_h = e_i · r̃_h(a)): the
 * training forward pass uses this order (d·H multiply-adds per history item instead
 * of d·width), and the serving path (attention-server.ts) precomputes q̃, r̃ once per
 * ad. {@link plainLogits} is the textbook order, kept for the benchmark and the tests.
 */
import * as tf from '@tensorflow/tfjs';
import type { Catalogue } from '../env/ads/catalogue.js';
import type { CtrPredictor } from '../env/interest.js';
import type { Rng } from '../env/rng.js';
import type { FeatureBatch } from './data.js';
import { adTensor, checkShape, contextTensors, historyTensors, type Network, type NetworkConfig, type WorldShape } from './network.js';
import { AttentionServer } from './attention-server.js';
import { ParamSet } from './params.js';

export { AttentionServer } from './attention-server.js';

/** Hyperparameters of {@link AttentionModel}. */
export interface AttentionArgs {
  /** Attention heads (≥ 1). */
  heads: number;
  /** Total width of the queries, keys and values (a multiple of `heads`). */
  width: number;
  /** Hidden units of the MLP head (≥ 1). */
  hidden: number;
}

/** The attention network: parameters, tfjs forward pass and serving path. */
export class AttentionModel implements Network {
  readonly kind = 'attention' as const;
  readonly shape: WorldShape;
  readonly params = new ParamSet();
  readonly args: Readonly<AttentionArgs>;
  readonly catalogue: Catalogue;
  readonly output = { weights: ['w2', 'wlin', 'wx'], bias: 'b' } as const;
  private readonly dh: number;
  /** Rows of the MLP input x: z (heads), g, user features, fatigue, ad embedding. */
  private readonly inDim: number;

  /**
   * @param args heads, width, hidden units
   * @param shape sizes of the world (topics, items, ads, history length, user features)
   * @param catalogue content embeddings of items and ads
   * @param rng stream for the initial weights
   */
  constructor(args: AttentionArgs, shape: WorldShape, catalogue: Catalogue, rng: Rng) {
    const { heads: H, width: w, hidden } = args;
    if (!(Number.isInteger(H) && H >= 1)) throw new Error(`interestModel.heads: expected an integer ≥ 1 — got ${H}`);
    if (!(Number.isInteger(w) && w >= H && w % H === 0)) throw new Error(`interestModel.width: expected a multiple of heads (${H}) — got ${w}`);
    if (!(Number.isInteger(hidden) && hidden >= 1)) throw new Error(`interestModel.hidden: expected an integer ≥ 1 — got ${hidden}`);
    checkShape(shape, catalogue, shape.historyLength, shape.featureCount, 'attention model');
    this.args = { ...args };
    this.shape = { ...shape };
    this.catalogue = catalogue;
    this.dh = w / H;
    const d = shape.topics;
    const F = shape.featureCount;
    this.inDim = H + 1 + F + 1 + d;
    const p = this.params;
    p.vector('logTemp', H);
    p.matrix('wq', d, w, rng);
    p.matrix('wk', d, w, rng);
    p.matrix('wv', d, w, rng);
    p.matrix('wr', d, w, rng);
    p.matrix('wu', F, w, rng);
    p.matrix('wg', d, w, rng);
    p.matrix('w1', this.inDim, hidden, rng);
    p.vector('b1', hidden);
    p.matrix('w2', hidden, 1, rng);
    p.matrix('wlin', this.inDim, 1, rng);
    p.matrix('wx', F * d, 1, rng);
    p.vector('b', 1);
    // Projections start near the identity: each head attends by (its share of) the
    // content similarity of ad and history item and reads the similarity out, so
    // training starts from a useful attention pattern and only has to sharpen and
    // weigh it — with realistic click rates a log holds a few thousand clicks.
    const init = p.snapshot();
    for (const name of ['wq', 'wk', 'wv', 'wr']) {
      const m = init.get(name)!;
      for (let i = 0; i < m.length; i++) m[i]! *= 0.1;
      for (let i = 0; i < Math.min(d, w); i++) m[i * w + i]! += 1;
    }
    init.set('logTemp', new Float32Array(H).fill(Math.log(2 * Math.sqrt(this.dh))));
    p.restore(init);
  }

  /** Kind, shape and hyperparameters. */
  getConfig(): NetworkConfig {
    return { kind: this.kind, shape: { ...this.shape }, hyper: { ...this.args } };
  }

  private v(name: string): tf.Variable {
    return this.params.get(name);
  }

  /** [history embeddings [n,L,d], mask [n,L], ad embedding [n,d], user features [n,F], fatigue [n,1]]. */
  inputs(batch: FeatureBatch): tf.Tensor[] {
    return [...historyTensors(batch, this.catalogue), adTensor(batch, this.catalogue), ...contextTensors(batch)];
  }

  /**
   * Per-head query and readout vectors in the embedding space, `[n, H, d]`:
   * q̃ = W_k,h (e_a W_q,h)ᵀ / √dₕ, or r̃ = W_v,h (e_a W_r,h)ᵀ.
   */
  private fold(ad: tf.Tensor2D, wa: tf.Variable, wb: tf.Variable, scale: number): tf.Tensor3D {
    const n = ad.shape[0];
    const { heads: H } = this.args;
    const d = this.shape.topics;
    const qh = tf.transpose(tf.reshape(tf.matMul(ad, wa as tf.Tensor2D), [n, H, this.dh]), [1, 0, 2]); // [H, n, dh]
    const wbT = tf.transpose(tf.reshape(wb, [d, H, this.dh]), [1, 2, 0]); // [H, dh, d]
    const folded = tf.transpose(tf.matMul(qh as tf.Tensor3D, wbT as tf.Tensor3D), [1, 0, 2]) as tf.Tensor3D; // [n, H, d]
    return scale === 1 ? folded : tf.mul(folded, scale);
  }

  /** exp(logTemp) per head, shaped to broadcast over `[n, H, …]` of the given rank. */
  private temperature(rank: number): tf.Tensor {
    const shape = [1, this.args.heads, ...Array.from({ length: rank - 2 }, () => 1)];
    return tf.reshape(tf.exp(this.v('logTemp')), shape);
  }

  /** The MLP head from the per-head readouts z `[n, H]`. */
  private head(z: tf.Tensor2D, ad: tf.Tensor2D, user: tf.Tensor2D, fatigue: tf.Tensor2D): tf.Tensor1D {
    const g = tf.sum(tf.mul(tf.matMul(user, this.v('wu') as tf.Tensor2D), tf.matMul(ad, this.v('wg') as tf.Tensor2D)), 1, true);
    const x = tf.concat([z, g, user, fatigue, ad], 1);
    const h = tf.relu(tf.add(tf.matMul(x, this.v('w1') as tf.Tensor2D), this.v('b1')));
    const n = ad.shape[0];
    const F = this.shape.featureCount;
    const d = this.shape.topics;
    const cross = tf.reshape(tf.mul(tf.reshape(user, [n, F, 1]), tf.reshape(ad, [n, 1, d])), [n, F * d]) as tf.Tensor2D;
    const logit = tf.addN([tf.matMul(h, this.v('w2') as tf.Tensor2D), tf.matMul(x, this.v('wlin') as tf.Tensor2D), tf.matMul(cross, this.v('wx') as tf.Tensor2D)]);
    return tf.reshape(tf.add(logit, this.v('b')), [-1]);
  }

  /** Click logits [n] (the folded order; see the file comment). */
  logits(inputs: tf.Tensor[]): tf.Tensor1D {
    const [hist, mask, ad, user, fatigue] = inputs as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const n = ad.shape[0];
    const L = hist.shape[1];
    const qt = tf.mul(this.fold(ad, this.v('wq'), this.v('wk'), 1 / Math.sqrt(this.dh)), this.temperature(3));
    const scores = tf.matMul(qt, hist, false, true); // [n, H, L]
    // Masked places get -1e9: exp underflows to exactly 0. An empty history gives
    // uniform weights over zero embeddings, hence z = 0.
    const masked = tf.add(scores, tf.mul(tf.sub(tf.reshape(mask, [n, 1, L]), 1), 1e9));
    const alpha = tf.softmax(masked);
    const rt = this.fold(ad, this.v('wr'), this.v('wv'), 1);
    const vr = tf.matMul(rt, hist, false, true); // [n, H, L]: V_h,i · R_h
    const z = tf.sum(tf.mul(alpha, vr), 2) as tf.Tensor2D; // [n, H]
    return this.head(z, ad, user, fatigue);
  }

  /**
   * Click logits [n] computed in the textbook order: project every history item to
   * keys and values, attend, read out. Same function as {@link logits}.
   */
  plainLogits(inputs: tf.Tensor[]): tf.Tensor1D {
    const [hist, mask, ad, user, fatigue] = inputs as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const [n, L, d] = hist.shape;
    const { heads: H } = this.args;
    const dh = this.dh;
    const flat = tf.reshape(hist, [n * L, d]) as tf.Tensor2D;
    const split = (t: tf.Tensor, len: number) => tf.transpose(tf.reshape(t, [n, len, H, dh]), [0, 2, 1, 3]) as tf.Tensor4D; // [n, H, len, dh]
    const K = split(tf.matMul(flat, this.v('wk') as tf.Tensor2D), L);
    const V = split(tf.matMul(flat, this.v('wv') as tf.Tensor2D), L);
    const Q = split(tf.matMul(ad, this.v('wq') as tf.Tensor2D), 1);
    const R = split(tf.matMul(ad, this.v('wr') as tf.Tensor2D), 1);
    const scores = tf.mul(tf.mul(tf.matMul(Q, K, false, true), 1 / Math.sqrt(dh)), this.temperature(4)); // [n, H, 1, L]
    const masked = tf.add(scores, tf.mul(tf.sub(tf.reshape(mask, [n, 1, 1, L]), 1), 1e9));
    const out = tf.matMul(tf.softmax(masked), V); // [n, H, 1, dh]
    const z = tf.reshape(tf.sum(tf.mul(out, R), 3), [n, H]) as tf.Tensor2D;
    return this.head(z, ad, user, fatigue);
  }

  /** The cached CPU serving path (see {@link AttentionServer}, attention-server.ts). */
  server(): CtrPredictor {
    return new AttentionServer(this);
  }

  /** @internal weights and sizes for the server */
  exportForServing(): { args: AttentionArgs; shape: WorldShape; catalogue: Catalogue; w: Map<string, Float32Array> } {
    return { args: { ...this.args }, shape: { ...this.shape }, catalogue: this.catalogue, w: this.params.snapshot() };
  }
}
