/**
 * The true click model and its cache: what an interest model must learn.
 *
 * True click probability of ad `a` for user `u` in the top slot:
 *
 *   sim(i, a)  = cosine of item i's and ad a's embeddings
 *   attn(u, a) = Σ_i softmax_i(τ · sim(h_i, a)) · sim(h_i, a)     (0 with no history)
 *   logit      = logit(baseCtr) + personaBias + wInterest · (interest_u · a)
 *                + wHistory · attn(u, a) − wFatigue · fatigue_u[advertiser(a)]
 *   ctr        = sigmoid(logit)
 *
 * and a click converts with probability sigmoid(logit(baseCvr) + wCvr · interest_u · a).
 * Lower slots are clicked with probability ctr · w_s, w_s the exchange's slot
 * weight (env/market.ts): the users have no position model of their own.
 *
 * One table, (exp(τ·sim), exp(τ·sim)·sim) of every item against every ad,
 * interleaved in the order the cache reads it. The cache holds the current
 * session user's fatigue-free logits, one advertiser at a time, and moves them
 * incrementally when the user's history gains (and maybe drops) one item.
 */
import type { Catalogue } from '../ads/catalogue.js';
import { attentionKernel, type AttentionKernel } from './attention-kernel.js';
import type { UserPopulation } from './population.js';

/** Click-model weights (a subset of the population's arguments). */
export interface ClickArgs {
  baseCtr: number;
  interestWeight: number;
  historyWeight: number;
  attentionSharpness: number;
  fatigueWeight: number;
  baseCvr: number;
  cvrInterestWeight: number;
}

const logit = (p: number): number => Math.log(p / (1 - p));

/** A click model's attention table and the kernel whose memory holds it (null: a plain array, summed in JavaScript). Twins share it. */
export interface AttentionTable {
  readonly values: Float64Array;
  readonly kernel: AttentionKernel | null;
}

/** The true click and conversion model of one population, with its per-session cache. */
export class ClickModel {
  private readonly pop: UserPopulation;
  private readonly catalogue: Catalogue;
  private readonly args: ClickArgs;
  /** (exp(τ·sim), exp(τ·sim)·sim) of every item (content and ads) against every ad: `[item][ad][exp·sim, exp]`. Read only (twins share it). */
  private readonly attnTable: Float64Array;
  /** The table with its kernel (what a twin shares). */
  readonly attention: AttentionTable;
  /** Per ad, for the current user: fatigue-free logit, interest · ad, the logit without the history term, the attention sums. */
  private readonly cacheLogit: Float64Array;
  private readonly cacheDot: Float64Array;
  private readonly cacheBase: Float64Array;
  private readonly cacheNum: Float64Array;
  private readonly cacheDen: Float64Array;
  /** Per advertiser: the session stamp its cache block was filled at, and its best ad. */
  private readonly blockStamp: Int32Array;
  private readonly blockBest: Int32Array;
  /** Table offsets of the current user's history items (fillBlock's scratch). */
  private readonly rowScratch: Int32Array;
  /** Attention sums (num, den interleaved) and interest · ad of one advertiser's ads (fillBlock's scratch). */
  private readonly blockSums: Float64Array;
  private readonly blockDot: Float64Array;
  private lastDot = 0;
  /** What this model last wrote into the kernel's scratch (valid while it is the kernel's owner): the rows of user `rowsUser`'s history at version `rowsVersion`, the interest of `interestUser` in session `interestStamp`. */
  private rowsUser = -1;
  private rowsVersion = -1;
  private interestUser = -1;
  private interestStamp = -1;
  /** The ad {@link bestCtr} found. */
  bestOfLast = -1;
  private readonly logitBaseCtr: number;
  private readonly logitBaseCvr: number;

