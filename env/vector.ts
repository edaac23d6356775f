/**
 * N copies of the single-bidder env stepped together (Gymnasium's SyncVectorEnv
 * with next-step autoreset): copy i is seeded with `seed + i`; when a copy's
 * episode ends, its next step() resets it and returns its first observation
 * (reward 0, not terminated or truncated, `info.reset = true`).
 *
 * Env id `bidgym/VectorBidding-v0`.
 */
import { BiddingEnv, type BiddingEnvOptions, type BiddingInfo } from './bidding.js';
import type { VectorEnv, VectorStepResult } from './core.js';
import type { MarketSpec } from './market.js';
import { Batch, type Box } from './spaces.js';

/** Info of one copy in a vector step: its bidding info, and whether this step only reset the copy. */
export interface VectorBiddingInfo extends BiddingInfo {
  /** True when this step reset the copy (its episode had ended) instead of clearing an auction. */
  reset?: boolean;
}

/** What a vector step returns: entry i belongs to copy i. */
export type VectorBiddingStepResult = VectorStepResult<Float64Array, VectorBiddingInfo>;

/** N bidding envs stepped in lockstep. */
export class VectorBiddingEnv implements VectorEnv<Float64Array, Float64Array, VectorBiddingInfo> {
  readonly id = 'bidgym/VectorBidding-v0';
  /** The copies, in order. */
  readonly envs: BiddingEnv[];
  readonly singleObservationSpace: Box;
  readonly singleActionSpace: Box;
  /** `num` observations, each in {@link singleObservationSpace}. */
  readonly observationSpace: Batch<Float64Array>;
  /** `num` one-element bid vectors, each in {@link singleActionSpace}. */
  readonly actionSpace: Batch<Float64Array>;
  private readonly needsReset: Uint8Array;
  private closed = false;

  /** @param num number of copies (≥ 1) */
  constructor(
    readonly num: number,
    spec: MarketSpec,
    options: BiddingEnvOptions,
  ) {
    if (!Number.isInteger(num) || num < 1) throw new Error(`num: expected a positive integer, got ${num}`);
    this.envs = Array.from({ length: num }, () => new BiddingEnv(spec, options));
    this.singleObservationSpace = this.envs[0]!.observationSpace;
    this.singleActionSpace = this.envs[0]!.actionSpace;
    this.observationSpace = new Batch(this.singleObservationSpace, num);
    this.actionSpace = new Batch(this.singleActionSpace, num);
    this.needsReset = new Uint8Array(num);
  }

  reset(options?: { seed?: number }): { observations: Float64Array[]; infos: VectorBiddingInfo[] } {
    if (this.closed) throw new Error('reset() after close()');
    const observations: Float64Array[] = [];
    const infos: VectorBiddingInfo[] = [];
    this.envs.forEach((e, i) => {
      const r = e.reset(options?.seed !== undefined ? { seed: options.seed + i } : undefined);
      observations.push(r.observation);
      infos.push(r.info);
    });
    this.needsReset.fill(0);
    return { observations, infos };
  }

  /** @param actions one bid per copy: a number or a one-element bid vector, currency units */
  step(actions: ArrayLike<Float64Array | readonly number[] | number>): VectorBiddingStepResult {
    if (this.closed) throw new Error('step() after close()');
    if (actions.length !== this.num) throw new Error(`step(): expected ${this.num} actions, got ${actions.length}`);
    const out: VectorBiddingStepResult = {
      observations: [],
      rewards: new Float64Array(this.num),
      terminations: [],
      truncations: [],
      infos: [],
    };
    this.envs.forEach((e, i) => {
      if (this.needsReset[i]) {
        const r = e.reset();
        out.observations.push(r.observation);
        out.terminations.push(false);
        out.truncations.push(false);
        out.infos.push({ ...r.info, reset: true });
        this.needsReset[i] = 0;
        return;
      }
      const a = actions[i]!;
      const s = e.step(typeof a === 'number' ? a : a[0]!);
      out.observations.push(s.observation);
      out.rewards[i] = s.reward;
      out.terminations.push(s.terminated);
      out.truncations.push(s.truncated);
      out.infos.push(s.info);
      if (s.terminated || s.truncated) this.needsReset[i] = 1;
    });
    return out;
  }

  /** Closes every copy. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const e of this.envs) e.close();
  }
}
