/**
 * The trial pool of a local sweep: trials run `workers` at a time, each in a
 * fresh worker thread (threads.ts), so no module state is shared between
 * trials. Cores go to trials first; when there are fewer trials than workers,
 * the spare cores run replications inside each trial (no nested
 * oversubscription). The first failing trial stops the others (their
 * temporary folders are removed on resume).
 */
import type { Worker } from 'node:worker_threads';
import { InputError, isInputError } from '../../env/errors.js';
import { inLanes, runInThread, stopThreads } from '../threads.js';
import type { GridPoint } from './grid.js';
import { trialTask } from './trial.js';

/** Options of {@link runTrialPool}. */
export interface TrialPoolOptions {
  /** The sweep config, as read from YAML/JSON. */
  rawConfig: unknown;
  /** Sweep folder. */
  outDir: string;
  /** Threads to use in all. */
  workers: number;
  /** Write each trial's report.html. */
  report: boolean;
  /** Called after each finished trial. */
  onTrialDone?: () => void;
  /** Folder a step-level config's relative paths start from. */
  configDir?: string;
}

/** Threads per trial for `trials` trials on `workers` threads: the lanes (trials at once) and the replications each runs at once. */
export function splitWorkers(workers: number, trials: number): { lanes: number; replicationWorkers: number } {
  const lanes = Math.min(workers, Math.max(1, trials));
  return { lanes, replicationWorkers: Math.max(1, Math.floor(workers / lanes)) };
}

/**
 * Runs the trials of `todo` into `opts.outDir`.
 * @throws Error naming the first trial that failed (finished trials are kept); an InputError when the trial failed with one
 */
export async function runTrialPool(todo: GridPoint[], opts: TrialPoolOptions): Promise<void> {
  const { lanes, replicationWorkers } = splitWorkers(opts.workers, todo.length);
  const running = new Set<Worker>();
  const one = async (i: number): Promise<void> => {
    const p = todo[i]!;
    const input = { rawConfig: opts.rawConfig, index: p.index, outDir: opts.outDir, report: opts.report, replicationWorkers, ...(opts.configDir === undefined ? {} : { configDir: opts.configDir }) };
    try {
      await runInThread(trialTask, input, { label: `trial ${p.id}`, running });
    } catch (e) {
      const message = `sweep trial ${p.id} failed (finished trials are kept; fix the cause and rerun with --resume): ${(e as Error).message}`;
      // Bad input the checks before the sweep did not catch stays bad input: one line, exit code 2.
      throw isInputError(e) ? new InputError(message) : new Error(message);
    }
    opts.onTrialDone?.();
  };
  await inLanes(todo.length, lanes, one, () => stopThreads(running));
}
