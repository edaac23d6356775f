/**
 * Learning allocators from config specs (`bidders[i].allocator`): contextual
 * bandits that choose which ad of the bidder's catalogue to show and learn from
 * the clicks it gets (agents/bandit.ts, through agents/linucb.ts and
 * agents/thompson.ts, over env/allocation's ad contexts).
 */
import type { LinearAllocator } from '../agents/bandit.js';
import { LinUcbAllocator } from '../agents/linucb.js';
import { ThompsonAllocator } from '../agents/thompson.js';
import { adContexts, adContextSize, type AdAllocator } from '../env/allocation.js';
import type { Rng } from '../env/rng.js';
import type { UserPopulation } from '../env/users/population.js';
import type { AllocatorSpec } from './agent-schema.js';

/** A linear bandit over ad contexts, as an AdAllocator. */
class BanditAllocator implements AdAllocator {
  training = true;
  private contexts = new Float64Array(0);
  private readonly mean: Float64Array;
  private lastFirst = -1;
  private lastChoice = -1;
  private lastUser = -1;

  constructor(
    readonly kind: string,
    private readonly topics: number,
    private readonly bandit: LinearAllocator,
    private readonly rng: Rng,
  ) {
    this.mean = new Float64Array(topics);
  }

  choose(pop: UserPopulation, user: number, firstAd: number, count: number): number {
    const D = adContextSize(this.topics);
    if (this.contexts.length < count * D) this.contexts = new Float64Array(count * D);
    adContexts(pop, user, firstAd, count, this.contexts, this.mean);
    const k = this.bandit.chooseAd(this.contexts, count, this.training ? this.rng : null);
    this.lastFirst = firstAd;
    this.lastChoice = k;
    this.lastUser = user;
    return k;
  }

  feedback(_pop: UserPopulation, user: number, ad: number, clicked: boolean): void {
    if (!this.training) return;
    // The context of the ad chosen last for this user (the market calls back within the same auction).
    if (user !== this.lastUser || ad !== this.lastFirst + this.lastChoice) return;
    const D = adContextSize(this.topics);
    this.bandit.update(this.contexts.subarray(this.lastChoice * D, this.lastChoice * D + D), clicked ? 1 : 0);
  }
}

/**
 * The allocator a bidder's `allocator:` spec describes.
 * @param topics topic dimensions of the market's catalogue
 * @param rng the bidder's allocator stream (Thompson's posterior draws)
 */
export function createAllocator(spec: AllocatorSpec, topics: number, rng: Rng): AdAllocator {
  const dimension = adContextSize(topics);
  switch (spec.kind) {
    case 'linucb':
      return new BanditAllocator('linucb', topics, new LinUcbAllocator({ dimension, alpha: spec.alpha, regularisation: spec.regularisation }), rng);
    case 'thompson':
      return new BanditAllocator('thompson', topics, new ThompsonAllocator({ dimension, noise: spec.noise, regularisation: spec.regularisation }), rng);
  }
}
