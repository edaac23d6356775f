/** Tasks for test/experiments/threads.test.ts, run in worker threads by experiments/threads.ts. */
import { threadId } from 'node:worker_threads';
import { InputError } from '../../env/errors.js';
import { threadTask } from '../../experiments/threads.js';

/** Posts 1, 2, …, n as progress, then returns their sum and the thread it ran in. */
export async function countTo(n: number, progress: (n: number) => void): Promise<{ sum: number; threadId: number }> {
  let sum = 0;
  for (let i = 1; i <= n; i++) {
    progress(i);
    sum += i;
  }
  return { sum, threadId };
}
export const countTask = threadTask(import.meta.url, 'countTo', countTo);

/** Fails as asked: bad input, a bug, or the thread ending without an answer. */
export async function fail(how: 'input' | 'bug' | 'exit'): Promise<never> {
  if (how === 'input') throw new InputError('bidders[0].value: expected a number');
  if (how === 'exit') process.exit(3);
  throw new RangeError('internal: index out of range');
}
export const failTask = threadTask(import.meta.url, 'fail', fail);

/** Waits `ms`, then returns `ms`. */
export async function sleep(ms: number): Promise<number> {
  await new Promise((r) => setTimeout(r, ms));
  return ms;
}
export const sleepTask = threadTask(import.meta.url, 'sleep', sleep);

/** A task whose name its module does not export. */
export const missingTask = threadTask<number, number>(import.meta.url, 'noSuchTask', sleep);
