/**
 * One replication of an experiment, top to bottom: set up the market and the
 * bidders, train for `episodes`, then evaluate for `evalEpisodes` with learning
 * off. Deterministic given (config, r): everything random is drawn from streams
 * under `seed/replication:r`. What evaluation records (and the hindsight figures
 * computed from it) is in recorder.ts; writing the run folder is run-folder.ts's job.
 */
import { StaticAgent, type Agent, type AuctionOutcome, type Policy, type Transition } from '../agents/core.js';
import type { AdAllocator } from '../env/allocation.js';
import { Market } from '../env/market.js';
import { OBS_SIZE } from '../env/observation.js';
import { rng as rootRng, type Rng } from '../env/rng.js';
import { createAgents } from './agent-context.js';
import { createAllocator } from './allocators.js';
import { marketSpec, type ResolvedConfig } from './config.js';
import { compileObjective, type ObjectiveScope } from './objective.js';
import { runLogMarketReplication } from './log-run.js';
import { episodeRow, EvalRecorder } from './recorder.js';

/** What the interest model reported (held-out users). */
export interface InterestModelReport {
  [figure: string]: unknown;
  kind: string;
  backend: string;
  auc: number | null;
  logLoss: number | null;
  ece: number | null;
  coldStartAuc: number | null;
}

/** Figures of one replication, before statistics across replications. */
export interface ReplicationResult {
  market: Record<string, number>;
  bidders: Record<string, Record<string, number>>;
  episodeRows: string[];
  sampleRows: string[];
  interestModel: InterestModelReport;
  auctions: number;
  seconds: number;
  /** Seconds spent training the interest model (null: none trained). */
  interestTrainSeconds: number | null;
  /** Each bidder's frozen policy at the end of training. */
  policies: Record<string, Policy>;
}

/** Called after each evaluation auction for every bidder asked to it (`bid`: false when it was out of budget); `bidgym log` records with it. */
export type AuctionObserver = (market: Market, bidder: number, bid: boolean) => void;

/** What a replication runs: the market and, per bidder (by index), its agent, allocator, exploration stream and reward. */
export interface Replication {
  cfg: ResolvedConfig;
  market: Market;
  agents: Agent[];
  allocators: (AdAllocator | null)[];
  explore: Rng[];
  /** False for agents that never learn (their transitions are not built). */
  learns: boolean[];
  /** True where the bidder's config has an objective expression. */
  hasObjective: boolean[];
  /** Bidder b's objective of the auction just cleared (only where hasObjective). */
  objectiveOf: (b: number) => number;
  interestModel: InterestModelReport;
  interestTrainSeconds: number | null;
}

/**
 * Runs replication `r` of `cfg`.
 * @param onAuctions called after each episode with the auctions it ran (progress)
 */
export async function runReplication(cfg: ResolvedConfig, r: number, onAuctions?: (n: number) => void, observe?: AuctionObserver): Promise<ReplicationResult> {
  if (cfg.log) return runLogMarketReplication(cfg, r, onAuctions);
  const t0 = process.hrtime.bigint();
  const rep = await setUp(cfg, r);
  const { market, agents } = rep;
  const trainer = new Trainer(rep);
  const recorder = new EvalRecorder(rep, r);
  const episodeRows: string[] = [];
  let auctions = 0;
  const totalEpisodes = cfg.episodes + cfg.evalEpisodes;
  for (let ep = 0; ep < totalEpisodes; ep++) {
    const training = ep < cfg.episodes;
    for (const a of agents) a.training = training;
    for (const a of rep.allocators) if (a) a.training = training;
    // Evaluation episodes replay the fixed stream of the config and seed (env/market.ts), the same for every agent.
    market.resetEpisode(training ? undefined : ep - cfg.episodes);
    if (training) trainer.episode();
    else evaluateEpisode(rep, recorder, ep === totalEpisodes - 1, observe);
    for (const a of agents) a.endEpisode();

    const E = market.totals;
    auctions += E.auctions;
    onAuctions?.(E.auctions);
    for (let b = 0; b < market.nBidders; b++) episodeRows.push(episodeRow(cfg, r, ep, training, b, E));
    if (!training) recorder.endEpisode(E);
  }
  if (!market.ledger.balanced()) throw new Error('internal error: the ledger does not balance');

  const { market: marketFigures, bidders } = recorder.figures();
  const policies: Record<string, Policy> = {};
  cfg.bidders.forEach((bc, b) => (policies[bc.id] = agents[b]!.policy()));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const { interestModel, interestTrainSeconds } = rep;
  return { market: marketFigures, bidders, episodeRows, sampleRows: recorder.sampleRows, interestModel, auctions, seconds, interestTrainSeconds, policies };
}

