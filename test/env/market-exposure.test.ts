/** Exposure in the per-auction market (exchange.exposure): a slot not shown costs nothing and gets no click. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Market } from '../../env/market.js';
import { OBS } from '../../env/observation.js';
import { rng } from '../../env/rng.js';
import { ConfigError, marketSpec, resolveConfig } from '../../experiments/config.js';

function config(exposure?: number[]) {
  return resolveConfig({
    name: 'exposure',
    auctionsPerEpisode: 3000,
    users: { count: 300, topics: 8, items: 100, historyLength: 10 },
    exchange: { mechanism: 'gsp', slots: 3, reservePrice: 0.001, ...(exposure ? { exposure } : {}) },
    bidders: ['a', 'b', 'c', 'd'].map((id, i) => ({ id, agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 1 + i } })),
  });
}

function play(exposure: number[] | undefined, seed: number) {
  const m = new Market(marketSpec(config(exposure)), rng(seed));
  m.resetEpisode();
  const wonBySlot = [0, 0, 0];
  const paidBySlot = [0, 0, 0];
  let clicksUnpaid = 0;
  while (!m.done) {
    const n = m.prepare();
    for (let k = 0; k < n; k++) m.bids[m.eligible[k]!] = m.observations[m.eligible[k]!]![OBS.value]!;
    m.clear();
    for (let k = 0; k < n; k++) {
      const b = m.eligible[k]!;
      const s = m.slotOf[b]!;
      if (s < 0) continue;
      wonBySlot[s]!++;
      if (m.cost[b]! > 0) paidBySlot[s]!++;
      else if (m.clicks[b]) clicksUnpaid++;
    }
  }
  return { wonBySlot, paidBySlot, clicksUnpaid, spend: Array.from(m.totals.spend) };
}

describe('exchange.exposure', () => {
  it('charges only shown slots, at the configured rates, and a slot not shown is never clicked', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), (seed) => {
        const r = play([1, 0.8, 0.5], seed);
        expect(r.clicksUnpaid).toBe(0);
        expect(r.paidBySlot[0]).toBe(r.wonBySlot[0]);
        expect(Math.abs(r.paidBySlot[1]! / r.wonBySlot[1]! - 0.8)).toBeLessThan(0.05);
        expect(Math.abs(r.paidBySlot[2]! / r.wonBySlot[2]! - 0.5)).toBeLessThan(0.05);
      }),
      { numRuns: 3 },
    );
  });

  it('all ones is the market without exposure, draw for draw', () => {
    expect(play([1, 1, 1], 4)).toEqual(play(undefined, 4));
    expect(config().exchange).not.toHaveProperty('exposure');
  });

  it('bad exposure is a ConfigError naming the field', () => {
    expect(() => config([1, 0.8])).toThrow(/exchange.exposure: expected 3/);
    expect(() => config([1, 0.5, 0.8])).toThrow(ConfigError);
    expect(() => config([1, 0.5, 1.5])).toThrow(/exchange.exposure/);
  });
});
