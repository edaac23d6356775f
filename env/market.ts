/**
 * The market: users arrive, the exchange picks eligible bidders, each bidder's
 * allocator picks an ad, the bidders bid, the mechanism clears, money moves
 * through the ledger and the user responds from the true click model.
 *
 * This is the fast core used by the runner and by the Gym-style wrappers
 * (market-env.ts, bidding.ts, vector.ts). One auction is two calls:
 *
 *   const n = market.prepare();          // user, eligible bidders, observations
 *   for (k < n) market.bids[market.eligible[k]] = …;
 *   market.clear();                      // mechanism, ledger, clicks, outcomes
 *
 * Nothing here allocates per auction.
 *
 * Evaluation episodes (`resetEpisode(e)`) replay a fixed stream of opportunities,
 * the same for every agent on the same config and seed, so that hindsight
 * benchmarks do not move with the agent being evaluated:
 *  - they show other users of the same world (`population.twin('evaluation')`),
 *    untouched by training, arriving as they would whoever bids; before the
 *    first evaluation episode they live through `spec.evaluationWarmup` auctions
 *    (as many as training had), so that they are as seasoned as the training users;
 *  - every draw of episode e (publisher, eligible bidders, private values, the
 *    users' responses) comes from streams of its own, `evaluation:e/…`, and the
 *    users' responses to the ads shown use common random numbers: two uniforms
 *    per slot, whoever wins it;
 *  - the users' attention (fatigue, clicked ads entering their history) moves as
 *    under the reference allocation — every slot to the highest true values of the
 *    bidders asked, budgets ignored — not as under the bids actually made, and an
 *    episode runs all its auctions even when every bidder is out of budget.
 * So users, their true CTRs and conversions, the values and the draws of every
 * evaluation auction depend on the seed alone; rivals whose bids depend only on
 * what they observe (truthful, shaded, any frozen policy without a budget) bid the
 * same too, and every agent faces the same hindsight optimum.
 *
 * Training episodes draw from the training users and streams. With
 * `spec.trainingAttention: 'reference'` (what configs default to) their attention
 * moves under the reference allocation too, so that learners train in the same
 * kind of world they are evaluated in; with `'own'` (the default of a MarketSpec
 * without it) under the auctions actually won.
 */
import type { AuctionOutcome } from './core.js';
import type { AdAllocator } from './allocation.js';
import { makeCatalogue, type Catalogue } from './ads/catalogue.js';
import { MICROS, Ledger, fromMicros, toMicros } from './exchange/ledger.js';
import { auctionScratch, runAuction, type AuctionScratch, type Mechanism } from './exchange/mechanisms.js';
import type { CtrPredictor } from './interest.js';
import { OBS, OBS_SIZE } from './observation.js';
import { hash32, mix32, type Rng } from './rng.js';
import { UserPopulation, type PopulationArgs } from './users/population.js';

/** How much an impression is worth to a bidder. */
export type ValueModel =
  | { kind: 'per-click'; amount: number }
  | { kind: 'per-conversion'; amount: number }
  | { kind: 'uniform'; low: number; high: number };

/** One bidder (advertiser) in the market. */
export interface BidderSpec {
  id: string;
  value: ValueModel;
  /** Episode budget in currency units; null for none. */
  budget: number | null;
}

/** Users and their catalogue (omit for a market of independent private values). */
export interface UsersSpec extends PopulationArgs {
  topics: number;
  items: number;
  adsPerAdvertiser: number;
  adSpread: number;
}

/** Everything that defines a market. */
export interface MarketSpec {
  mechanism: Mechanism;
  /**
   * Weight of each slot: its length is the number of slots. The one position
   * effect of the market: value, price (bids are per unit of weight) and, with
   * users, the click probability in slot j all scale with `slotWeights[j]`.
   */
  slotWeights: number[];
  /** Reserve price, currency units. */
  reservePrice: number;
  /** Share of each payment paid out to the publisher. */
  publisherShare: number;
  /** Eligible bidders per auction (a random subset); null = all bidders still in the market. */
  participantsPerAuction: number | null;
  /** Number of publishers whose pages carry the impressions. */
  publishers: number;
  auctionsPerEpisode: number;
  bidders: BidderSpec[];
  users: UsersSpec | null;
  /** `best`: each bidder shows its ad with the highest predicted value; `random`: a random ad of its catalogue. */
  allocator: 'best' | 'random';
  /**
   * Auctions the evaluation users live through (under the reference allocation,
   * nobody bidding) before the first evaluation episode, so that they have lived
   * as long as the training users (the runner: training episodes × auctions per
   * episode). Default 0.
   */
  evaluationWarmup?: number;
  /**
   * How the training users' attention (fatigue, clicked ads entering the
   * history) moves: `reference`, as in evaluation, under the reference
   * allocation (so that training and evaluation users live in the same world);
   * `own` (the default here, for markets built without a config), under the
   * auctions actually won. Configs set it (`users.trainingAttention`, default reference).
   */
  trainingAttention?: 'reference' | 'own';
  /**
   * Probability that each slot is shown (AuctionNet's exposure), non-increasing;
   * omitted or all 1 = always shown. One uniform per auction decides, in a
   * cascade (slot j shown iff u < exposure[j]). A slot not shown is still won,
   * but costs nothing and can be neither clicked nor converted.
   */
  exposure?: number[];
}

