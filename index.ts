/**
 * bidgym's public API.
 *
 * @example
 * import { makeEnv, checkEnv } from 'bidgym';
 * const env = makeEnv('bidgym/Market-v0', { config: { name: 'x', exchange: { mechanism: 'second-price' },
 *   bidders: [{ id: 'a', agent: { kind: 'truthful' }, value: { kind: 'uniform' } }, { id: 'b', agent: { kind: 'truthful' }, value: { kind: 'uniform' } }] } });
 * const { observations } = env.reset({ seed: 1 });
 */
import { agentContext } from './experiments/agent-context.js';
import { createAgent } from './experiments/agent-registry.js';
import { marketSpec, resolveConfig } from './experiments/config.js';
import { BiddingEnv } from './env/bidding.js';
import type { Policy } from './env/core.js';
import { MarketEnv } from './env/market-env.js';
import { rng as rootRng } from './env/rng.js';
import { VectorBiddingEnv } from './env/vector.js';
import type { ReportOptions } from './experiments/report.js';
import type { QueueSweepOptions } from './experiments/queue.js';
import type { RunWorkerOptions } from './experiments/worker.js';
import type { SweepTable } from './experiments/sweep/index.js';
import { AutoBiddingEnv } from './env/autobid/gym.js';
import { InputError } from './env/errors.js';
import { makeBaselineAutoBidder } from './experiments/autobid-agents.js';
import { autoBidMarketSpec, autoBidValueSource, resolveAutoBidConfig } from './experiments/autobid-config.js';

export * from './env/core.js';
export * from './env/spaces.js';
export * from './env/rng.js';
export * from './env/observation.js';
export { Market, oraclePredictor, type MarketSpec, type BidderSpec, type ValueModel } from './env/market.js';
export { MarketEnv, observationBox, bidBox } from './env/market-env.js';
export { BiddingEnv } from './env/bidding.js';
export { VectorBiddingEnv, type VectorBiddingInfo, type VectorBiddingStepResult } from './env/vector.js';
export { checkEnv, checkParallelEnv, checkVectorEnv } from './env/check.js';
export { runAuction, auctionScratch, MECHANISMS, type Mechanism } from './env/exchange/mechanisms.js';
export { Ledger, MICROS, toMicros, fromMicros } from './env/exchange/ledger.js';
export type { Agent, Transition, AgentContext } from './agents/core.js';
export { loadPolicy, writePolicyFile, PolicyError, POLICY_SCHEMA_VERSION, type PolicyFile, type LoadedPolicy } from './agents/policy.js';
export { hindsightOptimum, hindsightOptimumSlots, regretDecomposition, slotPrices } from './agents/hindsight.js';
export { LinUcbAllocator } from './agents/linucb.js';
export { ThompsonAllocator } from './agents/thompson.js';
export { LinearAllocator, type ScoringRule } from './agents/bandit.js';
export { createAgent, agentFactories } from './experiments/agent-registry.js';
export { agentContext, createAgents, valueScaleOf } from './experiments/agent-context.js';
export { loadConfig, resolveConfig, ConfigError, configHash } from './experiments/config.js';
export { runExperiment, type Summary } from './experiments/runner.js';
export { readRawConfig } from './experiments/config.js';
export { runSweep, sweepText, type SweepOptions, type SweepTable } from './experiments/sweep/index.js';
export type { ReportOptions } from './experiments/report.js';
export type { QueueSweepOptions } from './experiments/queue.js';
export type { RunWorkerOptions } from './experiments/worker.js';

// The report (vega, resvg) and the queue (bullmq, ioredis) load their libraries
// on first use, so that `import 'bidgym'` stays light.

/** Writes `report.html` (and `charts/`) for a run or sweep folder; resolves to the report's path. See experiments/report.ts. */
export async function writeReport(dir: string, opts?: ReportOptions): Promise<string> {
  return (await import('./experiments/report.js')).writeReport(dir, opts);
}

/** Queues a sweep's trials on Redis for `bidgym worker`s and collects them into `opts.outDir`. See experiments/queue.ts. */
export async function queueSweep(rawConfig: unknown, opts: QueueSweepOptions): Promise<SweepTable> {
  return (await import('./experiments/queue.js')).queueSweep(rawConfig, opts);
}

/** Runs queued sweep trials until `opts.signal` aborts. See experiments/worker.ts. */
export async function runWorker(opts: RunWorkerOptions): Promise<void> {
  return (await import('./experiments/worker.js')).runWorker(opts);
}
export { AutoBiddingEnv, type AutoBiddingInfo } from './env/autobid/gym.js';
export { runStepEpisode, StepEpisode, type StepMarketSpec, type AdvertiserSpec, type ValueSource } from './env/autobid/market.js';
export { STATE_FEATURES, STATE_SIZE, StepTracker } from './env/autobid/state.js';
export { cpaScore, cpaPenalty, scoreDelta, targetScore, roiPenalty, bindingCpa, type Targets } from './env/autobid/score.js';
export { UserValues } from './env/autobid/user-values.js';
export { SyntheticValues } from './env/autobid/values.js';
export { LagrangianBandit, lagrangianSchema } from './agents/autobid/lagrangian.js';
export { StepLearner, makeInnerLearner, STEP_LEARNER_KINDS, STEP_LEARNER_SCHEMAS, type StepLearnerArgs } from './agents/autobid/step-learner.js';
export { formatTransitions, parseTransitions, readTransitions, RecordingBidder, type StepTransition } from './env/autobid/transitions.js';
export { AUCTIONNET_COLUMNS, formatAuctionNet, parseAuctionNet, readAuctionNet, transitionsFromAuctionNet, type AuctionNetRow } from './env/autobid/auctionnet.js';
export type { AutoBidder, StepObservation } from './env/autobid/core.js';
export { makeAutoBidder, makeBaselineAutoBidder, autoBidAgentSchema, lagrangianFrom } from './experiments/autobid-agents.js';
export { loadAutoBidPolicy, writeAutoBidPolicyFile, autoBidPolicyDocument, type LoadedAutoBidPolicy } from './agents/autobid/policy-file.js';
export type { AutoBidSummary } from './experiments/autobid-run.js';
export { resolveAutoBidConfig } from './experiments/autobid-config.js';