  /**
   * @param shared the attention table of another click model of the same
   *   catalogue and `attentionSharpness` (a twin population's), which is what this
   *   one would compute: it is only read, so they share it
   */
  constructor(pop: UserPopulation, catalogue: Catalogue, args: ClickArgs, shared?: AttentionTable) {
    this.pop = pop;
    this.catalogue = catalogue;
    this.args = args;
    const A = catalogue.ads;
    const d = catalogue.topics;
    const totalItems = catalogue.items + catalogue.ads;
    if (shared) {
      if (shared.values.length !== 2 * totalItems * A) throw new Error('ClickModel: the shared attention table is for another catalogue');
      this.attention = shared;
      this.attnTable = shared.values;
    } else {
      const kernel = attentionKernel(2 * totalItems * A, pop.historyLength, catalogue);
      this.attnTable = kernel ? kernel.table : new Float64Array(2 * totalItems * A);
      this.attention = { values: this.attnTable, kernel };
      const emb = catalogue.embeddings;
      for (let i = 0; i < totalItems; i++) {
        for (let a = 0; a < A; a++) {
          const ai = catalogue.items + a;
          let s = 0;
          for (let k = 0; k < d; k++) s += emb[i * d + k]! * emb[ai * d + k]!;
          const e = Math.exp(args.attentionSharpness * s);
          this.attnTable[2 * (i * A + a)] = e * s;
          this.attnTable[2 * (i * A + a) + 1] = e;
        }
      }
    }
    this.cacheLogit = new Float64Array(A);
    this.cacheDot = new Float64Array(A);
    this.cacheBase = new Float64Array(A);
    this.cacheNum = new Float64Array(A);
    this.cacheDen = new Float64Array(A);
    this.blockStamp = new Int32Array(catalogue.advertisers);
    this.blockBest = new Int32Array(catalogue.advertisers);
    this.rowScratch = new Int32Array(Math.max(1, pop.historyLength));
    this.blockSums = new Float64Array(2 * catalogue.adsPerAdvertiser);
    this.blockDot = new Float64Array(catalogue.adsPerAdvertiser);
    this.logitBaseCtr = logit(args.baseCtr);
    this.logitBaseCvr = logit(args.baseCvr);
  }

  /**
   * The current user's history changed by one item in, maybe one out: move the
   * cached attention sums of the advertisers already computed this session
   * instead of recomputing them (a click would otherwise invalidate them all).
   */
  historyChanged(added: number, evicted: number, wasEmpty: boolean): void {
    const per = this.catalogue.adsPerAdvertiser;
    const A = this.catalogue.ads;
    const t = this.attnTable;
    const wH = this.args.historyWeight;
    const stamp = this.pop.sessions.stamp;
    const rowIn = 2 * added * A;
    const rowOut = evicted >= 0 ? 2 * evicted * A : -1;
    for (let m = 0; m < this.catalogue.advertisers; m++) {
      if (this.blockStamp[m] !== stamp) continue;
      const first = m * per;
      let best = first;
      for (let ad = first; ad < first + per; ad++) {
        let num = (wasEmpty ? 0 : this.cacheNum[ad]!) + t[rowIn + 2 * ad]!;
        let den = (wasEmpty ? 0 : this.cacheDen[ad]!) + t[rowIn + 2 * ad + 1]!;
        if (rowOut >= 0) {
          num -= t[rowOut + 2 * ad]!;
          den -= t[rowOut + 2 * ad + 1]!;
        }
        this.cacheNum[ad] = num;
        this.cacheDen[ad] = den;
        const z = this.cacheBase[ad]! + wH * (num / den);
        this.cacheLogit[ad] = z;
        if (z > this.cacheLogit[best]!) best = ad;
      }
      this.blockBest[m] = best;
    }
  }

  /**
   * The part of the click logit that does not depend on fatigue, for user `u`
   * and ad `ad`, from scratch. Leaves interest · ad in `lastDot`.
   */
  private staticLogit(u: number, ad: number): number {
    const pop = this.pop;
    const d = this.catalogue.topics;
    const A = this.catalogue.ads;
    const emb = this.catalogue.embeddings;
    const ai = (this.catalogue.items + ad) * d;
    let dot = 0;
    for (let k = 0; k < d; k++) dot += pop.interest[u * d + k]! * emb[ai + k]!;
    let attn = 0;
    const len = pop.historyLen[u]!;
    if (len > 0) {
      const L = pop.historyLength;
      const t = this.attnTable;
      let num = 0;
      let den = 0;
      for (let j = u * L, end = j + len; j < end; j++) {
        const row = 2 * (pop.history[j]! * A + ad);
        num += t[row]!;
        den += t[row + 1]!;
      }
      attn = num / den;
    }
    this.lastDot = dot;
    const a = this.args;
    return this.logitBaseCtr + pop.personaTable.bias[pop.persona[u]!]! + a.interestWeight * dot + a.historyWeight * attn;
  }

