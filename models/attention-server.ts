/**
 * The serving path of the attention model (models/attention.ts) in plain
 * JavaScript on the CPU: what the market calls once per auction. Same function as
 * the tfjs forward pass, organised for one user and many ads at a time.
 */
import type { Catalogue } from '../env/ads/catalogue.js';
import type { CtrPredictor } from '../env/interest.js';
import type { UserPopulation } from '../env/users/population.js';
import type { AttentionModel } from './attention.js';
import { sigmoid } from './network.js';

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
  private readonly ux: Float64Array; // [A, F]: W_x e_a, the logistic cross terms per user feature
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
    const [logTemp, wq, wk, wv, wr, wu, wg, w1, b1, w2, wlin, wx, b] = ['logTemp', 'wq', 'wk', 'wv', 'wr', 'wu', 'wg', 'w1', 'b1', 'w2', 'wlin', 'wx', 'b'].map(get) as Float32Array[];
    this.w1 = w1!;
    this.w2 = w2!;
    this.wlin = wlin!;
    this.qt = new Float64Array(A * H * d);
    this.rt = new Float64Array(A * H * d);
    this.ut = new Float64Array(A * F);
    this.ux = new Float64Array(A * F);
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
        let x = 0;
        for (let i = 0; i < d; i++) x += emb[e + i]! * wx![f * d + i]!;
        this.ux[a * F + f] = x;
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
      let cross = 0;
      const uo = ad * F;
      for (let f = 0; f < F; f++) {
        const x = feat[f]!;
        if (x !== 0) {
          gval += x * this.ut[uo + f]!;
          cross += x * this.ux[uo + f]!;
        }
      }
      const fat = pop.fatigueOf(u, adv[ad]!);
      let logit = base[bo + hidden]! + ul + cross + gval * wlin[rowG]! + fat * wlin[rowFat]!;
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
