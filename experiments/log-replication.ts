/**
 * One replication of a log market (a config with `log:`): every bidder replays
 * the whole log alone (env/log/replay.ts). The paper's methods (lin-bid, mcpc,
 * rlb, ss-mdp) bid from the training statistics; every other agent kind is
 * bidgym's own agent, which with `episodes > 0` first trains for that many
 * episodes in the fitted world (or on `log.trainPath`) and is then evaluated
 * on the log with learning off (experiments/log-market.ts).
 *
 * Figures per bidder (over the whole log): totalClicks, totalImpressions,
 * totalCost, totalConversions, totalValue, winRate, hindsightClicks (the sum
 * over episodes of the knapsack optimum), competitiveRatio (clicks /
 * hindsight clicks), budgetSpent (mean share of the episode budget spent),
 * clicksPerEpisode.
 */
import { inputPath, sentInput } from '../env/io/sent-inputs.js';
import { isAbsolute, resolve } from 'node:path';
import type { Agent } from '../agents/core.js';
import { LinBidBidder, tuneLinBid } from '../agents/log/lin-bid.js';
import { McpcBidder } from '../agents/log/mcpc.js';
import { RlbBidder } from '../agents/log/rlb.js';
import { SsMdpBidder } from '../agents/log/ss-mdp.js';
import { InputError } from '../env/errors.js';
import { infoFromLog, readLog, readLogInfo, type BidLog, type LogFormat, type LogInfo } from '../env/log/format.js';
import { sampleLog } from '../env/log/generate.js';
import { defaultMaxBid, episodeBudget, hindsightClicks, replay, type BudgetSpec, type LogBidder, type ReplayProtocol, type ReplayResult } from '../env/log/replay.js';
import type { Rng } from '../env/rng.js';
import { AgentLogBidder, fittedWorld, trainOnLogs, type TrainingSource } from './log-market.js';

/** The `log:` block of a config, as validated. */
export interface LogSpec {
  format: LogFormat;
  /** The log to evaluate on (relative paths: from the config file's folder). */
  path: string;
  /** Training statistics (RLB's info.json); null: computed from `trainPath`. */
  info: string | null;
  /** A training log (same format): Lin-Bid tunes on it and learners train on it instead of the fitted world. */
  trainPath: string | null;
  /** Largest bid; null: the top of the training histogram, else the highest logged price. */
  maxPrice: number | null;
  /** Round bids down to integers (the paper's protocol). */
  integerBids: boolean;
  /** pCTR spread σ of the fitted world. */
  ctrSpread: number;
  /** Folder of the on-disk cache of RLB value tables (relative: from the config file's folder); null: memory only. */
  cacheDir: string | null;
}

/** Largest RLB value table built (N × (B + 1) doubles; 1.2 GiB). */
export const MAX_TABLE_CELLS = 160_000_000;

/** The paper's method kinds (they need a log market). */
export const LOG_METHOD_KINDS = ['lin-bid', 'mcpc', 'rlb', 'ss-mdp'] as const;

/** A log market's data, loaded once per run. */
export interface LogData {
  spec: LogSpec;
  log: BidLog;
  /** Training statistics (from info.json, else from the training log); null when neither is given. */
  info: LogInfo | null;
  train: BidLog | null;
  maxBid: number;
  cacheDir: string | null;
}

/** Resolves a path of the config against the config file's folder (`baseDir`; null: the working directory). */
export function resolveFromConfig(path: string, baseDir: string | null): string {
  return isAbsolute(path) || !baseDir ? path : resolve(baseDir, path);
}

/** Reads the files of a `log:` block (relative paths from the config file's folder); bad files are InputErrors naming them. */
export function loadLogData(spec: LogSpec, baseDir: string | null): LogData {
  // A queue worker's trial reads the copies sent with its job (env/io/sent-inputs.ts).
  const at = (p: string, field = 'log') => {
    const local = inputPath(p, field);
    return local === p ? resolveFromConfig(p, baseDir) : local;
  };
  const log = readLog(at(spec.path, 'log.path'), spec.format);
  const train = spec.trainPath ? readLog(at(spec.trainPath, 'log.trainPath'), spec.format) : null;
  let info = spec.info ? readLogInfo(at(spec.info, 'log.info')) : null;
  const maxFromData = defaultMaxBid(train ?? log, info);
  const maxBid = spec.maxPrice ?? maxFromData;
  if (!info && train) info = infoFromLog(train, maxBid);
  return { spec, log, info, train, maxBid, cacheDir: spec.cacheDir ? at(spec.cacheDir, 'log.cacheDir') : null };
}

