/**
 * Training data of the offline learners, from step transitions: states
 * standardised by the dataset's mean and standard deviation, actions as the
 * standardised log of the factor (α / cpa, floored at `MIN_FACTOR`), rewards in
 * units of the dataset's mean absolute episode return per step.
 *
 * Rewards: `score` is the file's score-shaped reward (the change of AuctionNet's
 * score with realised conversions); `expected-score` rebuilds it from each
 * episode's expected conversions (Σ pValue of the exposed wins), which removes
 * the conversion lottery from the learning signal but keeps the CPA penalty.
 */
import { scoreDelta } from '../../../env/autobid/score.js';
import { STATE_SIZE } from '../../../env/autobid/state.js';
import type { StepTransition } from '../../../env/autobid/transitions.js';
import { InputError } from '../../../env/errors.js';
import type { Rng } from '../../../env/rng.js';

/** Smallest factor α / cpa the action's log is taken of. */
export const MIN_FACTOR = 1e-3;

export type RewardKind = 'score' | 'expected-score';

/** How states and actions are standardised (stored in the policy). */
export interface Normalisation {
  stateMean: number[];
  stateStd: number[];
  /** Of log(α / cpa). */
  actionMean: number;
  actionStd: number;
  /** Smallest and largest logged α / cpa: the policy never bids outside what the data tried. */
  actionMin: number;
  actionMax: number;
  /** Rewards are divided by it. */
  rewardScale: number;
}

/** Arrays of n transitions, ready for batching. */
export interface OfflineData {
  n: number;
  states: Float32Array;
  actions: Float32Array;
  rewards: Float32Array;
  nextStates: Float32Array;
  dones: Float32Array;
  norm: Normalisation;
}

/** The rewards of each transition under `kind` (see the module comment). */
function rewardsOf(ts: readonly StepTransition[], kind: RewardKind, beta: number): number[] {
  if (kind === 'score') return ts.map((t) => t.reward);
  // Cumulative expected conversions and cost per (episode, bidder), in file order.
  const acc = new Map<string, { conversions: number; cost: number }>();
  return ts.map((t) => {
    const key = `${t.episode}\u0000${t.bidder}`;
    const before = t.step === 0 ? { conversions: 0, cost: 0 } : (acc.get(key) ?? { conversions: 0, cost: 0 });
    const after = { conversions: before.conversions + t.expectedConversions, cost: before.cost + t.cost };
    acc.set(key, after);
    return scoreDelta(before, after, t.cpa, beta);
  });
}

/** Builds the training arrays; an empty dataset is an InputError. */
export function prepare(ts: readonly StepTransition[], reward: RewardKind = 'score', beta = 2): OfflineData {
  const n = ts.length;
  if (n === 0) throw new InputError('dataset: no transitions to learn from');
  const S = STATE_SIZE;
  const mean = new Array<number>(S).fill(0);
  const sq = new Array<number>(S).fill(0);
  for (const t of ts) for (let f = 0; f < S; f++) mean[f]! += t.state[f]! / n;
  for (const t of ts) for (let f = 0; f < S; f++) sq[f]! += (t.state[f]! - mean[f]!) ** 2 / n;
  const std = sq.map((v) => Math.max(Math.sqrt(v), 1e-3));
  const logA = ts.map((t) => Math.log(Math.max(t.action, MIN_FACTOR)));
  const aMean = logA.reduce((a, b) => a + b, 0) / n;
  const aStd = Math.max(Math.sqrt(logA.reduce((a, b) => a + (b - aMean) ** 2, 0) / n), 1e-3);
  const r = rewardsOf(ts, reward, beta);
  // Reward scale: mean |return| of an episode, per step of it.
  const returns = new Map<string, { sum: number; steps: number }>();
  ts.forEach((t, k) => {
    const key = `${t.episode}\u0000${t.bidder}`;
    const e = returns.get(key) ?? { sum: 0, steps: 0 };
    e.sum += r[k]!;
    e.steps++;
    returns.set(key, e);
  });
  let scale = 0;
  for (const e of returns.values()) scale += Math.abs(e.sum) / e.steps / returns.size;
  if (!(scale > 0)) scale = 1;
  let aMin = Infinity;
  let aMax = -Infinity;
  for (const t of ts) {
    aMin = Math.min(aMin, Math.max(t.action, MIN_FACTOR));
    aMax = Math.max(aMax, Math.max(t.action, MIN_FACTOR));
  }
  const norm: Normalisation = { stateMean: mean, stateStd: std, actionMean: aMean, actionStd: aStd, actionMin: aMin, actionMax: aMax, rewardScale: scale };
  const states = new Float32Array(n * S);
  const nextStates = new Float32Array(n * S);
  const actions = new Float32Array(n);
  const rewards = new Float32Array(n);
  const dones = new Float32Array(n);
  ts.forEach((t, k) => {
    for (let f = 0; f < S; f++) {
      states[k * S + f] = (t.state[f]! - mean[f]!) / std[f]!;
      nextStates[k * S + f] = (t.nextState[f]! - mean[f]!) / std[f]!;
    }
    actions[k] = (logA[k]! - aMean) / aStd;
    rewards[k] = r[k]! / scale;
    dones[k] = t.done ? 1 : 0;
  });
  return { n, states, actions, rewards, nextStates, dones, norm };
}

/** Minibatch index lists: a fresh seeded permutation per pass over the data. */
export class Batches {
  private order: Int32Array;
  private at: number;
  constructor(readonly n: number, readonly size: number, private readonly rng: Rng) {
    this.order = Int32Array.from({ length: n }, (_, i) => i);
    this.at = n;
  }
  next(): Int32Array {
    const size = Math.min(this.size, this.n);
    if (this.at + size > this.n) {
      this.rng.shuffle(this.order);
      this.at = 0;
    }
    const b = this.order.subarray(this.at, this.at + size);
    this.at += size;
    return b;
  }
}

/** Copies rows `idx` of a row-major `[*, width]` array into a new `[idx.length, width]` one. */
export function rows(src: Float32Array, width: number, idx: Int32Array): Float32Array {
  const out = new Float32Array(idx.length * width);
  for (let k = 0; k < idx.length; k++) out.set(src.subarray(idx[k]! * width, idx[k]! * width + width), k * width);
  return out;
}
