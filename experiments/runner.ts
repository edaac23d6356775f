/**
 * Runs an experiment: for each replication, build the market and the agents from
 * streams derived from (seed, replication), train for `episodes`, evaluate for
 * `evalEpisodes` with learning off, and write the run folder:
 *
 *   resolved-config.json  summary.json  episodes.csv  samples.csv  meta.json
 *   policies/<bidder>.json
 *
 * Every file is written whole (temp file + rename); summary.json is written last,
 * so its presence means the run is complete. summary.json depends only on the
 * config: no clock, no machine in it (those go to meta.json).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { StaticAgent, type Agent, type AuctionOutcome, type Policy, type Transition } from '../agents/core.js';
import { hindsightOptimum, hindsightOptimumSlots, regretDecomposition, slotPrices } from '../agents/hindsight.js';
import { writePolicyFile } from '../agents/policy.js';
import { Market } from '../env/market.js';
import { OBS, OBS_SIZE } from '../env/observation.js';
import { rng as rootRng, type Rng } from '../env/rng.js';
import { createAgent } from './agent-registry.js';
import { createAllocator } from './allocators.js';
import { configHash, marketSpec, type ResolvedConfig } from './config.js';
import { writeFileAtomic, writeJsonAtomic } from './fsutil.js';
import { compileObjective, type ObjectiveScope } from './objective.js';
import { stat, type Stat } from './stats.js';

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

/** summary.json */
export interface Summary {
  name: string;
  configHash: string;
  seed: number;
  replications: number;
  /** The interest model: kind and backend, and each quality figure as a statistic over replications (each trains its own). */
  interestModel: { kind: string; backend: string; [figure: string]: unknown };
  market: Record<string, Stat>;
  bidders: Record<string, Record<string, Stat>>;
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

/** Options of {@link runExperiment}. */
export interface RunOptions {
  /** The run folder (created). */
  outDir: string;
  /** No console output. */
  quiet?: boolean;
  /** Progress callback: auctions done so far out of the total. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Replications run at once, each in a worker thread (default: all cores, at
   * most one per replication; 1 runs them in this thread). The results do not
   * depend on it.
   */
  workers?: number;
}

/** Runs replication r in a worker thread. */
function replicationInWorker(cfg: ResolvedConfig, r: number, onAuctions: (n: number) => void): Promise<ReplicationResult> {
  return new Promise((resolvePromise, reject) => {
    const w = new Worker(new URL('./replication-worker.mjs', import.meta.url), { workerData: { cfg, r } });
    let settled = false;
    w.on('message', (m: { type: string; n?: number; result?: ReplicationResult & { policies: Record<string, { kind: string; params: Record<string, unknown> }> }; message?: string; stack?: string; exitCode?: number | null }) => {
      if (m.type === 'progress') onAuctions(m.n!);
      else if (m.type === 'done') {
        settled = true;
        const res = m.result!;
        const policies: Record<string, Policy> = {};
        for (const [id, p] of Object.entries(res.policies)) {
          policies[id] = { kind: p.kind, params: () => p.params, bid: () => Number.NaN };
        }
        resolvePromise({ ...res, policies });
        void w.terminate();
      } else if (m.type === 'error') {
        settled = true;
        const err = new Error(m.message) as Error & { exitCode?: number };
        if (m.exitCode) err.exitCode = m.exitCode;
        reject(err);
        void w.terminate();
      }
    });
    w.on('error', (e) => {
      if (!settled) reject(e);
    });
    w.on('exit', (code) => {
      if (!settled) reject(new Error(`replication ${r}: worker exited with code ${code}`));
    });
  });
}

/** bidgym's version (package.json), recorded in meta.json and policy files. */
export const BIDGYM_VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const EPISODE_COLUMNS = 'replication,episode,phase,bidder,auctions,participations,wins,spend,value,utility,clicks,conversions,bidToValue,budgetSpent,revenuePerAuction,welfarePerAuction';
const SAMPLE_COLUMNS = 'replication,bidder,t,value,pctr,bid,won,cost,budgetSpent';
/** Samples kept per bidder from the last evaluation episode. */
const SAMPLES_PER_BIDDER = 400;

/** Formats a number for CSV: integers as they are, others with up to 9 significant digits. */
export function num(x: number): string {
  if (Number.isInteger(x)) return String(x);
  if (!Number.isFinite(x)) return String(x);
  return String(Number(x.toPrecision(9)));
}

/** Training time of each market's interest model (kept out of summary.json: it is not deterministic). */
const trainSeconds = new WeakMap<Market, number | null>();

/** The interest model for one replication: the oracle, or a model from models/ (trained or loaded). */
async function interestModelFor(cfg: ResolvedConfig, market: Market, rep: Rng): Promise<InterestModelReport> {
  if (cfg.interestModel.kind === 'oracle') {
    return { kind: 'oracle', backend: 'none', auc: null, logLoss: null, ece: null, coldStartAuc: null };
  }
  const { createInterestModel } = await import('../models/index.js');
  const made = await createInterestModel(cfg.interestModel as never, market.population!, market.catalogue!, rep.stream('interest-model'), {
    clock: () => performance.now(),
  });
  trainSeconds.set(market, made.report?.trainSeconds ?? null);
  market.setPredictor(made.predictor);
  const r = made.report;
  if (!r) return { kind: cfg.interestModel.kind, backend: made.predictor.kind, auc: null, logLoss: null, ece: null, coldStartAuc: null };
  // Everything the model reported except its training time (meta.json has that).
  const { trainSeconds: _time, ...rest } = r;
  return { ...rest, kind: cfg.interestModel.kind };
}

/**
 * Runs one replication. Deterministic given (config, r): everything random is
 * drawn from streams under `seed/replication:r`.
 */
export async function runReplication(cfg: ResolvedConfig, r: number, onAuctions?: (n: number) => void): Promise<ReplicationResult> {
  const t0 = process.hrtime.bigint();
  const rep = rootRng(cfg.seed).stream(`replication:${r}`);
  const market = new Market(marketSpec(cfg), rep.stream('market'));
  const interestModel = await interestModelFor(cfg, market, rep);
  const B = market.nBidders;
  const valueScale = Math.max(
    1e-9,
    ...cfg.bidders.map((b) => (b.value.kind === 'uniform' ? b.value.high : b.value.amount * (cfg.users ? 0.2 : 1))),
  );
  const agents: Agent[] = cfg.bidders.map((b) =>
    createAgent(b.agent, {
      id: b.id,
      budget: b.budget,
      auctionsPerEpisode: cfg.auctionsPerEpisode,
      mechanism: cfg.exchange.mechanism,
      slots: cfg.exchange.slots,
      valueScale,
      rng: rep.stream(`bidder:${b.id}`).stream('init'),
    }),
  );
  const explore = cfg.bidders.map((b) => rep.stream(`bidder:${b.id}`).stream('explore'));
  const allocators = cfg.bidders.map((b, i) => {
    if (!b.allocator) return null;
    const a = createAllocator(b.allocator, cfg.users!.topics, rep.stream(`bidder:${b.id}`).stream('allocator-explore'));
    market.setAllocator(i, a);
    return a;
  });
  const learns = agents.map((a) => !(a instanceof StaticAgent));
  // Objectives as expressions replace the default reward (value − spend).
  const objectives = cfg.bidders.map((b, i) => (b.objective ? compileObjective(b.objective, `bidders[${cfg.bidders[i]!.source}].objective`) : null));
  const scope: ObjectiveScope = { value: 0, spend: 0, clicks: 0, conversions: 0, won: 0 };
  const objectiveOf = (b: number): number => {
    scope.spend = market.cost[b]!;
    scope.value = market.reward[b]! + scope.spend;
    scope.clicks = market.clicks[b]!;
    scope.conversions = market.conversions[b]!;
    scope.won = market.won[b]!;
    return objectives[b]!(scope);
  };

  // One transition object per bidder, reused (learners copy what they keep).
  const prevObs = agents.map(() => new Float64Array(OBS_SIZE));
  const hasPrev = new Uint8Array(B);
  const infos: AuctionOutcome[] = agents.map(() => ({ won: false, slot: -1, cost: 0, value: 0, clicks: 0, conversions: 0, competingBid: 0 }));
  const trans: Transition[] = agents.map((_, b) => ({
    observation: prevObs[b]!,
    action: 0,
    reward: 0,
    nextObservation: null,
    terminated: false,
    truncated: false,
    info: infos[b]!,
  }));

  const T = cfg.auctionsPerEpisode;
  const totalEpisodes = cfg.episodes + cfg.evalEpisodes;
  const episodeRows: string[] = [];
  const sampleRows: string[] = [];
  // Evaluation records per bidder (for hindsight), one episode at a time.
  const evVal = agents.map(() => new Float64Array(T));
  const evComp = agents.map(() => new Float64Array(T));
  const evCost = agents.map(() => new Float64Array(T));
  const evWon = agents.map(() => new Uint8Array(T));
  const evN = new Int32Array(B);
  // With several slots, hindsight prices every slot: values and costs per (auction, slot).
  const S = cfg.exchange.slots;
  const evSlotVal = S > 1 ? agents.map(() => new Float64Array(T * S)) : [];
  const evSlotCost = S > 1 ? agents.map(() => new Float64Array(T * S)) : [];
  const competing = new Float64Array(B);
  const prices = new Float64Array(S);
  const recordSlots = (b: number, i: number): void => {
    const m = market.competingBids(b, competing);
    slotPrices(cfg.exchange.mechanism, competing.subarray(0, m), cfg.exchange.reservePrice, cfg.exchange.slotWeights, prices, true);
    for (let j = 0; j < S; j++) {
      evSlotVal[b]![i * S + j] = market.slotValue(b, j);
      evSlotCost[b]![i * S + j] = prices[j]!;
    }
  };
  let slotUtility = 0;
  // Sums over evaluation episodes.
  const acc = {
    auctions: 0,
    revenue: 0,
    welfare: 0,
    payout: 0,
    fee: 0,
    part: new Float64Array(B),
    wins: new Float64Array(B),
    spend: new Float64Array(B),
    value: new Float64Array(B),
    clicks: new Float64Array(B),
    conv: new Float64Array(B),
    btv: new Float64Array(B),
    btvN: new Float64Array(B),
    budgetSpent: new Float64Array(B),
    optimum: new Float64Array(B),
    optimumInt: new Float64Array(B),
    regret: new Float64Array(B),
    overbid: new Float64Array(B),
    underbid: new Float64Array(B),
    objective: new Float64Array(B),
  };
  let auctionsRun = 0;

  for (let ep = 0; ep < totalEpisodes; ep++) {
    const training = ep < cfg.episodes;
    const lastEval = ep === totalEpisodes - 1;
    for (const a of agents) a.training = training;
    for (const a of allocators) if (a) a.training = training;
    market.resetEpisode();
    hasPrev.fill(0);
    evN.fill(0);
    const sampleEvery = Math.max(1, Math.floor(T / SAMPLES_PER_BIDDER));
    while (!market.done) {
      const n = market.prepare();
      const tNow = market.t;
      for (let k = 0; k < n; k++) {
        const b = market.eligible[k]!;
        const obs = market.observations[b]!;
        if (training && learns[b] && hasPrev[b]) {
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
        if (training && learns[b]) {
          prevObs[b]!.set(market.observations[b]!);
          const tr = trans[b]!;
          tr.action = market.bids[b]!;
          tr.reward = objectives[b] ? objectiveOf(b) : market.reward[b]!;
          const info = infos[b]!;
          info.won = market.won[b] === 1;
          info.slot = market.slotOf[b]!;
          info.cost = market.cost[b]!;
          info.value = market.valueWon[b]!;
          info.clicks = market.clicks[b]!;
          info.conversions = market.conversions[b]!;
          info.competingBid = market.competingBid[b]!;
          hasPrev[b] = 1;
          if (market.terminated[b]) {
            tr.nextObservation = null;
            tr.terminated = true;
            tr.truncated = false;
            agents[b]!.learn(tr);
            hasPrev[b] = 0;
          }
        }
        if (!training) {
          if (objectives[b]) acc.objective[b]! += objectiveOf(b);
          const i = evN[b]!++;
          evVal[b]![i] = market.topValue[b]!;
          evComp[b]![i] = market.competingBid[b]!;
          evCost[b]![i] = market.cost[b]!;
          evWon[b]![i] = market.won[b]!;
          if (S > 1) recordSlots(b, i);
          if (lastEval && tNow % sampleEvery === 0) {
            const o = market.observations[b]!;
            const budget = market.budgetMicros[b]!;
            const spent = budget === Infinity ? 0 : 1 - market.budgetLeftMicros[b]! / budget;
            sampleRows.push(
              [r, cfg.bidders[b]!.id, num(tNow / T), num(o[OBS.value]!), num(o[OBS.pctr]!), num(market.bids[b]!), market.won[b], num(market.cost[b]!), num(spent)].join(','),
            );
          }
        }
      }
      if (!training) {
        for (let k = 0; k < market.nShadow; k++) {
          const b = market.shadow[k]!;
          const i = evN[b]!++;
          evVal[b]![i] = market.topValue[b]!;
          evComp[b]![i] = market.competingBid[b]!;
          evCost[b]![i] = 0;
          evWon[b]![i] = 0;
          if (S > 1) recordSlots(b, i);
        }
      }
    }
    // Episode over: the horizon truncates what is left.
    if (training) {
      for (let b = 0; b < B; b++) {
        if (learns[b] && hasPrev[b]) {
          const tr = trans[b]!;
          tr.nextObservation = null;
          tr.terminated = false;
          tr.truncated = true;
          agents[b]!.learn(tr);
        }
      }
    }
    for (const a of agents) a.endEpisode();

    const E = market.totals;
    auctionsRun += E.auctions;
    onAuctions?.(E.auctions);
    const auctions = Math.max(1, E.auctions);
    for (let b = 0; b < B; b++) {
      const spend = E.spend[b]! / 1e6;
      const budget = cfg.bidders[b]!.budget;
      episodeRows.push(
        [
          r,
          ep,
          training ? 'train' : 'eval',
          cfg.bidders[b]!.id,
          E.auctions,
          E.participations[b],
          E.wins[b],
          num(spend),
          num(E.value[b]!),
          num(E.value[b]! - spend),
          E.clicks[b],
          E.conversions[b],
          num(E.bidToValueCount[b]! > 0 ? E.bidToValueSum[b]! / E.bidToValueCount[b]! : 0),
          num(budget ? spend / budget : 0),
          num(E.revenue / 1e6 / auctions),
          num(E.welfare / auctions),
        ].join(','),
      );
      if (!training) {
        acc.part[b]! += E.participations[b]!;
        acc.wins[b]! += E.wins[b]!;
        acc.spend[b]! += spend;
        acc.value[b]! += E.value[b]!;
        acc.clicks[b]! += E.clicks[b]!;
        acc.conv[b]! += E.conversions[b]!;
        acc.btv[b]! += E.bidToValueSum[b]!;
        acc.btvN[b]! += E.bidToValueCount[b]!;
        acc.budgetSpent[b]! += budget ? spend / budget : 0;
        const m = evN[b]!;
        if (budget !== null) {
          const h =
            S > 1
              ? hindsightOptimumSlots(evSlotVal[b]!.subarray(0, m * S), evSlotCost[b]!.subarray(0, m * S), S, budget)
              : hindsightOptimum(evVal[b]!.subarray(0, m), evComp[b]!.subarray(0, m), budget);
          acc.optimum[b]! += h.value;
          acc.optimumInt[b]! += h.integralValue;
        } else if (S > 1) {
          // Several slots: regret against the best slot (or none) of each auction at its price.
          let best = 0;
          for (let i = 0; i < m; i++) {
            let bi = 0;
            for (let j = 0; j < S; j++) bi = Math.max(bi, evSlotVal[b]![i * S + j]! - evSlotCost[b]![i * S + j]!);
            best += bi;
          }
          slotUtility = E.value[b]! - spend;
          acc.regret[b]! += best - slotUtility;
        } else {
          const g = regretDecomposition(evVal[b]!.subarray(0, m), evComp[b]!.subarray(0, m), evCost[b]!.subarray(0, m), evWon[b]!.subarray(0, m));
          acc.regret[b]! += g.regret;
          acc.overbid[b]! += g.overbid;
          acc.underbid[b]! += g.underbid;
        }
      }
    }
    if (!training) {
      acc.auctions += E.auctions;
      acc.revenue += E.revenue / 1e6;
      acc.welfare += E.welfare;
      acc.payout += E.publisherPayout / 1e6;
      acc.fee += E.exchangeFee / 1e6;
    }
  }
  if (!market.ledger.balanced()) throw new Error('internal error: the ledger does not balance');

  const A = Math.max(1, acc.auctions);
  const nEval = cfg.evalEpisodes;
  const marketFig: Record<string, number> = {
    revenuePerAuction: acc.revenue / A,
    welfarePerAuction: acc.welfare / A,
    publisherPayoutPerAuction: acc.payout / A,
    exchangeFeePerAuction: acc.fee / A,
    auctionsPerEpisode: acc.auctions / nEval,
  };
  const bidders: Record<string, Record<string, number>> = {};
  const policies: ReplicationResult['policies'] = {};
  cfg.bidders.forEach((bc, b) => {
    const f: Record<string, number> = {
      utilityPerAuction: (acc.value[b]! - acc.spend[b]!) / A,
      bidToValue: acc.btvN[b]! > 0 ? acc.btv[b]! / acc.btvN[b]! : 0,
      winRate: acc.part[b]! > 0 ? acc.wins[b]! / acc.part[b]! : 0,
      spend: acc.spend[b]! / nEval,
      value: acc.value[b]! / nEval,
      clicks: acc.clicks[b]! / nEval,
      conversions: acc.conv[b]! / nEval,
      participations: acc.part[b]! / nEval,
    };
    if (objectives[b]) f.objectivePerAuction = acc.objective[b]! / A;
    if (bc.budget !== null) {
      f.budgetSpent = acc.budgetSpent[b]! / nEval;
      f.hindsightValue = acc.optimum[b]! / nEval;
      f.competitiveRatio = acc.optimum[b]! > 0 ? acc.value[b]! / acc.optimum[b]! : 1;
    } else {
      f.regretPerAuction = acc.regret[b]! / A;
      // The overbid / underbid split is defined for one slot.
      if (S === 1) {
        f.overbidRegretPerAuction = acc.overbid[b]! / A;
        f.underbidRegretPerAuction = acc.underbid[b]! / A;
      }
    }
    bidders[bc.id] = f;
    policies[bc.id] = agents[b]!.policy();
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { market: marketFig, bidders, episodeRows, sampleRows, interestModel, auctions: auctionsRun, seconds, interestTrainSeconds: trainSeconds.get(market) ?? null, policies };
}

/** Numeric figures of the interest model become statistics over replications; the rest (kind, backend, …) is replication 0's. */
function summarizeInterest(reports: InterestModelReport[]): Summary['interestModel'] {
  const out: Summary['interestModel'] = { kind: reports[0]!.kind, backend: String(reports[0]!.backend) };
  for (const [k, v] of Object.entries(reports[0]!)) {
    if (k === 'kind' || k === 'backend') continue;
    out[k] = typeof v === 'number' && reports.every((r) => typeof r[k] === 'number') ? stat(reports.map((r) => r[k] as number)) : v;
  }
  return out;
}

/** Builds summary.json from the replications' figures (statistics across replications). */
export function summarize(cfg: ResolvedConfig, reps: ReplicationResult[]): Summary {
  const market: Record<string, Stat> = {};
  for (const k of Object.keys(reps[0]!.market)) market[k] = stat(reps.map((x) => x.market[k]!));
  const bidders: Record<string, Record<string, Stat>> = {};
  for (const b of cfg.bidders) {
    const out: Record<string, Stat> = {};
    for (const k of Object.keys(reps[0]!.bidders[b.id]!)) out[k] = stat(reps.map((x) => x.bidders[b.id]![k]!));
    bidders[b.id] = out;
  }
  return {
    name: cfg.name,
    configHash: configHash(cfg),
    seed: cfg.seed,
    replications: cfg.replications,
    interestModel: summarizeInterest(reps.map((x) => x.interestModel)),
    market,
    bidders,
  };
}

/** Package versions and the like, for meta.json. */
function versions(): Record<string, string> {
  return { node: process.version, platform: `${process.platform}-${process.arch}` };
}

/**
 * Runs every replication of `cfg` and writes the run folder `opts.outDir`.
 * @returns the summary (as written to summary.json)
 */
export async function runExperiment(cfg: ResolvedConfig, opts: RunOptions): Promise<Summary> {
  const started = new Date().toISOString();
  const t0 = process.hrtime.bigint();
  mkdirSync(opts.outDir, { recursive: true });
  const total = cfg.replications * (cfg.episodes + cfg.evalEpisodes) * cfg.auctionsPerEpisode;
  let done = 0;
  const progress = (n: number) => {
    done += n;
    opts.onProgress?.(done, total);
  };
  const workers = Math.max(1, Math.min(opts.workers ?? availableParallelism(), cfg.replications));
  const reps: ReplicationResult[] = new Array(cfg.replications);
  if (workers === 1) {
    for (let r = 0; r < cfg.replications; r++) reps[r] = await runReplication(cfg, r, progress);
  } else {
    // A pool of `workers` threads; results land at their replication's index.
    let next = 0;
    const lane = async () => {
      while (next < cfg.replications) {
        const r = next++;
        reps[r] = await replicationInWorker(cfg, r, progress);
      }
    };
    await Promise.all(Array.from({ length: workers }, lane));
  }
  const summary = summarize(cfg, reps);
  const dir = opts.outDir;
  writeJsonAtomic(join(dir, 'resolved-config.json'), cfg);
  writeFileAtomic(join(dir, 'episodes.csv'), [EPISODE_COLUMNS, ...reps.flatMap((x) => x.episodeRows)].join('\n') + '\n');
  writeFileAtomic(join(dir, 'samples.csv'), [SAMPLE_COLUMNS, ...reps.flatMap((x) => x.sampleRows)].join('\n') + '\n');
  // Policies of replication 0, with provenance (what they were trained on and how they did).
  for (const b of cfg.bidders) {
    const fig = reps[0]!.bidders[b.id]!;
    writePolicyFile(join(dir, 'policies', `${b.id}.json`), reps[0]!.policies[b.id]!, {
      configHash: summary.configHash,
      seed: cfg.seed,
      bidder: b.id,
      replication: 0,
      bidgym: BIDGYM_VERSION,
      training: {
        episodes: cfg.episodes,
        auctionsPerEpisode: cfg.auctionsPerEpisode,
        mechanism: cfg.exchange.mechanism,
        evalUtilityPerAuction: fig.utilityPerAuction!,
        evalBidToValue: fig.bidToValue!,
        evalWinRate: fig.winRate!,
        evalCompetitiveRatio: fig.competitiveRatio ?? null,
      },
    });
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const auctions = reps.reduce((s, x) => s + x.auctions, 0);
  writeJsonAtomic(join(dir, 'meta.json'), {
    bidgym: BIDGYM_VERSION,
    configHash: summary.configHash,
    started,
    seconds,
    auctions,
    auctionsPerSecond: auctions / seconds,
    replicationSeconds: reps.map((x) => x.seconds),
    interestModel: { kind: summary.interestModel.kind, backend: summary.interestModel.backend, trainSeconds: reps.map((x) => x.interestTrainSeconds) },
    versions: versions(),
  });
  writeJsonAtomic(join(dir, 'summary.json'), summary);
  return summary;
}
