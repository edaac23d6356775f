/**
 * The interest-model pipeline: {@link createInterestModel} logs impressions from
 * users of the run's world (same catalogue and personas, other people), splits
 * them by user, trains the model (or loads a saved one), measures it on the
 * held-out users, and returns the predictor the market calls with a report for
 * summary.json. (models/index.ts re-exports it with the rest of models/.)
 */
import { inputPath } from '../env/io/sent-inputs.js';
import type { Catalogue } from '../env/ads/catalogue.js';
import { Rng } from '../env/rng.js';
import { UserPopulation } from '../env/users/population.js';
import { initBackend, type BackendChoice } from './backend.js';
import { buildNetwork } from './build.js';
import { generateLog, splitByUser, type ImpressionLog, type LogSplit } from './data.js';
import { LearnedInterestModel, OracleModel, type InterestKind, type InterestModel, type Serving } from './interest.js';
import { catalogueFingerprint, loadModel } from './io.js';
import { quality } from './metrics.js';
import type { LearnedKind, Network, WorldShape } from './network.js';
import { trainNetwork, type EpochReport, type TrainResult } from './train.js';

/** How a learned model's log is drawn, split and trained (fields shared by every learned kind). */
export interface LearnedCommon {
  /** Impressions logged for training and evaluation. */
  logSize: number;
  /** Share of the log's users held out for early stopping. */
  validationShare: number;
  /** Share of the log's users held out for the reported metrics. */
  testShare: number;
  /** Most passes over the training rows. */
  epochs: number;
  /** Rows per gradient step. */
  batchSize: number;
  /** Adam step size. */
  learningRate: number;
  /** Epochs in a row without validation progress tolerated. */
  patience: number;
  /** L2 penalty on weight matrices. */
  l2: number;
  /** Platt-scale on the validation users after training. */
  calibrate: boolean;
  /** tfjs backend to train (and, for `tensor` serving, serve) on. */
  backend: BackendChoice;
  /** How the market is served (see interest.ts). */
  serving: Serving;
  /** A directory with model.json + weights.bin to load instead of training. */
  path?: string | undefined;
}

/** The resolved `interestModel` config (every default filled; see experiments/interest-schema.ts). */
export type InterestModelConfig =
  | { kind: 'oracle'; logSize?: number | undefined; validationShare?: number | undefined; testShare?: number | undefined }
  | ({ kind: 'attention'; heads: number; width: number; hidden: number } & LearnedCommon)
  | ({ kind: 'logistic' } & LearnedCommon)
  | ({ kind: 'mf'; factors: number } & LearnedCommon);

/** Quality of an interest model on held-out users (what summary.json shows as `interestModel`). */
export interface InterestReport {
  kind: InterestKind;
  /** tfjs backend that ran it (`none` for the oracle). */
  backend: string;
  /** How the market is served: `cached` (CPU JavaScript), `tensor` (tfjs forward) or `truth` (oracle). */
  serving: string;
  /** `trained` here, `loaded` from `path`, or `oracle`. */
  source: 'trained' | 'loaded' | 'oracle';
  /** AUC, log-loss (nats) and expected calibration error on the held-out users' impressions. */
  auc: number;
  logLoss: number;
  ece: number;
  /** The same on the held-out impressions of users with an empty history. */
  coldStartAuc: number;
  coldStartLogLoss: number;
  coldStartEce: number;
  /** Seconds spent training (null when loaded, for the oracle, or when no clock was given). */
  trainSeconds: number | null;
  /** Impressions logged; test impressions, clicks, cold-start impressions. */
  logSize: number;
  testImpressions: number;
  testClicks: number;
  coldStartImpressions: number;
  /** Epochs run and the epoch whose weights were kept (trained models only). */
  epochs: number | null;
  bestEpoch: number | null;
  /**
   * Whether the model was trained on this run's catalogue: true when trained here,
   * for a loaded model whether the saved catalogue fingerprint matches (null for the oracle).
   */
  catalogueMatch: boolean | null;
}

/** Options of {@link createInterestModel}. */
export interface CreateOptions {
  /**
   * Wall clock in milliseconds for `trainSeconds`, e.g. node's `performance.now`
   * (models/ never reads a clock itself). Without it trainSeconds is null.
   */
  clock?: () => number;
  /** The users to log impressions from; default {@link logPopulation}(pop). */
  logPopulation?: UserPopulation;
  /** Progress after every training epoch. */
  onEpoch?: (e: EpochReport) => void;
}

/** What {@link createInterestModel} returns. */
export interface CreatedInterestModel {
  /** The predictor to give the market (`market.setPredictor`). */
  predictor: InterestModel;
  /** Quality on held-out users; null for an oracle with no `logSize`. */
  report: InterestReport | null;
  /** The trained or loaded network (null for the oracle): for saving. */
  network: Network | null;
  /** Training history (null unless trained here). */
  training: TrainResult | null;
}

/**
 * Other users of the same world as `pop` (`pop.twin`): the same catalogue,
 * personas and click model, but other people with their own histories and
 * arrivals. Interest models learn from their impressions, so the run's own users
 * are never touched and all of them are unseen by the model.
 */
export function logPopulation(pop: UserPopulation, name = 'interest-log'): UserPopulation {
  return pop.twin(name);
}

/** World sizes of a population (for building a network). */
export function worldShape(pop: UserPopulation): WorldShape {
  const c = pop.catalogue;
  return { topics: c.topics, items: c.items, ads: c.ads, historyLength: pop.historyLength, featureCount: UserPopulation.featureCount(pop.personas) };
}

