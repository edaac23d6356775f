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
 *   logit = w₂ · relu(x W₁ + b₁) + x w_lin + b,    p = sigmoid(logit)
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
 * of d·width), and the serving path precomputes q̃, r̃ once per ad. {@link plainLogits}
 * is the textbook order, kept for the benchmark and the tests.
 */
import * as tf from '@tensorflow/tfjs';
import type { Catalogue } from '../env/ads/catalogue.js';
import type { CtrPredictor } from '../env/interest.js';
import type { Rng } from '../env/rng.js';
import type { UserPopulation } from '../env/users/population.js';
import type { FeatureBatch } from './data.js';
import { adTensor, checkShape, contextTensors, historyTensors, sigmoid, type Network, type NetworkConfig, type WorldShape } from './network.js';
import { ParamSet } from './params.js';

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
  readonly output = { weights: ['w2', 'wlin'], bias: 'b' } as const;
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
    p.vector('b', 1);
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
    const logit = tf.add(tf.add(tf.matMul(h, this.v('w2') as tf.Tensor2D), tf.matMul(x, this.v('wlin') as tf.Tensor2D)), this.v('b'));
    return tf.reshape(logit, [-1]);
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

  /** The cached CPU serving path (see {@link AttentionServer}). */
  server(): CtrPredictor {
    return new AttentionServer(this);
  }

  /** @internal weights and sizes for the server */
  exportForServing(): { args: AttentionArgs; shape: WorldShape; catalogue: Catalogue; w: Map<string, Float32Array> } {
    return { args: { ...this.args }, shape: { ...this.shape }, catalogue: this.catalogue, w: this.params.snapshot() };
  }
}

/** Largest memo, in numbers stored (user slots × ads × (hidden + 1)); beyond it fewer user slots are kept. */
const MEMO_NUMBERS = 1 << 22;

/**
 * What depends only on (user, history version, ad), memoised: the readouts z_h
 * folded into the MLP's first-layer pre-activation and linear term together with
 * the ad's own share. The history changes far less often than the user is shown
 * ads (every page of a session asks for the same user's ads again).
 * Direct-mapped on the user id.
 */
class HistoryMemo {
  readonly slots: number;
  readonly slotUser: Int32Array;
  readonly slotVersion: Uint32Array;
  readonly slotStamp: Uint32Array;
  readonly entryStamp: Uint32Array;
  /** Per entry: hidden pre-activations, then the linear term. */
  readonly base: Float64Array;
  readonly stride: number;
  stamp = 0;

  constructor(users: number, ads: number, hidden: number) {
    this.stride = hidden + 1;
    this.slots = Math.max(1, Math.min(users, Math.floor(MEMO_NUMBERS / (ads * this.stride)), 8192));
    this.slotUser = new Int32Array(this.slots).fill(-1);
    this.slotVersion = new Uint32Array(this.slots);
    this.slotStamp = new Uint32Array(this.slots);
    this.entryStamp = new Uint32Array(this.slots * ads);
    this.base = new Float64Array(this.slots * ads * this.stride);
  }
}

/**
 * The serving path of {@link AttentionModel} in plain JavaScript on the CPU.
 *
 * Precomputed once per ad from the weights: q̃_h(a), r̃_h(a) (so a history item's
 * key and value cost one d-dimensional dot product each), the ad's share of the
 * MLP's first layer and of the linear term, and the ad side of the user × ad term.
 * Memoised per (user, history version, ad): the readouts z_h, already folded into
 * the first layer. Left per call: the user's features and fatigue as they are now,
 * one pass over the hidden units, a sigmoid.
 */
export class AttentionServer implements CtrPredictor {
  readonly kind = 'attention';
  private readonly H: number;
  private readonly F: number;
  private readonly d: number;
  private readonly hidden: number;
  private readonly catalogue: Catalogue;
  private readonly L: number;
  // per ad
  private readonly qt: Float64Array; // [A, H, d]
  private readonly rt: Float64Array; // [A, H, d]
  private readonly ut: Float64Array; // [A, F]: user side of g
  private readonly c1: Float64Array; // [A, hidden]: b1 + e_a W1[ad rows]
  private readonly cl: Float64Array; // [A]: b + e_a wlin[ad rows]
  // MLP rows of z, g, user features, fatigue
  private readonly w1: Float32Array;
  private readonly w2: Float32Array;
  private readonly wlin: Float32Array;
  private readonly memos = new WeakMap<UserPopulation, HistoryMemo>();
  // scratch
  private readonly feat: Float32Array;
  private readonly uh: Float64Array;
  private readonly sc: Float64Array;
  private readonly vv: Float64Array;
  private readonly zs: Float64Array;

