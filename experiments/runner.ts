/**
 * Runs an experiment: every replication of a config (replication.ts), in this
 * thread or several at once in worker threads (threads.ts), then statistics
 * across replications (summary.json) and the run folder (run-folder.ts).
 * The results do not depend on the number of threads: each replication's
 * figures land at its own index.
 */
import { mkdirSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import type { Policy } from '../agents/core.js';
import { configHash, type ResolvedConfig } from './config.js';
import { preflightLogMarket } from './log-run.js';
import { runReplication, type InterestModelReport, type ReplicationResult } from './replication.js';
import { diskWriteError } from './out-dir.js';
import { writeRunFolder } from './run-folder.js';
import { stat, type Stat } from './stats.js';
import { replicationSeconds, threadsFor } from './parallelism.js';
import { inLanes, runInThread, stopThreads, threadTask } from './threads.js';

export { runReplication, type InterestModelReport, type ReplicationResult };

/** summary.json */
export interface Summary {
  name: string;
  configHash: string;
  seed: number;
  replications: number;
  /** The interest model: kind and backend, and each quality figure as a statistic over replications (each trains its own). */
  interestModel: { kind: string; backend: string; [figure: string]: unknown };
  market: Record<string, Stat>;
  bidders: Record<string, Record<string, Stat>>;
}

/** Options of {@link runExperiment}. */
export interface RunOptions {
  /** The run folder (created). */
  outDir: string;
  /** No console output. */
  quiet?: boolean;
  /** Progress callback: auctions done so far out of the total. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Replications run at once, each in a worker thread (default: as many as the
   * estimated work pays for, at most the cores and one per replication, see
   * parallelism.ts; 1 runs them in this thread). The results do not depend on it.
   */
  workers?: number;
}

/** A replication's result as it crosses a thread boundary: policies as plain `{ kind, params }`. */
type PlainReplicationResult = Omit<ReplicationResult, 'policies'> & { policies: Record<string, { kind: string; params: Record<string, unknown> }> };

/** Thread task: replication `r` of `cfg` (see {@link replicationTask}). */
export async function runReplicationTask(input: { cfg: ResolvedConfig; r: number }, progress: (n: number) => void): Promise<PlainReplicationResult> {
  const res = await runReplication(input.cfg, input.r, progress);
  const policies = Object.fromEntries(Object.entries(res.policies).map(([id, p]) => [id, { kind: p.kind, params: p.params() as Record<string, unknown> }]));
  return { ...res, policies };
}
/** A replication in a worker thread. */
export const replicationTask = threadTask(import.meta.url, 'runReplicationTask', runReplicationTask);

/** The result back from a thread: its policies answer `kind` and `params` (enough to write the policy files). */
function fromThread(res: PlainReplicationResult): ReplicationResult {
  const policies: Record<string, Policy> = {};
  for (const [id, p] of Object.entries(res.policies)) policies[id] = { kind: p.kind, params: () => p.params, bid: () => Number.NaN };
  return { ...res, policies };
}

/** Numeric figures of the interest model become statistics over replications; the rest (kind, backend, …) is replication 0's. */
function summarizeInterest(reports: InterestModelReport[]): Summary['interestModel'] {
  const out: Summary['interestModel'] = { kind: reports[0]!.kind, backend: String(reports[0]!.backend) };
  for (const [k, v] of Object.entries(reports[0]!)) {
    if (k === 'kind' || k === 'backend') continue;
    out[k] = typeof v === 'number' && reports.every((r) => typeof r[k] === 'number') ? stat(reports.map((r) => r[k] as number)) : v;
  }
  return out;
}

/** Builds summary.json from the replications' figures (statistics across replications). */
export function summarize(cfg: ResolvedConfig, reps: ReplicationResult[]): Summary {
  const market: Record<string, Stat> = {};
  for (const k of Object.keys(reps[0]!.market)) market[k] = stat(reps.map((x) => x.market[k]!));
  const bidders: Record<string, Record<string, Stat>> = {};
  for (const b of cfg.bidders) {
    const out: Record<string, Stat> = {};
    for (const k of Object.keys(reps[0]!.bidders[b.id]!)) out[k] = stat(reps.map((x) => x.bidders[b.id]![k]!));
    bidders[b.id] = out;
  }
  return {
    name: cfg.name,
    configHash: configHash(cfg),
    seed: cfg.seed,
    replications: cfg.replications,
    interestModel: summarizeInterest(reps.map((x) => x.interestModel)),
    market,
    bidders,
  };
}

/**
 * Runs every replication of `cfg` and writes the run folder `opts.outDir`.
 * @returns the summary (as written to summary.json)
 */
export async function runExperiment(cfg: ResolvedConfig, opts: RunOptions): Promise<Summary> {
  const started = new Date().toISOString();
  const t0 = process.hrtime.bigint();
  // A log market's files and bidders are checked before anything is written.
  if (cfg.log) preflightLogMarket(cfg);
  mkdirSync(opts.outDir, { recursive: true });
  const total = cfg.replications * (cfg.episodes + cfg.evalEpisodes) * cfg.auctionsPerEpisode;
  let done = 0;
  const progress = (n: number) => {
    done += n;
    opts.onProgress?.(done, total);
  };
  const workers = Math.max(1, Math.min(opts.workers ?? threadsFor(cfg.replications, replicationSeconds(cfg)), cfg.replications));
  const reps: ReplicationResult[] = new Array(cfg.replications);
  if (workers === 1) {
    for (let r = 0; r < cfg.replications; r++) reps[r] = await runReplication(cfg, r, progress);
  } else {
    const running = new Set<Worker>();
    const one = async (r: number) => {
      reps[r] = fromThread(await runInThread(replicationTask, { cfg, r }, { label: `replication ${r}`, onProgress: progress, running }));
    };
    await inLanes(cfg.replications, workers, one, () => stopThreads(running));
  }
  const summary = summarize(cfg, reps);
  try {
    writeRunFolder(opts.outDir, cfg, reps, summary, { started, seconds: Number(process.hrtime.bigint() - t0) / 1e9 });
  } catch (e) {
    // A full (or failing) disk after the work: say so in one line, and keep the summary for the caller.
    throw diskWriteError(e, summary);
  }
  return summary;
}
