import { beforeAll, describe, expect, it } from 'vitest';
import { rng } from '../../env/rng.js';
import { allocBatch, batchFromPopulation, buildNetwork, initBackend, LearnedInterestModel, predictBatch, type BackendInfo, type LearnedKind, type Network } from '../../models/index.js';
import { makeWorld, type World } from './world.js';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await initBackend('wasm');
});

const HYPER: Record<LearnedKind, Record<string, number>> = { attention: { heads: 2, width: 16, hidden: 8 }, logistic: {}, mf: { factors: 6 } };

/** A market-like request stream: sessions of one user, a few ads per page, clicks and exposures between pages. */
function requests(world: World, pages: number, seed: number): { users: Int32Array; ads: Int32Array }[] {
  const r = rng(seed);
  const { pop, catalogue } = world;
  const calls: { users: Int32Array; ads: Int32Array }[] = [];
  for (let p = 0; p < pages; p++) {
    const u = pop.nextArrival();
    const n = 1 + r.int(6);
    const ads = Int32Array.from({ length: n }, () => r.int(catalogue.ads));
    calls.push({ users: new Int32Array(n).fill(u), ads });
    pop.expose(u, catalogue.adAdvertiser[ads[0]!]!);
    if (r.next() < 0.3) pop.pushHistory(u, catalogue.adItem(ads[0]!));
  }
  return calls;
}

describe.each(['attention', 'logistic', 'mf'] as const)('%s: serving', (kind) => {
  // More users than the attention memo has slots (8192), so slots get shared.
  const world = makeWorld(11, { count: 9000, personas: 3, historyLength: 10 }, { topics: 8, items: 150, advertisers: 3, adsPerAdvertiser: 5 });
  let net: Network;
  beforeAll(() => {
    net = buildNetwork({ kind, shape: world.shape, hyper: HYPER[kind] }, world.catalogue, rng(12).stream(kind));
  });

  it('the cached CPU path equals one tfjs forward pass over the same pairs, as the population moves on', () => {
    const cached = new LearnedInterestModel(net, backend, 'cached');
    const tensor = new LearnedInterestModel(net, backend, 'tensor');
    expect(cached.serving).toBe('cached');
    expect(tensor.serving).toBe('tensor');
    let worst = 0;
    let count = 0;
    const r = rng(13);
    for (let p = 0; p < 400; p++) {
      // Mostly the current session user, sometimes any user (another memo slot, maybe a shared one).
      const u = p % 5 === 0 ? r.int(world.pop.count) : world.pop.nextArrival();
      const n = 1 + r.int(8);
      const users = new Int32Array(n).fill(u);
      if (n > 2) users[n - 1] = (u + 8192) % world.pop.count; // same memo slot as u, another user
      const ads = Int32Array.from({ length: n }, () => r.int(world.catalogue.ads));
      const a = new Float32Array(n);
      const b = new Float32Array(n);
      cached.predict(world.pop, users, ads, n, a);
      tensor.predict(world.pop, users, ads, n, b);
      for (let k = 0; k < n; k++) worst = Math.max(worst, Math.abs(a[k]! - b[k]!));
      count += n;
      world.pop.expose(u, world.catalogue.adAdvertiser[ads[0]!]!);
      if (r.next() < 0.3) world.pop.pushHistory(u, world.catalogue.adItem(ads[0]!));
    }
    expect(count).toBeGreaterThan(1000);
    expect(worst).toBeLessThan(2e-6);
  });

  it('a batched call equals pair-by-pair calls exactly', () => {
    const calls = requests(world, 200, 14);
    const users = Int32Array.from(calls.flatMap((c) => Array.from(c.users)));
    const ads = Int32Array.from(calls.flatMap((c) => Array.from(c.ads)));
    const batched = new Float32Array(users.length);
    net.server().predict(world.pop, users, ads, users.length, batched);
    const one = net.server();
    const single = new Float32Array(1);
    for (let k = 0; k < users.length; k++) {
      one.predict(world.pop, users.subarray(k, k + 1), ads.subarray(k, k + 1), 1, single);
      expect(single[0]).toBe(batched[k]);
    }
  });

  it('a cached prediction follows the user’s history when it changes', () => {
    const server = net.server();
    const u = world.pop.nextArrival();
    const ads = Int32Array.from({ length: world.catalogue.ads }, (_, a) => a);
    const users = new Int32Array(ads.length).fill(u);
    const before = new Float32Array(ads.length);
    server.predict(world.pop, users, ads, ads.length, before);
    world.pop.pushHistory(u, world.catalogue.adItem(3));
    world.pop.pushHistory(u, world.catalogue.adItem(7));
    const after = new Float32Array(ads.length);
    server.predict(world.pop, users, ads, ads.length, after);
    const fresh = new Float32Array(ads.length);
    net.server().predict(world.pop, users, ads, ads.length, fresh);
    expect(after).toEqual(fresh);
    if (kind !== 'logistic') expect(after).not.toEqual(before); // logistic sees the history's length only
    // and the tfjs forward pass agrees
    const b = batchFromPopulation(world.pop, users, ads, ads.length, allocBatch(ads.length, world.shape.historyLength, world.shape.featureCount));
    const t = predictBatch(net, b);
    for (let k = 0; k < ads.length; k++) expect(Math.abs(t[k]! - after[k]!)).toBeLessThan(2e-6);
  });

  it('refuses a population with another catalogue', () => {
    const other = makeWorld(99, { count: 50, personas: 3, historyLength: 10 }, { topics: 8, items: 150, advertisers: 3, adsPerAdvertiser: 5 });
    expect(() => net.server().predict(other.pop, Int32Array.from([0]), Int32Array.from([0]), 1, new Float32Array(1))).toThrow(/another catalogue/);
  });
});
