/**
 * Users: who they are, what they did, and the sessions in which they arrive.
 *
 * Stored as a struct of typed arrays (about 150 bytes a user with the defaults),
 * so the cost of an arrival does not grow with the number of users. Three parts
 * live in files of their own:
 *  - personas.ts: the segments users are drawn from (centroid, click offset, favourite content);
 *  - click-model.ts: the true click and conversion model and its per-session cache;
 *  - sessions.ts: the clock, the session in progress, fatigue and its recovery.
 *
 * Arrivals come in sessions: a user arrives, sees a random number of pages (one
 * auction each), and leaves; the next session is a random user, or with
 * probability `coldStartShare` a brand-new user with no history who replaces a
 * random old one. At the start of a session the user's interest drifts a little,
 * the fatigue towards each advertiser recovers (exponentially in the time since
 * the user was last seen), and the user engages with some content matching their
 * persona (pushed into their history). Every ad shown raises the fatigue towards
 * its advertiser; every click pushes the ad into the history.
 */
import type { Catalogue } from '../ads/catalogue.js';
import { Rng } from '../rng.js';
import { ClickModel, type AttentionTable } from './click-model.js';
import { drawPersonas, type Personas } from './personas.js';
import { Sessions } from './sessions.js';

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

/**
 * What a twin population shares with its original instead of computing it again
 * (the same values: personas from the same stream, the click model's attention
 * table from the same catalogue and arguments). Both are only read.
 */
export interface TwinWorld {
  personas: Personas;
  attention: AttentionTable;
}

/** A population of users and the sessions in which they arrive. */
export class UserPopulation {
  readonly count: number;
  readonly topics: number;
  readonly historyLength: number;
  /** Number of personas. */
  readonly personas: number;
  readonly advertisers: number;
  readonly catalogue: Catalogue;
  readonly args: Readonly<PopulationArgs>;
  /** The personas of this world (shared by twins). */
  readonly personaTable: Personas;
  /** The clock, the current session, fatigue. */
  readonly sessions: Sessions;
  /** The true click model. */
  readonly clickModel: ClickModel;

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

  private readonly rng: Rng;
  /** The stream the personas were drawn from (shared by twins). */
  private readonly personasRng: Rng;
  private readonly noise: Float64Array;
  /** Where {@link nextArrival} puts the words it loads early (read by nothing). */
  private touched = 0;

  /** Items a user comes across per organic engagement (they engage with the one they like best). */
  static readonly BROWSED = 8;

  /**
   * @param args population and click-model parameters
   * @param catalogue items and ads (their topic count is the users' too)
   * @param rng the population's own stream (arrivals, drift, new users)
   * @param personasRng the personas' stream (default `rng.stream('personas')`; twins share it)
   */
  constructor(args: PopulationArgs, catalogue: Catalogue, rng: Rng, personasRng?: Rng, world?: TwinWorld) {
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
    this.sessions = new Sessions(n, this.advertisers, args.fatigueStep, args.fatigueRecovery);
    this.personasRng = personasRng ?? rng.stream('personas');
    // A twin's personas and attention table are its original's (drawn from the same key, computed from the same catalogue).
    this.personaTable = world?.personas ?? drawPersonas(args.personas, catalogue, new Rng(this.personasRng.key));
    this.clickModel = new ClickModel(this, catalogue, args, world?.attention);

    // Initial users, each with a history of content its persona likes.
    const init = rng.stream('init');
    for (let u = 0; u < n; u++) {
      this.newUser(u, init);
      const h = init.int(args.historyLength + 1);
      for (let j = 0; j < h; j++) this.pushHistory(u, this.organicItem(u, init));
    }
  }

  // ---- the session in progress (see sessions.ts) ----
  /** The user of the current session (-1 before the first). */
  get current(): number {
    return this.sessions.current;
  }
  set current(u: number) {
    this.sessions.current = u;
  }
  /** Page views earlier in the current session. */
  get sessionDepth(): number {
    return this.sessions.sessionDepth;
  }
  /** Clock: number of page views so far. */
  get tick(): number {
    return this.sessions.tick;
  }
  /** Fatigue towards each advertiser, `count × advertisers`, as of each user's last visit. */
  get fatigue(): Float32Array {
    return this.sessions.fatigue;
  }