/** Per-bidder totals over the current episode (the runner reads them at its end). */
export interface EpisodeTotals {
  participations: Float64Array;
  wins: Float64Array;
  /** Micros. */
  spend: Float64Array;
  /** True expected value won, currency units. */
  value: Float64Array;
  clicks: Float64Array;
  conversions: Float64Array;
  /** Σ bid / value over participations with value > 0, and their count. */
  bidToValueSum: Float64Array;
  bidToValueCount: Float64Array;
  /** Σ bid and Σ value over the same participations (value-weighted bid/value = their ratio). */
  bidSum: Float64Array;
  bidValueSum: Float64Array;
  /** Market-wide: revenue (micros), welfare (currency), auctions run. */
  revenue: number;
  welfare: number;
  auctions: number;
  publisherPayout: number;
  exchangeFee: number;
}

/** The multi-bidder market (fast core). */
export class Market {
  readonly spec: MarketSpec;
  readonly nBidders: number;
  readonly ids: readonly string[];
  readonly slots: number;
  readonly catalogue: Catalogue | null;
  /** The users the market shows now: the training users, or the evaluation users during an evaluation episode. */
  population: UserPopulation | null;
  /** The users of training episodes (and of the Gym wrappers). */
  readonly trainingPopulation: UserPopulation | null;
  /** Evaluation episode in progress (-1: a training episode). */
  evaluation = -1;
  readonly ledger: Ledger;
  /** Learning allocators by bidder (null: the market's rule, `spec.allocator`). */
  readonly allocators: (AdAllocator | null)[];
  /** The click model bidders see (oracle when none was given); see {@link setPredictor}. */
  predictor: CtrPredictor;

  // ---- the current auction ----
  /** Auction index within the episode. */
  t = 0;
  /** Auctions run since the market was built (tie-break keys). */
  auctionCounter = 0;
  /** Current user (-1 without users). */
  user = -1;
  publisher = 0;
  /** Eligible bidder indices (first `nEligible`): asked by the exchange and still in the market. */
  readonly eligible: Int32Array;
  nEligible = 0;
  /** Bidders asked but out of the market (first `nShadow`): `topValue` and `competingBid` are still set for them. */
  readonly shadow: Int32Array;
  nShadow = 0;
  /** Observation of each bidder (valid for eligible ones); reused every auction. */
  readonly observations: Float64Array[];
  /** Bids (currency units), set by the caller for eligible bidders. */
  readonly bids: Float64Array;
  /** Ad (ad index) each eligible bidder shows; -1 without users. */
  readonly ad: Int32Array;
  /** True value of the impression in the top slot (currency) per eligible bidder, for hindsight. */
  readonly topValue: Float64Array;

  // ---- outcomes of the last clear(), per bidder ----
  readonly won: Uint8Array;
  readonly slotOf: Int32Array;
  readonly cost: Float64Array;
  readonly valueWon: Float64Array;
  readonly clicks: Uint8Array;
  readonly conversions: Uint8Array;
  readonly competingBid: Float64Array;
  readonly reward: Float64Array;
  readonly terminated: Uint8Array;

  // ---- budgets and activity ----
  readonly budgetMicros: Float64Array;
  readonly budgetLeftMicros: Float64Array;
  readonly active: Uint8Array;
  nActive = 0;
  readonly totals: EpisodeTotals;

  private readonly rng: Rng;
  private exchangeRng: Rng;
  private responseRng: Rng;
  private valueRngs: Rng[];
  private allocatorRngs: Rng[];
  /** The training streams, kept while an evaluation episode uses its own. */
  private readonly trainingRngs: { exchange: Rng; response: Rng; value: Rng[]; allocator: Rng[] };
  private evaluationPopulation: UserPopulation | null = null;
  /** Two uniforms per slot for the users' responses (common random numbers). */
  private readonly responseDraws: Float64Array;
  /** Training users' attention moves with the auctions actually won (MarketSpec.trainingAttention `own`). */
  private readonly ownAttention: boolean;
  /** Reference allocation of an evaluation auction (candidates, then bidder per slot first). */
  private readonly reference: Int32Array;
  private readonly idHash: Uint32Array;
  private readonly scratch: AuctionScratch;
  private readonly bidMicros: Float64Array;
  private readonly priority: Uint32Array;
  private readonly slotWeights: Float64Array;
  /** Exposure probability per slot; null when every slot is always shown (no draw is made). */
  private readonly exposure: Float64Array | null;
  /** Whether each slot of the last auction was shown. */
  private readonly shown: Uint8Array;
  private readonly reserveMicros: number;
  private readonly pool: Int32Array;
  /** Bidders asked this auction: the eligible ones, then those out of the market. */
  private readonly askedList: Int32Array;
  /** Predicted CTR (top slot) of each asked bidder's chosen ad: what it observes (eligible or not). */
  readonly pctr: Float64Array;
  private readonly reqUsers: Int32Array;
  private readonly reqAds: Int32Array;
  private readonly reqOut: Float32Array;
  /** True CTR (top slot) of each asked bidder's chosen ad (eligible or not). */
  readonly trueCtrTop: Float64Array;
  /** Each asked bidder's own estimate of the top slot's value (its observation's `value`; also for bidders out of the market). */
  readonly estimate: Float64Array;
  private readonly cvr: Float64Array;
  /** 1 where the bidder's value is a private value (`uniform`: no ad, never a reference candidate). */
  private readonly uniform: Uint8Array;
  private oracle: boolean;

