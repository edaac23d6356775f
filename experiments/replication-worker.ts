/**
 * Worker-thread body of one replication (started by `runExperiment` through
 * replication-worker.mjs): runs `runReplication(cfg, r)` and posts progress
 * messages, then the result (policies as plain `{ kind, params }`).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ResolvedConfig } from './config.js';
import { runReplication } from './runner.js';

const { cfg, r } = workerData as { cfg: ResolvedConfig; r: number };
try {
  const res = await runReplication(cfg, r, (n) => parentPort!.postMessage({ type: 'progress', n }));
  const policies = Object.fromEntries(Object.entries(res.policies).map(([id, p]) => [id, { kind: p.kind, params: p.params() }]));
  parentPort!.postMessage({ type: 'done', result: { ...res, policies } });
} catch (e) {
  const err = e as Error & { exitCode?: number };
  parentPort!.postMessage({ type: 'error', message: err.message, stack: err.stack, exitCode: err.exitCode ?? null });
}
