/**
 * `bc`: behaviour cloning (AuctionNet's BC baseline). A network regresses the
 * logged action — the standardised log factor log(α / cpa) — on the
 * standardised state, by mean squared error and Adam, on minibatches in a
 * seeded order. Deterministic for a seed on a given backend. Arguments: args.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { STATE_FEATURES, STATE_SIZE } from '../../env/autobid/state.js';
import type { StepTransition } from '../../env/autobid/transitions.js';
import type { Rng } from '../../env/rng.js';
import type { BcArgs } from './args.js';
import { Batches, prepare, rows } from './data.js';
import { TfMlp } from './net.js';
import type { OfflinePolicyParams } from '../../env/autobid/policy-format.js';


/** What training reports besides the policy. */
export interface OfflineTraining {
  /** The frozen policy as plain data (agents/autobid/offline/policy.ts bids with it). */
  params: OfflinePolicyParams;
  kind: 'bc' | 'iql';
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
  const params: OfflinePolicyParams = { features: [...STATE_FEATURES], norm: data.norm, network: net.weights(), maxFactor: args.maxFactor };
  net.dispose();
  opt.dispose();
  return { kind: 'bc', params, losses };
}

export { bcSchema, type BcArgs } from './args.js';
