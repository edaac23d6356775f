/**
 * What a queue worker's trial thread runs: one trial of a sweep, from the data
 * of its job only. The files the config names came with the job and were
 * written by the worker into its own folder; the trial reads those copies
 * (env/io/sent-inputs.ts, strict mode: a path the job names but did not send is
 * an error, never opened). The trial's report is not written (the sweep writes
 * it from the data it receives).
 */
import { useSentInputs, type SentInput } from '../env/io/sent-inputs.js';
import { runTrial, type TrialResult } from './sweep/trial.js';
import { threadTask } from './threads.js';

/** Input of {@link queuedTrialTask}. */
export interface QueuedTrialInput {
  rawConfig: unknown;
  index: number;
  /** The worker's private temporary folder for this trial. */
  outDir: string;
  /** The files the config names: path as named → the worker's copy. */
  inputs: Map<string, SentInput>;
}

/** Runs one queued trial in this thread (see the file comment). */
export async function runQueuedTrial(t: QueuedTrialInput): Promise<TrialResult> {
  useSentInputs({ strict: true, inputs: t.inputs });
  try {
    return await runTrial(t.rawConfig, t.index, t.outDir, { report: false, replicationWorkers: 1 });
  } finally {
    useSentInputs(null);
  }
}

/** A queued trial in a worker thread. */
export const queuedTrialTask = threadTask(import.meta.url, 'runQueuedTrial', runQueuedTrial);
