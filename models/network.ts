/**
 * What every trainable interest model is: named parameters, a tfjs forward pass
 * from a {@link FeatureBatch} to click logits, and a JavaScript serving path built
 * from the trained weights.
 *
 * The training loop (train.ts), save/load (io.ts) and the market-facing wrapper
 * (interest.ts) only use this interface; each model file (attention.ts,
 * baselines.ts) is one architecture, readable top to bottom.
 */
import * as tf from '@tensorflow/tfjs';
import type { Catalogue } from '../env/ads/catalogue.js';
import type { CtrPredictor } from '../env/interest.js';
import type { FeatureBatch } from './data.js';
import type { ParamSet } from './params.js';

/** Kinds of trainable interest model. */
export type LearnedKind = 'attention' | 'logistic' | 'mf';

/** The sizes of the world a network was built for (a saved model must match them to load). */
export interface WorldShape {
  /** Embedding dimensions of items and ads (the catalogue's topics). */
  topics: number;
  /** Content items in the catalogue. */
  items: number;
  /** Ads in the catalogue. */
  ads: number;
  /** History capacity L. */
  historyLength: number;
  /** User features F. */
  featureCount: number;
}

/** A network's JSON-safe description: kind, world shape and hyperparameters. */
export interface NetworkConfig {
  kind: LearnedKind;
  shape: WorldShape;
  /** Architecture hyperparameters (widths, heads, …), kind-specific. */
  hyper: Record<string, number>;
}

/** A trainable interest model. */
export interface Network {
  readonly kind: LearnedKind;
  readonly shape: WorldShape;
  readonly params: ParamSet;
  /** The catalogue whose content embeddings the inputs use. */
  readonly catalogue: Catalogue;
  /**
   * The parameters the logit is linear in (degree 1 jointly, e.g. the last layer's
   * weights) and the output bias: scaling the first by a and setting bias → a·bias + c
   * turns every logit z into a·z + c (how calibration is folded into the weights).
   */
  readonly output: { readonly weights: readonly string[]; readonly bias: string };
  /** Kind, shape and hyperparameters: with the weights, everything needed to rebuild it. */
  getConfig(): NetworkConfig;
  /** The model inputs of the batch's first `batch.n` rows as tensors (the caller disposes them). */
  inputs(batch: FeatureBatch): tf.Tensor[];
  /** Click logits, shape [n], from {@link inputs}. Call inside `tf.tidy` or dispose the result. */
  logits(inputs: tf.Tensor[]): tf.Tensor1D;
  /**
   * The serving path: a CPU predictor computed in JavaScript from a snapshot of the
   * current weights, with what depends only on a user's history cached per
   * (user, history version). Retrain → build a new one.
   */
  server(): CtrPredictor;
}

/** Checks that a catalogue and a population shape match a network's world shape. */
export function checkShape(shape: WorldShape, catalogue: Catalogue, historyLength: number, featureCount: number, what: string): void {
  const got: WorldShape = { topics: catalogue.topics, items: catalogue.items, ads: catalogue.ads, historyLength, featureCount };
  for (const k of Object.keys(shape) as (keyof WorldShape)[]) {
    if (shape[k] !== got[k]) throw new Error(`${what}: the model was built for ${k} = ${shape[k]}, this world has ${got[k]}`);
  }
}

/** Embeddings of each row's history, `[n, L, d]` (zeros where unused), and the mask `[n, L]` (1 = an item). */
export function historyTensors(batch: FeatureBatch, catalogue: Catalogue): [tf.Tensor3D, tf.Tensor2D] {
  const { n, historyLength: L } = batch;
  const d = catalogue.topics;
  const emb = catalogue.embeddings;
  const h = new Float32Array(n * L * d);
  const mask = new Float32Array(n * L);
  for (let k = 0; k < n; k++) {
    const len = batch.historyLen[k]!;
    for (let j = 0; j < len; j++) {
      const item = batch.history[k * L + j]!;
      h.set(emb.subarray(item * d, (item + 1) * d), (k * L + j) * d);
      mask[k * L + j] = 1;
    }
  }
  return [tf.tensor3d(h, [n, L, d]), tf.tensor2d(mask, [n, L])];
}

/** Content embeddings of each row's ad, `[n, d]`. */
export function adTensor(batch: FeatureBatch, catalogue: Catalogue): tf.Tensor2D {
  const d = catalogue.topics;
  const emb = catalogue.embeddings;
  const a = new Float32Array(batch.n * d);
  for (let k = 0; k < batch.n; k++) {
    const item = catalogue.items + batch.ads[k]!;
    a.set(emb.subarray(item * d, (item + 1) * d), k * d);
  }
  return tf.tensor2d(a, [batch.n, d]);
}

/** User features `[n, F]` and fatigue `[n, 1]`. */
export function contextTensors(batch: FeatureBatch): [tf.Tensor2D, tf.Tensor2D] {
  const { n, featureCount: F } = batch;
  return [tf.tensor2d(batch.features.subarray(0, n * F), [n, F]), tf.tensor2d(batch.fatigue.subarray(0, n), [n, 1])];
}

/** Numerically safe logistic function. */
export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}
