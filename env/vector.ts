/**
 * N copies of the single-bidder env stepped together (Gymnasium's SyncVectorEnv
 * with next-step autoreset): copy i is seeded with `seed + i`; when a copy's
 * episode ends, its next step() resets it and returns its first observation.
 *
 * Env id `bidgym/VectorBidding-v0`.
 */
import { BiddingEnv, type BiddingEnvOptions, type BiddingInfo } from './bidding.js';
import type { MarketSpec } from './market.js';
import { OBS_SIZE } from './observation.js';

/** What a vector step returns: row i belongs to copy i. */
export interface VectorStepResult {
  /** `num × OBS_SIZE`, row-major. */
  observations: Float64Array;
  rewards: Float64Array;
  terminations: Uint8Array;
  truncations: Uint8Array;
  infos: BiddingInfo[];
}

/** N bidding envs stepped in lockstep. */
export class VectorBiddingEnv {
  readonly id = 'bidgym/VectorBidding-v0';
  readonly envs: BiddingEnv[];
  private readonly needsReset: Uint8Array;

  /** @param num number of copies (≥ 1) */
  constructor(
    readonly num: number,
    spec: MarketSpec,
    options: BiddingEnvOptions,
  ) {
    if (!Number.isInteger(num) || num < 1) throw new Error(`num: expected a positive integer, got ${num}`);
    this.envs = Array.from({ length: num }, () => new BiddingEnv(spec, options));
    this.needsReset = new Uint8Array(num);
  }

  get observationSpace() {
    return this.envs[0]!.observationSpace;
  }

  get actionSpace() {
    return this.envs[0]!.actionSpace;
  }

  reset(options?: { seed?: number }): { observations: Float64Array; infos: BiddingInfo[] } {
    const observations = new Float64Array(this.num * OBS_SIZE);
    const infos: BiddingInfo[] = [];
    this.envs.forEach((e, i) => {
      const r = e.reset(options?.seed !== undefined ? { seed: options.seed + i } : undefined);
      observations.set(r.observation, i * OBS_SIZE);
      infos.push(r.info);
    });
    this.needsReset.fill(0);
    return { observations, infos };
  }

  /** @param bids one bid per copy, currency units */
  step(bids: ArrayLike<number>): VectorStepResult {
    if (bids.length !== this.num) throw new Error(`step(): expected ${this.num} bids, got ${bids.length}`);
    const out: VectorStepResult = {
      observations: new Float64Array(this.num * OBS_SIZE),
      rewards: new Float64Array(this.num),
      terminations: new Uint8Array(this.num),
      truncations: new Uint8Array(this.num),
      infos: [],
    };
    this.envs.forEach((e, i) => {
      if (this.needsReset[i]) {
        const r = e.reset();
        out.observations.set(r.observation, i * OBS_SIZE);
        out.infos.push(r.info);
        this.needsReset[i] = 0;
        return;
      }
      const s = e.step(bids[i]!);
      out.observations.set(s.observation, i * OBS_SIZE);
      out.rewards[i] = s.reward;
      out.terminations[i] = s.terminated ? 1 : 0;
      out.truncations[i] = s.truncated ? 1 : 0;
      out.infos.push(s.info);
      if (s.terminated || s.truncated) this.needsReset[i] = 1;
    });
    return out;
  }
}
