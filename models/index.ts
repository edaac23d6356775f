/**
 * Interest models: one factory for every kind (`oracle | attention | logistic | mf`).
 * This file only re-exports; the pipeline (log → split → train or load → measure)
 * is pipeline.ts, each network has its own file.
 *
 * Tensors never leave this folder: the market sees a `CtrPredictor`.
 */
export { BACKENDS, currentBackend, initBackend, type BackendChoice, type BackendInfo, type BackendName } from './backend.js';
export { AttentionModel, AttentionServer, type AttentionArgs } from './attention.js';
export { LogisticModel, MfModel, type MfArgs } from './baselines.js';
export { buildNetwork } from './build.js';
export { allocBatch, batchFromPopulation, clickRate, gatherRows, generateLog, splitByUser, type FeatureBatch, type ImpressionLog, type LogArgs, type LogSplit } from './data.js';
export { LearnedInterestModel, OracleModel, type InterestKind, type InterestModel, type Serving } from './interest.js';
export { catalogueFingerprint, fileHandler, loadModel, saveModel, MODEL_FORMAT, MODEL_VERSION, type LoadedModel } from './io.js';
export { auc, ece, logLoss, quality, type QualityMetrics } from './metrics.js';
export type { LearnedKind, Network, NetworkConfig, WorldShape } from './network.js';
export { predictBatch, predictRows, trainNetwork, type EpochReport, type TrainArgs, type TrainResult } from './train.js';

export { createInterestModel, logPopulation, worldShape, type CreateOptions, type CreatedInterestModel, type InterestModelConfig, type InterestReport, type LearnedCommon } from './pipeline.js';
