/**
 * Interest models to compare the attention model with.
 *
 * - {@link LogisticModel}: logistic regression on the user's observed features,
 *   the ad's content features and their cross products (user features × ad
 *   features). It knows who the user is (persona, cold start, session depth) but
 *   not what they did: it never sees the history items.
 * - {@link MfModel}: collaborative filtering by matrix factorisation, in the
 *   asymmetric form that needs no per-user parameters (NSVD / FISM: Paterek 2007,
 *   Kabbur et al. 2013): a user's factor is the mean of learned factors of the
 *   items in their history plus a factor of their observed features, an ad has a
 *   learned factor and bias. It uses ids only, no content features, so it serves
 *   users never seen in training.
 * (The oracle, the true click probability — the ceiling — is `OracleModel` in interest.ts.)
 *
 * Both learned baselines also see the user's fatigue towards the ad's advertiser,
 * like the attention model.
 */
import * as tf from '@tensorflow/tfjs';
import type { Catalogue } from '../env/ads/catalogue.js';
import type { CtrPredictor } from '../env/interest.js';
import type { Rng } from '../env/rng.js';
import type { UserPopulation } from '../env/users/population.js';
import type { FeatureBatch } from './data.js';
import { adTensor, checkShape, contextTensors, sigmoid, type Network, type NetworkConfig, type WorldShape } from './network.js';
import { ParamSet } from './params.js';

/** Logistic regression on user features, ad features and their cross products. No hyperparameters. */
export class LogisticModel implements Network {
  readonly kind = 'logistic' as const;
  readonly shape: WorldShape;
  readonly params = new ParamSet();
  readonly catalogue: Catalogue;
  readonly output = { weights: ['wu', 'wa', 'wx', 'wf'], bias: 'b' } as const;

  /**
   * @param shape sizes of the world
   * @param catalogue content embeddings of the ads
   * @param rng stream for the initial weights
   */
  constructor(shape: WorldShape, catalogue: Catalogue, rng: Rng) {
    checkShape(shape, catalogue, shape.historyLength, shape.featureCount, 'logistic model');
    this.shape = { ...shape };
    this.catalogue = catalogue;
    const { topics: d, featureCount: F } = shape;
    this.params.matrix('wu', F, 1, rng);
    this.params.matrix('wa', d, 1, rng);
    this.params.matrix('wx', F * d, 1, rng);
    this.params.matrix('wf', 1, 1, rng);
    this.params.vector('b', 1);
  }

  getConfig(): NetworkConfig {
    return { kind: this.kind, shape: { ...this.shape }, hyper: {} };
  }

  /** [ad embedding [n,d], user features [n,F], fatigue [n,1]]. */
  inputs(batch: FeatureBatch): tf.Tensor[] {
    return [adTensor(batch, this.catalogue), ...contextTensors(batch)];
  }

  /** logit = x_u·w_u + e_a·w_a + (x_u ⊗ e_a)·w_x + fatigue·w_f + b. */
  logits(inputs: tf.Tensor[]): tf.Tensor1D {
    const [ad, user, fatigue] = inputs as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const n = ad.shape[0];
    const { topics: d, featureCount: F } = this.shape;
    const p = this.params;
    const cross = tf.reshape(tf.mul(tf.reshape(user, [n, F, 1]), tf.reshape(ad, [n, 1, d])), [n, F * d]) as tf.Tensor2D;
    const z = tf.addN([
      tf.matMul(user, p.get('wu') as tf.Tensor2D),
      tf.matMul(ad, p.get('wa') as tf.Tensor2D),
      tf.matMul(cross, p.get('wx') as tf.Tensor2D),
      tf.matMul(fatigue, p.get('wf') as tf.Tensor2D),
    ]);
    return tf.reshape(tf.add(z, p.get('b')), [-1]);
  }

