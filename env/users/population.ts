/**
 * Users: personas, latent interests, histories and attention that moves.
 *
 * Stored as a struct of typed arrays (about 150 bytes a user with the defaults),
 * so the cost of an arrival does not grow with the number of users.
 *
 * Arrivals come in sessions: a user arrives, sees a random number of pages (one
 * auction each), and leaves; the next session is a random user, or with
 * probability `coldStartShare` a brand-new user with no history who replaces a
 * random old one. At the start of a session the user's interest drifts a little,
 * the fatigue towards each advertiser recovers (exponentially in the time since
 * the user was last seen), and the user engages with some content matching their
 * persona (pushed into their history). Every ad shown raises the fatigue towards
 * its advertiser; every click pushes the ad into the history.
 *
 * True click probability of ad `a` for user `u` in the top slot (the
 * "attention-style" model the interest models must learn):
 *
 *   sim(i, a)  = cosine of item i's and ad a's embeddings
 *   attn(u, a) = Σ_i softmax_i(τ · sim(h_i, a)) · sim(h_i, a)     (0 with no history)
 *   logit      = logit(baseCtr) + personaBias + wInterest · (interest_u · a)
 *                + wHistory · attn(u, a) − wFatigue · fatigue_u[advertiser(a)]
 *   ctr        = sigmoid(logit)
 *
 * Lower slots are clicked with probability ctr · w_s, where w_s is the exchange's
 * slot weight (env/market.ts): the population has no position model of its own,
 * so a slot's value, its price and the bidders' reward use one position effect.
 *
 * and a click converts with probability sigmoid(logit(baseCvr) + wCvr · interest_u · a).
 */
import type { Catalogue } from '../ads/catalogue.js';
import { Rng } from '../rng.js';

/** Arguments of {@link UserPopulation} (all have defaults in the config schema). */
export interface PopulationArgs {
  /** Number of users (≥ 1). */
  count: number;
  /** Number of personas (segments) users are drawn from. */
  personas: number;
  /** History capacity: the last N items a user engaged with (≤ 255). */
  historyLength: number;
  /** Spread of a user's interest around their persona's centroid. */
  interestNoise: number;
  /** Standard deviation of the interest drift per session. */
  interestDrift: number;
  /** Mean session length, page views (geometric, ≥ 1). */
  sessionLength: number;
  /** Probability that a session is a new user with an empty history. */
  coldStartShare: number;
  /** Content items a user engages with at the start of a session. */
  organicEngagements: number;
  /** Top-slot click probability before the interest, history and fatigue terms. */
  baseCtr: number;
  /** Weight of interest · ad in the click logit. */
  interestWeight: number;
  /** Weight of the history attention term in the click logit. */
  historyWeight: number;
  /** Inverse temperature τ of the history softmax. */
  attentionSharpness: number;
  /** Logit penalty per unit of fatigue. */
  fatigueWeight: number;
  /** Fatigue added per exposure to an advertiser's ad. */
  fatigueStep: number;
  /** Time constant of fatigue recovery, in auctions. */
  fatigueRecovery: number;
  /** Conversion probability given a click, for an average ad. */
  baseCvr: number;
  /** Weight of interest · ad in the conversion logit. */
  cvrInterestWeight: number;
}

const logit = (p: number): number => Math.log(p / (1 - p));

/** A population of users and the sessions in which they arrive. */
export class UserPopulation {
  readonly count: number;
  readonly topics: number;
  readonly historyLength: number;
  readonly personas: number;
  readonly advertisers: number;
  readonly catalogue: Catalogue;
  readonly args: Readonly<PopulationArgs>;