/** Runs a step-level config (steps > 1). See experiments/autobid-run.ts. */
export async function runAutoBid(...args: Parameters<typeof import('./experiments/autobid-run.js').runAutoBid>): ReturnType<typeof import('./experiments/autobid-run.js').runAutoBid> {
  return (await import('./experiments/autobid-run.js')).runAutoBid(...args);
}

/** Writes a step-level config's trajectories as a dataset. See experiments/autobid-run.ts. */
export async function logAutoBid(...args: Parameters<typeof import('./experiments/autobid-run.js').logAutoBid>): ReturnType<typeof import('./experiments/autobid-run.js').logAutoBid> {
  return (await import('./experiments/autobid-run.js')).logAutoBid(...args);
}

/** Env ids accepted by {@link makeEnv}. */
export const ENV_IDS = ['bidgym/Market-v0', 'bidgym/Bidding-v0', 'bidgym/VectorBidding-v0', 'bidgym/AutoBidding-v0'] as const;

/** Options of {@link makeEnv}: a config (object, validated like a config file) and env-specific choices. */
export interface MakeEnvOptions {
  config: unknown;
  seed?: number;
  /**
   * Bidding envs: the learning bidder's id (default: the first bidder); the
   * others bid with the policies of their configured agents, built exactly as
   * in replication 0 of `bidgym run` with this seed (same context, same streams).
   */
  learner?: string;
  /** VectorBidding: number of copies. */
  num?: number;
}

/**
 * Builds an env from a versioned id and a config (Gymnasium's `make`).
 * The config's `users`, `exchange`, `auctionsPerEpisode` and `bidders` define the market.
 */
export function makeEnv(id: 'bidgym/Market-v0', options: MakeEnvOptions): MarketEnv;
export function makeEnv(id: 'bidgym/Bidding-v0', options: MakeEnvOptions): BiddingEnv;
export function makeEnv(id: 'bidgym/VectorBidding-v0', options: MakeEnvOptions): VectorBiddingEnv;
export function makeEnv(id: 'bidgym/AutoBidding-v0', options: MakeEnvOptions): AutoBiddingEnv;
export function makeEnv(id: (typeof ENV_IDS)[number], options: MakeEnvOptions): MarketEnv | BiddingEnv | VectorBiddingEnv | AutoBiddingEnv {
  if (id === 'bidgym/AutoBidding-v0') return makeAutoBiddingEnv(options);
  const cfg = resolveConfig(options.config);
  const spec = marketSpec(cfg);
  if (id === 'bidgym/Market-v0') return new MarketEnv(spec, { seed: options.seed ?? cfg.seed });
  const learner = options.learner ?? cfg.bidders[0]!.id;
  const rivals: Record<string, Policy> = {};
  const rep = rootRng(options.seed ?? cfg.seed).stream('replication:0');
  cfg.bidders.forEach((b, i) => {
    if (b.id !== learner) rivals[b.id] = createAgent(b.agent, agentContext(cfg, i, rep)).policy();
  });
  if (id === 'bidgym/Bidding-v0') return new BiddingEnv(spec, { learner, rivals, seed: options.seed ?? cfg.seed });
  if (id === 'bidgym/VectorBidding-v0') return new VectorBiddingEnv(options.num ?? 4, spec, { learner, rivals, seed: options.seed ?? cfg.seed });
  throw new Error(`makeEnv: unknown env id "${id as string}"; expected one of ${ENV_IDS.join(', ')}`);
}

/**
 * `bidgym/AutoBidding-v0` from a step-level config (`steps > 1`): the agent is
 * `options.learner` (default the first bidder); the others bid with their
 * configured agents: baselines (abid, pid, online-lp), policy files, and online
 * learners (lagrangian, q-learning, dqn, reinforce, actor-critic) that start
 * untrained and learn as they play (initialised from the stream
 * `bidder:<id>` of the seed).
 */
function makeAutoBiddingEnv(options: MakeEnvOptions): AutoBiddingEnv {
  const cfg = resolveAutoBidConfig(options.config);
  const learner = options.learner ?? cfg.bidders[0]!.id;
  if (!cfg.bidders.some((b) => b.id === learner)) throw new InputError(`learner: no bidder "${learner}" in the config`);
  const spec = autoBidMarketSpec(cfg);
  const source = autoBidValueSource(cfg);
  const others = cfg.bidders.map((b) => (b.id === learner ? makeBaselineAutoBidder({ kind: 'abid', factor: 1 }) : makeBaselineAutoBidder(b.agent, b.noise, rootRng(options.seed ?? cfg.seed).stream(`bidder:${b.id}`))));
  return new AutoBiddingEnv(spec, source, others, learner, { seed: options.seed ?? cfg.seed });
}