  /** Serving: per ad, the user-feature weights w_u + W_x e_a and the ad's constant are precomputed. */
  server(): CtrPredictor {
    const { topics: d, featureCount: F, ads: A } = this.shape;
    const w = this.params.snapshot();
    const wu = w.get('wu')!;
    const wa = w.get('wa')!;
    const wx = w.get('wx')!;
    const wf = w.get('wf')![0]!;
    const b = w.get('b')![0]!;
    const cat = this.catalogue;
    const m = new Float64Array(A * F);
    const c = new Float64Array(A);
    for (let a = 0; a < A; a++) {
      const e = (cat.items + a) * d;
      let s = b;
      for (let i = 0; i < d; i++) s += wa[i]! * cat.embeddings[e + i]!;
      c[a] = s;
      for (let f = 0; f < F; f++) {
        let t = wu[f]!;
        for (let i = 0; i < d; i++) t += wx[f * d + i]! * cat.embeddings[e + i]!;
        m[a * F + f] = t;
      }
    }
    const feat = new Float32Array(F);
    return {
      kind: 'logistic',
      predict(pop: UserPopulation, users: Int32Array, ads: Int32Array, n: number, out: Float32Array): void {
        if (pop.catalogue !== cat) throw new Error('logistic model: this population uses another catalogue than the model was built with');
        let last = -1;
        for (let k = 0; k < n; k++) {
          const u = users[k]!;
          const a = ads[k]!;
          if (u !== last) {
            pop.userFeatures(u, feat, 0);
            last = u;
          }
          let z = c[a]! + wf * pop.fatigueOf(u, cat.adAdvertiser[a]!);
          for (let f = 0; f < F; f++) z += feat[f]! * m[a * F + f]!;
          out[k] = sigmoid(z);
        }
      },
    };
  }
}

/** Hyperparameters of {@link MfModel}. */
export interface MfArgs {
  /** Latent factors per user and per ad (≥ 1). */
  factors: number;
}

/** Collaborative filtering: asymmetric matrix factorisation over item ids. */
export class MfModel implements Network {
  readonly kind = 'mf' as const;
  readonly shape: WorldShape;
  readonly params = new ParamSet();
  readonly args: Readonly<MfArgs>;
  readonly catalogue: Catalogue;
  readonly output = { weights: ['ea', 'ba', 'wu', 'wf'], bias: 'b' } as const;
  private readonly totalItems: number;

  /**
   * @param args number of factors
   * @param shape sizes of the world (item and ad ids index the factor tables)
   * @param catalogue the catalogue (its sizes only: this model does not read content features)
   * @param rng stream for the initial weights
   */
  constructor(args: MfArgs, shape: WorldShape, catalogue: Catalogue, rng: Rng) {
    if (!(Number.isInteger(args.factors) && args.factors >= 1)) throw new Error(`interestModel.factors: expected an integer ≥ 1 — got ${args.factors}`);
    checkShape(shape, catalogue, shape.historyLength, shape.featureCount, 'mf model');
    this.args = { ...args };
    this.shape = { ...shape };
    this.catalogue = catalogue;
    this.totalItems = shape.items + shape.ads;
    const k = args.factors;
    const { featureCount: F, ads: A } = shape;
    const p = this.params;
    p.matrix('pu', F, k, rng);
    p.matrix('ei', this.totalItems, k, rng);
    p.matrix('ea', A, k, rng);
    p.vector('ba', A);
    p.matrix('wu', F, 1, rng);
    p.matrix('wf', 1, 1, rng);
    p.vector('b', 1);
  }

  getConfig(): NetworkConfig {
    return { kind: this.kind, shape: { ...this.shape }, hyper: { ...this.args } };
  }

  /**
   * [history bag [n, items+ads] (1/len per history entry), ad one-hot [n, A], user features [n,F], fatigue [n,1]].
   * Multiplying these by the factor tables is the lookup (tf.gather has no gradient on wasm).
   */
  inputs(batch: FeatureBatch): tf.Tensor[] {
    const { n, historyLength: L } = batch;
    const T = this.totalItems;
    const A = this.shape.ads;
    const bag = new Float32Array(n * T);
    const onehot = new Float32Array(n * A);
    for (let r = 0; r < n; r++) {
      const len = batch.historyLen[r]!;
      for (let j = 0; j < len; j++) bag[r * T + batch.history[r * L + j]!]! += 1 / len;
      onehot[r * A + batch.ads[r]!] = 1;
    }
    return [tf.tensor2d(bag, [n, T]), tf.tensor2d(onehot, [n, A]), ...contextTensors(batch)];
  }

