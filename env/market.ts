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
  /** Weight of each slot: its length is the number of slots. */
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
  readonly population: UserPopulation | null;
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
  private readonly exchangeRng: Rng;
  private readonly responseRng: Rng;
  private readonly valueRngs: Rng[];
  private readonly allocatorRngs: Rng[];
  private readonly idHash: Uint32Array;
  private readonly scratch: AuctionScratch;
  private readonly bidMicros: Float64Array;
  private readonly priority: Uint32Array;
  private readonly slotWeights: Float64Array;
  private readonly reserveMicros: number;
  private readonly pool: Int32Array;
  private readonly reqUsers: Int32Array;
  private readonly reqAds: Int32Array;
  private readonly reqOut: Float32Array;
  private readonly trueCtrTop: Float64Array;
  private readonly cvr: Float64Array;
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
    this.bidMicros = new Float64Array(B);
    this.priority = new Uint32Array(B);
    this.pool = new Int32Array(B);
    const perAuction = B * (this.catalogue?.adsPerAdvertiser ?? 1);
    this.reqUsers = new Int32Array(perAuction);
    this.reqAds = new Int32Array(perAuction);
    this.reqOut = new Float32Array(perAuction);
    this.trueCtrTop = new Float64Array(B);
    this.cvr = new Float64Array(B);
    this.totals = {
      participations: new Float64Array(B),
      wins: new Float64Array(B),
      spend: new Float64Array(B),
      value: new Float64Array(B),
      clicks: new Float64Array(B),
      conversions: new Float64Array(B),
      bidToValueSum: new Float64Array(B),
      bidToValueCount: new Float64Array(B),
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

  /** Starts an episode: budgets refilled, every bidder back in the market, totals zeroed. Users carry on. */
  resetEpisode(): void {
    this.t = 0;
    this.budgetLeftMicros.set(this.budgetMicros);
    this.active.fill(1);
    this.nActive = this.nBidders;
    this.terminated.fill(0);
    const T = this.totals;
    for (const a of [T.participations, T.wins, T.spend, T.value, T.clicks, T.conversions, T.bidToValueSum, T.bidToValueCount]) a.fill(0);
    T.revenue = 0;
    T.welfare = 0;
    T.auctions = 0;
    T.publisherPayout = 0;
    T.exchangeFee = 0;
  }

  /** True when the episode's auctions are all run (or no bidder is left). */
  get done(): boolean {
    return this.t >= this.spec.auctionsPerEpisode || this.nActive === 0;
  }

  /**
   * Draws the next auction: the user, the publisher, the eligible bidders, their
   * ads and observations. @returns the number of eligible bidders
   */
  prepare(): number {
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

    if (pop) this.chooseAds(n);
    // Bidders that left the market still get the value they would have had, so
    // that hindsight can count what spending the budget early cost them.
    for (let k = 0; k < ns; k++) {
      const b = this.shadow[k]!;
      const vm = spec.bidders[b]!.value;
      if (vm.kind === 'uniform') {
        this.topValue[b] = vm.low + (vm.high - vm.low) * this.valueRngs[b]!.next();
      } else {
        const ad = pop!.bestAd(this.user, b);
        const ctr = pop!.trueCtr(this.user, ad);
        this.topValue[b] = vm.kind === 'per-conversion' ? vm.amount * ctr * pop!.trueCvr(this.user, ad) : vm.amount * ctr;
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
        pctr = this.reqOut[k]!; // written by chooseAds for the chosen ad
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
   * Each eligible bidder's allocator picks an ad; its predicted CTR ends up in
   * `reqOut[k]` for eligible bidder k. All candidate (user, ad) pairs of the
   * auction go to the predictor in one call.
   */
  private chooseAds(n: number): void {
    const cat = this.catalogue!;
    const pop = this.population!;
    const A = cat.adsPerAdvertiser;
    const u = this.user;
    const best = this.spec.allocator === 'best';
    if (this.oracle) {
      // The true model ranks an advertiser's ads from a per-session cache.
      for (let k = 0; k < n; k++) {
        const b = this.eligible[k]!;
        if (this.spec.bidders[b]!.value.kind === 'uniform') {
          this.ad[b] = -1;
          continue;
        }
        const alloc = this.allocators[b];
        const ad = alloc ? b * A + alloc.choose(pop, u, b * A, A) : best ? pop.bestAd(u, b) : b * A + this.allocatorRngs[b]!.int(A);
        this.ad[b] = ad;
        this.reqOut[k] = pop.trueCtr(u, ad);
      }
      return;
    }
    let r = 0;
    for (let k = 0; k < n; k++) {
      const b = this.eligible[k]!;
      if (this.spec.bidders[b]!.value.kind === 'uniform') continue;
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
    for (let k = 0; k < n; k++) {
      const b = this.eligible[k]!;
      if (this.spec.bidders[b]!.value.kind === 'uniform') {
        this.ad[b] = -1;
        continue;
      }
      const m = best && !this.allocators[b] ? A : 1;
      let bi = r;
      for (let i = r + 1; i < r + m; i++) if (this.reqOut[i]! > this.reqOut[bi]!) bi = i;
      this.ad[b] = this.reqAds[bi]!;
      // Keep the chosen pCTR at position k (k ≤ r, so nothing unread is overwritten).
      this.reqOut[k] = this.reqOut[bi]!;
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

    // Payments, then the user's response to every ad shown.
    for (let j = 0; j < this.slots; j++) {
      const k = sc.winner[j]!;
      if (k < 0) {
        if (pop) {
          this.responseRng.next();
          this.responseRng.next();
        }
        continue;
      }
      const b = this.eligible[k]!;
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
        if (pop) {
          this.responseRng.next();
          this.responseRng.next();
        }
      } else {
        const ctr = this.trueCtrTop[b]! * pop!.positionBias(u, j);
        const click = this.responseRng.next() < ctr;
        const cvr = vm.kind === 'per-conversion' ? this.cvr[b]! : pop!.trueCvr(u, this.ad[b]!);
        const conv = click && this.responseRng.next() < cvr;
        if (!click) this.responseRng.next();
        valueTrue = vm.kind === 'per-conversion' ? vm.amount * ctr * cvr : vm.amount * ctr;
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
        if (k < 0) continue;
        const b = this.eligible[k]!;
        pop.expose(u, b);
        this.allocators[b]?.feedback(pop, u, this.ad[b]!, this.clicks[b] === 1);
        if (this.clicks[b]) pop.pushHistory(u, this.catalogue!.adItem(this.ad[b]!));
      }
    }

    // Rewards and budgets.
    const minMicros = Math.max(this.reserveMicros, 1);
    for (let k = 0; k < n; k++) {
      const b = this.eligible[k]!;
      const s = this.slotOf[b]!;
      const est = s >= 0 ? this.observations[b]![OBS.value]! * this.slotWeights[s]! : 0;
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

  /** True expected value of slot `slot` of the last auction to bidder `b` (eligible or declined), currency units. */
  slotValue(b: number, slot: number): number {
    const vm = this.spec.bidders[b]!.value;
    if (vm.kind === 'uniform') return this.topValue[b]! * this.slotWeights[slot]!;
    return this.topValue[b]! * this.population!.positionBias(this.user, slot);
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
