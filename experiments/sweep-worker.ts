/**
 * Worker-thread body of one sweep trial (started by `runSweep` through
 * `sweep-worker.mjs`, which first loads TypeScript support). Reads
 * a `TrialTask` (`{ rawConfig, index, outDir, report, replicationWorkers }`) from `workerData`, runs the trial and posts
 * `{ ok: true, result }` or `{ ok: false, error }` back; the parent then ends the
 * thread, so no module state survives into another trial.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runTrial, type TrialTask } from './sweep.js';

const task = workerData as TrialTask;
try {
  const result = await runTrial(task.rawConfig, task.index, task.outDir, { report: task.report, replicationWorkers: task.replicationWorkers });
  parentPort!.postMessage({ ok: true, result });
} catch (e) {
  const err = e as Error;
  parentPort!.postMessage({ ok: false, error: err.stack ?? err.message });
}
