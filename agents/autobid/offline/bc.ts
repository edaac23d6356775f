/**
 * `bc`: behaviour cloning (AuctionNet's BC baseline). A network regresses the
 * logged action — the standardised log factor log(α / cpa) — on the
 * standardised state, by mean squared error and Adam, on minibatches in a
 * seeded order. Deterministic for a seed on a given backend.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { STATE_FEATURES, STATE_SIZE } from '../../../env/autobid/state.js';
import type { StepTransition } from '../../../env/autobid/transitions.js';
import type { Rng } from '../../../env/rng.js';
import { Batches, prepare, rows } from './data.js';
import { TfMlp } from './net.js';
import { OfflinePolicy } from './policy.js';

/** Arguments of `bc`. */
export const bcSchema = z
  .object({
    kind: z.literal('bc'),
    dataset: z.string().min(1).describe('path of a transitions dataset (bidgym-autobid-transitions JSON Lines), relative to the config file'),
    hidden: z.array(z.number().int().positive()).default([32, 32]).describe('hidden layer widths'),
    learningRate: z.number().positive().default(1e-3).describe('Adam step size'),
    batchSize: z.number().int().positive().default(256).describe('transitions per gradient step'),
    steps: z.number().int().positive().default(3000).describe('gradient steps'),
    maxFactor: z.number().positive().default(5).describe('largest α / cpa the policy may bid'),
  })
  .strict();
export type BcArgs = z.infer<typeof bcSchema>;

/** What training reports besides the policy. */
export interface OfflineTraining {
  policy: OfflinePolicy;
  /** Wall-clock seconds of the gradient steps. */
  seconds: number;
  /** Mean loss of each tenth of the training, in order. */
  losses: number[];
}

/** Trains BC on `transitions`; `rng` seeds the weights and the batch order. */
export async function trainBc(transitions: readonly StepTransition[], args: BcArgs, rng: Rng): Promise<OfflineTraining> {
  await tf.ready();
  const data = prepare(transitions);
  const S = STATE_SIZE;
  const net = new TfMlp([S, ...args.hidden, 1], rng.stream('init'));
  const opt = tf.train.adam(args.learningRate);
  const batches = new Batches(data.n, args.batchSize, rng.stream('batches'));
  const losses: number[] = [];
  const tenth = Math.max(1, Math.floor(args.steps / 10));
  let acc = 0;
  const t0 = performance.now();
  for (let step = 0; step < args.steps; step++) {
    const idx = batches.next();
    const loss = tf.tidy(() => {
      const x = tf.tensor2d(rows(data.states, S, idx), [idx.length, S]);
      const y = tf.tensor2d(rows(data.actions, 1, idx), [idx.length, 1]);
      return opt.minimize(() => tf.mean(tf.square(tf.sub(net.apply(x), y))) as tf.Scalar, true, net.variables())!;
    });
    acc += (await loss.data())[0]!;
    loss.dispose();
    if ((step + 1) % tenth === 0) {
      losses.push(acc / tenth);
      acc = 0;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const policy = new OfflinePolicy('bc', { features: [...STATE_FEATURES], norm: data.norm, network: net.weights(), maxFactor: args.maxFactor });
  net.dispose();
  opt.dispose();
  return { policy, seconds, losses };
}
