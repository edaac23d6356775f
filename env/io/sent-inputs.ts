/**
 * Files a run is handed instead of opening the paths its config names.
 *
 * A config names files (a policy file, a saved interest model's folder, a log
 * market's logs). Two callers hand a run those files instead of letting it open
 * the paths:
 * - a queue worker (experiments/worker.ts), in strict mode: the job carries the
 *   files' bytes, the worker writes them into its own work folder, and every
 *   path the trial's config names must be one of them — a path that was not
 *   sent is an error, never opened;
 * - `bidgym evaluate --public-key`: the verified policy bytes, so that the
 *   file is read once and the run uses the bytes that were verified (no second
 *   read an attacker could swap the file before); other paths are read as usual.
 *
 * The readers (agents/policy-io.ts `loadPolicy`, models/pipeline.ts,
 * experiments/log-replication.ts) ask {@link sentInput} / {@link inputPath}
 * first. The state is per thread; threads started by experiments/threads.ts
 * inherit their parent's (through `workerData`).
 */
import { isMainThread, workerData } from 'node:worker_threads';
import { InputError } from '../errors.js';

/** A file handed to the run: a local copy (path of a file or folder), or the bytes themselves. */
export type SentInput = { path: string } | { bytes: Uint8Array };

/** What {@link useSentInputs} installs. */
export interface SentInputs {
  /** True: a path the config names that is not in `inputs` is an error (queue workers). False: it is read as usual. */
  strict: boolean;
  /** By the path exactly as the config names it. */
  inputs: Map<string, SentInput>;
}

/** Key of the state in a thread's `workerData` (experiments/threads.ts). */
export const SENT_INPUTS_KEY = 'sentInputs';

function inherited(): SentInputs | null {
  if (isMainThread) return null;
  const s = (workerData as Record<string, unknown> | null)?.[SENT_INPUTS_KEY] as SentInputs | null | undefined;
  return s ? { strict: s.strict, inputs: new Map(s.inputs) } : null;
}

let current: SentInputs | null = inherited();

/** Installs `s` for this thread (null: every path is read as named). */
export function useSentInputs(s: SentInputs | null): void {
  current = s;
}

/** The state of this thread, for a thread it starts. */
export function sentInputsOfThread(): SentInputs | null {
  return current;
}

/**
 * What this thread was handed for the path `named`: null when it should read
 * `named` itself.
 *
 * @param field the config field naming it, for messages (`interestModel.path`)
 * @throws InputError in strict mode when `named` was not sent
 */
export function sentInput(named: string, field: string): SentInput | null {
  if (current === null) return null;
  const s = current.inputs.get(named);
  if (s !== undefined) return s;
  if (current.strict) throw new InputError(`${field}: ${named} was not sent with this trial; a queue worker opens no path a job names`);
  return null;
}

/** The path to read for `named`: its local copy when one was sent, else `named` itself. @throws InputError as {@link sentInput} */
export function inputPath(named: string, field: string): string {
  const s = sentInput(named, field);
  if (s === null) return named;
  if (!('path' in s)) throw new InputError(`${field}: ${named} was sent as bytes, not as a file`);
  return s.path;
}