  /**
   * @param spec the market
   * @param rng the market's stream (it splits it into users, exchange, responses, bidders)
   * @param predictor click model bidders see; omitted = the true click model (oracle)
   */
  constructor(spec: MarketSpec, rng: Rng, predictor?: CtrPredictor) {
    this.spec = spec;
    this.rng = rng;
    const B = spec.bidders.length;
    this.nBidders = B;
    this.ids = spec.bidders.map((b) => b.id);
    this.slots = spec.slotWeights.length;
    this.slotWeights = Float64Array.from(spec.slotWeights);
    this.exposure = spec.exposure && spec.exposure.some((e) => e < 1) ? Float64Array.from(spec.exposure) : null;
    this.shown = new Uint8Array(spec.slotWeights.length).fill(1);
    this.reserveMicros = toMicros(spec.reservePrice);
    if (spec.users) {
      const u = spec.users;
      this.catalogue = makeCatalogue(
        { topics: u.topics, items: u.items, advertisers: B, adsPerAdvertiser: u.adsPerAdvertiser, adSpread: u.adSpread },
        rng.stream('catalogue'),
      );
      this.population = new UserPopulation(u, this.catalogue, rng.stream('users'));
    } else {
      this.catalogue = null;
      this.population = null;
      for (const b of spec.bidders) {
        if (b.value.kind !== 'uniform') throw new Error(`bidder ${b.id}: value kind ${b.value.kind} needs users`);
      }
    }
    this.allocators = spec.bidders.map(() => null);
    this.oracle = predictor === undefined;
    this.predictor = predictor ?? oraclePredictor();
    this.ledger = new Ledger(B, spec.publishers, spec.publisherShare);
    this.exchangeRng = rng.stream('exchange');
    this.responseRng = rng.stream('responses');
    this.valueRngs = spec.bidders.map((b) => rng.stream(`bidder:${b.id}`).stream('value'));
    this.allocatorRngs = spec.bidders.map((b) => rng.stream(`bidder:${b.id}`).stream('allocator'));
    this.trainingRngs = { exchange: this.exchangeRng, response: this.responseRng, value: this.valueRngs, allocator: this.allocatorRngs };
    this.trainingPopulation = this.population;
    this.idHash = Uint32Array.from(spec.bidders.map((b) => hash32(b.id)));
    this.eligible = new Int32Array(B);
    this.shadow = new Int32Array(B);
    this.observations = spec.bidders.map(() => new Float64Array(OBS_SIZE));
    this.bids = new Float64Array(B);
    this.ad = new Int32Array(B).fill(-1);
    this.topValue = new Float64Array(B);
    this.won = new Uint8Array(B);
    this.slotOf = new Int32Array(B).fill(-1);
    this.cost = new Float64Array(B);
    this.valueWon = new Float64Array(B);
    this.clicks = new Uint8Array(B);
    this.conversions = new Uint8Array(B);
    this.competingBid = new Float64Array(B);
    this.reward = new Float64Array(B);
    this.terminated = new Uint8Array(B);
    this.budgetMicros = Float64Array.from(spec.bidders.map((b) => (b.budget === null ? Infinity : toMicros(b.budget))));
    this.budgetLeftMicros = Float64Array.from(this.budgetMicros);
    this.active = new Uint8Array(B).fill(1);
    this.nActive = B;
    this.scratch = auctionScratch(B, this.slots);
    this.responseDraws = new Float64Array(2 * this.slots);
    this.ownAttention = (spec.trainingAttention ?? 'own') === 'own';
    this.reference = new Int32Array(B);
    this.bidMicros = new Float64Array(B);
    this.priority = new Uint32Array(B);
    this.pool = new Int32Array(B);
    this.askedList = new Int32Array(B);
    this.pctr = new Float64Array(B);
    const perAuction = B * (this.catalogue?.adsPerAdvertiser ?? 1);
    this.reqUsers = new Int32Array(perAuction);
    this.reqAds = new Int32Array(perAuction);
    this.reqOut = new Float32Array(perAuction);
    this.trueCtrTop = new Float64Array(B);
    this.estimate = new Float64Array(B);
    this.cvr = new Float64Array(B);
    this.uniform = Uint8Array.from(spec.bidders.map((b) => (b.value.kind === 'uniform' ? 1 : 0)));
    this.totals = {
      participations: new Float64Array(B),
      wins: new Float64Array(B),
      spend: new Float64Array(B),
      value: new Float64Array(B),
      clicks: new Float64Array(B),
      conversions: new Float64Array(B),
      bidToValueSum: new Float64Array(B),
      bidToValueCount: new Float64Array(B),
      bidSum: new Float64Array(B),
      bidValueSum: new Float64Array(B),
      revenue: 0,
      welfare: 0,
      auctions: 0,
      publisherPayout: 0,
      exchangeFee: 0,
    };
  }

