/**
 * A log market for bidgym's own agents: any {@link Agent} (q-learning, dqn,
 * reinforce, actor-critic, pacing, a loaded policy, …) bids in the replay of
 * env/log/replay.ts through {@link AgentLogBidder}, which turns each logged
 * auction into the observation the log can give and each outcome into a
 * transition. The same engine replays the real log (evaluation) and the logs
 * of training: a log drawn from the *fitted world* ({@link fittedWorld}), built
 * from the training statistics only, or another real log (`log.trainPath`).
 *
 * What a bidder sees (env/observation.ts): `pctr`; `value` = value per click ×
 * pctr and `valuePerEvent` = value per click; `budgetLeft` = budget left / B;
 * `timeLeft` = auctions left (this one included) / N; `pcvr` = 1; the user
 * features a log does not have (`coldStart`, `historyFill`, `sessionDepth`,
 * `fatigue`) and `reservePrice` are 0. The value per click is the bidder's
 * `value` (per click) when given, else the training cost per click
 * cost_train / clk_train (so that the truthful bid is Mcpc's; with a budget
 * the learners' pacing scales it down).
 *
 * Reward (what learners learn from): the expected value won, value per click ×
 * pctr, minus the price paid — the reward of every bidgym market; with a budget
 * the learners turn it into their Lagrangian reward (agents/budget.ts). The
 * replay counts realised clicks.
 */
import type { Agent, AuctionOutcome, Transition } from '../agents/core.js';
import type { BidLog, LogInfo } from '../env/log/format.js';
import { sampleLog, type LogWorld } from '../env/log/generate.js';
import { replay, type LogBidder, type ReplayProtocol, type ReplayResult } from '../env/log/replay.js';
import { OBS, OBS_SIZE } from '../env/observation.js';
import type { Rng } from '../env/rng.js';

/** Fills `o` with what a log gives about one auction (see the file comment). */
export function logObservation(o: Float64Array, pctr: number, valuePerClick: number, budgetLeft: number, budget: number, auctionsLeft: number, horizon: number): Float64Array {
  o.fill(0);
  o[OBS.value] = valuePerClick * pctr;
  o[OBS.pctr] = pctr;
  o[OBS.pcvr] = 1;
  o[OBS.valuePerEvent] = valuePerClick;
  o[OBS.budgetLeft] = budget === Infinity ? 1 : budget > 0 ? budgetLeft / budget : 0;
  o[OBS.timeLeft] = auctionsLeft / horizon;
  return o;
}

/**
 * An {@link Agent} as a bidder of the replay. With `agent.training` true it
 * learns from every auction (the transition of an auction is completed by the
 * next auction's observation, or by the end of the episode: truncated).
 */
export class AgentLogBidder implements LogBidder {
  private readonly obs = new Float64Array(OBS_SIZE);
  private readonly prev = new Float64Array(OBS_SIZE);
  private hasPrev = false;
  private inEpisode = false;
  private budget = 0;
  private horizon = 1;
  private lastBid = 0;
  private lastPctr = 0;
  private readonly info: AuctionOutcome = { won: false, slot: -1, cost: 0, value: 0, clicks: 0, conversions: 0, competingBid: 0 };
  private readonly tr: Transition = { observation: this.prev, action: 0, reward: 0, nextObservation: null, terminated: false, truncated: false, info: this.info };

  constructor(
    readonly agent: Agent,
    /** Value of a click (currency units of the log). */
    readonly valuePerClick: number,
    /** The agent's exploration stream. */
    private readonly explore: Rng,
  ) {}

  startEpisode(_episode: number, budget: number, horizon: number): void {
    this.finishEpisode();
    this.inEpisode = true;
    this.budget = budget;
    this.horizon = horizon;
  }

  bid(pctr: number, auctionsLeft: number, budgetLeft: number): number {
    const o = logObservation(this.obs, pctr, this.valuePerClick, budgetLeft, this.budget, auctionsLeft, this.horizon);
    if (this.agent.training && this.hasPrev) {
      this.tr.nextObservation = o;
      this.tr.terminated = false;
      this.tr.truncated = false;
      this.agent.learn(this.tr);
    }
    this.lastPctr = pctr;
    this.lastBid = this.agent.act(o, this.explore);
    return this.lastBid;
  }

  outcome(_index: number, won: boolean, price: number, click: number): void {
    if (!this.agent.training) return;
    this.prev.set(this.obs);
    const value = won ? this.valuePerClick * this.lastPctr : 0;
    const cost = won ? price : 0;
    this.tr.action = this.lastBid;
    this.tr.reward = value - cost;
    this.info.won = won;
    this.info.slot = won ? 0 : -1;
    this.info.cost = cost;
    this.info.value = value;
    this.info.clicks = won ? click : 0;
    this.info.competingBid = price;
    this.hasPrev = true;
  }