/** One bidder of a log market. */
export interface LogBidderSpec {
  id: string;
  agent: { kind: string; b0?: number | null; [k: string]: unknown };
  budget: BudgetSpec | null;
  /** Value of a click for bidgym's agents; null: the training cost per click. */
  valuePerClick: number | null;
}

/** Result of one bidder's replication. */
export interface LogBidderResult {
  figures: Record<string, number>;
  /** Rows of episodes.csv (replication, episode, phase, bidder, auctions, participations, wins, spend, value, utility, clicks, conversions, bidToValue, budgetSpent, revenuePerAuction, welfarePerAuction). */
  episodeRows: string[];
  /** The bidgym agent (null for the paper's methods), for its frozen policy. */
  agent: Agent | null;
  /** Lin-Bid's b0 when tuned. */
  tunedB0: number | null;
}

const num = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(10).replace(/\.?0+$/, ''));

/** Figures and episode rows of a replay. */
function report(r: ReplayResult, hindsight: Int32Array, budget: number, id: string, rep: number, phase: 'train' | 'eval', episodeOffset: number, valuePerClick: number): { figures: Record<string, number>; rows: string[] } {
  const E = r.episodes.auctions.length;
  let h = 0;
  for (let e = 0; e < hindsight.length; e++) h += hindsight[e]!;
  let spentShare = 0;
  const rows: string[] = [];
  for (let e = 0; e < E; e++) {
    const cost = r.episodes.cost[e]!;
    spentShare += Number.isFinite(budget) && budget > 0 ? cost / budget : 0;
    const value = r.episodes.clicks[e]! * valuePerClick;
    rows.push(
      [rep, episodeOffset + e, phase, id, r.episodes.auctions[e], r.episodes.auctions[e], r.episodes.impressions[e], num(cost), num(value), num(value - cost), r.episodes.clicks[e], r.episodes.conversions[e], 0, num(Number.isFinite(budget) && budget > 0 ? cost / budget : 0), num(cost / Math.max(1, r.episodes.auctions[e]!)), num(value / Math.max(1, r.episodes.auctions[e]!))].join(','),
    );
  }
  return {
    figures: {
      totalClicks: r.clicks,
      totalImpressions: r.impressions,
      totalCost: r.cost,
      totalConversions: r.conversions,
      totalValue: r.value,
      winRate: r.winRate,
      hindsightClicks: h,
      competitiveRatio: h > 0 ? r.clicks / h : 1,
      budgetSpent: spentShare / Math.max(1, E),
      clicksPerEpisode: r.clicks / Math.max(1, E),
    },
    rows,
  };
}

/** Checks that a paper method has what it needs (statistics, histogram, a budget, a table of sane size). @throws InputError naming the field */
function checkMethod(kind: string, data: LogData, protocol: ReplayProtocol, path: string): LogInfo {
  const info = data.info;
  if (!info) throw new InputError(`${path}.kind: ${kind} needs the log's training statistics: give log.info or log.trainPath`);
  const needsHistogram = kind === 'rlb' || kind === 'ss-mdp';
  if (needsHistogram && !info.priceCounter) throw new InputError(`${path}.kind: ${kind} needs the training price histogram (price_counter_train in log.info, or log.trainPath)`);
  if (kind === 'mcpc' && !(info.clkTrain > 0)) throw new InputError(`${path}.kind: mcpc needs clk_train > 0 in the training statistics`);
  if (kind === 'lin-bid' && !(info.clkTrain > 0)) throw new InputError(`${path}.kind: lin-bid needs clk_train > 0 in the training statistics`);
  const { horizon, budget } = protocol;
  if (needsHistogram && !Number.isFinite(budget)) throw new InputError(`${path.replace(/\.agent$/, '')}.budget: ${kind} plans over the budget: give one`);
  if (needsHistogram && horizon * (Math.floor(budget) + 1) > MAX_TABLE_CELLS) {
    throw new InputError(`${path.replace(/\.agent$/, '')}.budget: ${kind}'s value table would have ${horizon} × ${Math.floor(budget) + 1} cells (more than ${MAX_TABLE_CELLS / 1e6}M, ${((MAX_TABLE_CELLS * 8) / 2 ** 30).toFixed(1)} GiB): use a smaller budget or auctionsPerEpisode, or prices in coarser units`);
  }
  return info;
}

