/**
 * `bidgym worker --queue redis://host:port [--concurrency N]`: takes sweep trials
 * off the Redis queue (queue.ts), runs each with the sweep's `runTrial` in a fresh
 * worker thread (threads.ts, as a local sweep does; so N trials use N cores, and
 * the event loop stays free to renew the job's lock), and returns the finished
 * trial folder as the job's result.
 *
 * - A trial runs in a private temporary folder under `workDir`; nothing is
 *   published by the worker itself, so a worker killed at any moment leaves no
 *   half result anywhere: its lock expires, BullMQ's stalled check (run by the
 *   other workers) puts the job back, and another worker runs it from the start.
 * - A trial whose input cannot run (any InputError: config, sweep, …) and a trial queued
 *   by another bidgym version fail once (`UnrecoverableError`), never retried.
 * - Stopping (`signal`, i.e. Ctrl-C / SIGTERM in the CLI) finishes the running
 *   trials, then returns.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker as Thread } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { isInputError } from '../env/errors.js';
import { checkRedis, CONFIG_FAILURE, parseQueueUrl, QUEUE_NAME, QUEUE_PREFIX, QueueError, VERSION_MISMATCH, type TrialFile, type TrialJob, type TrialPayload } from './queue.js';
import { trialTask } from './sweep/trial.js';
import { runInThread } from './threads.js';
import { BIDGYM_VERSION } from './version.js';

/** Options of {@link runWorker}. */
export interface RunWorkerOptions {
  /** `redis://host:port[/db]` of the queue (the `--queue` flag). */
  queue: string;
  /** Trials run at once, each in its own thread (default 1; one per core is the sensible most). */
  concurrency?: number;
  /** No log lines. */
  quiet?: boolean;
  /** Where log lines go (default: stderr with a timestamp, unless quiet). */
  log?: (line: string) => void;
  /** Stops the worker: running trials finish, then {@link runWorker} resolves. Without it the worker runs until the process ends. */
  signal?: AbortSignal;
  /** A trial's lock lasts this long without renewal, ms (default 30000): a dead worker's trial is retried after at most this plus `stalledIntervalMs`. */
  lockDurationMs?: number;
  /** How often the workers look for trials whose worker died, ms (default 30000). */
  stalledIntervalMs?: number;
  /** Times a trial may lose its worker and be retried before it fails (default 2). */
  maxStalledCount?: number;
  /** Folder for the trials' temporary folders (default `<os tmpdir>/bidgym-worker`). */
  workDir?: string;
  /** Time allowed to reach Redis at the start, ms (default 3000). */
  connectTimeoutMs?: number;
  /** This worker's bidgym version (default {@link BIDGYM_VERSION}; for tests). */
  version?: string;
}

/** Every file under `dir`, `/`-separated paths relative to it, sorted; gzip + sha256 of each. */
function packFolder(dir: string): TrialFile[] {
  const out: TrialFile[] = [];
  const walk = (d: string, prefix: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p, `${prefix}${name}/`);
      else {
        const bytes = readFileSync(p);
        out.push({ path: `${prefix}${name}`, gzip: gzipSync(bytes).toString('base64'), sha256: createHash('sha256').update(bytes).digest('hex') });
      }
    }
  };
  walk(dir, '');
  return out;
}

/** True when a process with this id runs on this machine. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes temporary trial folders left in `workDir` by workers on this machine that were killed. */
function removeDeadWorkersFolders(workDir: string): void {
  for (const name of readdirSync(workDir)) {
    const pid = Number(/^(\d+)-/.exec(name)?.[1]);
    if (Number.isInteger(pid) && pid !== process.pid && !alive(pid)) rmSync(join(workDir, name), { recursive: true, force: true });
  }
}

function isTrialJob(d: unknown): d is TrialJob {
  if (typeof d !== 'object' || d === null) return false;
  const j = d as Record<string, unknown>;
  return typeof j.version === 'string' && typeof j.id === 'string' && typeof j.sweepHash === 'string' && Number.isInteger(j.index) && j.rawConfig !== undefined && typeof j.report === 'boolean';
}

function positiveInt(name: string, v: number | undefined, fallback: number): number {
  const x = v ?? fallback;
  if (!Number.isInteger(x) || x < 1) throw new QueueError(`${name}: expected a whole number ≥ 1 — got ${v}`);
  return x;
}

/**
 * Runs a queue worker until `opts.signal` aborts: takes trials from the queue at
 * `opts.queue`, `concurrency` at a time, and returns their trial folders.
 *
 * @param opts see {@link RunWorkerOptions}
 * @throws {QueueError} for a bad `--queue` URL or `--concurrency`, or when Redis cannot be reached at the start
 * @example
 * const stop = new AbortController();
 * process.once('SIGTERM', () => stop.abort());
 * await runWorker({ queue: 'redis://10.0.0.5:6379', concurrency: 4, signal: stop.signal });
 */
