/**
 * Allocators: which ad of its catalogue a bidder shows. The market's built-in
 * rules are `best` (highest predicted CTR) and `random`; a learning allocator
 * (a contextual bandit, agents/linucb.ts or agents/thompson.ts) implements
 * {@link AdAllocator} and learns from the clicks on the ads it showed.
 */
import type { UserPopulation } from './users/population.js';

/** A learning allocator for one bidder. */
export interface AdAllocator {
  readonly kind: string;
  /** Off in evaluation episodes: no exploration, no updates. */
  training: boolean;
  /**
   * Chooses among ads `firstAd … firstAd + count − 1` (ad indices) for user `user`.
   * @returns the chosen ad's offset in `0 … count − 1`
   */
  choose(pop: UserPopulation, user: number, firstAd: number, count: number): number;
  /** The user's response to the ad this allocator chose (called once per impression won). */
  feedback(pop: UserPopulation, user: number, ad: number, clicked: boolean): void;
}

/** Dimension of {@link adContexts}' vectors for `topics` topics: 1 + 2 × topics. */
export function adContextSize(topics: number): number {
  return 1 + 2 * topics;
}

/**
 * Context vectors of `count` ads for a user, from what an exchange can observe:
 * [1, ad embedding, ad embedding ⊙ mean embedding of the user's history], so a
 * linear model can learn both which ads click well and which match a history.
 * @param out `count × adContextSize(topics)`, row-major
 */
export function adContexts(pop: UserPopulation, user: number, firstAd: number, count: number, out: Float64Array, scratch: Float64Array): void {
  const cat = pop.catalogue;
  const d = cat.topics;
  const emb = cat.embeddings;
  const mean = scratch;
  mean.fill(0, 0, d);
  const L = pop.historyLength;
  const len = pop.historyLen[user]!;
  for (let j = 0; j < len; j++) {
    const item = pop.history[user * L + ((pop.historyHead[user]! + j) % L)]!;
    for (let k = 0; k < d; k++) mean[k]! += emb[item * d + k]!;
  }
  if (len > 0) for (let k = 0; k < d; k++) mean[k]! /= len;
  const D = adContextSize(d);
  for (let i = 0; i < count; i++) {
    const row = (cat.items + firstAd + i) * d;
    const o = i * D;
    out[o] = 1;
    for (let k = 0; k < d; k++) {
      out[o + 1 + k] = emb[row + k]!;
      out[o + 1 + d + k] = emb[row + k]! * mean[k]!;
    }
  }
}
