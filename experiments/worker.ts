/**
 * `bidgym worker --queue redis://host:port --queue-key KEY [--concurrency N]`:
 * takes sweep trials off the Redis queue of one sweep (or of every sweep run
 * with the same `--queue-key`; queue.ts), runs each in a fresh worker thread
 * (threads.ts, as a local sweep does; so N trials use N cores, and the event
 * loop stays free to renew the job's lock), and returns the finished trial's
 * data files as the job's result.
 *
 * A job is data from whoever can write to the Redis, so before running it the
 * worker checks it:
 * - Data that is not JSON, or not a trial job, fails at once (never retried).
 * - With a queue secret (`BIDGYM_QUEUE_SECRET` / `--queue-secret-file`), a job
 *   without a valid MAC fails at once; results then carry a MAC.
 * - A job queued for other code (version or code hash) fails at once.
 * - A trial whose sizes no machine can hold (preflight.ts `checkSizes`, as a
 *   local sweep checks them) fails at once.
 * - The worker opens no path a job names: the files a trial's config names
 *   (policy files, a saved interest model, a log market's logs) come inside
 *   the job; the worker checks their sha256 and size (`maxJobInputBytes`),
 *   writes them into the trial's private folder and runs the trial on those
 *   copies (queue-inputs.ts, env/io/sent-inputs.ts). A trial naming a file that
 *   was not sent fails at once.
 * - A trial's thread may use at most `trialMemoryMb` of heap: past it, the
 *   thread dies (not the worker) and the attempt fails; after its attempts the
 *   job is failed and the sweep says why.
 * - What goes back through Redis on failure is a one-line message, never file
 *   contents (nothing a job names is read) and never a stack trace of the trial.
 *
 * A trial runs in a private temporary folder under `workDir`; nothing is
 * published by the worker itself, so a worker killed at any moment leaves no
 * half result anywhere: its lock expires, BullMQ's stalled check (run by the
 * other workers) puts the job back, and another worker runs it from the start
 * (at most `maxStalledCount` times). Stopping (`signal`, i.e. Ctrl-C / SIGTERM
 * in the CLI) finishes the running trials, then returns.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { makeDirs } from '../env/io/atomic.js';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker as Thread } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { z } from 'zod';
import { isInputError } from '../env/errors.js';
import { codeHash } from './code-hash.js';
import {
  AUTH_FAILURE,
  checkQueueKey,
  checkRedis,
  CONFIG_FAILURE,
  DEFAULT_ATTEMPTS,
  oneLine,
  parseQueueUrl,
  QUEUE_PREFIX,
  QueueError,
  queueName,
  VERSION_MISMATCH,
  type TlsFiles,
  type TrialFile,
  type TrialJob,
  type TrialPayload,
} from './queue.js';
import { jobAuthentic, queueSecret, sealResult, type QueueSecret } from './queue-auth.js';
import { DEFAULT_MAX_JOB_INPUT_BYTES, jobInputBytes, materialiseInputs, missingInputs, SAFE_FILE_NAME } from './queue-inputs.js';
import { checkSizes } from './preflight.js';
import { queuedTrialTask } from './queued-trial.js';
import { expandSweep, isAutoBidSweep, resolveAutoBidPoint, resolvePoint } from './sweep/grid.js';
import type { TrialConfig } from './queue-inputs.js';
import { runInThread } from './threads.js';
import { BIDGYM_VERSION } from './version.js';

/** Options of {@link runWorker}. */
export interface RunWorkerOptions {
  /** `redis://host:port[/db]` of the queue (the `--queue` flag). */
  queue: string;
  /** The sweep's queue key (`--queue-key`, printed by the sweep). */
  queueKey: string;
  /** TLS files for a `rediss://` queue. */
  tls?: TlsFiles;
  /** Queue secret shared with the sweep; default `BIDGYM_QUEUE_SECRET` ({@link queueSecret}), null for none. */
  secret?: QueueSecret;
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
  /** Times a trial may lose its worker and be retried before it fails (default 2: three runs in all). */
  maxStalledCount?: number;
  /** Heap a trial's thread may use, MiB (default 4096). */
  trialMemoryMb?: number;
  /** Cap on the bytes of the files a job carries (default {@link DEFAULT_MAX_JOB_INPUT_BYTES}; `--max-job-inputs-mb`). */
  maxJobInputBytes?: number;
  /** Folder for the trials' temporary folders (default `<os tmpdir>/bidgym-worker`). */
  workDir?: string;
  /** Time allowed to reach Redis at the start, ms (default 3000). */
  connectTimeoutMs?: number;
  /** This worker's bidgym version (default {@link BIDGYM_VERSION}; for tests). */
  version?: string;
  /** This worker's code hash (default {@link codeHash}; for tests). */
  code?: string;
}