  // ---- struct of arrays, one row per user ----
  /** Persona of each user. */
  readonly persona: Uint8Array;
  /** Latent interest (unit vector), `count × topics`. Hidden from bidders and interest models. */
  readonly interest: Float32Array;
  /** History ring buffers of item ids, `count × historyLength`. */
  readonly history: Uint16Array | Uint32Array;
  /** Index of the oldest entry of each ring buffer. */
  readonly historyHead: Uint8Array;
  /** Number of entries in each history. */
  readonly historyLen: Uint8Array;
  /** Incremented whenever a user's history changes (for caches keyed by history). */
  readonly historyVersion: Uint32Array;
  /** Fatigue towards each advertiser, `count × advertisers`, as of `lastSeen`. */
  readonly fatigue: Float32Array;
  /** Clock tick at which each user was last seen (fatigue decays lazily from there). */
  readonly lastSeen: Float64Array;

  // ---- per persona ----
  /** Persona centroids, `personas × topics`. */
  readonly centroids: Float32Array;
  /** Logit offset of each persona. */
  readonly personaBias: Float32Array;
  /** Content items each persona likes most (`personas × PREFERRED`). */
  private readonly preferred: Int32Array;

  // ---- the session in progress ----
  /** The user of the current session (-1 before the first). */
  current = -1;
  /** Page views left in the current session. */
  sessionLeft = 0;
  /** Page views earlier in the current session. */
  sessionDepth = 0;
  /** Clock: number of page views so far. */
  tick = 0;

  // ---- oracle tables: exp(τ·sim) and exp(τ·sim)·sim of every item against every ad ----
  private readonly expSim: Float64Array;
  private readonly expSimSim: Float64Array;
  /** Cache of the current user's fatigue-free logits (and interest · ad) per ad, filled one advertiser at a time. */
  private readonly cacheLogit: Float64Array;
  private readonly cacheDot: Float64Array;
  private readonly blockStamp: Int32Array;
  private readonly blockBest: Int32Array;
  private lastDot = 0;
  private readonly blockAcc: Float64Array;
  /** Per ad, for the current user: the logit without the history term, and the attention sums. */
  private readonly cacheBase: Float64Array;
  private readonly cacheNum: Float64Array;
  private readonly cacheDen: Float64Array;
  /** (exp(τ·sim), exp(τ·sim)·sim) interleaved: the same tables in the order fillBlock reads them. */
  private readonly attnTable: Float64Array;
  private stamp = 1;
  private readonly logitBaseCtr: number;
  private readonly logitBaseCvr: number;
  private readonly rng: Rng;
  /** The stream the personas were drawn from (shared by twins). */
  private readonly personasRng: Rng;
  private readonly noise: Float64Array;

  static readonly PREFERRED = 64;
  /** Items a user comes across per organic engagement (they engage with the one they like best). */
  static readonly BROWSED = 8;

