/**
 * A replication of a config with a `log:` block (a log market), in the shape
 * of every replication's result: what runReplication (replication.ts) returns
 * for such a config. See experiments/log-replication.ts and docs/logs.md.
 */
import type { Policy } from '../agents/core.js';
import { rng as rootRng } from '../env/rng.js';
import { createAgent } from './agent-registry.js';
import { agentContext } from './agent-context.js';
import type { ResolvedConfig } from './config.js';
import { preflightLogRun, runLogReplication, type LogRunConfig } from './log-replication.js';
import type { ReplicationResult } from './replication.js';

/** The log-market view of a resolved config (with a `log:` block). */
export function logRunConfig(cfg: ResolvedConfig): LogRunConfig {
  if (!cfg.log) throw new Error('internal error: not a log market');
  const { baseDir, ...spec } = cfg.log;
  return {
    seed: cfg.seed,
    episodes: cfg.episodes,
    auctionsPerEpisode: cfg.auctionsPerEpisode,
    log: { format: spec.format, path: spec.path, info: spec.info ?? null, trainPath: spec.trainPath ?? null, maxPrice: spec.maxPrice ?? null, integerBids: spec.integerBids, ctrSpread: spec.ctrSpread, cacheDir: spec.cacheDir ?? null },
    baseDir,
    bidders: cfg.bidders.map((b) => ({
      id: b.id,
      source: b.source,
      agent: b.agent as LogRunConfig['bidders'][number]['agent'],
      budget: b.budget,
      budgetC0: b.budgetC0 ?? null,
      valuePerClick: b.value && b.value.kind === 'per-click' ? b.value.amount : null,
    })),
  };
}

/** Checks a log market's files and bidders before any work (bidgym run, validate). @throws InputError */
export function preflightLogMarket(cfg: ResolvedConfig): void {
  preflightLogRun(logRunConfig(cfg));
}

/** Replication r of a log market. */
export function runLogMarketReplication(cfg: ResolvedConfig, r: number, onAuctions?: (n: number) => void): ReplicationResult {
  const root = rootRng(cfg.seed);
  const rep = root.stream(`replication:${r}`);
  const res = runLogReplication(logRunConfig(cfg), r, root, (i, budget, valueScale) => {
    const ctx = agentContext(cfg, i, rep, valueScale);
    return createAgent(cfg.bidders[i]!.agent, { ...ctx, budget });
  });
  onAuctions?.(res.auctions);
  const policies: Record<string, Policy> = {};
  for (const [id, a] of Object.entries(res.agents)) policies[id] = a.policy();
  return {
    market: res.market,
    bidders: res.bidders,
    episodeRows: res.episodeRows,
    sampleRows: [],
    interestModel: { kind: 'log', backend: 'none', auc: null, logLoss: null, ece: null, coldStartAuc: null },
    auctions: res.auctions,
    seconds: res.seconds,
    interestTrainSeconds: null,
    policies,
  };
}
