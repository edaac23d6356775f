/**
 * The click model's attention sums through the WebAssembly SIMD kernel
 * (env/users/attention-kernel.ts) are the JavaScript loop's to the bit: the same
 * cache, the same best ads, the same auctions.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Market } from '../../env/market.js';
import { rng } from '../../env/rng.js';
import { attentionKernel, useAttentionKernels } from '../../env/users/attention-kernel.js';
import { marketSpec, resolveConfig } from '../../experiments/config.js';

afterEach(() => useAttentionKernels(true));

function market(kernel: boolean, users: object, copies: number, participantsPerAuction?: number): Market {
  useAttentionKernels(kernel);
  const exchange = { mechanism: 'gsp', slots: 2, ...(participantsPerAuction ? { participantsPerAuction } : {}) };
  const spec = marketSpec(resolveConfig({ name: 'k', auctionsPerEpisode: 5000, users, exchange, bidders: [{ id: 'b', copies, agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 1 } }] }));
  return new Market(spec, rng(3).stream('market'));
}

function cache(m: Market): number[][] {
  const cm = m.population!.clickModel as unknown as Record<string, Float64Array | Int32Array>;
  return [cm.cacheLogit!, cm.cacheNum!, cm.cacheDen!, cm.cacheBase!, cm.cacheDot!, cm.blockBest!].map((a) => Array.from(a));
}

describe('the attention kernel', () => {
  it('is there (WebAssembly SIMD in this Node) and sums pairs and dot products as scalar operations in order would', () => {
    const d = 5;
    const per = 7;
    const embeddings = Float32Array.from({ length: (2 + 3 * per) * d }, (_, i) => Math.cos(i * 7.77) * (1 + (i % 3)));
    const k = attentionKernel(64, 5, { topics: d, items: 2, advertisers: 3, adsPerAdvertiser: per, embeddings })!;
    expect(k).not.toBeNull();
    for (let i = 0; i < 64; i++) k.table[i] = Math.sin(i * 12.9898) * 10 ** ((i % 9) - 4);
    const rows = [3, 0, 17, 9, 3];
    rows.forEach((r, j) => (k.rows[j] = k.tableOffset + 16 * r));
    k.sums(rows.length, 7);
    for (let i = 0; i < 7; i++) {
      let num = 0;
      let den = 0;
      for (const r of rows) {
        num += k.table[2 * (r + i)]!;
        den += k.table[2 * (r + i) + 1]!;
      }
      expect([k.out[2 * i], k.out[2 * i + 1]]).toEqual([num, den]);
    }
    const interest = Float32Array.from({ length: d }, (_, i) => Math.sin(i + 0.5));
    for (let m = 0; m < 3; m++) {
      interest.forEach((v, i) => (k.interest[i] = v));
      k.dots(m);
      for (let i = 0; i < per; i++) {
        let x = 0;
        for (let t = 0; t < d; t++) x += interest[t]! * embeddings[(2 + m * per + i) * d + t]!;
        expect(k.dotsOut[i]).toBe(x);
      }
    }
  });

  it("keeps each population's scratch apart when twins share the kernel: training and evaluation users alternating give the JavaScript loop's auctions", () => {
    // Long sessions, one bidder of six asked per auction: an episode ends mid-session, and the session goes on filling the cache after it.
    const users = { count: 300, adsPerAdvertiser: 5, sessionLength: 30 };
    const js = market(false, users, 6, 1);
    const wasm = market(true, users, 6, 1);
    const run = (m: Market) => {
      const n = m.prepare();
      for (let k = 0; k < n; k++) m.bids[m.eligible[k]!] = m.observations[m.eligible[k]!]![0]!;
      m.clear();
      return [m.user, Array.from(m.ad), Array.from(m.pctr), Array.from(m.trueCtrTop), Array.from(m.won), Array.from(m.clicks)];
    };
    // Training, an evaluation episode (its twin users share the training users' kernel), training again, mid-session each time.
    for (const episode of [undefined, 0, undefined, 1, undefined]) {
      for (const m of [js, wasm]) m.resetEpisode(episode);
      if (episode !== undefined) expect(wasm.population).not.toBe(wasm.trainingPopulation);
      expect(wasm.population!.clickModel.attention.kernel).toBe(wasm.trainingPopulation!.clickModel.attention.kernel);
      for (let i = 0; i < 717; i++) expect(run(wasm)).toEqual(run(js));
    }
    expect(cache(wasm)).toEqual(cache(js));
  });

  for (const [name, users, copies] of [
    ['default world, 12 ads per advertiser', { count: 400, adsPerAdvertiser: 12 }, 4],
    ['7 ads (a remainder after blocks of four), history 3, short sessions', { count: 200, adsPerAdvertiser: 7, historyLength: 3, sessionLength: 2 }, 3],
    ['1 ad, long histories', { count: 100, adsPerAdvertiser: 1, historyLength: 40 }, 2],
  ] as const) {
    it(`gives the JavaScript loop's cache and auctions to the bit: ${name}`, () => {
      const js = market(false, users, copies);
      const wasm = market(true, users, copies);
      expect((js.population!.clickModel.attention.kernel)).toBeNull();
      expect((wasm.population!.clickModel.attention.kernel)).not.toBeNull();
      for (const m of [js, wasm]) m.resetEpisode();
      for (let i = 0; i < 4000; i++) {
        const rows = [js, wasm].map((m) => {
          const n = m.prepare();
          for (let k = 0; k < n; k++) m.bids[m.eligible[k]!] = m.observations[m.eligible[k]!]![0]!;
          m.clear();
          return [m.user, Array.from(m.ad), Array.from(m.pctr), Array.from(m.trueCtrTop), Array.from(m.won), Array.from(m.clicks)];
        });
        expect(rows[1]).toEqual(rows[0]);
        if (i % 500 === 0) expect(cache(wasm)).toEqual(cache(js));
      }
      expect(cache(wasm)).toEqual(cache(js));
      expect(Array.from(wasm.population!.history)).toEqual(Array.from(js.population!.history));
    });
  }
});