/** The paper's method as a log bidder (b0 tuned on the training log, else on a fitted-world log, when not given). */
function methodBidder(kind: string, b: LogBidderSpec, data: LogData, protocol: ReplayProtocol, stream: Rng, path: string): { bidder: LogBidder; tunedB0: number | null } {
  const info = checkMethod(kind, data, protocol, path);
  const { horizon, budget, maxBid } = protocol;
  switch (kind) {
    case 'mcpc':
      return { bidder: new McpcBidder(info, maxBid), tunedB0: null };
    case 'rlb':
      return { bidder: new RlbBidder(info, horizon, budget, maxBid, { cacheDir: data.cacheDir }), tunedB0: null };
    case 'ss-mdp':
      return { bidder: new SsMdpBidder(info, horizon, budget, maxBid, { cacheDir: data.cacheDir }), tunedB0: null };
    case 'lin-bid': {
      if (typeof b.agent.b0 === 'number') return { bidder: new LinBidBidder(b.agent.b0, info, maxBid), tunedB0: null };
      const train = data.train ?? (info.priceCounter ? sampleLog(fittedWorld(info, { ctrSpread: data.spec.ctrSpread }), data.log.length, stream.stream('lin-bid-tuning'), 'fitted-world') : null);
      if (!train) throw new InputError(`${path}.b0: give b0, or log.trainPath (or a price histogram in log.info) to tune it on`);
      const t = tuneLinBid(train, info, protocol);
      return { bidder: new LinBidBidder(t.b0, info, maxBid), tunedB0: t.b0 };
    }
    default:
      throw new Error(`internal error: not a log method: ${kind}`);
  }
}

/** Checks that a bidgym agent can be valued and trained; returns its value per click. @throws InputError naming the field */
function checkLearner(b: LogBidderSpec, data: LogData, opts: { episodes: number; path: string }): number {
  const vpc = b.valuePerClick ?? (data.info && data.info.clkTrain > 0 ? data.info.costTrain / data.info.clkTrain : null);
  if (vpc === null) throw new InputError(`${opts.path}.value: give a value per click ({ kind: per-click, amount }) or the log's training statistics (log.info or log.trainPath)`);
  if (opts.episodes > 0 && !data.train && !data.info?.priceCounter) throw new InputError('episodes: training in a log market needs log.trainPath or a training price histogram (price_counter_train in log.info)');
  return vpc;
}

/**
 * Checks a log market before any work: reads (and keeps) its files, and checks
 * every bidder's budget and method. @throws InputError naming the file or the field
 */
export function preflightLogRun(cfg: LogRunConfig): void {
  const data = logDataFor(cfg.log, cfg.baseDir);
  cfg.bidders.forEach((b) => {
    const path = `bidders[${b.source}]`;
    const budget = b.budgetC0 !== null ? episodeBudget({ c0: b.budgetC0 }, data.info, cfg.auctionsPerEpisode) : (b.budget ?? Infinity);
    const protocol: ReplayProtocol = { horizon: cfg.auctionsPerEpisode, budget, maxBid: data.maxBid, integerBids: data.spec.integerBids };
    if ((LOG_METHOD_KINDS as readonly string[]).includes(b.agent.kind)) {
      checkMethod(b.agent.kind, data, protocol, `${path}.agent`);
      if (b.agent.kind === 'lin-bid' && typeof b.agent.b0 !== 'number' && !data.train && !data.info!.priceCounter) {
        throw new InputError(`${path}.agent.b0: give b0, or log.trainPath (or a price histogram in log.info) to tune it on`);
      }
    } else checkLearner({ id: b.id, agent: b.agent, budget: null, valuePerClick: b.valuePerClick }, data, { episodes: cfg.episodes, path });
  });
}

/**
 * Runs one bidder of a log market for replication `rep`.
 * @param makeAgent builds bidgym's agent for a non-method kind
 * @param stream this bidder's stream of this replication (seed/replication:r/bidder:id)
 * @param path config path of the bidder (for messages), e.g. `bidders[2]`
 */