  constructor(model: AttentionModel) {
    const { args, shape, catalogue, w } = model.exportForServing();
    const H = args.heads;
    const dh = args.width / H;
    const d = shape.topics;
    const F = shape.featureCount;
    const A = shape.ads;
    const W = args.width;
    const hidden = args.hidden;
    this.H = H;
    this.F = F;
    this.d = d;
    this.L = shape.historyLength;
    this.hidden = hidden;
    this.catalogue = catalogue;
    const get = (k: string) => w.get(k)!;
    const [logTemp, wq, wk, wv, wr, wu, wg, w1, b1, w2, wlin, b] = ['logTemp', 'wq', 'wk', 'wv', 'wr', 'wu', 'wg', 'w1', 'b1', 'w2', 'wlin', 'b'].map(get) as Float32Array[];
    this.w1 = w1!;
    this.w2 = w2!;
    this.wlin = wlin!;
    this.qt = new Float64Array(A * H * d);
    this.rt = new Float64Array(A * H * d);
    this.ut = new Float64Array(A * F);
    this.c1 = new Float64Array(A * hidden);
    this.cl = new Float64Array(A);
    const emb = catalogue.embeddings;
    const q = new Float64Array(W);
    const r = new Float64Array(W);
    const g = new Float64Array(W);
    const adRow0 = H + 1 + F + 1;
    const scale = 1 / Math.sqrt(dh);
    for (let a = 0; a < A; a++) {
      const e = (catalogue.items + a) * d;
      q.fill(0);
      r.fill(0);
      g.fill(0);
      for (let i = 0; i < d; i++) {
        const x = emb[e + i]!;
        for (let c = 0; c < W; c++) {
          q[c] += x * wq![i * W + c]!;
          r[c] += x * wr![i * W + c]!;
          g[c] += x * wg![i * W + c]!;
        }
      }
      for (let h = 0; h < H; h++) {
        for (let i = 0; i < d; i++) {
          let sq = 0;
          let sr = 0;
          for (let k = 0; k < dh; k++) {
            const c = h * dh + k;
            sq += wk![i * W + c]! * q[c]!;
            sr += wv![i * W + c]! * r[c]!;
          }
          this.qt[(a * H + h) * d + i] = sq * scale * Math.exp(logTemp![h]!);
          this.rt[(a * H + h) * d + i] = sr;
        }
      }
      for (let f = 0; f < F; f++) {
        let s = 0;
        for (let c = 0; c < W; c++) s += wu![f * W + c]! * g[c]!;
        this.ut[a * F + f] = s;
      }
      let lin = b![0]!;
      for (let j = 0; j < hidden; j++) this.c1[a * hidden + j] = b1![j]!;
      for (let i = 0; i < d; i++) {
        const x = emb[e + i]!;
        lin += x * wlin![adRow0 + i]!;
        for (let j = 0; j < hidden; j++) this.c1[a * hidden + j]! += x * w1![(adRow0 + i) * hidden + j]!;
      }
      this.cl[a] = lin;
    }
    this.feat = new Float32Array(F);
    this.uh = new Float64Array(hidden);
    this.zs = new Float64Array(H);
    this.sc = new Float64Array(Math.max(1, this.L));
    this.vv = new Float64Array(Math.max(1, this.L));
  }

