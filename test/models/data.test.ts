import { describe, expect, it } from 'vitest';
import { rng } from '../../env/rng.js';
import { clickRate, generateLog, logPopulation, splitByUser } from '../../models/index.js';
import { smallWorld } from './world.js';

describe('generateLog', () => {
  const world = smallWorld(31, { count: 300 });
  const users = logPopulation(world.pop);
  const log = generateLog(users, { impressions: 20_000 }, rng(31).stream('log'));
  const { historyLength: L, featureCount: F } = log;

  it('records what a model may see before the impression: a click shows up in the next page’s history', () => {
    let checked = 0;
    for (let k = 0; k + 1 < log.n; k++) {
      if (!log.clicks[k] || log.users[k + 1] !== log.users[k]) continue;
      const len = log.historyLen[k + 1]!;
      // The clicked ad's item is the newest entry the next time the user is seen.
      expect(log.history[(k + 1) * L + len - 1]).toBe(world.catalogue.adItem(log.ads[k]!));
      checked++;
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('flags cold starts and fills features and fatigue', () => {
    let cold = 0;
    const bad: number[] = [];
    for (let k = 0; k < log.n; k++) {
      const len = log.historyLen[k]!;
      if (log.features[k * F] !== (len === 0 ? 1 : 0)) bad.push(k);
      if (Math.abs(log.features[k * F + 1]! - len / L) > 1e-6) bad.push(k);
      for (let j = 0; j < L; j++) if ((log.history[k * L + j]! >= 0) !== j < len) bad.push(k);
      if (!(log.fatigue[k]! >= 0)) bad.push(k);
      cold += len === 0 ? 1 : 0;
    }
    expect(bad).toEqual([]);
    expect(cold).toBeGreaterThan(0);
  });

  it('draws clicks with the true probability (click rate within 4 standard errors of the mean true CTR)', () => {
    let mean = 0;
    for (let k = 0; k < log.n; k++) mean += log.trueCtr[k]! / log.n;
    const se = Math.sqrt((mean * (1 - mean)) / log.n);
    expect(Math.abs(clickRate(log) - mean)).toBeLessThan(4 * se);
  });

  it('uses other users of the same world and leaves the run’s users alone', () => {
    expect(users.personaTable.centroids).toEqual(world.pop.personaTable.centroids);
    expect(users.personaTable.bias).toEqual(world.pop.personaTable.bias);
    expect(users.interest).not.toEqual(world.pop.interest);
    expect(world.pop.tick).toBe(0);
  });

  it('is deterministic for a seed', () => {
    const again = generateLog(logPopulation(smallWorld(31, { count: 300 }).pop), { impressions: 20_000 }, rng(31).stream('log'));
    expect(again.clicks).toEqual(log.clicks);
    expect(again.history).toEqual(log.history);
  });

  it('rejects a bad size, naming the field', () => {
    expect(() => generateLog(users, { impressions: 0 }, rng(1))).toThrow(/interestModel\.logSize/);
  });
});

describe('splitByUser', () => {
  const world = smallWorld(32, { count: 500 });
  const log = generateLog(logPopulation(world.pop), { impressions: 10_000 }, rng(32));

  it('puts each user in one part only and every row in some part', () => {
    const s = splitByUser(log, 0.1, 0.2, rng(33));
    expect(s.train.length + s.validation.length + s.test.length).toBe(log.n);
    const owner = new Map<number, string>();
    for (const [part, rows] of Object.entries(s)) {
      for (const k of rows) {
        const u = log.users[k]!;
        expect(owner.get(u) ?? part).toBe(part);
        owner.set(u, part);
      }
    }
    const testUsers = [...owner.values()].filter((p) => p === 'test').length / owner.size;
    expect(testUsers).toBeGreaterThan(0.12);
    expect(testUsers).toBeLessThan(0.28);
    expect(splitByUser(log, 0.1, 0.2, rng(33))).toEqual(s);
  });

  it('rejects shares that do not fit', () => {
    expect(() => splitByUser(log, 0.6, 0.5, rng(1))).toThrow(/validationShare/);
  });
});