export function runLogBidder(
  data: LogData,
  b: LogBidderSpec,
  opts: { horizon: number; episodes: number; rep: number; path: string },
  stream: Rng,
  makeAgent: (budget: number | null, valueScale: number) => Agent,
): LogBidderResult {
  const budget = b.budget === null ? Infinity : episodeBudget(b.budget, data.info, opts.horizon);
  const protocol: ReplayProtocol = { horizon: opts.horizon, budget, maxBid: data.maxBid, integerBids: data.spec.integerBids };
  const hindsight = hindsightClicks(data.log, protocol);
  const kind = b.agent.kind;
  if ((LOG_METHOD_KINDS as readonly string[]).includes(kind)) {
    const { bidder, tunedB0 } = methodBidder(kind, b, data, protocol, stream, `${opts.path}.agent`);
    const r = replay(data.log, bidder, protocol);
    const vpc = b.valuePerClick ?? (data.info && data.info.clkTrain > 0 ? data.info.costTrain / data.info.clkTrain : 1);
    const { figures, rows } = report(r, hindsight, budget, b.id, opts.rep, 'eval', 0, vpc);
    if (tunedB0 !== null) figures.b0 = tunedB0;
    return { figures, episodeRows: rows, agent: null, tunedB0 };
  }
  const vpc = checkLearner(b, data, opts);
  const agent = makeAgent(Number.isFinite(budget) ? budget : null, data.maxBid);
  const rows: string[] = [];
  if (opts.episodes > 0) {
    const source: TrainingSource = data.train
      ? { kind: 'log', log: data.train }
      : { kind: 'fitted', world: fittedWorld(data.info!, { ctrSpread: data.spec.ctrSpread }), stream: stream.stream('fitted-world') };
    trainOnLogs(agent, source, opts.episodes, protocol, vpc, stream.stream('explore'));
  }
  agent.training = false;
  const bidder = new AgentLogBidder(agent, vpc, stream.stream('explore-eval'));
  const r = replay(data.log, bidder, protocol);
  bidder.close();
  const { figures, rows: evalRows } = report(r, hindsight, budget, b.id, opts.rep, 'eval', opts.episodes, vpc);
  rows.push(...evalRows);
  return { figures, episodeRows: rows, agent, tunedB0: null };
}

/** What {@link runLogReplication} needs of a resolved config. */
export interface LogRunConfig {
  seed: number;
  episodes: number;
  auctionsPerEpisode: number;
  log: LogSpec;
  /** The config file's folder (relative log paths are resolved from it); null: the working directory. */
  baseDir: string | null;
  bidders: { id: string; source: number; agent: { kind: string; [k: string]: unknown }; budget: number | null; budgetC0: number | null; valuePerClick: number | null }[];
}

/** Result of {@link runLogReplication} (the fields of a replication result a log market has). */
export interface LogReplicationResult {
  market: Record<string, number>;
  bidders: Record<string, Record<string, number>>;
  episodeRows: string[];
  auctions: number;
  seconds: number;
  /** bidgym agents by bidder id (the paper's methods have none). */
  agents: Record<string, Agent>;
}

const loaded = new Map<string, LogData>();

/** {@link loadLogData}, once per process for the same files. */
export function logDataFor(spec: LogSpec, baseDir: string | null): LogData {
  const sent = [spec.path, spec.trainPath, spec.info, spec.cacheDir].map((p) => (p ? sentInput(p, 'log') : null));
  const key = JSON.stringify([spec, baseDir ? resolve(baseDir) : process.cwd(), sent]);
  let d = loaded.get(key);
  if (!d) {
    d = loadLogData(spec, baseDir);
    loaded.set(key, d);
  }
  return d;
}

/**
 * Replication r of a log market: each bidder alone on the whole log (bidgym's
 * agents trained first when `episodes > 0`). Streams: seed/replication:r/bidder:id.
 */
export function runLogReplication(cfg: LogRunConfig, r: number, rootStream: Rng, makeAgent: (bidder: number, budget: number | null, valueScale: number, init: Rng) => Agent): LogReplicationResult {
  const t0 = process.hrtime.bigint();
  const data = logDataFor(cfg.log, cfg.baseDir);
  const bidders: Record<string, Record<string, number>> = {};
  const agents: Record<string, Agent> = {};
  const episodeRows: string[] = [];
  let auctions = 0;
  cfg.bidders.forEach((b, i) => {
    const stream = rootStream.stream(`replication:${r}`).stream(`bidder:${b.id}`);
    const res = runLogBidder(
      data,
      { id: b.id, agent: b.agent, budget: b.budgetC0 !== null ? { c0: b.budgetC0 } : b.budget, valuePerClick: b.valuePerClick },
      { horizon: cfg.auctionsPerEpisode, episodes: cfg.episodes, rep: r, path: `bidders[${b.source}]` },
      stream,
      (budget, scale) => makeAgent(i, budget, scale, stream.stream('init')),
    );
    bidders[b.id] = res.figures;
    if (res.agent) agents[b.id] = res.agent;
    episodeRows.push(...res.episodeRows);
    auctions += data.log.length + (res.agent ? cfg.episodes * cfg.auctionsPerEpisode : 0);
  });
  const market = { auctions: data.log.length, episodes: Math.ceil(data.log.length / cfg.auctionsPerEpisode), clicks: Array.from(data.log.click).reduce((a, c) => a + c, 0) };
  return { market, bidders, episodeRows, auctions, seconds: Number(process.hrtime.bigint() - t0) / 1e9, agents };
}
