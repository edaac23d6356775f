import { describe, expect, it, vi } from 'vitest';
import { ConfigError, resolveConfig } from '../../../experiments/config.js';
import { expandSweep, parseSweep, pointOf, sweepHash, walkSchema } from '../../../experiments/sweep/grid.js';
import { base, caught } from './fixtures.js';

describe('expandSweep', () => {
  it('crosses the lists in order, the last path varying fastest', () => {
    const points = expandSweep({ ...base, sweep: { 'exchange.reservePrice': [0, 0.5], 'bidders.1.agent.kind': ['truthful', 'shaded'] } });
    expect(points.map((p) => p.params)).toEqual([
      { 'exchange.reservePrice': 0, 'bidders.1.agent.kind': 'truthful' },
      { 'exchange.reservePrice': 0, 'bidders.1.agent.kind': 'shaded' },
      { 'exchange.reservePrice': 0.5, 'bidders.1.agent.kind': 'truthful' },
      { 'exchange.reservePrice': 0.5, 'bidders.1.agent.kind': 'shaded' },
    ]);
    expect(points.map((p) => p.id)).toEqual(['0-reservePrice=0_kind=truthful', '1-reservePrice=0_kind=shaded', '2-reservePrice=0.5_kind=truthful', '3-reservePrice=0.5_kind=shaded']);
    const p3 = points[3]!.config as typeof base & { sweep?: unknown };
    expect((p3.exchange as { reservePrice?: number }).reservePrice).toBe(0.5);
    expect(p3.bidders[1]!.agent).toEqual({ kind: 'shaded', factor: 0.8 });
    // Setting a kind drops the fields the new kind does not take (truthful has no factor).
    expect((points[0]!.config as typeof base).bidders[1]!.agent).toEqual({ kind: 'truthful' });
    expect(p3.bidders[0]).toEqual(base.bidders[0]);
    expect(p3.sweep).toBeUndefined();
    // The input config is not modified.
    expect((base.exchange as { reservePrice?: number }).reservePrice).toBeUndefined();
  });

  it('sets fields the config leaves to their defaults, and whole objects', () => {
    const points = expandSweep({ ...base, sweep: { 'exchange.slots': [1, 2], 'exchange.mechanism': ['gsp'], 'bidders.0.agent': [{ kind: 'constant', amount: 0.1 }] } });
    expect(points).toHaveLength(2);
    expect(resolveConfig(points[1]!.config).exchange.slots).toBe(2);
    expect(resolveConfig(points[1]!.config).bidders[0]!.agent).toEqual({ kind: 'constant', amount: 0.1 });
  });

  it('pads indexes so trial folders sort in grid order', () => {
    const points = expandSweep({ ...base, sweep: { seed: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] } });
    expect(points[0]!.id).toBe('00-seed=1');
    expect(points[10]!.id).toBe('10-seed=11');
  });

  it('names a path that is not in the config schema', () => {
    const e = caught(() => expandSweep({ ...base, sweep: { 'exchange.reservPrice': [0, 1] } }));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.path).toBe('sweep["exchange.reservPrice"]');
    expect(e.message).toMatch(/exchange has no field "reservPrice" — expected one of mechanism, slots, slotWeights, reservePrice/);
    expect(caught(() => expandSweep({ ...base, sweep: { 'bidders.first.id': ['x'] } })).message).toMatch(/bidders is a list: expected an index/);
    expect(caught(() => expandSweep({ ...base, sweep: { 'bidders.0.agent.colour': ['red'] } })).message).toMatch(/no field "colour"/);
  });

  it('names an index past the end of a list, an empty list, overlaps and a bad baseline', () => {
    const past = caught(() => expandSweep({ ...base, sweep: { 'bidders.2.agent.kind': ['truthful'] } }));
    expect(past.path).toBe('sweep["bidders.2.agent.kind"]');
    expect(past.message).toMatch(/bidders has 2 entries — index 2 is out of range/);
    expect(caught(() => expandSweep({ ...base, sweep: { seed: [] } })).message).toMatch(/sweep\["seed"\]: expected a non-empty list/);
    expect(caught(() => expandSweep({ ...base, sweep: { 'bidders.0.agent': [{ kind: 'truthful' }], 'bidders.0.agent.kind': ['shaded'] } })).message).toMatch(/overlaps with/);
    const b = caught(() => expandSweep({ ...base, sweep: { seed: [1, 2] }, sweepBaseline: 2 }));
    expect(b.path).toBe('sweepBaseline');
    expect(b.message).toMatch(/expected a grid point index in 0…1 — got 2/);
    expect(caught(() => expandSweep(base)).path).toBe('sweep');
  });

  it('validates every grid point and says which point is wrong', () => {
    const e = caught(() => expandSweep({ ...base, sweep: { 'exchange.reservePrice': [0, -1] } }));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.path).toBe('exchange.reservePrice');
    expect(e.message).toMatch(/in sweep grid point 1: exchange.reservePrice = -1/);
    const o = caught(() => expandSweep({ ...base, sweep: { 'bidders.1.objective': ['value - spend', 'value - spnd'] } }));
    expect(o).toBeInstanceOf(ConfigError);
    expect(o.path).toBe('bidders[1].objective');
    expect(o.message).toMatch(/unknown symbol "spnd".*\(in sweep grid point 1: bidders.1.objective = "value - spnd"\)/);
  });
});


