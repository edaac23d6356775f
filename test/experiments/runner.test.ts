import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../experiments/config.js';
import { runReplication } from '../../experiments/replication.js';
import { runExperiment, summarize } from '../../experiments/runner.js';

const root = mkdtempSync(join(tmpdir(), 'bidgym-runner-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('summarize', () => {
  it("summarises the interest model's quality over replications (each trains its own), keeping its kind and backend", async () => {
    const cfg = resolveConfig({
      name: 'im',
      replications: 2,
      episodes: 0,
      evalEpisodes: 1,
      auctionsPerEpisode: 500,
      users: { count: 1500, items: 200 },
      interestModel: { kind: 'logistic', logSize: 8000 },
      exchange: { mechanism: 'second-price' },
      bidders: [{ id: 'a', copies: 2, agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 1 } }],
    });
    const reps = [await runReplication(cfg, 0), await runReplication(cfg, 1)];
    const im = summarize(cfg, reps).interestModel as Record<string, any>;
    expect(im.kind).toBe('logistic');
    expect(im.backend).toBe(reps[0]!.interestModel.backend);
    expect(im.auc.values).toEqual([reps[0]!.interestModel.auc, reps[1]!.interestModel.auc]);
    expect(im.auc.mean).toBeCloseTo((im.auc.values[0] + im.auc.values[1]) / 2, 12);
    expect(im.trainSeconds).toBeUndefined();
  });

  it('summaries carry mean, 95% CI and one value per replication', async () => {
    const cfg = resolveConfig({
      name: 's',
      replications: 3,
      episodes: 0,
      evalEpisodes: 1,
      auctionsPerEpisode: 1000,
      exchange: { mechanism: 'first-price' },
      bidders: [{ id: 'b', copies: 2, agent: { kind: 'shaded', factor: 0.5 }, value: { kind: 'uniform' } }],
    });
    const reps = [await runReplication(cfg, 0), await runReplication(cfg, 1), await runReplication(cfg, 2)];
    const s = summarize(cfg, reps);
    const rev = s.market.revenuePerAuction!;
    expect(rev.values).toHaveLength(3);
    expect(new Set(rev.values).size).toBe(3);
    expect(rev.mean).toBeCloseTo(rev.values.reduce((a, x) => a + x, 0) / 3, 12);
    expect(rev.ci95[0]).toBeLessThan(rev.mean);
    expect(rev.ci95[1]).toBeGreaterThan(rev.mean);
  });
});

describe('runExperiment', () => {
  it('writes the same run folder bytes with replications in this thread or in 2 threads (meta.json aside)', async () => {
    const cfg = resolveConfig({
      name: 'threads',
      seed: 5,
      replications: 3,
      episodes: 2,
      evalEpisodes: 1,
      auctionsPerEpisode: 200,
      users: { count: 300, topics: 4, historyLength: 3, items: 40 },
      exchange: { mechanism: 'second-price', reservePrice: 0.01 },
      bidders: [
        { id: 'q', agent: { kind: 'q-learning' }, value: { kind: 'per-click', amount: 2 }, budget: 4 },
        { id: 'rival', copies: 2, agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 1.5 } },
      ],
    });
    const progress: number[] = [];
    const dirs = [1, 2].map((w) => join(root, `w${w}`));
    const summaries = [];
    for (const [i, dir] of dirs.entries()) {
      summaries.push(await runExperiment(cfg, { outDir: dir, workers: i + 1, quiet: true, onProgress: (done) => i === 1 && progress.push(done) }));
    }
    expect(summaries[1]).toEqual(summaries[0]);
    const files = ['summary.json', 'episodes.csv', 'samples.csv', 'resolved-config.json', 'policies/q.json', 'policies/rival-1.json', 'policies/rival-2.json'];
    expect(readdirSync(dirs[0]!).sort()).toEqual(['episodes.csv', 'meta.json', 'policies', 'resolved-config.json', 'samples.csv', 'summary.json']);
    for (const dir of dirs.slice(1)) for (const f of files) expect(readFileSync(join(dir, f)).equals(readFileSync(join(dirs[0]!, f))), `${dir}/${f}`).toBe(true);
    // Progress from the threads adds up to every auction of every replication.
    expect(progress.at(-1)).toBe(3 * 3 * 200);
    // Replication r in a thread is replication r in this thread.
    const r1 = await runReplication(cfg, 1);
    expect(summaries[0]!.bidders.q!.utilityPerAuction!.values[1]).toBe(r1.bidders.q!.utilityPerAuction);
  });
});
