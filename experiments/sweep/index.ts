/**
 * Parameter sweeps: every grid point of a config's `sweep:` block (grid.ts) is
 * one trial (trial.ts), a whole run with all its replications in its own folder
 * `DIR/trials/<id>/`. Trials run in parallel in worker threads (pool.ts) or on a
 * Redis queue (../queue.ts); either way the sweep is started and finished by the
 * steps here ({@link startSweep}, {@link finishSweep}), and the sweep table
 * (table.ts: `sweep.json`, `sweep.csv`) is built from the trial folders in grid
 * order, so the results are identical for any number of workers and any
 * finishing order.
 *
 * A step-level config (`steps > 1`, docs/autobidding.md) sweeps too: its paths
 * are checked against the step-level schema, each trial is a step-level run
 * (summary.json, resolved-config.json, meta.json, policies/), and the table
 * holds each bidder's figures (score, CPA / target, …); its report.html shows
 * each bidder's score and CPA / target per grid point, and charts of every figure.
 *
 * A sweep killed at any point (even SIGKILL) leaves only `.tmp-*` folders
 * behind; `resume` deletes them and runs the trials that have no folder yet.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { removeStaleTemps, TEMP_PREFIX, writeFileAtomic, writeJsonAtomic } from '../../env/io/atomic.js';
import { canonicalJson } from '../../env/canonical-json.js';
import { expandSweep, isAutoBidSweep, resolvePoint, SweepError, type GridPoint } from './grid.js';
import { replicationSeconds, threadsFor } from '../parallelism.js';
import { runTrialPool } from './pool.js';
import { buildSweepTable, sweepCsv, type SweepTable } from './table.js';
import { trialDone, TRIALS } from './trial.js';

export { expandSweep, SweepError, sweepHash, valueText, type GridPoint } from './grid.js';
export { runTrial, type TrialResult } from './trial.js';
export { buildSweepTable, sweepCsv, sweepText, type SweepFigure, type SweepPoint, type SweepTable } from './table.js';

/** Options of {@link runSweep}. */
export interface SweepOptions {
  /** Sweep folder: `sweep-config.json`, `trials/`, `sweep.json`, `sweep.csv`, `report.html`. */
  outDir: string;
  /** Threads to use (default: one per trial up to the cores, more for the replications only when the work pays for them; see parallelism.ts): trials run this many at once; with fewer trials left than that, each trial runs its replications in parallel with the spare threads. */
  workers?: number;
  /** Continue a sweep in `outDir`: keep finished trials, run the rest. */
  resume?: boolean;
  /** No console output (runSweep itself prints nothing; kept for symmetry with runExperiment). */
  quiet?: boolean;
  /** Called with (finished trials, all trials) at the start and after each trial. */
  onProgress?: (done: number, total: number) => void;
  /** Write report.html for the sweep and for each trial (default true). */
  report?: boolean;
  /** Also write PNG charts with the report. */
  png?: boolean;
  /**
   * Folder a step-level config's relative paths (datasets, policy files) start
   * from: the config file's folder (the CLI passes it); default the working directory.
   */
  configDir?: string;
}

/**
 * Gets `outDir` ready for a sweep and returns its trials folder. One sweep per
 * folder: resuming with another config would mix two experiments, so a folder
 * holding another sweep (or trials without its sweep-config.json) is refused.
 * Stale temporary trial folders of a killed sweep are removed.
 * @throws {SweepError} when the folder holds a sweep and `resume` is false, or another sweep
 */
export function prepareSweepDir(rawConfig: unknown, outDir: string, resume: boolean): string {
  const trialsDir = join(outDir, TRIALS);
  const configFile = join(outDir, 'sweep-config.json');
  if (existsSync(configFile)) {
    if (!resume) throw new SweepError(`${outDir} already holds a sweep: pass --resume to continue it, or choose another --out`);
    const before = JSON.parse(readFileSync(configFile, 'utf8')) as unknown;
    if (canonicalJson(before) !== canonicalJson(rawConfig)) {
      throw new SweepError(`--resume: ${outDir} was started with a different config (see its sweep-config.json); choose another --out`);
    }
  } else if (existsSync(trialsDir) && readdirSync(trialsDir).some((n) => !n.startsWith(TEMP_PREFIX))) {
    throw new SweepError(`${outDir} holds trials but no sweep-config.json: choose another --out`);
  } else {
    writeJsonAtomic(configFile, rawConfig);
  }
  mkdirSync(trialsDir, { recursive: true });
  // Left by a killed sweep; nothing else writes here while we run.
  removeStaleTemps(trialsDir);
  return trialsDir;
}

