/**
 * `iql`: implicit Q-learning (Kostrikov, Nair & Levine 2021, "Offline
 * Reinforcement Learning with Implicit Q-Learning"), on step transitions.
 *
 * Three learnt functions, each a small MLP, each with its own Adam:
 * - V(s), fitted by expectile regression (expectile τ) to min(Q̄₁, Q̄₂)(s, a)
 *   of the target critics — an upper expectile of the value of the actions the
 *   data took, without ever querying an action outside the data;
 * - Q₁, Q₂(s, a), fitted by squared error to r + γ (1 − done) V(s');
 * - the policy π(s), extracted by advantage-weighted regression: the squared
 *   error to the logged action (a Gaussian log-likelihood with fixed variance)
 *   weighted by min(exp(β (min Q̄(s, a) − V(s))), 100).
 * Target critics Q̄ track Q by Polyak averaging (rate `tau`). Actions are the
 * standardised log factor log(α / cpa); rewards the score-shaped reward (or its
 * expected-conversion variant, `reward: expected-score`), scaled as in data.ts.
 * Deterministic for a seed on a given backend (seeded weights, seeded batch order).
 */
import * as tf from '@tensorflow/tfjs';
import { STATE_FEATURES, STATE_SIZE } from '../../env/autobid/state.js';
import type { StepTransition } from '../../env/autobid/transitions.js';
import type { Rng } from '../../env/rng.js';
import type { OfflineTraining } from './bc.js';
import type { IqlArgs } from './args.js';
import { Batches, prepare, rows } from './data.js';
import { TfMlp } from './net.js';
import type { OfflinePolicyParams } from '../../env/autobid/policy-format.js';


/** Trains IQL on `transitions`; `rng` seeds the weights and the batch order. */
export async function trainIql(transitions: readonly StepTransition[], args: IqlArgs, rng: Rng, beta = 2): Promise<OfflineTraining> {
  await tf.ready();
  const data = prepare(transitions, args.reward, beta);
  const S = STATE_SIZE;
  const init = rng.stream('init');
  const v = new TfMlp([S, ...args.hidden, 1], init.stream('v'));
  const q1 = new TfMlp([S + 1, ...args.hidden, 1], init.stream('q1'));
  const q2 = new TfMlp([S + 1, ...args.hidden, 1], init.stream('q2'));
  const q1t = new TfMlp([S + 1, ...args.hidden, 1], init.stream('q1'));
  const q2t = new TfMlp([S + 1, ...args.hidden, 1], init.stream('q2'));
  const pi = new TfMlp([S, ...args.hidden, 1], init.stream('pi'));
  // One Adam over all variables: the three losses below touch disjoint variables,
  // so this is three Adams with one step size, at a third of the dispatch cost.
  const opt = tf.train.adam(args.learningRate);
  const vars = [...v.variables(), ...q1.variables(), ...q2.variables(), ...pi.variables()];
  const batches = new Batches(data.n, args.batchSize, rng.stream('batches'));
  const { expectile, discount, temperature } = args;
  const losses: number[] = [];
  const tenth = Math.max(1, Math.floor(args.steps / 10));
  let acc = 0;
  for (let step = 0; step < args.steps; step++) {
    const idx = batches.next();
    const b = idx.length;
    const loss = tf.tidy(() => {
      const s = tf.tensor2d(rows(data.states, S, idx), [b, S]);
      const s2 = tf.tensor2d(rows(data.nextStates, S, idx), [b, S]);
      const a = tf.tensor2d(rows(data.actions, 1, idx), [b, 1]);
      const r = tf.tensor2d(rows(data.rewards, 1, idx), [b, 1]);
      const d = tf.tensor2d(rows(data.dones, 1, idx), [b, 1]);
      const sa = tf.concat([s, a], 1) as tf.Tensor2D;
      // Constants of this step (computed outside the differentiated function: no gradient flows through them).
      const qTarget = tf.minimum(q1t.apply(sa), q2t.apply(sa));
      const y = tf.add(r, tf.mul(tf.mul(tf.sub(1, d), discount), v.apply(s2)));
      const weight = tf.minimum(tf.exp(tf.mul(tf.sub(qTarget, v.apply(s)), temperature)), 100);
      let critic: tf.Scalar | null = null;
      const total = opt.minimize(() => {
        // V: expectile regression, |τ − 1(u < 0)| u² = τ relu(u)² + (1 − τ) relu(−u)².
        const u = tf.sub(qTarget, v.apply(s));
        const vLoss = tf.mean(tf.add(tf.mul(tf.square(tf.relu(u)), expectile), tf.mul(tf.square(tf.relu(tf.neg(u))), 1 - expectile)));
        // Q: one-step targets through V (no max over actions).
        const qLoss = tf.add(tf.mean(tf.square(tf.sub(q1.apply(sa), y))), tf.mean(tf.square(tf.sub(q2.apply(sa), y))));
        // π: advantage-weighted regression on the logged actions.
        const piLoss = tf.mean(tf.mul(weight, tf.square(tf.sub(pi.apply(s), a))));
        critic = tf.keep(tf.add(vLoss, qLoss) as tf.Scalar);
        return tf.add(tf.add(vLoss, qLoss), piLoss) as tf.Scalar;
      }, true, vars)!;
      total.dispose();
      return critic!;
    });
    q1t.track(q1, args.tau);
    q2t.track(q2, args.tau);
    acc += (await loss.data())[0]!;
    loss.dispose();
    if ((step + 1) % tenth === 0) {
      losses.push(acc / tenth);
      acc = 0;
    }
  }
  const params: OfflinePolicyParams = { features: [...STATE_FEATURES], norm: data.norm, network: pi.weights(), maxFactor: args.maxFactor };
  for (const n of [v, q1, q2, q1t, q2t, pi]) n.dispose();
  opt.dispose();
  return { kind: 'iql', params, losses };
}

export { iqlSchema, type IqlArgs } from './args.js';