  /**
   * Fills the cache of the current user's fatigue-free logits for every ad of one
   * advertiser (valid until the session ends; moved by {@link historyChanged}),
   * and the advertiser's best ad. Fatigue is per advertiser, so it does not change
   * which of an advertiser's ads is best.
   */
  private fillBlock(m: number): void {
    const pop = this.pop;
    const u = pop.sessions.current;
    const per = this.catalogue.adsPerAdvertiser;
    const first = m * per;
    const hist = pop.history;
    const len = pop.historyLen[u]!;
    const A2 = 2 * this.catalogue.ads;
    const h0 = u * pop.historyLength;
    // The attention sums, (num, den) of ad i at 2i, 2i + 1 of `sums`. Every sum runs
    // in history order from 0 (as it always did), so the results are the same to
    // the bit whichever way it is computed.
    const kernel = this.attention.kernel;
    let sums: Float64Array;
    if (kernel) {
      // WebAssembly SIMD: each (num, den) pair as one f64x2 (attention-kernel.ts).
      // The rows (where each history item's run of ads starts) are the same for
      // every advertiser, so they are written once per history: the kernel adds
      // the advertiser's offset. The interest likewise, once per session.
      if (kernel.owner !== this) {
        kernel.owner = this;
        this.rowsUser = -1;
        this.interestStamp = -1;
      }
      if (this.rowsUser !== u || this.rowsVersion !== pop.historyVersion[u]) {
        const rows = kernel.rows;
        const at = kernel.tableOffset;
        for (let j = 0; j < len; j++) rows[j] = at + 8 * hist[h0 + j]! * A2;
        this.rowsUser = u;
        this.rowsVersion = pop.historyVersion[u]!;
      }
      kernel.sums(len, per, 16 * first);
      sums = kernel.out;
    } else {
      sums = this.blockSums;
      this.sumsInJs(len, h0, first, per);
    }
    // interest · ad, in topic order from 0 (each product of two single-precision
    // numbers in double precision, as always): in the kernel two ads per f64x2, in
    // JavaScript four ads at a time (independent chains of additions).
    const d = this.catalogue.topics;
    const interest = pop.interest;
    const ud = u * d;
    let dots: Float64Array;
    if (kernel) {
      // A user's interest moves only between sessions (drift, a new user), never within one.
      const stamp = pop.sessions.stamp;
      if (this.interestStamp !== stamp || this.interestUser !== u) {
        const iv = kernel.interest;
        for (let k = 0; k < d; k++) iv[k] = interest[ud + k]!;
        this.interestStamp = stamp;
        this.interestUser = u;
      }
      kernel.dots(m);
      dots = kernel.dotsOut;
    } else {
      dots = this.blockDot;
      this.dotsInJs(ud, first, per);
    }
    const wI = this.args.interestWeight;
    const wH = this.args.historyWeight;
    const base = this.logitBaseCtr + pop.personaTable.bias[pop.persona[u]!]!;
    const cacheLogit = this.cacheLogit;
    let best = first;
    for (let i = 0; i < per; i++) {
      const ad = first + i;
      const dot = dots[i]!;
      const num = sums[2 * i]!;
      const den = sums[2 * i + 1]!;
      const attn = len > 0 ? num / den : 0;
      const zBase = base + wI * dot;
      const z = zBase + wH * attn;
      this.cacheBase[ad] = zBase;
      this.cacheNum[ad] = num;
      this.cacheDen[ad] = den;
      cacheLogit[ad] = z;
      this.cacheDot[ad] = dot;
      if (z > cacheLogit[best]!) best = ad;
    }
    this.blockBest[m] = best;
    this.blockStamp[m] = pop.sessions.stamp;
  }

  /** interest · ad for the ads of {@link fillBlock} in JavaScript, into `blockDot`; four ads at a time. */
  private dotsInJs(ud: number, first: number, per: number): void {
    const d = this.catalogue.topics;
    const emb = this.catalogue.embeddings;
    const interest = this.pop.interest;
    const dots = this.blockDot;
    let i = 0;
    for (; i + 3 < per; i += 4) {
      const a0 = (this.catalogue.items + first + i) * d;
      const a1 = a0 + d;
      const a2 = a1 + d;
      const a3 = a2 + d;
      let x0 = 0;
      let x1 = 0;
      let x2 = 0;
      let x3 = 0;
      for (let k = 0; k < d; k++) {
        const v = interest[ud + k]!;
        x0 += v * emb[a0 + k]!;
        x1 += v * emb[a1 + k]!;
        x2 += v * emb[a2 + k]!;
        x3 += v * emb[a3 + k]!;
      }
      dots[i] = x0;
      dots[i + 1] = x1;
      dots[i + 2] = x2;
      dots[i + 3] = x3;
    }
    for (; i < per; i++) {
      const a0 = (this.catalogue.items + first + i) * d;
      let x0 = 0;
      for (let k = 0; k < d; k++) x0 += interest[ud + k]! * emb[a0 + k]!;
      dots[i] = x0;
    }
  }