/** A sweep about to run: its grid points, its trials folder, and the points that have no finished trial yet. */
export interface SweepStart {
  points: GridPoint[];
  trialsDir: string;
  todo: GridPoint[];
}

/**
 * The first step of every sweep, local or queued: expands and validates the
 * grid, prepares `outDir` ({@link prepareSweepDir}), finds the trials left to
 * run and reports the progress so far.
 * @throws {ConfigError} for a bad config; {@link SweepError} for a folder that holds another sweep
 */
export function startSweep(rawConfig: unknown, outDir: string, resume: boolean, onProgress?: (done: number, total: number) => void): SweepStart {
  const points = expandSweep(rawConfig);
  const trialsDir = prepareSweepDir(rawConfig, outDir, resume);
  const todo = points.filter((p) => !trialDone(join(trialsDir, p.id)));
  onProgress?.(points.length - todo.length, points.length);
  return { points, trialsDir, todo };
}

/**
 * The last step of every sweep, local or queued, once every trial folder is
 * there: writes `sweep.json`, `sweep.csv` and (unless `report: false`)
 * `report.html` (a step-level sweep's shows each bidder's score and CPA / target).
 * @returns the sweep table
 */
export async function finishSweep(rawConfig: unknown, outDir: string, opts: { report?: boolean; png?: boolean } = {}): Promise<SweepTable> {
  const table = buildSweepTable(rawConfig, outDir);
  writeJsonAtomic(join(outDir, 'sweep.json'), table);
  writeFileAtomic(join(outDir, 'sweep.csv'), sweepCsv(table));
  if (opts.report !== false) {
    // Loaded here, not at the top: trial threads and queue workers need no charting libraries.
    const { writeReport } = await import('../report.js');
    await writeReport(outDir, { png: opts.png ?? false });
  }
  return table;
}

/**
 * Threads for the trials `todo` by default: a lane per trial up to the cores
 * (every trial runs in a thread of its own anyway), and spare cores for the
 * replications inside the trials only when their estimated work pays for the
 * extra threads (parallelism.ts).
 */
function defaultSweepWorkers(rawConfig: unknown, todo: GridPoint[], cores = availableParallelism()): number {
  if (todo.length === 0) return 1;
  // A step-level trial runs its replications in one thread: a lane per trial.
  if (isAutoBidSweep(rawConfig)) return Math.min(cores, todo.length);
  const cfgs = todo.map(resolvePoint);
  const reps = cfgs.reduce((n, c) => n + c.replications, 0);
  const seconds = cfgs.reduce((t, c) => t + c.replications * replicationSeconds(c), 0);
  return Math.max(Math.min(cores, todo.length), threadsFor(reps, seconds / reps, cores));
}

/**
 * Runs a sweep: every grid point as a trial in its own worker thread, `workers` at
 * a time, then writes `sweep.json`, `sweep.csv` and `report.html` into `outDir`.
 *
 * @param rawConfig config object with a `sweep:` block, as read from YAML/JSON
 * @param opts see {@link SweepOptions}
 * @returns the sweep table (as written to sweep.json)
 * @throws {ConfigError} for a bad config; {@link SweepError} when `outDir` holds another sweep; Error when a trial fails
 * @example
 * const table = await runSweep(readRawConfig('experiments/configs/reserve-sweep.yaml'), { outDir: 'runs/reserve', workers: 4 });
 */
export async function runSweep(rawConfig: unknown, opts: SweepOptions): Promise<SweepTable> {
  const { outDir } = opts;
  if (opts.workers !== undefined && (!Number.isInteger(opts.workers) || opts.workers < 1)) throw new SweepError(`--workers: expected a whole number ≥ 1 — got ${opts.workers}`);
  const { points, todo } = startSweep(rawConfig, outDir, opts.resume ?? false, opts.onProgress);
  const workers = opts.workers ?? defaultSweepWorkers(rawConfig, todo);
  let done = points.length - todo.length;
  const onTrialDone = () => opts.onProgress?.(++done, points.length);
  // The trials of a step-level sweep write no report.html of their own (they are auto-bidding runs); the sweep's own report.html is written unless report is false.
  const report = opts.report !== false;
  await runTrialPool(todo, { rawConfig, outDir, workers, report: report && !isAutoBidSweep(rawConfig), onTrialDone, ...(opts.configDir === undefined ? {} : { configDir: opts.configDir }) });
  return finishSweep(rawConfig, outDir, { report, png: opts.png });
}

