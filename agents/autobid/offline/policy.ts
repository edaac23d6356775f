/**
 * The frozen form of an offline-trained auto-bidding policy: a network from the
 * standardised state to the standardised log factor, with its normalisation, as
 * plain JSON. It bids without tfjs (agents/nn.ts's `mlpForward`):
 *
 *   α = cpa × clamp(exp(actionMean + actionStd × net((state − stateMean) / stateStd)), lo, hi)
 *
 * with [lo, hi] the range of factors the dataset holds (capped at `maxFactor`):
 * an offline policy has no evidence about factors its data never tried.
 */
import type { AutoBidContext, AutoBidder, StepObservation } from '../../../env/autobid/core.js';
import { STATE_FEATURES, STATE_SIZE } from '../../../env/autobid/state.js';
import { InputError } from '../../../env/errors.js';
import { checkMlpWeights, mlpForward, type MlpWeights } from '../../nn.js';
import { MIN_FACTOR, type Normalisation } from './data.js';

/** What a policy file stores for `bc` and `iql`. */
export interface OfflinePolicyParams {
  /** The state features the network reads, in order (checked against this build's). */
  features: string[];
  norm: Normalisation;
  network: MlpWeights;
  /** Largest α / cpa. */
  maxFactor: number;
}

export class OfflinePolicy implements AutoBidder {
  private readonly x = new Float64Array(STATE_SIZE);
  constructor(readonly kind: 'bc' | 'iql', readonly p: OfflinePolicyParams) {
    if (p.features.join(',') !== STATE_FEATURES.join(',')) throw new InputError(`policy.features: expected [${STATE_FEATURES.join(', ')}], got [${p.features.join(', ')}]`);
    try {
      checkMlpWeights(p.network, 'policy.network');
    } catch (e) {
      throw new InputError((e as Error).message);
    }
    if (p.network.sizes[0] !== STATE_SIZE || p.network.sizes[p.network.sizes.length - 1] !== 1) throw new InputError(`policy.network.sizes: expected ${STATE_SIZE} inputs and 1 output`);
  }
  reset(_ctx: AutoBidContext): void {}
  /** The normalised factor α / cpa for a state. */
  relativeFactor(state: ArrayLike<number>): number {
    const { stateMean, stateStd, actionMean, actionStd, actionMin, actionMax } = this.p.norm;
    for (let f = 0; f < STATE_SIZE; f++) this.x[f] = (state[f]! - stateMean[f]!) / stateStd[f]!;
    const out = mlpForward(this.p.network, this.x)[0]!;
    return Math.min(this.p.maxFactor, actionMax, Math.max(MIN_FACTOR, actionMin, Math.exp(actionMean + actionStd * out)));
  }
  factor(o: StepObservation): number {
    return o.ctx.cpa * this.relativeFactor(o.state);
  }
  observe(): void {}
  params(): Record<string, unknown> {
    return { ...this.p } as unknown as Record<string, unknown>;
  }
}
