/**
 * Writes a run folder from the replications' results:
 *
 *   resolved-config.json  episodes.csv  samples.csv  policies/<bidder>.json  meta.json  summary.json
 *
 * Every file is written whole (env/io/atomic.ts); summary.json is written last,
 * so its presence means the run is complete. summary.json depends only on the
 * config: no clock, no machine in it (those go to meta.json).
 */
import { join } from 'node:path';
import { writePolicyFile } from '../agents/policy.js';
import { writeFileAtomic, writeJsonAtomic } from '../env/io/atomic.js';
import type { ResolvedConfig } from './config.js';
import { EPISODE_COLUMNS, SAMPLE_COLUMNS } from './recorder.js';
import type { ReplicationResult } from './replication.js';
import type { Summary } from './runner.js';
import { BIDGYM_VERSION } from './version.js';

/** When the run started and how long it took (meta.json). */
export interface RunTiming {
  /** ISO time of the start. */
  started: string;
  seconds: number;
}

/**
 * Writes the run folder `dir` (created) for `cfg`, its replications `reps` and their `summary`.
 * @example writeRunFolder('runs/x', cfg, reps, summarize(cfg, reps), { started, seconds })
 */
export function writeRunFolder(dir: string, cfg: ResolvedConfig, reps: ReplicationResult[], summary: Summary, timing: RunTiming): void {
  writeJsonAtomic(join(dir, 'resolved-config.json'), cfg);
  writeFileAtomic(join(dir, 'episodes.csv'), [EPISODE_COLUMNS, ...reps.flatMap((x) => x.episodeRows)].join('\n') + '\n');
  writeFileAtomic(join(dir, 'samples.csv'), [SAMPLE_COLUMNS, ...reps.flatMap((x) => x.sampleRows)].join('\n') + '\n');
  writePolicies(dir, cfg, reps[0]!, summary.configHash);
  const auctions = reps.reduce((s, x) => s + x.auctions, 0);
  writeJsonAtomic(join(dir, 'meta.json'), {
    bidgym: BIDGYM_VERSION,
    configHash: summary.configHash,
    started: timing.started,
    seconds: timing.seconds,
    auctions,
    auctionsPerSecond: auctions / timing.seconds,
    replicationSeconds: reps.map((x) => x.seconds),
    interestModel: { kind: summary.interestModel.kind, backend: summary.interestModel.backend, trainSeconds: reps.map((x) => x.interestTrainSeconds) },
    versions: { node: process.version, platform: `${process.platform}-${process.arch}` },
  });
  writeJsonAtomic(join(dir, 'summary.json'), summary);
}

/** `policies/<bidder>.json`: replication 0's policies, with provenance (what they were trained on and how they did). */
function writePolicies(dir: string, cfg: ResolvedConfig, rep0: ReplicationResult, configHash: string): void {
  for (const b of cfg.bidders) {
    const fig = rep0.bidders[b.id]!;
    // In a log market the paper's methods (lin-bid, mcpc, rlb, ss-mdp) have no policy file: they bid from the log's statistics.
    if (!rep0.policies[b.id]) continue;
    const base = { episodes: cfg.episodes, auctionsPerEpisode: cfg.auctionsPerEpisode };
    const training = cfg.log
      ? {
          ...base,
          mechanism: 'log replay',
          world: cfg.log.trainPath ? 'training log' : 'fitted world',
          evalTotalClicks: fig.totalClicks ?? null,
          evalWinRate: fig.winRate ?? null,
          evalCompetitiveRatio: fig.competitiveRatio ?? null,
        }
      : {
          ...base,
          mechanism: cfg.exchange.mechanism,
          evalUtilityPerAuction: fig.utilityPerAuction!,
          evalBidToValue: fig.bidToValue!,
          evalWinRate: fig.winRate!,
          evalCompetitiveRatio: fig.competitiveRatio ?? null,
        };
    writePolicyFile(join(dir, 'policies', `${b.id}.json`), rep0.policies[b.id]!, { configHash, seed: cfg.seed, bidder: b.id, replication: 0, bidgym: BIDGYM_VERSION, training });
  }
}
