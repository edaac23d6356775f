/**
 * Personas: the segments users are drawn from. Each has a centroid over one or
 * two main topics (a user's interest scatters around it), a click-logit offset,
 * and the content items it likes most (shared taste, for organic engagement).
 */
import type { Catalogue } from '../ads/catalogue.js';
import type { Rng } from '../rng.js';

/** The personas of a world (shared by twins: other people of the same world). */
export interface Personas {
  /** Number of personas. */
  readonly count: number;
  /** Centroids (unit vectors), `count × topics`. */
  readonly centroids: Float32Array;
  /** Logit offset of each persona. */
  readonly bias: Float32Array;
  /** Favourite content items of each persona, `count × perPersona`. */
  readonly preferred: Int32Array;
  /** Favourites per persona. */
  readonly perPersona: number;
}

/** Favourite items kept per persona (fewer when the catalogue has fewer items). */
export const PREFERRED = 64;

/**
 * Draws `count` personas over the catalogue's topics.
 * @param rng the personas' stream (the same stream gives the same personas)
 */
export function drawPersonas(count: number, catalogue: Catalogue, rng: Rng): Personas {
  const d = catalogue.topics;
  const centroids = new Float32Array(count * d);
  const bias = new Float32Array(count);
  for (let p = 0; p < count; p++) {
    let norm = 0;
    const t1 = rng.int(d);
    const t2 = rng.int(d);
    for (let k = 0; k < d; k++) {
      const v = (k === t1 ? 1 : 0) + (k === t2 ? 0.6 : 0) + 0.15 * rng.normal();
      centroids[p * d + k] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    for (let k = 0; k < d; k++) centroids[p * d + k]! /= norm;
    bias[p] = 0.3 * rng.normal();
  }
  // Each persona's favourite content: the items closest to its centroid.
  const perPersona = Math.min(PREFERRED, catalogue.items);
  const preferred = new Int32Array(count * perPersona);
  const scores = new Float64Array(catalogue.items);
  const order = Array.from({ length: catalogue.items }, (_, i) => i);
  for (let p = 0; p < count; p++) {
    for (let i = 0; i < catalogue.items; i++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += centroids[p * d + k]! * catalogue.embeddings[i * d + k]!;
      scores[i] = s;
    }
    order.sort((a, b) => scores[b]! - scores[a]! || a - b);
    for (let j = 0; j < perPersona; j++) preferred[p * perPersona + j] = order[j]!;
  }
  return { count, centroids, bias, preferred, perPersona };
}