  /** Replaces the click model bidders see (an interest model trained on this market's users). */
  setPredictor(predictor: CtrPredictor): void {
    this.predictor = predictor;
    this.oracle = predictor.kind === 'oracle';
  }

  /** Gives bidder `b` a learning allocator (which ad of its catalogue to show). */
  setAllocator(b: number, allocator: AdAllocator | null): void {
    this.allocators[b] = allocator;
  }

  /**
   * Starts an episode: budgets refilled, every bidder back in the market, totals
   * zeroed. A training episode (no argument) carries on with the training users
   * and streams; `resetEpisode(e)` starts evaluation episode e of the fixed
   * evaluation stream (see the top of this file). Evaluation episodes are meant to
   * be run in order 0, 1, …: the evaluation users carry on from one to the next.
   */
  resetEpisode(evaluation?: number): void {
    if (evaluation === undefined) {
      this.evaluation = -1;
      this.population = this.trainingPopulation;
      const r = this.trainingRngs;
      this.exchangeRng = r.exchange;
      this.responseRng = r.response;
      this.valueRngs = r.value;
      this.allocatorRngs = r.allocator;
    } else {
      if (!(Number.isInteger(evaluation) && evaluation >= 0)) throw new RangeError(`resetEpisode: evaluation episode must be an integer ≥ 0, got ${evaluation}`);
      this.evaluation = evaluation;
      if (this.trainingPopulation) {
        if (!this.evaluationPopulation) {
          this.evaluationPopulation = this.trainingPopulation.twin('evaluation');
          this.population = this.evaluationPopulation;
          this.warmUp(this.spec.evaluationWarmup ?? 0);
        }
        this.population = this.evaluationPopulation;
      }
      const ev = this.rng.stream(`evaluation:${evaluation}`);
      this.exchangeRng = ev.stream('exchange');
      this.responseRng = ev.stream('responses');
      this.valueRngs = this.spec.bidders.map((b) => ev.stream(`bidder:${b.id}`).stream('value'));
      this.allocatorRngs = this.spec.bidders.map((b) => ev.stream(`bidder:${b.id}`).stream('allocator'));
      // Tie-break keys too: they must not depend on how many auctions training ran.
      this.auctionCounter = (0x80000000 + evaluation * this.spec.auctionsPerEpisode) >>> 0;
    }
    this.t = 0;
    this.budgetLeftMicros.set(this.budgetMicros);
    this.active.fill(1);
    this.nActive = this.nBidders;
    this.terminated.fill(0);
    const T = this.totals;
    for (const a of [T.participations, T.wins, T.spend, T.value, T.clicks, T.conversions, T.bidToValueSum, T.bidToValueCount, T.bidSum, T.bidValueSum]) a.fill(0);
    T.revenue = 0;
    T.welfare = 0;
    T.auctions = 0;
    T.publisherPayout = 0;
    T.exchangeFee = 0;
  }

  /**
   * The evaluation users live through `auctions` auctions in which nobody bids:
   * arrivals, and attention moved by the reference allocation, on streams of
   * their own. Budgets, totals and the ledger are untouched.
   *
   * What such an auction does to anything that outlives the warm-up is only
   * this: the users arrive (their own stream), the exchange draws the bidders it
   * asks and their allocators pick ads (the per-session click-model cache fills
   * as in any auction), the asked bidders' true values are computed, the response
   * draws are made and the users' attention moves by the reference allocation.
   * Bids of zero never win (exchange/mechanisms.ts), so there are no payments, no
   * clicks on won ads and no allocator feedback; observations, outcomes, totals and
   * budgets are rewritten or reset before anything reads them again; the warm-up's
   * streams are dropped after it. So this loop makes exactly those steps, in the
   * same order and with the same arithmetic as prepare() and clear(), and skips the
   * rest (observations, the mechanism, the ledger, totals, rewards): the users
   * come out of it bit for bit as they did from prepare() + clear().
   */
  private warmUp(auctions: number): void {
    const w = this.rng.stream('evaluation:warm-up');
    this.exchangeRng = w.stream('exchange');
    this.responseRng = w.stream('responses');
    this.valueRngs = this.spec.bidders.map((b) => w.stream(`bidder:${b.id}`).stream('value'));
    this.allocatorRngs = this.spec.bidders.map((b) => w.stream(`bidder:${b.id}`).stream('allocator'));
    this.evaluation = 0;
    this.t = 0;
    this.active.fill(1);
    this.nActive = this.nBidders;
    this.idleAuctions(auctions);
  }

