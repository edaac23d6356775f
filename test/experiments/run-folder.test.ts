import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '../../agents/policy.js';
import { OBS_SIZE } from '../../env/observation.js';
import { configHash, resolveConfig } from '../../experiments/config.js';
import { EPISODE_COLUMNS, SAMPLE_COLUMNS } from '../../experiments/recorder.js';
import { runReplication } from '../../experiments/replication.js';
import { writeRunFolder } from '../../experiments/run-folder.js';
import { summarize } from '../../experiments/runner.js';
import { BIDGYM_VERSION } from '../../experiments/version.js';

const root = mkdtempSync(join(tmpdir(), 'bidgym-run-folder-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('writeRunFolder', () => {
  it('writes the run folder from the replications: config, CSVs, policies of replication 0, meta and summary', async () => {
    const cfg = resolveConfig({
      name: 'folder',
      replications: 2,
      episodes: 1,
      evalEpisodes: 1,
      auctionsPerEpisode: 200,
      exchange: { mechanism: 'first-price' },
      bidders: [
        { id: 'a', agent: { kind: 'shaded', factor: 0.6 }, value: { kind: 'uniform' }, budget: 50 },
        { id: 'b', agent: { kind: 'truthful' }, value: { kind: 'uniform' } },
      ],
    });
    const reps = [await runReplication(cfg, 0), await runReplication(cfg, 1)];
    const summary = summarize(cfg, reps);
    const dir = join(root, 'run');
    writeRunFolder(dir, cfg, reps, summary, { started: '2026-01-01T00:00:00.000Z', seconds: 2 });

    expect(readdirSync(dir).sort()).toEqual(['episodes.csv', 'meta.json', 'policies', 'resolved-config.json', 'samples.csv', 'summary.json']);
    expect(readdirSync(join(dir, 'policies')).sort()).toEqual(['a.json', 'b.json']);
    expect(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'))).toEqual(summary);
    expect(JSON.parse(readFileSync(join(dir, 'resolved-config.json'), 'utf8'))).toEqual(cfg);
    expect(readFileSync(join(dir, 'episodes.csv'), 'utf8')).toBe([EPISODE_COLUMNS, ...reps[0]!.episodeRows, ...reps[1]!.episodeRows].join('\n') + '\n');
    expect(readFileSync(join(dir, 'samples.csv'), 'utf8')).toBe([SAMPLE_COLUMNS, ...reps[0]!.sampleRows, ...reps[1]!.sampleRows].join('\n') + '\n');

    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
    expect(meta).toMatchObject({ bidgym: BIDGYM_VERSION, configHash: configHash(cfg), started: '2026-01-01T00:00:00.000Z', seconds: 2, auctions: 800, auctionsPerSecond: 400 });
    expect(meta.replicationSeconds).toEqual(reps.map((r) => r.seconds));

    const policy = JSON.parse(readFileSync(join(dir, 'policies', 'a.json'), 'utf8'));
    expect(policy.provenance).toMatchObject({ configHash: configHash(cfg), bidder: 'a', replication: 0, bidgym: BIDGYM_VERSION });
    expect(policy.provenance.training).toMatchObject({ episodes: 1, auctionsPerEpisode: 200, mechanism: 'first-price', evalUtilityPerAuction: reps[0]!.bidders.a!.utilityPerAuction });
    // The policy file bids as the trained policy.
    const obs = new Float64Array(OBS_SIZE).fill(0.5);
    expect(loadPolicy(join(dir, 'policies', 'a.json')).bid(obs)).toBe(reps[0]!.policies.a!.bid(obs));
  });
});
