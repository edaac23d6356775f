/**
 * One trial of a sweep: a grid point run as a whole experiment (all its
 * replications) into `DIR/trials/<id>/`.
 *
 * Crash safety: a trial is built in `trials/.tmp-<id>-…/` and the whole folder is
 * published, renamed to `trials/<id>/`, when it is complete (an atomic rename),
 * so a trial folder exists only when finished. Local sweeps and the queue
 * (which writes the files a worker sends back) publish the same way
 * ({@link publishTrialDir}).
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { fsyncDir, TEMP_PREFIX } from '../../env/io/atomic.js';
import { runExperiment } from '../runner.js';
import { threadTask } from '../threads.js';
import { isAutoBidSweep, parseSweep, pointOf, resolveAutoBidPoint, resolvePoint, SweepError } from './grid.js';

/** Folder of the trial folders inside a sweep folder. */
export const TRIALS = 'trials';

/** Result of {@link runTrial}. */
export interface TrialResult {
  index: number;
  /** Absolute or outDir-based path of the trial folder. */
  dir: string;
  /** True when the trial was already complete and nothing ran. */
  skipped: boolean;
}

/** True when `dir` holds a finished run. */
export function trialDone(dir: string): boolean {
  return existsSync(join(dir, 'summary.json'));
}

let tempCounter = 0;

/** A fresh temporary folder name for trial `id` inside `trialsDir` (not created). */
export function tempTrialDir(trialsDir: string, id: string): string {
  return join(trialsDir, `${TEMP_PREFIX}${id}-${process.pid}-${threadId}-${tempCounter++}`);
}

/**
 * Publishes the finished trial folder `tmp` as `dir` (same parent) with one
 * rename. When `dir` already holds a finished trial (someone else, another
 * worker or machine, finished first), theirs is kept and `tmp` removed; an
 * unfinished folder under the final name cannot come from a trial and is replaced.
 * @returns true when `tmp` became `dir`, false when a finished `dir` was kept
 */
export function publishTrialDir(tmp: string, dir: string): boolean {
  try {
    renameSync(tmp, dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
    if (trialDone(dir)) {
      rmSync(tmp, { recursive: true, force: true });
      return false;
    }
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  }
  fsyncDir(dirname(dir));
  return true;
}

/**
 * Runs grid point `pointIndex` of a sweep into `outDir/trials/<id>/`, unless that
 * folder already holds a finished run. Safe to call from several processes or
 * machines at once for the same sweep folder (e.g. a job queue): each runs in its
 * own temporary folder and the first to finish publishes it.
 *
 * @param rawConfig the sweep config (with its `sweep:` block), as read from YAML/JSON
 * @param pointIndex grid point, 0 ≤ pointIndex < grid size
 * @param outDir sweep folder
 * @param opts `report: false` skips the trial's report.html (default: written);
 *   `replicationWorkers`: replications run at once inside the trial (default 1: the
 *   caller parallelises across trials). Results do not depend on either.
 *   `configDir`: the folder a step-level config's relative paths (datasets,
 *   policy files) start from (default the working directory). A step-level
 *   trial (`steps > 1`) runs with experiments/autobid-run.ts and writes no report.
 * @throws {ConfigError} when the config or the point is invalid
 * @example await runTrial(readRawConfig('sweep.yaml'), 3, 'runs/reserve-sweep')
 */
export async function runTrial(
  rawConfig: unknown,
  pointIndex: number,
  outDir: string,
  opts: { report?: boolean; replicationWorkers?: number; configDir?: string } = {},
): Promise<TrialResult> {
  const spec = parseSweep(rawConfig);
  if (!Number.isInteger(pointIndex) || pointIndex < 0 || pointIndex >= spec.size) {
    throw new SweepError(`runTrial: point index ${pointIndex} is outside the grid (0…${spec.size - 1})`);
  }
  const point = pointOf(rawConfig as Record<string, unknown>, spec, pointIndex);
  const trialsDir = join(outDir, TRIALS);
  const dir = join(trialsDir, point.id);
  if (isAutoBidSweep(rawConfig)) {
    // A step-level trial: one process runs its replications in turn (experiments/autobid-run.ts); no per-trial report.
    const cfg = resolveAutoBidPoint(point);
    if (trialDone(dir)) return { index: pointIndex, dir, skipped: true };
    mkdirSync(trialsDir, { recursive: true });
    const tmp = tempTrialDir(trialsDir, point.id);
    const { runAutoBid } = await import('../autobid-run.js');
    await runAutoBid(cfg, { configDir: opts.configDir ?? process.cwd(), outDir: tmp });
    return { index: pointIndex, dir, skipped: !publishTrialDir(tmp, dir) };
  }
  const cfg = resolvePoint(point);
  if (trialDone(dir)) return { index: pointIndex, dir, skipped: true };
  mkdirSync(trialsDir, { recursive: true });
  const tmp = tempTrialDir(trialsDir, point.id);
  await runExperiment(cfg, { outDir: tmp, quiet: true, workers: opts.replicationWorkers ?? 1 });
  if (opts.report !== false) {
    // The trial's own report (learning curves of this grid point), linked from the sweep report.
    const { writeReport } = await import('../report.js');
    await writeReport(tmp);
  }
  return { index: pointIndex, dir, skipped: !publishTrialDir(tmp, dir) };
}

/** What a trial thread runs: {@link runTrial}'s arguments. */
export interface TrialInput {
  rawConfig: unknown;
  index: number;
  outDir: string;
  /** Write the trial's report.html. */
  report: boolean;
  /** Replications the trial runs at once. */
  replicationWorkers: number;
  /** Folder the config's relative files are named from (step-level configs: datasets, policy files); default the working directory. */
  configDir?: string;
}

/** Thread task: one trial (see {@link trialTask}). */
export async function runTrialTask(t: TrialInput): Promise<TrialResult> {
  return runTrial(t.rawConfig, t.index, t.outDir, { report: t.report, replicationWorkers: t.replicationWorkers, configDir: t.configDir });
}
/** A trial in a worker thread (local sweeps and queue workers). */
export const trialTask = threadTask(import.meta.url, 'runTrialTask', runTrialTask);