  /** Readouts z_h of (u, ad) into `out[off …]`, from the user's history as it is now. */
  private readouts(pop: UserPopulation, u: number, ad: number, out: Float64Array, off: number): void {
    const { H, d, L } = this;
    const len = pop.historyLen[u]!;
    if (len === 0) {
      for (let h = 0; h < H; h++) out[off + h] = 0;
      return;
    }
    const emb = this.catalogue.embeddings;
    const hist = pop.history;
    const sc = this.sc;
    const vv = this.vv;
    for (let h = 0; h < H; h++) {
      const qo = (ad * H + h) * d;
      let m = -Infinity;
      // While a history is not full its entries sit at [0, len) of the ring (the order does not matter here).
      for (let j = 0; j < len; j++) {
        const e = hist[u * L + j]! * d;
        let s = 0;
        let v = 0;
        for (let i = 0; i < d; i++) {
          const x = emb[e + i]!;
          s += x * this.qt[qo + i]!;
          v += x * this.rt[qo + i]!;
        }
        sc[j] = s;
        vv[j] = v;
        if (s > m) m = s;
      }
      let num = 0;
      let den = 0;
      for (let j = 0; j < len; j++) {
        const wj = Math.exp(sc[j]! - m);
        num += wj * vv[j]!;
        den += wj;
      }
      out[off + h] = num / den;
    }
  }

  /** Predicts click probabilities (top slot) of the pairs (users[k], ads[k]) of `pop`. */
  predict(pop: UserPopulation, users: Int32Array, ads: Int32Array, n: number, out: Float32Array): void {
    if (pop.catalogue !== this.catalogue) throw new Error('attention model: this population uses another catalogue than the model was built with');
    const { H, F, hidden } = this;
    const A = this.catalogue.ads;
    let memo = this.memos.get(pop);
    if (!memo) {
      memo = new HistoryMemo(pop.count, A, hidden);
      this.memos.set(pop, memo);
    }
    const { w1, w2, wlin, feat, uh, c1, zs } = this;
    const rowG = H;
    const rowF = H + 1;
    const rowFat = H + 1 + F;
    const stride = memo.stride;
    const base = memo.base;
    const adv = this.catalogue.adAdvertiser;
    let lastUser = -1;
    let ul = 0;
    let slot = 0;
    for (let k = 0; k < n; k++) {
      const u = users[k]!;
      const ad = ads[k]!;
      if (u !== lastUser) {
        lastUser = u;
        // The user's share of the first layer and of the linear term (features are sparse: persona one-hot).
        pop.userFeatures(u, feat, 0);
        uh.fill(0);
        ul = 0;
        for (let f = 0; f < F; f++) {
          const x = feat[f]!;
          if (x === 0) continue;
          ul += x * wlin[rowF + f]!;
          const o = (rowF + f) * hidden;
          for (let j = 0; j < hidden; j++) uh[j] += x * w1[o + j]!;
        }
        slot = u % memo.slots;
        const version = pop.historyVersion[u]!;
        if (memo.slotUser[slot] !== u || memo.slotVersion[slot] !== version) {
          memo.slotUser[slot] = u;
          memo.slotVersion[slot] = version;
          memo.slotStamp[slot] = ++memo.stamp;
        }
      }
      const entry = slot * A + ad;
      const bo = entry * stride;
      if (memo.entryStamp[entry] !== memo.slotStamp[slot]) {
        // Miss: attend over the history, fold z into the ad's share of both layers.
        this.readouts(pop, u, ad, zs, 0);
        const co = ad * hidden;
        for (let j = 0; j < hidden; j++) {
          let b = c1[co + j]!;
          for (let h = 0; h < H; h++) b += zs[h]! * w1[h * hidden + j]!;
          base[bo + j] = b;
        }
        let lin = this.cl[ad]!;
        for (let h = 0; h < H; h++) lin += zs[h]! * wlin[h]!;
        base[bo + hidden] = lin;
        memo.entryStamp[entry] = memo.slotStamp[slot]!;
      }
      let gval = 0;
      const uo = ad * F;
      for (let f = 0; f < F; f++) {
        const x = feat[f]!;
        if (x !== 0) gval += x * this.ut[uo + f]!;
      }
      const fat = pop.fatigueOf(u, adv[ad]!);
      let logit = base[bo + hidden]! + ul + gval * wlin[rowG]! + fat * wlin[rowFat]!;
      const go = rowG * hidden;
      const fo = rowFat * hidden;
      for (let j = 0; j < hidden; j++) {
        const pre = base[bo + j]! + uh[j]! + gval * w1[go + j]! + fat * w1[fo + j]!;
        if (pre > 0) logit += pre * w2[j]!;
      }
      out[k] = sigmoid(logit);
    }
  }
}