  /**
   * `auctions` auctions of an evaluation episode in which nobody bids, as far as
   * they reach the users (see {@link warmUp}): what prepare(), zero bids and
   * clear() would do to the users, the streams and the click-model cache, and
   * nothing else. For the warm-up (and its test, which checks it against
   * prepare() + clear()). @internal
   */
  idleAuctions(auctions: number): void {
    if (this.evaluation < 0 || !this.population) throw new Error('idleAuctions: only in an evaluation episode of a market with users');
    const pop = this.population;
    const bidders = this.spec.bidders;
    const draws = this.responseDraws;
    for (let i = 0; i < auctions; i++) {
      this.arrive();
      const u = this.user;
      for (let k = 0, asked = this.nEligible + this.nShadow; k < asked; k++) {
        const b = this.askedList[k]!;
        const vm = bidders[b]!.value;
        if (vm.kind === 'uniform') {
          // Never a reference candidate; drawn all the same, so that the streams move as in prepare().
          this.topValue[b] = vm.low + (vm.high - vm.low) * this.valueRngs[b]!.next();
          continue;
        }
        const ad = this.ad[b]!;
        const ctr = this.oracle ? this.pctr[b]! : pop.trueCtr(u, ad);
        this.trueCtrTop[b] = ctr;
        if (vm.kind === 'per-conversion') {
          const cvr = pop.trueCvr(u, ad);
          if (k < this.nEligible) this.cvr[b] = cvr;
          this.topValue[b] = vm.amount * ctr * cvr;
        } else this.topValue[b] = vm.amount * ctr;
      }
      for (let j = 0; j < draws.length; j++) draws[j] = this.responseRng.next();
      if (this.exposure) {
        const e = this.responseRng.next();
        for (let j = 0; j < this.slots; j++) this.shown[j] = e < this.exposure[j]! ? 1 : 0;
      }
      this.moveUsersByReference();
      this.auctionCounter++;
      this.t++;
    }
    this.bids.fill(0);
  }

  /** True when the episode's auctions are all run (or, in training, no bidder is left). */
  get done(): boolean {
    return this.t >= this.spec.auctionsPerEpisode || (this.nActive === 0 && this.evaluation < 0);
  }

  /**
   * Draws the next auction: the user, the publisher, the eligible bidders, their
   * ads and observations. @returns the number of eligible bidders
   */
  prepare(): number {
    const spec = this.spec;
    const pop = this.population;
    this.arrive();
    const n = this.nEligible;
    const ns = this.nShadow;
    for (let k = 0; k < ns; k++) {
      const b = this.shadow[k]!;
      const vm = spec.bidders[b]!.value;
      if (vm.kind === 'uniform') {
        this.topValue[b] = vm.low + (vm.high - vm.low) * this.valueRngs[b]!.next();
        this.estimate[b] = this.topValue[b]!;
      } else {
        const ad = this.ad[b]!;
        const ctr = this.oracle ? this.pctr[b]! : pop!.trueCtr(this.user, ad);
        this.trueCtrTop[b] = ctr;
        const cvr = vm.kind === 'per-conversion' ? pop!.trueCvr(this.user, ad) : 1;
        this.topValue[b] = vm.amount * ctr * cvr;
        this.estimate[b] = vm.amount * this.pctr[b]! * cvr;
      }
    }

    const timeLeft = (spec.auctionsPerEpisode - this.t) / spec.auctionsPerEpisode;
    const u = this.user;
    for (let k = 0; k < n; k++) {
      const b = this.eligible[k]!;
      const o = this.observations[b]!;
      const vm = spec.bidders[b]!.value;
      let pctr = 1;
      let pcvr = 1;
      let perEvent: number;
      if (vm.kind === 'uniform') {
        perEvent = vm.low + (vm.high - vm.low) * this.valueRngs[b]!.next();
        this.topValue[b] = perEvent;
      } else {
        pctr = this.pctr[b]!; // written by chooseAds for the chosen ad
        const ad = this.ad[b]!;
        const ctrTrue = this.oracle ? pctr : pop!.trueCtr(u, ad);
        this.trueCtrTop[b] = ctrTrue;
        perEvent = vm.amount;
        if (vm.kind === 'per-conversion') {
          pcvr = pop!.trueCvr(u, ad);
          this.cvr[b] = pcvr;
          this.topValue[b] = vm.amount * ctrTrue * pcvr;
        } else {
          this.topValue[b] = vm.amount * ctrTrue;
        }
      }
      o[OBS.value] = perEvent * pctr * pcvr;
      this.estimate[b] = o[OBS.value]!;
      o[OBS.pctr] = pctr;
      o[OBS.pcvr] = pcvr;
      o[OBS.valuePerEvent] = perEvent;
      o[OBS.budgetLeft] = this.budgetMicros[b] === Infinity ? 1 : this.budgetLeftMicros[b]! / this.budgetMicros[b]!;
      o[OBS.timeLeft] = timeLeft;
      if (pop) {
        const len = pop.historyLen[u]!;
        o[OBS.coldStart] = len === 0 ? 1 : 0;
        o[OBS.historyFill] = pop.historyLength > 0 ? len / pop.historyLength : 0;
        o[OBS.sessionDepth] = pop.sessionDepth;
        o[OBS.fatigue] = pop.fatigueOf(u, b);
      } else {
        o[OBS.coldStart] = 0;
        o[OBS.historyFill] = 0;
        o[OBS.sessionDepth] = 0;
        o[OBS.fatigue] = 0;
      }
      o[OBS.reservePrice] = spec.reservePrice;
      this.bids[b] = 0;
    }
    return n;
  }