  /** The attention sums of {@link fillBlock} in JavaScript (no WebAssembly SIMD), into `blockSums`; four ads at a time. */
  private sumsInJs(len: number, h0: number, first: number, per: number): void {
    const t = this.attnTable;
    const hist = this.pop.history;
    const rows = this.rowScratch;
    const A2 = 2 * this.catalogue.ads;
    // Where each history item's run of this advertiser's ads starts in the table.
    for (let j = 0; j < len; j++) rows[j] = hist[h0 + j]! * A2 + 2 * first;
    const out = this.blockSums;
    let i = 0;
    for (; i + 3 < per; i += 4) {
      const o = 2 * i;
      let n0 = 0;
      let d0 = 0;
      let n1 = 0;
      let d1 = 0;
      let n2 = 0;
      let d2 = 0;
      let n3 = 0;
      let d3 = 0;
      for (let j = 0; j < len; j++) {
        const r = rows[j]! + o;
        n0 += t[r]!;
        d0 += t[r + 1]!;
        n1 += t[r + 2]!;
        d1 += t[r + 3]!;
        n2 += t[r + 4]!;
        d2 += t[r + 5]!;
        n3 += t[r + 6]!;
        d3 += t[r + 7]!;
      }
      out[o] = n0;
      out[o + 1] = d0;
      out[o + 2] = n1;
      out[o + 3] = d1;
      out[o + 4] = n2;
      out[o + 5] = d2;
      out[o + 6] = n3;
      out[o + 7] = d3;
    }
    for (; i < per; i++) {
      const o = 2 * i;
      let n0 = 0;
      let d0 = 0;
      for (let j = 0; j < len; j++) {
        const r = rows[j]! + o;
        n0 += t[r]!;
        d0 += t[r + 1]!;
      }
      out[o] = n0;
      out[o + 1] = d0;
    }
  }

  /** True click logit of ad `ad` for user `u` in the top slot (fatigue included). */
  trueLogit(u: number, ad: number): number {
    const s = this.pop.sessions;
    const m = this.catalogue.adAdvertiser[ad]!;
    if (u === s.current) {
      if (this.blockStamp[m] !== s.stamp) this.fillBlock(m);
      return this.cacheLogit[ad]! - this.args.fatigueWeight * s.fatigueOf(u, m);
    }
    return this.staticLogit(u, ad) - this.args.fatigueWeight * s.fatigueOf(u, m);
  }

  /** True click probability of ad `ad` for user `u` in the top slot. */
  trueCtr(u: number, ad: number): number {
    return 1 / (1 + Math.exp(-this.trueLogit(u, ad)));
  }

  /** The ad of `advertiser` with the highest true click probability for user `u` (ties: lowest index). */
  bestAd(u: number, advertiser: number): number {
    const s = this.pop.sessions;
    if (u === s.current) {
      if (this.blockStamp[advertiser] !== s.stamp) this.fillBlock(advertiser);
      return this.blockBest[advertiser]!;
    }
    const per = this.catalogue.adsPerAdvertiser;
    let best = advertiser * per;
    let bestZ = -Infinity;
    for (let ad = best, end = ad + per; ad < end; ad++) {
      const z = this.staticLogit(u, ad);
      if (z > bestZ) {
        bestZ = z;
        best = ad;
      }
    }
    return best;
  }

  /**
   * For the current session's user: the ad of `advertiser` with the highest true
   * click probability (left in {@link bestOfLast}) and that probability, in the top
   * slot. The same numbers as `bestAd(u, advertiser)` then `trueCtr(u, ad)`, in one call.
   */
  bestCtr(advertiser: number): number {
    const s = this.pop.sessions;
    if (this.blockStamp[advertiser] !== s.stamp) this.fillBlock(advertiser);
    const ad = this.blockBest[advertiser]!;
    this.bestOfLast = ad;
    const z = this.cacheLogit[ad]! - this.args.fatigueWeight * s.fatigueOf(s.current, advertiser);
    return 1 / (1 + Math.exp(-z));
  }

  /** True conversion probability given a click. */
  trueCvr(u: number, ad: number): number {
    const s = this.pop.sessions;
    let dot: number;
    if (u === s.current) {
      const m = this.catalogue.adAdvertiser[ad]!;
      if (this.blockStamp[m] !== s.stamp) this.fillBlock(m);
      dot = this.cacheDot[ad]!;
    } else {
      this.staticLogit(u, ad);
      dot = this.lastDot;
    }
    const z = this.logitBaseCvr + this.args.cvrInterestWeight * dot;
    return 1 / (1 + Math.exp(-z));
  }
}
