/**
 * The one way bidgym starts worker threads: a run's replications, a sweep's
 * trials and a queue worker's trials all go through {@link runInThread}.
 *
 * A thread runs one task: a function exported by a module, named by a
 * {@link ThreadTask} that the module itself declares (so the module's own URL is
 * used, whichever form, TypeScript or compiled, it is loaded in). The thread
 * starts from thread-entry.mjs, which registers the TypeScript loader when the
 * module is TypeScript, imports the module and calls the function with the input
 * (structured-cloned) and a progress callback. The result, or the error, comes
 * back; an error that was an InputError in the thread is an InputError here.
 * Each task gets a fresh thread, so no module state is shared between tasks.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { InputError } from '../env/errors.js';
import { SENT_INPUTS_KEY, sentInputsOfThread } from '../env/io/sent-inputs.js';

/** A task a thread can run: an exported function `(input, progress) => result`; input and result must be structured-cloneable. */
export type TaskFunction<I, R> = (input: I, progress: (n: number) => void) => Promise<R>;

/** Names a {@link TaskFunction} for a thread: the URL of the module that exports it, and its export name. */
export interface ThreadTask<I, R> {
  readonly module: string;
  readonly name: string;
  /** Only carries the types. */
  readonly fn?: TaskFunction<I, R>;
}

/**
 * Declares a thread task; call it in the module that exports `fn`.
 * @example export const trialTask = threadTask(import.meta.url, 'runTrialTask', runTrialTask);
 */
export function threadTask<I, R>(moduleUrl: string, name: string, fn: TaskFunction<I, R>): ThreadTask<I, R> {
  return { module: moduleUrl, name, fn };
}

/** Options of {@link runInThread}. */
export interface ThreadOptions {
  /** Names the task in the error when the thread dies, e.g. `replication 2`. */
  label: string;
  /** Receives each progress count the task posts. */
  onProgress?: (n: number) => void;
  /** The thread is in this set while it runs (to stop it from outside: {@link stopThreads}). */
  running?: Set<Worker>;
  /** Memory caps of the thread (e.g. `maxOldGenerationSizeMb`); a thread past them dies with an error, not the process. */
  resourceLimits?: ResourceLimits;
}

/** Message a thread posts (thread-entry.mjs). */
type ThreadMessage =
  | { type: 'progress'; n: number }
  | { type: 'done'; result: unknown }
  | { type: 'error'; name: string; message: string; stack?: string; input: boolean };

const ENTRY = new URL('./thread-entry.mjs', import.meta.url);

/**
 * Runs `task` on `input` in a fresh worker thread.
 * @returns the task's result
 * @throws the task's error (an InputError when it was one), or an Error naming `label` when the thread stopped without an answer
 */
export function runInThread<I, R>(task: ThreadTask<I, R>, input: I, opts: ThreadOptions): Promise<R> {
  return new Promise((resolve, reject) => {
    // The files this thread was handed instead of paths (env/io/sent-inputs.ts) are the new thread's too.
    const workerData = { module: task.module, name: task.name, input, [SENT_INPUTS_KEY]: sentInputsOfThread() };
    const thread = new Worker(ENTRY, { workerData, resourceLimits: opts.resourceLimits });
    opts.running?.add(thread);
    let outcome: { ok: true; result: R } | { ok: false; error: Error } | null = null;
    thread.on('message', (m: ThreadMessage) => {
      if (m.type === 'progress') {
        opts.onProgress?.(m.n);
        return;
      }
      outcome ??= m.type === 'done' ? { ok: true, result: m.result as R } : { ok: false, error: errorFrom(m) };
      void thread.terminate();
    });
    thread.once('error', (e) => {
      outcome ??= { ok: false, error: e };
    });
    thread.once('exit', (code) => {
      opts.running?.delete(thread);
      if (outcome === null) reject(new Error(`${opts.label}: the thread stopped with exit code ${code} before finishing`));
      else if (outcome.ok) resolve(outcome.result);
      else reject(outcome.error);
    });
  });
}

/** The task's error, rebuilt on this side of the thread boundary with its name, message and stack. */
function errorFrom(m: Extract<ThreadMessage, { type: 'error' }>): Error {
  const e = m.input ? new InputError(m.message) : new Error(m.message);
  e.name = m.name;
  if (m.stack !== undefined) e.stack = m.stack;
  return e;
}

/** Stops every thread in `running` (their tasks end without an answer). */
export function stopThreads(running: Set<Worker>): void {
  for (const t of running) void t.terminate();
}

/**
 * Runs `work(0)`, …, `work(count - 1)`, `lanes` at a time (at least one lane, at
 * most `count`). The first failure stops the lanes from starting more, calls
 * `onFailure` (e.g. to stop running threads), and is thrown once all lanes have
 * stopped.
 */
export async function inLanes(count: number, lanes: number, work: (i: number) => Promise<void>, onFailure: () => void = () => {}): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  const lane = async (): Promise<void> => {
    while (failure === null && next < count) {
      const i = next++;
      try {
        await work(i);
      } catch (error) {
        if (failure === null) {
          failure = { error };
          onFailure();
        }
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(lanes, count)) }, lane));
  if (failure !== null) throw (failure as { error: unknown }).error;
}