  /**
   * The first half of {@link prepare}: the user arrives, the exchange draws the
   * publisher and the bidders it asks (eligible, then out of the market, in
   * `askedList`), and each asked bidder's allocator picks its ad.
   */
  private arrive(): void {
    const spec = this.spec;
    const pop = this.population;
    this.user = pop ? pop.nextArrival() : -1;
    const ex = this.exchangeRng;
    this.publisher = spec.publishers > 1 ? ex.int(spec.publishers) : 0;

    // The exchange asks all bidders, or a random subset (partial Fisher–Yates);
    // those out of budget decline. The draw does not depend on who is out.
    const B = this.nBidders;
    for (let b = 0; b < B; b++) this.pool[b] = b;
    let asked = B;
    const p = spec.participantsPerAuction;
    if (p !== null && p < B) {
      for (let i = 0; i < p; i++) {
        const j = i + ex.int(B - i);
        const tmp = this.pool[i]!;
        this.pool[i] = this.pool[j]!;
        this.pool[j] = tmp;
      }
      asked = p;
      // Keep bidders in index order so nothing depends on the draw order
      // (insertion sort: a few entries, and no allocation per auction).
      const pool = this.pool;
      for (let i = 1; i < asked; i++) {
        const v = pool[i]!;
        let j = i - 1;
        while (j >= 0 && pool[j]! > v) {
          pool[j + 1] = pool[j]!;
          j--;
        }
        pool[j + 1] = v;
      }
    }
    let n = 0;
    let ns = 0;
    for (let k = 0; k < asked; k++) {
      const b = this.pool[k]!;
      if (this.active[b]) this.eligible[n++] = b;
      else this.shadow[ns++] = b;
    }
    this.nEligible = n;
    this.nShadow = ns;

    // Bidders that left the market still choose an ad and get the value they would
    // have had, exactly as if they were in it, so that hindsight can count what
    // spending the budget early cost them and so that no figure of an auction
    // depends on who is still in the market.
    for (let k = 0; k < n; k++) this.askedList[k] = this.eligible[k]!;
    for (let k = 0; k < ns; k++) this.askedList[n + k] = this.shadow[k]!;
    if (pop) this.chooseAds(n + ns);
  }

  /**
   * Each bidder asked (the first `count` of `askedList`) has its allocator pick an
   * ad; its predicted CTR ends up in `pctr[b]`. All candidate (user, ad) pairs of
   * the auction go to the predictor in one call.
   */
  private chooseAds(count: number): void {
    const cat = this.catalogue!;
    const pop = this.population!;
    const A = cat.adsPerAdvertiser;
    const u = this.user;
    const best = this.spec.allocator === 'best';
    const list = this.askedList;
    if (this.oracle) {
      // The true model ranks an advertiser's ads from a per-session cache; bidders
      // see its CTR at single precision (as a predictor's output).
      const cm = pop.clickModel;
      const current = u === pop.sessions.current;
      for (let k = 0; k < count; k++) {
        const b = list[k]!;
        if (this.uniform[b]) {
          this.ad[b] = -1;
          continue;
        }
        const alloc = this.allocators[b];
        if (!alloc && best && current) {
          // bestAd then trueCtr of that ad, in one call (the same numbers).
          this.pctr[b] = Math.fround(cm.bestCtr(b));
          this.ad[b] = cm.bestOfLast;
          continue;
        }
        const ad = alloc ? b * A + alloc.choose(pop, u, b * A, A) : best ? pop.bestAd(u, b) : b * A + this.allocatorRngs[b]!.int(A);
        this.ad[b] = ad;
        this.pctr[b] = Math.fround(pop.trueCtr(u, ad));
      }
      return;
    }
    let r = 0;
    for (let k = 0; k < count; k++) {
      const b = list[k]!;
      if (this.uniform[b]) continue;
      const alloc = this.allocators[b];
      if (alloc) {
        this.reqUsers[r] = u;
        this.reqAds[r++] = b * A + alloc.choose(pop, u, b * A, A);
      } else if (best) {
        for (let j = 0; j < A; j++) {
          this.reqUsers[r] = u;
          this.reqAds[r++] = b * A + j;
        }
      } else {
        this.reqUsers[r] = u;
        this.reqAds[r++] = b * A + this.allocatorRngs[b]!.int(A);
      }
    }
    if (r > 0) this.predictor.predict(pop, this.reqUsers, this.reqAds, r, this.reqOut);
    // Pick per bidder (value per event is constant within a catalogue, so the best
    // expected value is the best pCTR; ties go to the lower ad index).
    r = 0;
    for (let k = 0; k < count; k++) {
      const b = list[k]!;
      if (this.uniform[b]) {
        this.ad[b] = -1;
        continue;
      }
      const m = best && !this.allocators[b] ? A : 1;
      let bi = r;
      for (let i = r + 1; i < r + m; i++) if (this.reqOut[i]! > this.reqOut[bi]!) bi = i;
      this.ad[b] = this.reqAds[bi]!;
      this.pctr[b] = this.reqOut[bi]!;
      r += m;
    }
  }