  /**
   * @param args population and click-model parameters
   * @param catalogue items and ads (their topic count is the users' too)
   * @param rng the population's own stream (arrivals, drift, new users)
   */
  constructor(args: PopulationArgs, catalogue: Catalogue, rng: Rng, personasRng?: Rng) {
    if (args.historyLength > 255) throw new Error('users.historyLength: expected at most 255');
    this.args = { ...args };
    this.count = args.count;
    this.topics = catalogue.topics;
    this.historyLength = args.historyLength;
    this.personas = args.personas;
    this.advertisers = catalogue.advertisers;
    this.catalogue = catalogue;
    this.rng = rng;
    this.noise = new Float64Array(catalogue.topics + 1);
    const d = this.topics;
    const n = this.count;
    const totalItems = catalogue.items + catalogue.ads;
    this.persona = new Uint8Array(n);
    this.interest = new Float32Array(n * d);
    this.history = totalItems < 65536 ? new Uint16Array(n * args.historyLength) : new Uint32Array(n * args.historyLength);
    this.historyHead = new Uint8Array(n);
    this.historyLen = new Uint8Array(n);
    this.historyVersion = new Uint32Array(n);
    this.fatigue = new Float32Array(n * this.advertisers);
    this.lastSeen = new Float64Array(n);

    // Personas: a centroid over one or two main topics and a CTR offset.
    this.personasRng = personasRng ?? rng.stream('personas');
    const prng = new Rng(this.personasRng.key);
    const P = args.personas;
    this.centroids = new Float32Array(P * d);
    this.personaBias = new Float32Array(P);
    for (let p = 0; p < P; p++) {
      let norm = 0;
      const t1 = prng.int(d);
      const t2 = prng.int(d);
      for (let k = 0; k < d; k++) {
        const v = (k === t1 ? 1 : 0) + (k === t2 ? 0.6 : 0) + 0.15 * prng.normal();
        this.centroids[p * d + k] = v;
        norm += v * v;
      }
      norm = Math.sqrt(norm);
      for (let k = 0; k < d; k++) this.centroids[p * d + k]! /= norm;
      this.personaBias[p] = 0.3 * prng.normal();
      // One draw per persona once went to a persona-specific position decay; it is
      // still drawn so that the personas of a seed stay what they were.
      prng.normal();
    }
    // Each persona's favourite content: the items closest to its centroid.
    const PREF = Math.min(UserPopulation.PREFERRED, catalogue.items);
    this.preferred = new Int32Array(P * PREF);
    const scores = new Float64Array(catalogue.items);
    const order = Array.from({ length: catalogue.items }, (_, i) => i);
    for (let p = 0; p < P; p++) {
      for (let i = 0; i < catalogue.items; i++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += this.centroids[p * d + k]! * catalogue.embeddings[i * d + k]!;
        scores[i] = s;
      }
      order.sort((a, b) => scores[b]! - scores[a]! || a - b);
      for (let j = 0; j < PREF; j++) this.preferred[p * PREF + j] = order[j]!;
    }

    // Oracle tables.
    const A = catalogue.ads;
    this.expSim = new Float64Array(totalItems * A);
    this.expSimSim = new Float64Array(totalItems * A);
    this.attnTable = new Float64Array(2 * totalItems * A);
    const emb = catalogue.embeddings;
    for (let i = 0; i < totalItems; i++) {
      for (let a = 0; a < A; a++) {
        const ai = catalogue.items + a;
        let s = 0;
        for (let k = 0; k < d; k++) s += emb[i * d + k]! * emb[ai * d + k]!;
        const e = Math.exp(args.attentionSharpness * s);
        this.expSim[i * A + a] = e;
        this.expSimSim[i * A + a] = e * s;
        this.attnTable[2 * (i * A + a)] = e * s;
        this.attnTable[2 * (i * A + a) + 1] = e;
      }
    }
    this.cacheLogit = new Float64Array(A);
    this.cacheDot = new Float64Array(A);
    this.blockStamp = new Int32Array(catalogue.advertisers);
    this.blockBest = new Int32Array(catalogue.advertisers);
    this.blockAcc = new Float64Array(2 * catalogue.adsPerAdvertiser);
    this.cacheBase = new Float64Array(A);
    this.cacheNum = new Float64Array(A);
    this.cacheDen = new Float64Array(A);
    this.logitBaseCtr = logit(args.baseCtr);
    this.logitBaseCvr = logit(args.baseCvr);

    // Initial users, each with a history of content its persona likes.
    const init = rng.stream('init');
    for (let u = 0; u < n; u++) {
      this.newUser(u, init);
      const h = init.int(args.historyLength + 1);
      for (let j = 0; j < h; j++) this.pushHistory(u, this.organicItem(u, init));
    }
  }

