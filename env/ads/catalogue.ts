/**
 * Content items and ads in one topic space.
 *
 * Global item ids: content items are `0 … items-1`, ads are `items … items+ads-1`
 * (so an ad a user clicked can sit in their history). Every item has a unit
 * embedding over `topics` dimensions: its content features. Each advertiser has a
 * catalogue of ads around a main topic of its own.
 */
import type { Rng } from '../rng.js';

/** Arguments of {@link makeCatalogue}. */
export interface CatalogueArgs {
  /** Dimensions of the topic space (≥ 2). */
  topics: number;
  /** Number of content items (pages, posts) users engage with. */
  items: number;
  /** Number of advertisers. */
  advertisers: number;
  /** Ads per advertiser (≥ 1). */
  adsPerAdvertiser: number;
  /** Spread of an ad around its advertiser's topic (0 = all ads identical). */
  adSpread: number;
}

/** Embeddings of items and ads, and which advertiser owns each ad. */
export interface Catalogue {
  readonly topics: number;
  /** Number of content items. */
  readonly items: number;
  /** Number of ads (all advertisers). */
  readonly ads: number;
  readonly advertisers: number;
  readonly adsPerAdvertiser: number;
  /** Unit embeddings, `(items + ads) × topics`, row-major. */
  readonly embeddings: Float32Array;
  /** Advertiser of each ad (ad index, not item id). */
  readonly adAdvertiser: Int32Array;
  /** Dominant topic of each content item. */
  readonly itemTopic: Int32Array;
  /** Item id of ad `a`. */
  adItem(a: number): number;
}

function unitNoisy(rng: Rng, d: number, centre: Float32Array | null, spread: number, out: Float32Array, off: number): void {
  let norm = 0;
  for (let k = 0; k < d; k++) {
    const v = (centre ? centre[k]! : 0) + spread * rng.normal();
    out[off + k] = v;
    norm += v * v;
  }
  norm = Math.sqrt(norm) || 1;
  for (let k = 0; k < d; k++) out[off + k]! /= norm;
}

/**
 * Builds a catalogue from its own stream.
 * @example makeCatalogue({ topics: 16, items: 1000, advertisers: 6, adsPerAdvertiser: 12, adSpread: 0.5 }, rng(1).stream('catalogue'))
 */
export function makeCatalogue(args: CatalogueArgs, rng: Rng): Catalogue {
  const { topics: d, items, advertisers, adsPerAdvertiser } = args;
  const ads = advertisers * adsPerAdvertiser;
  const embeddings = new Float32Array((items + ads) * d);
  const itemTopic = new Int32Array(items);
  const centre = new Float32Array(d);
  const itemRng = rng.stream('items');
  for (let i = 0; i < items; i++) {
    const t = itemRng.int(d);
    itemTopic[i] = t;
    centre.fill(0);
    centre[t] = 1;
    // A secondary topic makes items overlap, as real content does.
    centre[itemRng.int(d)]! += 0.5;
    unitNoisy(itemRng, d, centre, 0.25, embeddings, i * d);
  }
  const adAdvertiser = new Int32Array(ads);
  const adRng = rng.stream('ads');
  for (let m = 0; m < advertisers; m++) {
    centre.fill(0);
    centre[adRng.int(d)] = 1;
    centre[adRng.int(d)]! += 0.5;
    for (let j = 0; j < adsPerAdvertiser; j++) {
      const a = m * adsPerAdvertiser + j;
      adAdvertiser[a] = m;
      unitNoisy(adRng, d, centre, args.adSpread, embeddings, (items + a) * d);
    }
  }
  return {
    topics: d,
    items,
    ads,
    advertisers,
    adsPerAdvertiser,
    embeddings,
    adAdvertiser,
    itemTopic,
    adItem: (a: number) => items + a,
  };
}