  /**
   * Clears the auction prepared by {@link prepare} with the bids in `bids`:
   * budgets cap bids, the mechanism allocates and prices the slots, the ledger
   * records payments, the user responds. Fills the per-bidder outcome arrays.
   */
  clear(): void {
    const spec = this.spec;
    const n = this.nEligible;
    const pop = this.population;
    const u = this.user;
    const T = this.totals;
    this.auctionCounter++;
    for (let k = 0; k < n; k++) {
      const b = this.eligible[k]!;
      const bid = this.bids[b]!;
      if (!(bid >= 0) || bid === Infinity) throw new Error(`bidder ${this.ids[b]}: bid must be a finite number ≥ 0, got ${bid}`);
      // A bid never commits more than the budget left.
      this.bidMicros[k] = Math.min(toMicros(bid), this.budgetLeftMicros[b]!);
      this.priority[k] = mix32(this.idHash[b]!, this.auctionCounter);
      this.won[b] = 0;
      this.slotOf[b] = -1;
      this.cost[b] = 0;
      this.valueWon[b] = 0;
      this.clicks[b] = 0;
      this.conversions[b] = 0;
      T.participations[b]!++;
      const v = this.observations[b]![OBS.value]!;
      if (v > 0) {
        T.bidToValueSum[b]! += bid / v;
        T.bidToValueCount[b]!++;
        T.bidSum[b]! += bid;
        T.bidValueSum[b]! += v;
      }
    }
    const sc = this.scratch;
    runAuction(spec.mechanism, this.bidMicros, this.priority, n, this.reserveMicros, this.slotWeights, sc);

    // Competing bid: the highest other bid (or the reserve), the price to beat.
    const top1 = sc.ranked > 0 ? sc.order[0]! : -1;
    const top1Bid = top1 >= 0 ? this.bidMicros[top1]! : 0;
    const top2Bid = sc.ranked > 1 ? this.bidMicros[sc.order[1]!]! : 0;
    for (let k = 0; k < n; k++) {
      const b = this.eligible[k]!;
      const other = k === top1 ? top2Bid : top1Bid;
      this.competingBid[b] = fromMicros(Math.max(other, this.reserveMicros));
    }
    for (let k = 0; k < this.nShadow; k++) this.competingBid[this.shadow[k]!] = fromMicros(Math.max(top1Bid, this.reserveMicros));

    // The user's response draws: two uniforms per slot whoever wins it (common random numbers).
    const draws = this.responseDraws;
    if (pop) for (let i = 0; i < draws.length; i++) draws[i] = this.responseRng.next();
    // Exposure: one more draw, only in markets that have it (the others draw exactly as before).
    if (this.exposure) {
      const e = this.responseRng.next();
      for (let j = 0; j < this.slots; j++) this.shown[j] = e < this.exposure[j]! ? 1 : 0;
    }
    // Payments, then the user's response to every ad shown.
    for (let j = 0; j < this.slots; j++) {
      const k = sc.winner[j]!;
      if (k < 0) continue;
      const b = this.eligible[k]!;
      if (!this.shown[j]) {
        // Won but not shown: no charge, no click, no conversion, no value.
        this.won[b] = 1;
        this.slotOf[b] = j;
        T.wins[b]!++;
        continue;
      }
      const price = sc.price[j]!;
      const toPublisher = this.ledger.pay(b, this.publisher, price);
      T.publisherPayout += toPublisher;
      T.exchangeFee += price - toPublisher;
      this.budgetLeftMicros[b]! -= price;
      T.spend[b]! += price;
      T.revenue += price;
      this.won[b] = 1;
      this.slotOf[b] = j;
      this.cost[b] = fromMicros(price);
      T.wins[b]!++;
      const vm = spec.bidders[b]!.value;
      const w = this.slotWeights[j]!;
      let valueTrue: number;
      if (vm.kind === 'uniform') {
        valueTrue = this.topValue[b]! * w;
      } else {
        // The position effect is the slot weight: the same factor the mechanism prices with.
        const ctr = this.trueCtrTop[b]! * w;
        const click = draws[2 * j]! < ctr;
        // A per-click bidder's conversion probability matters only after a click (no state changes in between).
        const conv = click && draws[2 * j + 1]! < (vm.kind === 'per-conversion' ? this.cvr[b]! : pop!.trueCvr(u, this.ad[b]!));
        valueTrue = vm.kind === 'per-conversion' ? vm.amount * ctr * this.cvr[b]! : vm.amount * ctr;
        if (click) {
          this.clicks[b] = 1;
          T.clicks[b]!++;
        }
        if (conv) {
          this.conversions[b] = 1;
          T.conversions[b]!++;
        }
      }
      this.valueWon[b] = valueTrue;
      T.value[b]! += valueTrue;
      T.welfare += valueTrue;
    }
    // Attention moves only after every slot's response was drawn from the same state.
    if (pop) {
      for (let j = 0; j < this.slots; j++) {
        const k = sc.winner[j]!;
        if (k < 0 || !this.shown[j]) continue;
        const b = this.eligible[k]!;
        if (this.evaluation < 0 && this.ownAttention) {
          pop.expose(u, b);
          if (this.clicks[b]) pop.pushHistory(u, this.catalogue!.adItem(this.ad[b]!));
        }
        this.allocators[b]?.feedback(pop, u, this.ad[b]!, this.clicks[b] === 1);
      }
      if (this.evaluation >= 0 || !this.ownAttention) this.moveUsersByReference();
    }

    // Rewards and budgets.
    const minMicros = Math.max(this.reserveMicros, 1);
    for (let k = 0; k < n; k++) {
      const b = this.eligible[k]!;
      const s = this.slotOf[b]!;
      const est = s >= 0 && this.shown[s] ? this.observations[b]![OBS.value]! * this.slotWeights[s]! : 0;
      this.reward[b] = est - this.cost[b]!;
      if (this.budgetLeftMicros[b]! < minMicros) {
        this.terminated[b] = 1;
        this.active[b] = 0;
        this.nActive--;
      }
    }
    T.auctions++;
    this.t++;
  }

