/**
 * How many worker threads a run or a sweep uses by default: only as many as pay
 * for themselves. A thread costs its start (loading bidgym's modules again,
 * a good fraction of a CPU second) and the cores it competes for; it pays off
 * when it has seconds of work. So the default is the number of cores, capped by
 * the number of tasks (replications, trials) and by the estimated work divided
 * into shares of at least {@link MIN_SECONDS_PER_THREAD}; below two threads the
 * work runs in the calling thread. `--workers N` overrides it; results never
 * depend on it.
 */
import { availableParallelism } from 'node:os';
import type { ResolvedConfig } from './config.js';

/** Estimated CPU seconds a thread must get before starting it is worth it. */
export const MIN_SECONDS_PER_THREAD = 4;

/**
 * Auctions per CPU second used for the estimate: the fast end of what bidgym
 * runs (the SP_Oracle loop), so the estimate errs towards less work, hence
 * fewer threads, never more than pay off.
 */
export const AUCTIONS_PER_SECOND = 600_000;

/** Estimated CPU seconds to train a learned interest model (per replication; each trains its own). */
const TRAIN_SECONDS = 5;

/** Auctions one replication of `cfg` runs: training and evaluation episodes. */
export function auctionsPerReplication(cfg: Pick<ResolvedConfig, 'episodes' | 'evalEpisodes' | 'auctionsPerEpisode'>): number {
  return (cfg.episodes + cfg.evalEpisodes) * cfg.auctionsPerEpisode;
}

/** Estimated CPU seconds of one replication of `cfg` (a lower estimate). */
export function replicationSeconds(cfg: ResolvedConfig): number {
  const learned = cfg.interestModel.kind !== 'oracle' && !(cfg.interestModel as { path?: string }).path;
  return auctionsPerReplication(cfg) / AUCTIONS_PER_SECOND + (learned ? TRAIN_SECONDS : 0);
}

/**
 * Threads for `tasks` tasks of `secondsEach` estimated CPU seconds each on `cores` cores:
 * 1 (run in the calling thread) unless each thread gets at least {@link MIN_SECONDS_PER_THREAD}.
 */
export function threadsFor(tasks: number, secondsEach: number, cores: number = availableParallelism()): number {
  const byWork = Math.floor((tasks * secondsEach) / MIN_SECONDS_PER_THREAD);
  return Math.max(1, Math.min(cores, tasks, byWork));
}