  /** Ends the current episode (the horizon truncates it); called by the next startEpisode and by {@link close}. */
  finishEpisode(): void {
    if (!this.inEpisode) return;
    if (this.agent.training && this.hasPrev) {
      this.tr.nextObservation = null;
      this.tr.terminated = false;
      this.tr.truncated = true;
      this.agent.learn(this.tr);
    }
    this.agent.endEpisode();
    this.hasPrev = false;
    this.inEpisode = false;
  }

  /** Ends the last episode of a replay. */
  close(): void {
    this.finishEpisode();
  }
}

/** Options of the fitted world. */
export interface FittedWorldOptions {
  /** Log-scale spread σ of the lognormal pCTR (default {@link DEFAULT_CTR_SPREAD}). */
  ctrSpread?: number;
}

/**
 * The default pCTR spread σ of the fitted world. The training statistics fix
 * the mean CTR (clk_train / imp_train) but say nothing about the spread of the
 * predictions, so it is a modelling choice: σ = 1 (a coefficient of variation
 * of 1.3) is a typical spread of display-ad CTR predictions. docs/logs.md shows
 * how much the result depends on it.
 */
export const DEFAULT_CTR_SPREAD = 1;

/**
 * The world a learner trains in when only the training statistics are known:
 * market prices drawn from the training histogram (with the same add-one
 * smoothing as RLB's m(d)); pCTR lognormal with mean clk_train / imp_train and
 * spread σ; the click drawn from the pCTR (a calibrated predictor); price and
 * pCTR independent (the statistics do not link them).
 */
export function fittedWorld(info: LogInfo, options: FittedWorldOptions = {}): LogWorld {
  if (!info.priceCounter) throw new Error('the fitted world needs the training price histogram (price_counter_train)');
  const counts = info.priceCounter;
  let total = 0;
  for (const c of counts) total += c;
  const pricePdf = Float64Array.from(counts, (c) => (c + 1) / (total + counts.length));
  return { pricePdf, meanCtr: info.clkTrain / info.impTrain, ctrSpread: options.ctrSpread ?? DEFAULT_CTR_SPREAD };
}

/** Where training episodes come from. */
export type TrainingSource = { kind: 'fitted'; world: LogWorld; stream: Rng } | { kind: 'log'; log: BidLog };

/**
 * Trains an agent for `episodes` episodes of `protocol.horizon` auctions: drawn
 * from the fitted world (a fresh log of 50 episodes at a time), or taken in
 * turn from the training log (from its start again when it is used up).
 */
export function trainOnLogs(agent: Agent, source: TrainingSource, episodes: number, protocol: ReplayProtocol, valuePerClick: number, explore: Rng): void {
  if (episodes <= 0) return;
  agent.training = true;
  const bidder = new AgentLogBidder(agent, valuePerClick, explore);
  const N = protocol.horizon;
  if (source.kind === 'fitted') {
    const CHUNK = 50;
    for (let done = 0, k = 0; done < episodes; k++) {
      const n = Math.min(CHUNK, episodes - done);
      replay(sampleLog(source.world, n * N, source.stream.stream(`chunk:${k}`), 'fitted-world'), bidder, protocol);
      done += n;
    }
  } else {
    const perPass = Math.ceil(source.log.length / N);
    for (let done = 0; done < episodes; ) {
      const n = Math.min(perPass, episodes - done);
      const part = n === perPass ? source.log : sliceLog(source.log, 0, n * N);
      replay(part, bidder, protocol);
      done += n;
    }
  }
  bidder.close();
}

/** Replays a log with an agent acting greedily (training off). */
export function evaluateOnLog(agent: Agent, log: BidLog, protocol: ReplayProtocol, valuePerClick: number, explore: Rng): ReplayResult {
  agent.training = false;
  const bidder = new AgentLogBidder(agent, valuePerClick, explore);
  const r = replay(log, bidder, protocol);
  bidder.close();
  return r;
}

/** Lines [start, end) of a log (views, no copy). */
export function sliceLog(log: BidLog, start: number, end: number): BidLog {
  const e = Math.min(end, log.length);
  return {
    source: log.source,
    length: e - start,
    price: log.price.subarray(start, e),
    pctr: log.pctr.subarray(start, e),
    click: log.click.subarray(start, e),
    conversion: log.conversion ? log.conversion.subarray(start, e) : null,
    value: log.value ? log.value.subarray(start, e) : null,
    timestamp: log.timestamp ? log.timestamp.subarray(start, e) : null,
  };
}