  /**
   * Evaluation: the user's attention moves as under the reference allocation —
   * slot j to the bidder asked with the j-th highest true value (ties to the lower
   * index; budgets ignored) — with the same response draws as the real auction.
   */
  private moveUsersByReference(): void {
    const pop = this.population!;
    const u = this.user;
    const v = this.topValue;
    // Candidates: bidders asked (in the market or not) that show an ad worth something.
    const cand = this.reference;
    let m = 0;
    for (let k = 0; k < this.nEligible + this.nShadow; k++) {
      const b = k < this.nEligible ? this.eligible[k]! : this.shadow[k - this.nEligible]!;
      if (!this.uniform[b] && v[b]! > 0) cand[m++] = b;
    }
    // Partial selection sort: the top `slots` by value, ties to the lower index.
    const S = Math.min(this.slots, m);
    for (let j = 0; j < S; j++) {
      let bi = j;
      for (let i = j + 1; i < m; i++) {
        const x = cand[i]!;
        const y = cand[bi]!;
        if (v[x]! > v[y]! || (v[x] === v[y] && x < y)) bi = i;
      }
      const tmp = cand[j]!;
      cand[j] = cand[bi]!;
      cand[bi] = tmp;
      const b = cand[j]!;
      pop.expose(u, b);
      if (this.responseDraws[2 * j]! < this.trueCtrTop[b]! * this.slotWeights[j]!) pop.pushHistory(u, this.catalogue!.adItem(this.ad[b]!));
    }
  }

  /**
   * The other bidders' bids in the last auction that cleared the reserve, as
   * seen by bidder `b` (eligible or declined): currency units, highest first.
   * @returns how many were written into `out`
   */
  competingBids(b: number, out: Float64Array): number {
    const sc = this.scratch;
    let n = 0;
    for (let r = 0; r < sc.ranked; r++) {
      const k = sc.order[r]!;
      if (this.eligible[k] === b) continue;
      out[n++] = fromMicros(this.bidMicros[k]!);
    }
    return n;
  }

  /**
   * True expected value of slot `slot` of the last auction to bidder `b` (eligible
   * or declined), currency units: the top slot's value times the slot weight, in
   * every market (users click slot j with probability CTR × w_j). It is what
   * `valueWon` holds for a win in that slot and, under the oracle, what the reward
   * (`reward + cost`) counts.
   */
  slotValue(b: number, slot: number): number {
    return this.topValue[b]! * this.slotWeights[slot]!;
  }

  /** The outcome of the last auction for bidder `b` (allocates: for wrappers and tests, not hot loops). */
  outcome(b: number): AuctionOutcome {
    return {
      won: this.won[b] === 1,
      slot: this.slotOf[b]!,
      cost: this.cost[b]!,
      value: this.valueWon[b]!,
      clicks: this.clicks[b]!,
      conversions: this.conversions[b]!,
      competingBid: this.competingBid[b]!,
    };
  }

  /** True click probability of bidder b's ad in the top slot of the last auction (0 in a private-value market). */
  trueCtr(b: number): number {
    return this.spec.bidders[b]!.value.kind === 'uniform' ? 0 : this.trueCtrTop[b]!;
  }

  /** True conversion probability given a click for bidder b's ad in the last auction (0 unless its value is per conversion). */
  trueCvr(b: number): number {
    return this.spec.bidders[b]!.value.kind === 'per-conversion' ? this.cvr[b]! : 0;
  }

  /** Budget left for bidder `b`, currency units (Infinity without a budget). */
  budgetLeft(b: number): number {
    return this.budgetLeftMicros[b]! === Infinity ? Infinity : this.budgetLeftMicros[b]! / MICROS;
  }
}

/** The true click model as a predictor (what bidders see under `interestModel: { kind: oracle }`). */
export function oraclePredictor(): CtrPredictor {
  return {
    kind: 'oracle',
    predict(pop, users, ads, n, out) {
      for (let i = 0; i < n; i++) out[i] = pop.trueCtr(users[i]!, ads[i]!);
    },
  };
}