/** Hyperparameters of a network from its config. */
function hyperOf(cfg: Exclude<InterestModelConfig, { kind: 'oracle' }>): Record<string, number> {
  switch (cfg.kind) {
    case 'attention':
      return { heads: cfg.heads, width: cfg.width, hidden: cfg.hidden };
    case 'mf':
      return { factors: cfg.factors };
    case 'logistic':
      return {};
  }
}

/** The model's metrics on the test rows of the log, overall and on cold-start impressions. */
function measure(model: InterestModel, log: ImpressionLog, split: LogSplit): Omit<InterestReport, 'kind' | 'backend' | 'serving' | 'source' | 'trainSeconds' | 'epochs' | 'bestEpoch' | 'catalogueMatch'> {
  const rows = split.test;
  const p = model.predictLog(log, rows);
  const y = Float32Array.from(rows, (k) => log.clicks[k]!);
  const cold = [];
  for (let i = 0; i < rows.length; i++) if (log.historyLen[rows[i]!] === 0) cold.push(i);
  const all = quality(p, y);
  const c = quality(p, y, cold);
  return {
    auc: all.auc,
    logLoss: all.logLoss,
    ece: all.ece,
    coldStartAuc: c.auc,
    coldStartLogLoss: c.logLoss,
    coldStartEce: c.ece,
    logSize: log.n,
    testImpressions: rows.length,
    testClicks: all.clicks,
    coldStartImpressions: cold.length,
  };
}

/**
 * Builds the interest model a run's bidders see: trains it on impressions of other
 * users of the same world (or loads it from `cfg.path`), measures it on held-out
 * users, and wraps it for the market.
 *
 * @param cfg the resolved `interestModel` config
 * @param pop the run's users (read, never changed)
 * @param catalogue the run's catalogue (`pop.catalogue`)
 * @param rng the interest model's own stream (log, split, initial weights, minibatch order)
 * @param options clock for trainSeconds, a log population, progress
 * @example
 * const { predictor, report } = await createInterestModel(cfg.interestModel, market.population!, market.catalogue!, rep.stream('interest-model'), { clock: performance.now.bind(performance) });
 * market.setPredictor(predictor);
 */
export async function createInterestModel(
  cfg: InterestModelConfig,
  pop: UserPopulation,
  catalogue: Catalogue,
  rng: Rng,
  options: CreateOptions = {},
): Promise<CreatedInterestModel> {
  if (pop.catalogue !== catalogue) throw new Error('interest model: catalogue is not the population’s catalogue');
  const logSize = cfg.logSize;
  const makeLog = (): { log: ImpressionLog; split: LogSplit } => {
    const users = options.logPopulation ?? logPopulation(pop);
    const log = generateLog(users, { impressions: logSize! }, rng.stream('log'));
    const split = splitByUser(log, cfg.validationShare ?? 0.1, cfg.testShare ?? 0.2, rng.stream('split'));
    return { log, split };
  };

  if (cfg.kind === 'oracle') {
    const predictor = new OracleModel();
    if (!logSize) return { predictor, report: null, network: null, training: null };
    const { log, split } = makeLog();
    const m = measure(predictor, log, split);
    const report: InterestReport = { kind: 'oracle', backend: 'none', serving: 'truth', source: 'oracle', ...m, trainSeconds: null, epochs: null, bestEpoch: null, catalogueMatch: null };
    return { predictor, report, network: null, training: null };
  }

  const backend = await initBackend(cfg.backend);
  const { log, split } = makeLog();
  let network: Network;
  let training: TrainResult | null = null;
  let trainSeconds: number | null = null;
  let catalogueMatch = true;
  if (cfg.path) {
    // A queue worker's trial reads the copy sent with its job (env/io/sent-inputs.ts).
    const loaded = await loadModel(inputPath(cfg.path, 'interestModel.path'), catalogue);
    network = loaded.network;
    catalogueMatch = loaded.metadata['catalogue'] === catalogueFingerprint(catalogue);
    if (network.kind !== cfg.kind) throw new Error(`interestModel.path: ${cfg.path} holds a ${network.kind} model, the config asks for ${cfg.kind}`);
    const want = worldShape(pop);
    for (const k of Object.keys(want) as (keyof WorldShape)[]) {
      if (network.shape[k] !== want[k]) throw new Error(`interestModel.path: the saved model was built for ${k} = ${network.shape[k]}, this run has ${want[k]}`);
    }
  } else {
    network = buildNetwork({ kind: cfg.kind as LearnedKind, shape: worldShape(pop), hyper: hyperOf(cfg) }, catalogue, rng.stream('init'));
    const t0 = options.clock?.();
    training = trainNetwork(network, log, split, cfg, rng.stream('train'), options.onEpoch);
    if (options.clock && t0 !== undefined) trainSeconds = (options.clock() - t0) / 1000;
  }
  const predictor = new LearnedInterestModel(network, backend, cfg.serving);
  const m = measure(predictor, log, split);
  const report: InterestReport = {
    kind: cfg.kind,
    backend: backend.backend,
    serving: predictor.serving,
    source: cfg.path ? 'loaded' : 'trained',
    ...m,
    trainSeconds,
    epochs: training ? training.epochs.length : null,
    bestEpoch: training ? training.bestEpoch : null,
    catalogueMatch,
  };
  return { predictor, report, network, training };
}
