import { threadId, type Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { InputError, isInputError } from '../../env/errors.js';
import { inLanes, runInThread, stopThreads } from '../../experiments/threads.js';
import { countTask, failTask, missingTask, sleepTask } from './thread-tasks.js';

describe('runInThread', () => {
  it('runs a task in another thread, passing its progress and its result back', async () => {
    const seen: number[] = [];
    const running = new Set<Worker>();
    const res = await runInThread(countTask, 4, { label: 'count', onProgress: (n) => seen.push(n), running });
    expect(res.sum).toBe(10);
    expect(res.threadId).not.toBe(threadId);
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(running.size).toBe(0);
  });

  it('gives each task a fresh thread', async () => {
    const [a, b] = await Promise.all([runInThread(countTask, 1, { label: 'a' }), runInThread(countTask, 1, { label: 'b' })]);
    expect(a.threadId).not.toBe(b.threadId);
  });

  it('brings an InputError back as an InputError, other errors with their name, message and stack', async () => {
    const input = await runInThread(failTask, 'input', { label: 'bad input' }).catch((e: unknown) => e);
    expect(input).toBeInstanceOf(InputError);
    expect(isInputError(input)).toBe(true);
    expect((input as Error).message).toBe('bidders[0].value: expected a number');
    const bug = (await runInThread(failTask, 'bug', { label: 'bug' }).catch((e: unknown) => e)) as Error;
    expect(isInputError(bug)).toBe(false);
    expect(bug.name).toBe('RangeError');
    expect(bug.message).toBe('internal: index out of range');
    expect(bug.stack).toContain('thread-tasks.ts');
  });

  it('names the task when its thread stops without an answer, or the task does not exist', async () => {
    await expect(runInThread(failTask, 'exit', { label: 'trial 3' })).rejects.toThrow('trial 3: the thread stopped with exit code 3 before finishing');
    await expect(runInThread(missingTask, 1, { label: 'missing' })).rejects.toThrow(/exports no task noSuchTask/);
  });

  it('can be stopped from outside', async () => {
    const running = new Set<Worker>();
    const slow = runInThread(sleepTask, 60_000, { label: 'slow', running });
    while (running.size === 0) await new Promise((r) => setTimeout(r, 5));
    stopThreads(running);
    await expect(slow).rejects.toThrow(/slow: the thread stopped/);
  });
});

describe('inLanes', () => {
  it('runs every item, at most `lanes` at once', async () => {
    let now = 0;
    let most = 0;
    const done: number[] = [];
    await inLanes(7, 3, async (i) => {
      most = Math.max(most, ++now);
      await new Promise((r) => setTimeout(r, 5));
      now--;
      done.push(i);
    });
    expect(done.sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(most).toBe(3);
  });

  it('stops starting items after the first failure, calls onFailure once, and throws that failure', async () => {
    const started: number[] = [];
    let failures = 0;
    const run = inLanes(
      10,
      2,
      async (i) => {
        started.push(i);
        await new Promise((r) => setTimeout(r, 5));
        if (i === 1) throw new Error('item 1 failed');
        if (i === 2) throw new Error('item 2 failed too');
      },
      () => failures++,
    );
    await expect(run).rejects.toThrow('item 1 failed');
    expect(failures).toBe(1);
    expect(started).toEqual([0, 1, 2]);
  });

  it('runs nothing for no items', async () => {
    let calls = 0;
    await inLanes(0, 4, async () => void calls++);
    expect(calls).toBe(0);
  });
});
