/**
 * What a queue worker's trial thread runs: one trial of a sweep, from the data
 * of its job only. The policy files the config names come with the job and are
 * served from memory (agents/policy-io.ts `usePolicyInputs`): nothing a job
 * names is opened. The trial's report is not written (the sweep writes it from
 * the data it receives).
 */
import { usePolicyInputs } from '../agents/policy.js';
import { runTrial, type TrialResult } from './sweep/trial.js';
import { threadTask } from './threads.js';

/** Input of {@link queuedTrialTask}. */
export interface QueuedTrialInput {
  rawConfig: unknown;
  index: number;
  /** The worker's private temporary folder for this trial. */
  outDir: string;
  /** Policy files the config names: path as named → text. */
  policies: Record<string, string>;
}

/** Runs one queued trial in this thread (see the file comment). */
export async function runQueuedTrial(t: QueuedTrialInput): Promise<TrialResult> {
  usePolicyInputs(new Map(Object.entries(t.policies)));
  try {
    return await runTrial(t.rawConfig, t.index, t.outDir, { report: false, replicationWorkers: 1 });
  } finally {
    usePolicyInputs(null);
  }
}

/** A queued trial in a worker thread. */
export const queuedTrialTask = threadTask(import.meta.url, 'runQueuedTrial', runQueuedTrial);