  /** Makes `u` a new user: persona, interest around its centroid, empty history, no fatigue. */
  private newUser(u: number, rng: Rng): void {
    const d = this.topics;
    const p = rng.int(this.personas);
    const centroids = this.personaTable.centroids;
    this.persona[u] = p;
    let norm = 0;
    for (let k = 0; k < d; k++) {
      const v = centroids[p * d + k]! + this.args.interestNoise * rng.normal() / Math.sqrt(d);
      this.interest[u * d + k] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    for (let k = 0; k < d; k++) this.interest[u * d + k]! /= norm;
    this.historyHead[u] = 0;
    this.historyLen[u] = 0;
    this.historyVersion[u]++;
    this.sessions.clearUser(u);
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
      const interest = this.interest;
      const ud = u * d;
      let best = 0;
      let bestScore = -Infinity;
      // Four candidates at a time: drawn in order, each score summed in topic order
      // from 0, compared in draw order (the first best wins), so the same item as one
      // at a time, with four independent chains of additions in flight.
      let c = 0;
      for (; c + 3 < UserPopulation.BROWSED; c += 4) {
        const i0 = rng.int(items);
        const i1 = rng.int(items);
        const i2 = rng.int(items);
        const i3 = rng.int(items);
        const e0 = i0 * d;
        const e1 = i1 * d;
        const e2 = i2 * d;
        const e3 = i3 * d;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let k = 0; k < d; k++) {
          const v = interest[ud + k]!;
          s0 += v * emb[e0 + k]!;
          s1 += v * emb[e1 + k]!;
          s2 += v * emb[e2 + k]!;
          s3 += v * emb[e3 + k]!;
        }
        if (s0 > bestScore) {
          bestScore = s0;
          best = i0;
        }
        if (s1 > bestScore) {
          bestScore = s1;
          best = i1;
        }
        if (s2 > bestScore) {
          bestScore = s2;
          best = i2;
        }
        if (s3 > bestScore) {
          bestScore = s3;
          best = i3;
        }
      }
      for (; c < UserPopulation.BROWSED; c++) {
        const i = rng.int(items);
        let s = 0;
        for (let k = 0; k < d; k++) s += interest[ud + k]! * emb[i * d + k]!;
        if (s > bestScore) {
          bestScore = s;
          best = i;
        }
      }
      return best;
    }
    if (r < 0.85) {
      const P = this.personaTable;
      return P.preferred[this.persona[u]! * P.perPersona + rng.int(P.perPersona)]!;
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
    if (u === this.sessions.current) this.clickModel.historyChanged(item, evicted, len === 0);
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
    const s = this.sessions;
    if (s.continueSession()) return s.current;
    const rng = this.rng;
    const a = this.args;
    let u: number;
    if (rng.next() < a.coldStartShare) {
      u = rng.int(this.count);
      this.newUser(u, rng);
    } else {
      u = rng.int(this.count);
      // The user's rows are likely not in the cache: load a word of each now, so
      // that the misses overlap the normal draws below (the values are not used).
      this.touched = this.interest[u * this.topics]! + this.sessions.lastSeen[u]! + this.sessions.fatigue[u * this.advertisers]! + this.history[u * this.historyLength]! + this.historyLen[u]!;
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
    s.startSession(u, rng.geometric(a.sessionLength));
    return u;
  }

  /** Records that `u` saw an ad of `advertiser` (fatigue up). */
  expose(u: number, advertiser: number): void {
    this.sessions.expose(u, advertiser);
  }

  /** Fatigue of `u` towards `advertiser`, as of now. */
  fatigueOf(u: number, advertiser: number): number {
    return this.sessions.fatigueOf(u, advertiser);
  }

  /** True click logit of ad `ad` for user `u` in the top slot (fatigue included). */
  trueLogit(u: number, ad: number): number {
    return this.clickModel.trueLogit(u, ad);
  }

  /** True click probability of ad `ad` (ad index) for user `u` in the top slot. */
  trueCtr(u: number, ad: number): number {
    return this.clickModel.trueCtr(u, ad);
  }

  /** The ad of `advertiser` with the highest true click probability for user `u` (ties: lowest index). */
  bestAd(u: number, advertiser: number): number {
    return this.clickModel.bestAd(u, advertiser);
  }

  /** True conversion probability given a click. */
  trueCvr(u: number, ad: number): number {
    return this.clickModel.trueCvr(u, ad);
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
    out[offset + 2] = u === this.sessions.current ? Math.min(this.sessions.sessionDepth, 20) / 20 : 0;
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
    return new UserPopulation(this.args, this.catalogue, this.rng.stream(name), this.personasRng, { personas: this.personaTable, attention: this.clickModel.attention });
  }

  /** Bytes held per user by the typed arrays (for the memory benchmark). */
  bytesPerUser(): number {
    const s = this.sessions;
    const arrays = [this.persona, this.interest, this.history, this.historyHead, this.historyLen, this.historyVersion, s.fatigue, s.lastSeen];
    return arrays.reduce((acc, x) => acc + x.byteLength, 0) / this.count;
  }
}