/** Stands for the data of a job that is not JSON (see {@link TrialWorker}). */
const UNPARSEABLE = '__bidgym_unparseable_job__';

/**
 * A BullMQ worker that survives job data that is not JSON: BullMQ parses the
 * data before the processor runs, and a parse error there leaves the job
 * `active` for good. Here such a job reaches the processor as a marker, and
 * fails at once.
 */
class TrialWorker extends Worker<TrialJob, TrialPayload> {
  protected override createJob(data: Parameters<Worker['createJob']>[0], jobId: string): Job<TrialJob, TrialPayload> {
    const raw = data as unknown as Record<string, string>;
    const fields: Record<string, string> = { ...raw };
    let bad = false;
    for (const f of ['data', 'opts', 'progress']) {
      if (raw[f] === undefined) continue;
      try {
        JSON.parse(raw[f]);
      } catch {
        bad = true;
        fields[f] = f === 'data' ? JSON.stringify({ [UNPARSEABLE]: true }) : f === 'opts' ? '{}' : '0';
      }
    }
    if (bad && fields.data === raw.data) fields.data = JSON.stringify({ [UNPARSEABLE]: true });
    return super.createJob(fields as unknown as Parameters<Worker['createJob']>[0], jobId) as Job<TrialJob, TrialPayload>;
  }
}

const jobSchema = z
  .object({
    version: z.string().max(100),
    code: z.string().max(100),
    sweepHash: z.string().max(100),
    index: z.number().int().min(0),
    id: z.string().max(300),
    rawConfig: z.unknown(),
    inputs: z.record(
      z.string().max(4096),
      z
        .object({
          kind: z.enum(['policy', 'model', 'file']),
          files: z
            .array(z.object({ name: z.string().regex(SAFE_FILE_NAME), sha256: z.string().regex(/^[0-9a-f]{64}$/), base64: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/) }).strict())
            .min(1)
            .max(8),
        })
        .strict(),
    ),
    mac: z.string().max(200).optional(),
  })
  .strict();

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

function positiveInt(name: string, v: number | undefined, fallback: number): number {
  const x = v ?? fallback;
  if (!Number.isInteger(x) || x < 1) throw new QueueError(`${name}: expected a whole number ≥ 1 — got ${v}`);
  return x;
}

/** Fails a job once, never retried, with a one-line reason. */
const fail = (reason: string) => new UnrecoverableError(oneLine(reason));

/**
 * Runs a queue worker until `opts.signal` aborts: takes trials from the queue at
 * `opts.queue` with key `opts.queueKey`, `concurrency` at a time, and returns
 * their data files.
 *
 * @param opts see {@link RunWorkerOptions}
 * @throws {QueueError} for a bad `--queue` URL or database, key, `--concurrency` or secret, or when Redis cannot be reached at the start
 * @example
 * const stop = new AbortController();
 * process.once('SIGTERM', () => stop.abort());
 * await runWorker({ queue: 'redis://10.0.0.5:6379', queueKey: '47bffe29049b', concurrency: 4, signal: stop.signal });
 */