  /** Makes `u` a new user: persona, interest around its centroid, empty history, no fatigue. */
  private newUser(u: number, rng: Rng): void {
    const d = this.topics;
    const p = rng.int(this.personas);
    this.persona[u] = p;
    let norm = 0;
    for (let k = 0; k < d; k++) {
      const v = this.centroids[p * d + k]! + this.args.interestNoise * rng.normal() / Math.sqrt(d);
      this.interest[u * d + k] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    for (let k = 0; k < d; k++) this.interest[u * d + k]! /= norm;
    this.historyHead[u] = 0;
    this.historyLen[u] = 0;
    this.historyVersion[u]++;
    this.fatigue.fill(0, u * this.advertisers, (u + 1) * this.advertisers);
    this.lastSeen[u] = this.tick;
  }

  /**
   * A content item the user engages with. Mostly what matches their own
   * interest (the best of a few items they come across), so a history tells
   * about the person, not only their persona; sometimes a favourite of their
   * persona (shared taste), sometimes anything.
   */
  private organicItem(u: number, rng: Rng): number {
    const r = rng.next();
    const items = this.catalogue.items;
    if (r < 0.7) {
      const d = this.topics;
      const emb = this.catalogue.embeddings;
      let best = 0;
      let bestScore = -Infinity;
      for (let c = 0; c < UserPopulation.BROWSED; c++) {
        const i = rng.int(items);
        let s = 0;
        for (let k = 0; k < d; k++) s += this.interest[u * d + k]! * emb[i * d + k]!;
        if (s > bestScore) {
          bestScore = s;
          best = i;
        }
      }
      return best;
    }
    if (r < 0.85) {
      const PREF = Math.min(UserPopulation.PREFERRED, items);
      return this.preferred[this.persona[u]! * PREF + rng.int(PREF)]!;
    }
    return rng.int(items);
  }

  /** Appends an item id to the user's history (dropping the oldest when full). */
  pushHistory(u: number, item: number): void {
    const L = this.historyLength;
    if (L === 0) return;
    const len = this.historyLen[u]!;
    const head = this.historyHead[u]!;
    let evicted = -1;
    if (len < L) {
      this.history[u * L + ((head + len) % L)] = item;
      this.historyLen[u] = len + 1;
    } else {
      evicted = this.history[u * L + head]!;
      this.history[u * L + head] = item;
      this.historyHead[u] = (head + 1) % L;
    }
    this.historyVersion[u]++;
    if (u === this.current) this.updateBlocks(item, evicted, len === 0);
  }

  /**
   * The current user's history changed by one item in, maybe one out: move the
   * cached attention sums of the advertisers already computed this session
   * instead of recomputing them (a click would otherwise invalidate them all).
   */
  private updateBlocks(added: number, evicted: number, wasEmpty: boolean): void {
    const per = this.catalogue.adsPerAdvertiser;
    const A = this.catalogue.ads;
    const t = this.attnTable;
    const a = this.args;
    const rowIn = 2 * added * A;
    const rowOut = evicted >= 0 ? 2 * evicted * A : -1;
    for (let m = 0; m < this.advertisers; m++) {
      if (this.blockStamp[m] !== this.stamp) continue;
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
        const z = this.cacheBase[ad]! + a.historyWeight * (num / den);
        this.cacheLogit[ad] = z;
        if (z > this.cacheLogit[best]!) best = ad;
      }
      this.blockBest[m] = best;
    }
  }

  /** Copies the user's history, oldest first, into `out` at `offset`; returns its length. Unused places are left as they are. */
  readHistory(u: number, out: Int32Array | Float32Array, offset: number): number {
    const L = this.historyLength;
    const len = this.historyLen[u]!;
    const head = this.historyHead[u]!;
    for (let j = 0; j < len; j++) out[offset + j] = this.history[u * L + ((head + j) % L)]!;
    return len;
  }

  /**
   * Moves to the next page view: continues the session, or starts a new one
   * (new or returning user, drift, fatigue recovery, organic engagement).
   * @returns the user who sees this page
   */
  nextArrival(): number {
    this.tick++;
    if (this.sessionLeft > 0) {
      this.sessionLeft--;
      this.sessionDepth++;
      this.recover(this.current);
      return this.current;
    }
    const rng = this.rng;
    const a = this.args;
    let u: number;
    if (rng.next() < a.coldStartShare) {
      u = rng.int(this.count);
      this.newUser(u, rng);
    } else {
      u = rng.int(this.count);
      // Interest drift: a small random walk on the unit sphere.
      if (a.interestDrift > 0) {
        const d = this.topics;
        let norm = 0;
        rng.normals(this.noise, d);
        for (let k = 0; k < d; k++) {
          const v = this.interest[u * d + k]! + a.interestDrift * this.noise[k]!;
          this.interest[u * d + k] = v;
          norm += v * v;
        }
        norm = Math.sqrt(norm);
        for (let k = 0; k < d; k++) this.interest[u * d + k]! /= norm;
      }
      for (let j = 0; j < a.organicEngagements; j++) this.pushHistory(u, this.organicItem(u, rng));
    }
    this.recover(u);
    this.current = u;
    this.sessionDepth = 0;
    this.sessionLeft = rng.geometric(a.sessionLength) - 1;
    this.stamp++;
    return u;
  }