describe('walkSchema', () => {
  it('finds the schema nodes at a path, through lists, unions and defaults', () => {
    expect(walkSchema(['exchange', 'reservePrice'])).toMatchObject({ problem: null });
    expect(walkSchema(['exchange', 'reservePrice']).nodes.length).toBeGreaterThan(0);
    // bidders.0.agent is a union of agent kinds: one node per kind that has a factor.
    expect(walkSchema(['bidders', '0', 'agent', 'factor']).nodes.length).toBeGreaterThan(0);
  });

  it('says what stops the walk', () => {
    expect(walkSchema(['exchange', 'nope'])).toEqual({ nodes: [], problem: expect.stringMatching(/^exchange has no field "nope" — expected one of mechanism/) });
    expect(walkSchema(['bidders', 'x']).problem).toBe('bidders is a list: expected an index (0, 1, …) — got "x"');
    expect(walkSchema(['seed', 'x']).problem).toBe('seed has no fields — cannot go on to "x"');
  });
});

describe('grid points', () => {
  const raw = { ...base, sweep: { seed: [1, 2, 3], 'exchange.reservePrice': [0, 0.1] } };

  it('decodes point i as expandSweep lists it (mixed radix, last path fastest)', () => {
    const spec = parseSweep(raw);
    expect(spec.size).toBe(6);
    const points = expandSweep(raw);
    for (let i = 0; i < spec.size; i++) expect(pointOf(raw, spec, i)).toEqual(points[i]);
    expect(points[4]!.params).toEqual({ seed: 3, 'exchange.reservePrice': 0 });
  });

  it("copies each point's config without the sweep block (a sweep of n values cost n² copies of them: validate of 100,000 seeds ran past 20 s)", () => {
    const big = { ...base, sweep: { seed: Array.from({ length: 2000 }, (_, i) => i) }, sweepBaseline: 3 };
    const spec = parseSweep(big);
    const clone = vi.spyOn(globalThis, 'structuredClone');
    try {
      const p = pointOf(big, spec, 1999);
      expect(p.config.seed).toBe(1999);
      expect('sweep' in p.config || 'sweepBaseline' in p.config).toBe(false);
      expect(clone.mock.calls.some(([v]) => v !== null && typeof v === 'object' && ('sweep' in v || 'sweepBaseline' in v))).toBe(false);
    } finally {
      clone.mockRestore();
    }
    expect(big.sweep.seed).toHaveLength(2000); // the raw config is left alone
    expect(big.sweepBaseline).toBe(3);
  });

  it('hashes the raw config canonically: key order does not count, values do', () => {
    const reordered = { sweep: raw.sweep, ...base };
    expect(sweepHash(reordered)).toBe(sweepHash(raw));
    expect(sweepHash({ ...raw, seed: 12 })).not.toBe(sweepHash(raw));
    expect(sweepHash(raw)).toMatch(/^[0-9a-f]{12}$/);
  });
});