/** Set-up: the market (with its interest model), then each bidder's agent, exploration stream, allocator and objective. */
export async function setUp(cfg: ResolvedConfig, r: number): Promise<Replication> {
  const rep = rootRng(cfg.seed).stream(`replication:${r}`);
  const market = new Market(marketSpec(cfg), rep.stream('market'));
  const { report: interestModel, trainSeconds: interestTrainSeconds } = await interestModelFor(cfg, market, rep);
  const agents: Agent[] = createAgents(cfg, rep);
  const explore = cfg.bidders.map((b) => rep.stream(`bidder:${b.id}`).stream('explore'));
  const allocators = cfg.bidders.map((b, i) => {
    if (!b.allocator) return null;
    const a = createAllocator(b.allocator, cfg.users!.topics, rep.stream(`bidder:${b.id}`).stream('allocator-explore'));
    market.setAllocator(i, a);
    return a;
  });
  // Objectives as expressions replace the default reward (value − spend).
  const objectives = cfg.bidders.map((b) => (b.objective ? compileObjective(b.objective, `bidders[${b.source}].objective`) : null));
  const scope: ObjectiveScope = { value: 0, spend: 0, clicks: 0, conversions: 0, won: 0 };
  const objectiveOf = (b: number): number => {
    scope.spend = market.cost[b]!;
    scope.value = market.reward[b]! + scope.spend;
    scope.clicks = market.clicks[b]!;
    scope.conversions = market.conversions[b]!;
    scope.won = market.won[b]!;
    return objectives[b]!(scope);
  };
  const learns = agents.map((a) => !(a instanceof StaticAgent));
  const hasObjective = objectives.map((o) => o !== null);
  return { cfg, market, agents, allocators, explore, learns, hasObjective, objectiveOf, interestModel, interestTrainSeconds };
}

/** The interest model for one replication: the oracle, or a model from models/ (trained or loaded), set on the market. */
async function interestModelFor(cfg: ResolvedConfig, market: Market, rep: Rng): Promise<{ report: InterestModelReport; trainSeconds: number | null }> {
  if (cfg.interestModel.kind === 'oracle') {
    return { report: { kind: 'oracle', backend: 'none', auc: null, logLoss: null, ece: null, coldStartAuc: null }, trainSeconds: null };
  }
  const { createInterestModel } = await import('../models/index.js');
  const made = await createInterestModel(cfg.interestModel as never, market.population!, market.catalogue!, rep.stream('interest-model'), {
    clock: () => performance.now(),
  });
  market.setPredictor(made.predictor);
  const r = made.report;
  const trainSeconds = r?.trainSeconds ?? null;
  if (!r) return { report: { kind: cfg.interestModel.kind, backend: made.predictor.kind, auc: null, logLoss: null, ece: null, coldStartAuc: null }, trainSeconds };
  // Everything the model reported except its training time (not deterministic: meta.json has it).
  const { trainSeconds: _time, ...rest } = r;
  return { report: { ...rest, kind: cfg.interestModel.kind }, trainSeconds };
}

/**
 * Training: each learner learns from (observation, bid, reward, next observation)
 * of the auctions it took part in. One transition object per bidder is reused
 * (learners copy what they keep).
 */
class Trainer {
  private readonly prevObs: Float64Array[];
  private readonly hasPrev: Uint8Array;
  private readonly trans: Transition[];
  /** Scratch for the competing bids of one bidder. */
  private readonly competing: Float64Array;