  /** Lazily decays the user's fatigue to the current tick. */
  private recover(u: number): void {
    const dt = this.tick - this.lastSeen[u]!;
    if (dt > 0) {
      const f = Math.exp(-dt / this.args.fatigueRecovery);
      const M = this.advertisers;
      for (let m = u * M, end = m + M; m < end; m++) this.fatigue[m]! *= f;
      this.lastSeen[u] = this.tick;
    }
  }

  /** Records that `u` saw an ad of `advertiser` (fatigue up). */
  expose(u: number, advertiser: number): void {
    this.recover(u);
    this.fatigue[u * this.advertisers + advertiser]! += this.args.fatigueStep;
  }

  /** Fatigue of `u` towards `advertiser`, as of now. */
  fatigueOf(u: number, advertiser: number): number {
    const dt = this.tick - this.lastSeen[u]!;
    const f = this.fatigue[u * this.advertisers + advertiser]!;
    return dt > 0 ? f * Math.exp(-dt / this.args.fatigueRecovery) : f;
  }

  /**
   * The part of the click logit that does not depend on fatigue, for user `u`
   * and ad `ad`: base + persona bias + interest term + history-attention term.
   * Leaves interest · ad in `lastDot`.
   */
  private staticLogit(u: number, ad: number): number {
    const d = this.topics;
    const A = this.catalogue.ads;
    const emb = this.catalogue.embeddings;
    const ai = (this.catalogue.items + ad) * d;
    let dot = 0;
    for (let k = 0; k < d; k++) dot += this.interest[u * d + k]! * emb[ai + k]!;
    let attn = 0;
    const len = this.historyLen[u]!;
    if (len > 0) {
      const L = this.historyLength;
      let num = 0;
      let den = 0;
      for (let j = u * L, end = j + len; j < end; j++) {
        const row = this.history[j]! * A + ad;
        num += this.expSimSim[row]!;
        den += this.expSim[row]!;
      }
      attn = num / den;
    }
    this.lastDot = dot;
    const a = this.args;
    return this.logitBaseCtr + this.personaBias[this.persona[u]!]! + a.interestWeight * dot + a.historyWeight * attn;
  }

  /**
   * Fills the cache of the current user's fatigue-free logits for every ad of one
   * advertiser (valid until the session ends or the history changes), and the
   * advertiser's best ad. Fatigue is per advertiser, so it does not change which
   * of an advertiser's ads is best.
   */
  private fillBlock(m: number): void {
    const u = this.current;
    const per = this.catalogue.adsPerAdvertiser;
    const first = m * per;
    const A = this.catalogue.ads;
    const acc = this.blockAcc;
    const t = this.attnTable;
    const hist = this.history;
    const per2 = 2 * per;
    acc.fill(0, 0, per2);
    // History outer, ads inner: the table is item-major with (exp·sim, exp) pairs,
    // so each history item reads one contiguous run of this advertiser's ads.
    const len = this.historyLen[u]!;
    const L = this.historyLength;
    for (let j = u * L, end = j + len; j < end; j++) {
      const row = 2 * (hist[j]! * A + first);
      for (let i = 0; i < per2; i++) acc[i]! += t[row + i]!;
    }
    const d = this.topics;
    const emb = this.catalogue.embeddings;
    const interest = this.interest;
    const a = this.args;
    const wI = a.interestWeight;
    const wH = a.historyWeight;
    const base = this.logitBaseCtr + this.personaBias[this.persona[u]!]!;
    const cacheLogit = this.cacheLogit;
    const ud = u * d;
    let best = first;
    for (let i = 0; i < per; i++) {
      const ad = first + i;
      const ai = (this.catalogue.items + ad) * d;
      let dot = 0;
      for (let k = 0; k < d; k++) dot += interest[ud + k]! * emb[ai + k]!;
      const attn = len > 0 ? acc[2 * i]! / acc[2 * i + 1]! : 0;
      const zBase = base + wI * dot;
      const z = zBase + wH * attn;
      this.cacheBase[ad] = zBase;
      this.cacheNum[ad] = acc[2 * i]!;
      this.cacheDen[ad] = acc[2 * i + 1]!;
      cacheLogit[ad] = z;
      this.cacheDot[ad] = dot;
      if (z > cacheLogit[best]!) best = ad;
    }
    this.blockBest[m] = best;
    this.blockStamp[m] = this.stamp;
  }