  /** logit = (x_u P + mean_i E_i) · E_a + b_a + x_u·w_u + fatigue·w_f + b. */
  logits(inputs: tf.Tensor[]): tf.Tensor1D {
    const [bag, onehot, user, fatigue] = inputs as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const p = this.params;
    const userFactor = tf.add(tf.matMul(user, p.get('pu') as tf.Tensor2D), tf.matMul(bag, p.get('ei') as tf.Tensor2D));
    const adFactor = tf.matMul(onehot, p.get('ea') as tf.Tensor2D);
    const adBias = tf.matMul(onehot, tf.reshape(p.get('ba'), [-1, 1]) as tf.Tensor2D);
    const z = tf.addN([
      tf.sum(tf.mul(userFactor, adFactor), 1, true),
      adBias,
      tf.matMul(user, p.get('wu') as tf.Tensor2D),
      tf.matMul(fatigue, p.get('wf') as tf.Tensor2D),
    ]);
    return tf.reshape(tf.add(z, p.get('b')), [-1]);
  }

  /** Serving: the history's mean item factor is cached per (user, history version). */
  server(): CtrPredictor {
    const k = this.args.factors;
    const { featureCount: F, historyLength: L } = this.shape;
    const w = this.params.snapshot();
    const [pu, ei, ea, ba, wu] = ['pu', 'ei', 'ea', 'ba', 'wu'].map((name) => w.get(name)!) as Float32Array[];
    const wf = w.get('wf')![0]!;
    const b = w.get('b')![0]!;
    const cat = this.catalogue;
    const feat = new Float32Array(F);
    const uf = new Float64Array(k);
    const caches = new WeakMap<UserPopulation, { user: Int32Array; version: Uint32Array; mean: Float64Array }>();
    return {
      kind: 'mf',
      predict(pop: UserPopulation, users: Int32Array, ads: Int32Array, n: number, out: Float32Array): void {
        if (pop.catalogue !== cat) throw new Error('mf model: this population uses another catalogue than the model was built with');
        let c = caches.get(pop);
        if (!c) {
          const slots = Math.min(pop.count, 1 << 16);
          c = { user: new Int32Array(slots).fill(-1), version: new Uint32Array(slots), mean: new Float64Array(slots * k) };
          caches.set(pop, c);
        }
        const slots = c.user.length;
        let last = -1;
        let bias = 0;
        let mo = 0;
        for (let r = 0; r < n; r++) {
          const u = users[r]!;
          const a = ads[r]!;
          if (u !== last) {
            last = u;
            pop.userFeatures(u, feat, 0);
            bias = b;
            uf.fill(0);
            for (let f = 0; f < F; f++) {
              const x = feat[f]!;
              if (x === 0) continue;
              bias += x * wu[f]!;
              for (let j = 0; j < k; j++) uf[j] += x * pu[f * k + j]!;
            }
            const s = u % slots;
            mo = s * k;
            const version = pop.historyVersion[u]!;
            if (c.user[s] !== u || c.version[s] !== version) {
              c.user[s] = u;
              c.version[s] = version;
              c.mean.fill(0, mo, mo + k);
              const len = pop.historyLen[u]!;
              // Entries of a history that is not full sit at [0, len) of its ring; order does not matter for a mean.
              for (let i = 0; i < len; i++) {
                const item = pop.history[u * L + i]!;
                for (let j = 0; j < k; j++) c.mean[mo + j] += ei[item * k + j]! / len;
              }
            }
          }
          let z = bias + ba[a]! + wf * pop.fatigueOf(u, cat.adAdvertiser[a]!);
          for (let j = 0; j < k; j++) z += (uf[j]! + c.mean[mo + j]!) * ea[a * k + j]!;
          out[r] = sigmoid(z);
        }
      },
    };
  }
}