export async function runWorker(opts: RunWorkerOptions): Promise<void> {
  const target = parseQueueUrl(opts.queue);
  const concurrency = positiveInt('--concurrency', opts.concurrency, 1);
  const lockDuration = positiveInt('lockDurationMs', opts.lockDurationMs, 30_000);
  const stalledInterval = positiveInt('stalledIntervalMs', opts.stalledIntervalMs, 30_000);
  const maxStalledCount = positiveInt('maxStalledCount', opts.maxStalledCount, 2);
  const version = opts.version ?? BIDGYM_VERSION;
  const log = opts.log ?? (opts.quiet ? () => {} : (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`));
  const workDir = opts.workDir ?? join(tmpdir(), 'bidgym-worker');
  mkdirSync(workDir, { recursive: true });
  removeDeadWorkersFolders(workDir);
  await checkRedis(target, opts.connectTimeoutMs ?? 3000);

  // The name is on the Redis connection (CLIENT LIST) and on every job it runs: the sweep reads the version from it.
  const name = `bidgym@${version}@${hostname()}@${process.pid}`.replace(/[^A-Za-z0-9._@+-]/g, '-');
  const running = new Set<Thread>();
  const label = (job: Job<TrialJob>) => (isTrialJob(job.data) ? `trial ${job.data.id} (job ${job.id})` : `job ${job.id}`);

  const processor = async (job: Job<TrialJob, TrialPayload>): Promise<TrialPayload> => {
    const d = job.data;
    if (!isTrialJob(d)) throw new UnrecoverableError(`${CONFIG_FAILURE}: job ${job.id} is not a bidgym trial (its data lacks version, id, index, rawConfig or report)`);
    if (d.version !== version) {
      throw new UnrecoverableError(`${VERSION_MISMATCH}: trial ${d.id} was queued by bidgym ${d.version}, worker ${name} runs bidgym ${version} — run the workers on the sweep's bidgym version`);
    }
    const tmp = mkdtempSync(join(workDir, `${process.pid}-`));
    const t0 = process.hrtime.bigint();
    try {
      let dir: string;
      try {
        const input = { rawConfig: d.rawConfig, index: d.index, outDir: tmp, report: d.report, replicationWorkers: 1 };
        dir = (await runInThread(trialTask, input, { label: `trial ${d.id}`, running })).dir;
      } catch (e) {
        // A config that cannot run fails the same way on every worker: fail once.
        if (isInputError(e)) throw new UnrecoverableError(`${CONFIG_FAILURE}: ${e.message}`);
        const thrown = e as Error;
        const err = new Error(`${thrown.name}: ${thrown.message}`);
        if (thrown.stack) err.stack = thrown.stack;
        throw err;
      }
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      return { version, worker: name, seconds, files: packFolder(dir) };
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  };

  const worker = new Worker<TrialJob, TrialPayload>(QUEUE_NAME, processor, {
    connection: { ...target.redis, maxRetriesPerRequest: null },
    prefix: QUEUE_PREFIX,
    name,
    concurrency,
    lockDuration,
    stalledInterval,
    maxStalledCount,
    autorun: false,
  });
  let lastError = '';
  worker.on('error', (e) => {
    // Connection trouble repeats while Redis is away; say it once per distinct message.
    if (e.message !== lastError) log(`worker ${name}: ${e.message}`);
    lastError = e.message;
  });
  worker.on('ready', () => (lastError = ''));
  worker.on('active', (job) => log(`${label(job)} started`));
  worker.on('completed', (job, result) => log(`${label(job)} done in ${result.seconds.toFixed(2)} s`));
  worker.on('failed', (job, err) => log(`${job ? label(job) : 'a job'} failed: ${err.message}`));
  worker.on('stalled', (jobId) => log(`job ${jobId} lost its worker mid-trial: back on the queue`));

  // run() settles when the worker is closed, or early on a fatal error: either ends runWorker.
  const finished = worker.run().then(
    () => null,
    (e: Error) => e,
  );
  await worker.waitUntilReady();
  log(`worker ${name} ready on redis://${target.where}, ${concurrency} trial(s) at a time`);
  const stop = new Promise<'stop'>((resolve) => {
    if (opts.signal?.aborted) resolve('stop');
    opts.signal?.addEventListener('abort', () => resolve('stop'), { once: true });
  });
  const first = await Promise.race([finished, stop]);
  if (first === 'stop') {
    log(`worker ${name} stopping${running.size > 0 ? `: finishing ${running.size} running trial(s)` : ''}`);
    await worker.close();
  }
  const error = await finished;
  if (error !== null) throw new QueueError(`worker ${name} stopped: ${error.message}`);
}