  /** True click logit of ad `ad` for user `u` in the top slot (fatigue included). */
  trueLogit(u: number, ad: number): number {
    const m = this.catalogue.adAdvertiser[ad]!;
    if (u === this.current) {
      if (this.blockStamp[m] !== this.stamp) this.fillBlock(m);
      return this.cacheLogit[ad]! - this.args.fatigueWeight * this.fatigueOf(u, m);
    }
    return this.staticLogit(u, ad) - this.args.fatigueWeight * this.fatigueOf(u, m);
  }

  /** True click probability of ad `ad` (ad index) for user `u` in the top slot. */
  trueCtr(u: number, ad: number): number {
    return 1 / (1 + Math.exp(-this.trueLogit(u, ad)));
  }

  /** The ad of `advertiser` with the highest true click probability for user `u` (ties: lowest index). */
  bestAd(u: number, advertiser: number): number {
    if (u === this.current) {
      if (this.blockStamp[advertiser] !== this.stamp) this.fillBlock(advertiser);
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

  /** True conversion probability given a click. */
  trueCvr(u: number, ad: number): number {
    let dot: number;
    if (u === this.current) {
      const m = this.catalogue.adAdvertiser[ad]!;
      if (this.blockStamp[m] !== this.stamp) this.fillBlock(m);
      dot = this.cacheDot[ad]!;
    } else {
      this.staticLogit(u, ad);
      dot = this.lastDot;
    }
    const z = this.logitBaseCvr + this.args.cvrInterestWeight * dot;
    return 1 / (1 + Math.exp(-z));
  }

  /** Observed user features an interest model may use: cold start, history fill, session depth, persona one-hot. */
  static featureCount(personas: number): number {
    return 3 + personas;
  }

  /** Writes the observed features of `u` (see {@link featureCount}) into `out` at `offset`. */
  userFeatures(u: number, out: Float32Array, offset: number): void {
    const len = this.historyLen[u]!;
    out[offset] = len === 0 ? 1 : 0;
    out[offset + 1] = this.historyLength > 0 ? len / this.historyLength : 0;
    out[offset + 2] = u === this.current ? Math.min(this.sessionDepth, 20) / 20 : 0;
    for (let p = 0; p < this.personas; p++) out[offset + 3 + p] = 0;
    out[offset + 3 + this.persona[u]!] = 1;
  }

  /**
   * Other people of the same world: the same catalogue, personas (centroids,
   * biases, favourite content) and click model, but users, histories and
   * arrivals of their own, drawn from this population's stream `name`. Interest
   * models learn from a twin's impressions, so a run's own users stay unseen.
   */
  twin(name: string): UserPopulation {
    return new UserPopulation(this.args, this.catalogue, this.rng.stream(name), this.personasRng);
  }

  /** Bytes held per user by the typed arrays (for the memory benchmark). */
  bytesPerUser(): number {
    const arrays = [this.persona, this.interest, this.history, this.historyHead, this.historyLen, this.historyVersion, this.fatigue, this.lastSeen];
    return arrays.reduce((s, x) => s + x.byteLength, 0) / this.count;
  }
}