  constructor(private readonly rep: Replication) {
    this.prevObs = rep.agents.map(() => new Float64Array(OBS_SIZE));
    this.hasPrev = new Uint8Array(rep.agents.length);
    this.trans = rep.agents.map((_, b) => ({
      observation: this.prevObs[b]!,
      action: 0,
      reward: 0,
      nextObservation: null,
      terminated: false,
      truncated: false,
      info: { won: false, slot: -1, cost: 0, value: 0, clicks: 0, conversions: 0, competingBid: 0, competingBids: new Float64Array(rep.cfg.exchange.slots) } satisfies AuctionOutcome,
    }));
    this.competing = new Float64Array(rep.agents.length);
  }

  /** One training episode (the market was reset). */
  episode(): void {
    const { market, agents, explore, learns } = this.rep;
    const { hasPrev, trans } = this;
    hasPrev.fill(0);
    while (!market.done) {
      const n = market.prepare();
      for (let k = 0; k < n; k++) {
        const b = market.eligible[k]!;
        const obs = market.observations[b]!;
        if (learns[b] && hasPrev[b]) {
          const tr = trans[b]!;
          tr.nextObservation = obs;
          tr.terminated = false;
          tr.truncated = false;
          agents[b]!.learn(tr);
        }
        market.bids[b] = agents[b]!.act(obs, explore[b]!);
      }
      market.clear();
      for (let k = 0; k < n; k++) {
        const b = market.eligible[k]!;
        if (learns[b]) this.record(b);
      }
    }
    // Episode over: the horizon truncates what is left (learners still bootstrap).
    for (let b = 0; b < agents.length; b++) if (learns[b] && hasPrev[b]) this.finish(b, false);
  }

  /** Keeps bidder b's auction as the start of its next transition; a bidder out of the market ends its episode here. */
  private record(b: number): void {
    const { market, hasObjective, objectiveOf } = this.rep;
    this.prevObs[b]!.set(market.observations[b]!);
    const tr = this.trans[b]!;
    tr.action = market.bids[b]!;
    tr.reward = hasObjective[b] ? objectiveOf(b) : market.reward[b]!;
    const info = tr.info;
    info.won = market.won[b] === 1;
    info.slot = market.slotOf[b]!;
    info.cost = market.cost[b]!;
    info.value = market.valueWon[b]!;
    info.clicks = market.clicks[b]!;
    info.conversions = market.conversions[b]!;
    info.competingBid = market.competingBid[b]!;
    const k = market.competingBids(b, this.competing);
    const top = info.competingBids!;
    for (let j = 0; j < top.length; j++) top[j] = j < k ? this.competing[j]! : 0;
    this.hasPrev[b] = 1;
    if (market.terminated[b]) this.finish(b, true);
  }

  /** Bidder b's last transition of the episode: terminated (budget spent) or truncated (horizon). */
  private finish(b: number, terminated: boolean): void {
    const tr = this.trans[b]!;
    tr.nextObservation = null;
    tr.terminated = terminated;
    tr.truncated = !terminated;
    this.rep.agents[b]!.learn(tr);
    this.hasPrev[b] = 0;
  }
}

/** One evaluation episode (learning off): every auction is recorded for the figures and hindsight. */
function evaluateEpisode(rep: Replication, recorder: EvalRecorder, sample: boolean, observe?: AuctionObserver): void {
  const { market, agents, explore } = rep;
  recorder.startEpisode();
  while (!market.done) {
    const n = market.prepare();
    const t = market.t;
    for (let k = 0; k < n; k++) {
      const b = market.eligible[k]!;
      market.bids[b] = agents[b]!.act(market.observations[b]!, explore[b]!);
    }
    market.clear();
    for (let k = 0; k < n; k++) recorder.auction(market.eligible[k]!, t, sample);
    // Bidders asked but out of budget: their would-be value still counts in hindsight.
    for (let k = 0; k < market.nShadow; k++) recorder.declined(market.shadow[k]!);
    if (observe) {
      for (let k = 0; k < n; k++) observe(market, market.eligible[k]!, true);
      for (let k = 0; k < market.nShadow; k++) observe(market, market.shadow[k]!, false);
    }
  }
}