export async function runWorker(opts: RunWorkerOptions): Promise<void> {
  const target = parseQueueUrl(opts.queue, '--queue', opts.tls);
  const key = checkQueueKey(opts.queueKey);
  const concurrency = positiveInt('--concurrency', opts.concurrency, 1);
  const lockDuration = positiveInt('lockDurationMs', opts.lockDurationMs, 30_000);
  const stalledInterval = positiveInt('stalledIntervalMs', opts.stalledIntervalMs, 30_000);
  const maxStalledCount = positiveInt('maxStalledCount', opts.maxStalledCount, 2);
  const trialMemoryMb = positiveInt('--trial-memory-mb', opts.trialMemoryMb, 4096);
  const maxJobInputBytes = positiveInt('--max-job-inputs-mb', opts.maxJobInputBytes, DEFAULT_MAX_JOB_INPUT_BYTES);
  const secret = opts.secret === undefined ? queueSecret(undefined) : opts.secret;
  const version = opts.version ?? BIDGYM_VERSION;
  const code = opts.code ?? codeHash();
  const log = opts.log ?? (opts.quiet ? () => {} : (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`));
  const workDir = opts.workDir ?? join(tmpdir(), 'bidgym-worker');
  await checkRedis(target, opts.connectTimeoutMs ?? 3000);
  try {
    makeDirs(workDir);
  } catch (e) {
    throw new QueueError(`--work-dir ${workDir.length > 120 ? `…${workDir.slice(-119)}` : workDir}: cannot create the folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  removeDeadWorkersFolders(workDir);

  // The name is on the Redis connection (CLIENT LIST) and on every job it runs: the sweep reads the version from it.
  const name = `bidgym@${version}+${code.slice(0, 8)}@${hostname()}@${process.pid}`.replace(/[^A-Za-z0-9._@+-]/g, '-');
  const running = new Set<Thread>();

  /** The checked job data, or throws the reason to fail it once. */
  const checked = (job: Job): TrialJob => {
    const raw = job.data as unknown;
    if (raw !== null && typeof raw === 'object' && UNPARSEABLE in raw) throw fail(`${CONFIG_FAILURE}: job ${job.id}: its data is not JSON`);
    const parsed = jobSchema.safeParse(raw);
    if (!parsed.success) throw fail(`${CONFIG_FAILURE}: job ${job.id} is not a bidgym trial (${parsed.error.issues[0]!.path.join('.') || 'data'}: ${parsed.error.issues[0]!.message})`);
    const d = parsed.data as TrialJob;
    if (secret) {
      if (!jobAuthentic(secret, job.id!, d)) throw fail(`${AUTH_FAILURE}: job ${job.id} carries no valid MAC for this worker's queue secret — it was not queued by a sweep holding the secret`);
    } else if (d.mac !== undefined) {
      throw fail(`${AUTH_FAILURE}: job ${job.id} is authenticated, but worker ${name} has no queue secret — start it with the sweep's BIDGYM_QUEUE_SECRET`);
    }
    if (d.version !== version || d.code !== code) {
      throw fail(`${VERSION_MISMATCH}: trial ${d.id} was queued by bidgym ${d.version} (code ${d.code}), worker ${name} runs bidgym ${version} (code ${code}) — run the workers on the sweep's code`);
    }
    return d;
  };

  const processor = async (job: Job<TrialJob, TrialPayload>): Promise<TrialPayload> => {
    // The attempts a job's options allow are data anyone with Redis access can change: the worker bounds them itself.
    if (job.attemptsMade >= DEFAULT_ATTEMPTS) throw fail(`job ${job.id} has already failed ${job.attemptsMade} times; a trial is tried at most ${DEFAULT_ATTEMPTS} times`);
    const d = checked(job);
    let reason: string | null;
    let cfg: TrialConfig;
    try {
      const point = expandSweep(d.rawConfig).find((p) => p.index === d.index);
      if (!point) throw fail(`${CONFIG_FAILURE}: job ${job.id}: grid point ${d.index} is not in its sweep`);
      if (isAutoBidSweep(d.rawConfig)) {
        // A step-level trial: its datasets and policy files come with the job (the folder is never read: strict sent inputs).
        cfg = { autoBid: resolveAutoBidPoint(point), configDir: workDir };
      } else {
        const c = resolvePoint(point);
        // Sizes a machine cannot hold (memory, time) fail once, before a thread allocates anything (preflight.ts, as a local sweep checks them).
        checkSizes(c);
        cfg = c;
      }
      const bytes = jobInputBytes(d.inputs);
      reason = bytes > maxJobInputBytes ? `job ${job.id} carries ${bytes} bytes of files, over this worker's --max-job-inputs-mb cap of ${maxJobInputBytes} bytes` : missingInputs(cfg, d.inputs);
    } catch (e) {
      if (e instanceof UnrecoverableError) throw e;
      if (isInputError(e)) throw fail(`${CONFIG_FAILURE}: ${(e as Error).message}`);
      throw e;
    }
    if (reason !== null) throw fail(`${CONFIG_FAILURE}: ${reason}`);
    const tmp = mkdtempSync(join(workDir, `${process.pid}-`));
    const t0 = process.hrtime.bigint();
    try {
      // The job's files, hash-checked, as copies in this trial's own folder: the trial reads those, never a path the job names.
      const local = materialiseInputs(cfg, d.inputs, join(tmp, 'inputs'));
      if (typeof local === 'string') throw fail(`${CONFIG_FAILURE}: job ${job.id}: ${local}`);
      let dir: string;
      try {
        const input = { rawConfig: d.rawConfig, index: d.index, outDir: join(tmp, 'run'), inputs: local };
        dir = (await runInThread(queuedTrialTask, input, { label: `trial ${d.id}`, running, resourceLimits: { maxOldGenerationSizeMb: trialMemoryMb } })).dir;
      } catch (e) {
        // A config that cannot run fails the same way on every worker: fail once.
        if (isInputError(e)) throw fail(`${CONFIG_FAILURE}: ${(e as Error).message}`);
        const thrown = e as Error & { code?: string };
        const why = thrown.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `out of memory: the trial needed more than --trial-memory-mb ${trialMemoryMb}` : `${thrown.name}: ${thrown.message}`;
        const err = new Error(oneLine(why));
        err.stack = err.message; // no stack of the trial goes back through Redis
        throw err;
      }
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      // Data files only: the sweep writes the report.
      const files = packFolder(dir).filter((f) => !/\.(html|svg|png)$/.test(f.path));
      const payload: TrialPayload = { version, code, worker: name, seconds, files };
      return secret ? sealResult(secret, job.id!, payload) : payload;
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  };

  const worker = new TrialWorker(queueName(target.db, key), processor, {
    connection: { ...target.redis, maxRetriesPerRequest: null },
    prefix: QUEUE_PREFIX,
    name,
    concurrency,
    lockDuration,
    stalledInterval,
    maxStalledCount,
    autorun: false,
  });
  logEvents(worker, name, log);

  // run() settles when the worker is closed, or early on a fatal error: either ends runWorker.
  const finished = worker.run().then(
    () => null,
    (e: Error) => e,
  );
  await worker.waitUntilReady();
  log(`worker ${name} ready on ${target.shown}, queue ${queueName(target.db, key)}, ${concurrency} trial(s) at a time${secret ? ', jobs and results authenticated' : ''}`);
  if ((await Promise.race([finished, stopped(opts.signal)])) === 'stop') {
    log(`worker ${name} stopping${running.size > 0 ? `: finishing ${running.size} running trial(s)` : ''}`);
    await worker.close();
  }
  const error = await finished;
  if (error !== null) throw new QueueError(`worker ${name} stopped: ${error.message}`);
}

/** How log lines name a job: `trial <id> (job <job id>)`, or `job <job id>` when its data has no id. */
function jobLabel(job: Job): string {
  const id = (job.data as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? `trial ${oneLine(id, 100)} (job ${job.id})` : `job ${job.id}`;
}

/** Resolves with 'stop' once `signal` aborts (never without a signal). */
function stopped(signal: AbortSignal | undefined): Promise<'stop'> {
  return new Promise<'stop'>((resolve) => {
    if (signal?.aborted) resolve('stop');
    signal?.addEventListener('abort', () => resolve('stop'), { once: true });
  });
}

/** Log lines for what the worker does: trials started, done, failed or stalled, and connection trouble (once per message). */
function logEvents(worker: Worker<TrialJob, TrialPayload>, name: string, log: (line: string) => void): void {
  let lastError = '';
  worker.on('error', (e) => {
    // Connection trouble repeats while Redis is away; say it once per distinct message.
    if (e.message !== lastError) log(`worker ${name}: ${oneLine(e.message)}`);
    lastError = e.message;
  });
  worker.on('ready', () => (lastError = ''));
  worker.on('active', (job) => log(`${jobLabel(job)} started`));
  worker.on('completed', (job, result) => log(`${jobLabel(job)} done in ${result.seconds.toFixed(2)} s`));
  worker.on('failed', (job, err) => log(`${job ? jobLabel(job) : 'a job'} failed: ${oneLine(err.message)}`));
  worker.on('stalled', (jobId) => log(`job ${jobId} lost its worker mid-trial: back on the queue`));
}
