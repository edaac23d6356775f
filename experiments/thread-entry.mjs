// Entry file of every bidgym worker thread (started by threads.ts `runInThread`).
// Threads start without the TypeScript loader: register tsx's ESM hooks when the
// task's module is TypeScript, then import it and run the named task.
import { parentPort, workerData } from 'node:worker_threads';

const { module, name, input } = workerData;
try {
  if (module.endsWith('.ts')) (await import('tsx/esm/api')).register();
  const fn = (await import(module))[name];
  if (typeof fn !== 'function') throw new Error(`${module} exports no task ${name}`);
  const result = await fn(input, (n) => parentPort.postMessage({ type: 'progress', n }));
  parentPort.postMessage({ type: 'done', result });
} catch (e) {
  const err = e instanceof Error ? e : new Error(String(e));
  parentPort.postMessage({ type: 'error', name: err.name, message: err.message, stack: err.stack, input: err.exitCode === 2 });
}
