/**
 * `cpa:` and `roi:` targets on bidders of per-auction configs (steps 1):
 * summary.json reports cost, cpa, cpaRatio, roi, score and budgetSpent for
 * them (and nothing new for the others); the score is AuctionNet's per
 * episode, conversions × (target / CPA)^β when over the target, checked
 * against episodes.csv; same bytes for any number of workers; bad targets are
 * InputErrors naming the field.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../env/errors.js';
import { resolveConfig } from '../../experiments/config.js';
import { runExperiment } from '../../experiments/runner.js';

const root = mkdtempSync(join(tmpdir(), 'bidgym-cpa-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const base = {
  name: 'cpa-auction',
  seed: 5,
  replications: 2,
  episodes: 0,
  evalEpisodes: 2,
  auctionsPerEpisode: 1500,
  users: { count: 300, items: 60, topics: 4, historyLength: 3 },
  exchange: { mechanism: 'second-price' as const },
  bidders: [
    { id: 'tight', agent: { kind: 'truthful' }, value: { kind: 'per-conversion', amount: 40 }, budget: 50, cpa: 1 },
    { id: 'loose', agent: { kind: 'truthful' }, value: { kind: 'per-conversion', amount: 40 }, cpa: 1e6, roi: 0.5 },
    { id: 'plain', agent: { kind: 'truthful' }, value: { kind: 'per-conversion', amount: 30 } },
  ],
};

describe('cpa: / roi: targets in per-auction markets', () => {
  it('summary reports conversions, cost, cpa, score, budgetSpent (and roi) per targeted bidder; the score is AuctionNet\'s per episode', async () => {
    const cfg = resolveConfig(base);
    const a = await runExperiment(cfg, { outDir: join(root, 'a'), workers: 1, quiet: true });
    const b = await runExperiment(resolveConfig(base), { outDir: join(root, 'b'), workers: 2, quiet: true });
    expect(readFileSync(join(root, 'b', 'summary.json'), 'utf8')).toBe(readFileSync(join(root, 'a', 'summary.json'), 'utf8'));
    const s = a.bidders as Record<string, Record<string, { values: number[] }>>;
    for (const f of ['conversions', 'cost', 'cpa', 'cpaRatio', 'score', 'budgetSpent']) expect(s.tight![f]!.values).toHaveLength(2);
    expect(s.loose!.roi!.values).toHaveLength(2);
    expect(s.plain!.score).toBeUndefined();
    expect(s.plain!.cpa).toBeUndefined();
    // Per episode from episodes.csv: score = conversions × min(1, target / CPA)^2.
    const rows = readFileSync(join(root, 'a', 'episodes.csv'), 'utf8').trim().split('\n');
    const head = rows[0]!.split(',');
    const col = (r: string[], n: string) => Number(r[head.indexOf(n)]);
    for (const [id, target] of [['tight', 1]] as const) {
      for (let rep = 0; rep < 2; rep++) {
        const eps = rows.slice(1).map((l) => l.split(',')).filter((r) => r[head.indexOf('bidder')] === id && col(r, 'replication') === rep && r[head.indexOf('phase')] === 'eval');
        expect(eps).toHaveLength(2);
        const expected = eps.reduce((acc, r) => {
          const conv = col(r, 'conversions');
          const spend = col(r, 'spend');
          const cpa = conv > 0 ? spend / conv : spend > 0 ? Infinity : 0;
          return acc + conv * (cpa <= target ? 1 : (target / cpa) ** 2);
        }, 0) / 2;
        expect(s[id]!.score!.values[rep]).toBeCloseTo(expected, 4);
        const conv = eps.reduce((x, r) => x + col(r, 'conversions'), 0);
        expect(conv).toBeGreaterThan(0);
        expect(s[id]!.score!.values[rep]).toBeLessThan(s[id]!.conversions!.values[rep]!); // CPA far over a target of 1
        expect(s[id]!.cost!.values[rep]).toBeCloseTo(eps.reduce((x, r) => x + col(r, 'spend'), 0) / 2, 4);
      }
    }
    // A target that never binds: score = conversions; truthful at 40 per conversion has ROI ≥ 1 > 0.5 (second price pays at most the bid).
    expect(s.loose!.score!.values).toEqual(s.loose!.conversions!.values);
    for (const r of s.loose!.roi!.values) expect(r).toBeGreaterThanOrEqual(1);
  });

  it('bad targets are InputErrors naming the field', () => {
    const bad = (over: object, re: RegExp) => {
      const cfg = { ...base, bidders: [{ ...base.bidders[0]!, ...over }, base.bidders[2]!] };
      expect(() => resolveConfig(cfg)).toThrow(InputError);
      expect(() => resolveConfig(cfg)).toThrow(re);
    };
    bad({ cpa: 0 }, /bidders\[0\]\.cpa/);
    bad({ roi: -1 }, /bidders\[0\]\.roi/);
    expect(() => resolveConfig({ ...base, beta: -1 })).toThrow(/beta/);
    // No targets: the resolved config (and its hash) carries nothing new.
    expect(resolveConfig({ ...base, bidders: [base.bidders[2]!] }).bidders[0]).not.toHaveProperty('targets');
  });
});
