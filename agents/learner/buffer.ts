/**
 * Transitions stored as encoded features (struct of arrays), with what their
 * targets bootstrap from already decided (rules.ts): DQN's replay ring buffer
 * and actor-critic's batch.
 */
import type { Transition } from '../core.js';
import { bootstrapFrom } from './rules.js';
import type { BidShaper } from './shaper.js';

/** `capacity` transitions (x, a, r, x', bootstrap?) of `k` encoded features each. */
export class TransitionBuffer {
  /** Encoded features of the observation, `capacity × k`. */
  readonly x: Float64Array;
  /** Encoded features the target bootstraps from (the next observation, or x itself at the horizon). */
  readonly x2: Float64Array;
  /** Action indices. */
  readonly a: Int32Array;
  /** Learning rewards (BidShaper.reward). */
  readonly r: Float64Array;
  /** 1 = the target bootstraps from x2, 0 = it does not. */
  readonly boot: Uint8Array;
  /** With `actions` > 0: every action's counterfactual reward, `capacity × actions` (BidShaper.counterfactual). */
  readonly rAll: Float64Array;
  /** 1 = row i has counterfactual rewards in {@link rAll}. */
  readonly full: Uint8Array;

  /** @param actions > 0: also keep every action's counterfactual reward */
  constructor(readonly capacity: number, readonly k: number, readonly actions = 0) {
    this.rAll = new Float64Array(capacity * actions);
    this.full = new Uint8Array(actions > 0 ? capacity : 0);
    this.x = new Float64Array(capacity * k);
    this.x2 = new Float64Array(capacity * k);
    this.a = new Int32Array(capacity);
    this.r = new Float64Array(capacity);
    this.boot = new Uint8Array(capacity);
  }

  /**
   * Stores `t` at row `i`.
   * @param discount γ (0: never bootstrap) @param timeAware whether time is in the state
   */
  store(i: number, t: Transition, shaper: BidShaper, discount: number, timeAware: boolean): void {
    const k = this.k;
    const a = shaper.actionOf(t.observation, t.action);
    this.x.set(shaper.encode(t.observation), i * k);
    const from = bootstrapFrom(t, discount, timeAware);
    if (from === 'next') this.x2.set(shaper.encode(t.nextObservation!), i * k);
    else if (from === 'self') this.x2.set(this.x.subarray(i * k, i * k + k), i * k);
    this.a[i] = a;
    this.r[i] = shaper.reward(t);
    this.boot[i] = from === 'none' ? 0 : 1;
    if (this.actions > 0) this.full[i] = shaper.counterfactual(t, this.rAll.subarray(i * this.actions, (i + 1) * this.actions)) ? 1 : 0;
  }

  /** Copies row `i` of `from` (x or x2) into `out` (k numbers). */
  row(from: Float64Array, i: number, out: Float64Array): Float64Array {
    const k = this.k;
    for (let d = 0; d < k; d++) out[d] = from[i * k + d]!;
    return out;
  }
}
