/**
 * Sweeps on a Redis-backed job queue (BullMQ): `bidgym sweep <config> --queue
 * redis://host:port --out DIR` puts every unfinished grid point of the sweep on
 * the queue as one job, `bidgym worker --queue …` processes (worker.ts) take them
 * on any number of machines, and this side collects each finished trial's files
 * into `DIR/trials/<id>/` exactly as a local sweep (sweep/) lays them out: the
 * sweep is started and finished by the local sweep's own steps (`startSweep`,
 * `finishSweep`) and trial folders are published as theirs (`publishTrialDir`).
 *
 * Guarantees:
 * - Same bytes as a local sweep: a worker runs the trial with `runTrial` (the
 *   code a local sweep runs) into a private temporary folder and returns every
 *   file of the trial folder; they are written here whole, summary.json last, in
 *   a `.tmp-*` folder renamed to its final name in one step.
 * - Idempotent: the job id is `<sweepHash>-<grid point>` (the sweep hash covers
 *   the whole config, replications included), so queueing the same trial twice
 *   adds one job, and a trial folder that already exists is never written again.
 *   Trials present in `DIR` are not queued at all (`--resume`).
 * - Nothing lost: a worker that dies mid-trial loses its lock; BullMQ's stalled
 *   check moves the job back to the queue and another worker runs it from the
 *   start. A finished result waits in Redis (7 days) until a sweep collects it,
 *   so a sweep process that was stopped picks results up again with `--resume`.
 * - Fails fast: a trial that fails for a config reason, or is refused by a worker
 *   on another bidgym version, fails once (BullMQ `UnrecoverableError`); the
 *   sweep stops with that error and takes its still-waiting trials off the queue.
 *
 * BullMQ forbids `:` in custom job ids (it is Redis's key separator), hence `-`.
 */
import { createHash } from 'node:crypto';
import { join, normalize, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Job, Queue, QueueEvents, type JobsOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { InputError } from '../env/errors.js';
import { TEMP_PREFIX, writeFileAtomic } from '../env/io/atomic.js';
import { configHash, resolveConfig } from './config.js';
import { isPlainObject } from './sweep/grid.js';
import { finishSweep, startSweep, SweepError, sweepHash, type GridPoint, type SweepTable } from './sweep/index.js';
import { publishTrialDir, tempTrialDir, trialDone } from './sweep/trial.js';
import { BIDGYM_VERSION } from './version.js';

/** Name of the BullMQ queue every bidgym sweep and worker uses (one Redis database = one pool of workers). */
export const QUEUE_NAME = 'trials';
/** Prefix of bidgym's Redis keys (`bidgym:trials:…`). */
export const QUEUE_PREFIX = 'bidgym';
/** First words of the failure a worker reports when it refuses a trial queued by another bidgym version. */
export const VERSION_MISMATCH = 'bidgym version mismatch';
/** First words of the failure a worker reports for a trial whose config cannot run. */
export const CONFIG_FAILURE = 'config error';
/** Finished results wait this long in Redis for a sweep to collect them (seconds). */
const KEEP_RESULTS_S = 7 * 24 * 3600;

/** Bad queue URL, Redis unreachable, or a worker on another bidgym version (exit code 2 in the CLI). */
export class QueueError extends InputError {}

/** What a queue URL points at. */
export interface QueueTarget {
  /** `host:port/db` with no password, for messages. */
  where: string;
  /** ioredis connection options (host, port, db, credentials, TLS for `rediss://`). */
  redis: RedisOptions;
}

/**
 * Parses `redis://[user:password@]host[:port][/db]` (or `rediss://` for TLS).
 *
 * @param url the URL as given on the command line
 * @param flag the option it came from, named in errors
 * @throws {QueueError} naming `flag` when the URL is not a Redis URL
 * @example parseQueueUrl('redis://10.0.0.5:6379/2').where // '10.0.0.5:6379/2'
 */
export function parseQueueUrl(url: unknown, flag = '--queue'): QueueTarget {
  const bad = (why: string) => new QueueError(`${flag}: expected a Redis URL like redis://host:6379 (or redis://:password@host:6379/0) — ${why}`);
  if (typeof url !== 'string' || url.trim() === '') throw bad(`got ${JSON.stringify(url ?? null)}`);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw bad(`got "${url}"`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw bad(`got the scheme "${u.protocol.replace(/:$/, '')}" in "${url}"`);
  if (u.hostname === '') throw bad(`no host in "${url}"`);
  if (u.search !== '' || u.hash !== '') throw bad(`options after ? or # are not supported in "${url}"`);
  const path = u.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d+$/.test(path)) throw bad(`the part after the host must be a database number, got "/${path}"`);
  const port = u.port === '' ? 6379 : Number(u.port);
  const db = path === '' ? 0 : Number(path);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const redis: RedisOptions = { host, port, db };
  if (u.username !== '') redis.username = decodeURIComponent(u.username);
  if (u.password !== '') redis.password = decodeURIComponent(u.password);
  if (u.protocol === 'rediss:') redis.tls = { servername: host };
  return { where: `${u.hostname}:${port}/${db}`, redis };
}

/**
 * Checks that Redis answers at `target` within `timeoutMs` and is recent enough
 * for BullMQ (≥ 5), without ioredis's endless reconnecting.
 *
 * @throws {QueueError} "cannot reach Redis at host:port/db: …"
 */
export async function checkRedis(target: QueueTarget, timeoutMs = 3000): Promise<void> {
  const client = new Redis({ ...target.redis, lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  let lastError: Error | null = null;
  client.on('error', (e: Error) => {
    lastError = e;
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  let info: string;
  try {
    info = await Promise.race([
      (async () => {
        await client.connect();
        return client.info('server');
      })(),
      timeout,
    ]);
  } catch (e) {
    const why = (lastError ?? (e as Error)).message || String(e);
    throw new QueueError(`cannot reach Redis at ${target.where}: ${why} — is redis-server running there, and is the URL right?`);
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
  const version = /redis_version:(\d+)/.exec(info)?.[1];
  if (version !== undefined && Number(version) < 5) {
    throw new QueueError(`Redis at ${target.where} is version ${version}; the queue (BullMQ) needs Redis 5 or later`);
  }
}

/** Data of one trial job. */
export interface TrialJob {
  /** bidgym version of the sweep that queued it; a worker on another version refuses the job. */
  version: string;
  /** Hash of the raw sweep config (sweep/grid.ts `sweepHash`). */
  sweepHash: string;
  /** Grid point index. */
  index: number;
  /** Trial folder name (`03-reservePrice=0.5`). */
  id: string;
  /** The whole sweep config, as read from YAML/JSON. */
  rawConfig: unknown;
  /** Write the trial's own report.html (and charts) into its folder, as a local sweep does unless `report: false`. */
  report: boolean;
}

/** One file of a finished trial folder, as carried through Redis. */
export interface TrialFile {
  /** Path inside the trial folder, `/`-separated (`policies/a.json`). */
  path: string;
  /** gzip of the bytes, base64. */
  gzip: string;
  /** sha256 of the bytes (hex), checked on arrival. */
  sha256: string;
}

/** A job's return value: the finished trial folder and who made it. */
export interface TrialPayload {
  version: string;
  /** Worker name (`bidgym@<version>@<host>@<pid>`). */
  worker: string;
  /** Seconds the trial's thread ran on the worker (start to end, packing the folder not included). */
  seconds: number;
  files: TrialFile[];
}

/** BullMQ job id of grid point `index` of the sweep with hash `hash` (no `:` allowed). */
export function trialJobId(hash: string, index: number): string {
  return `${hash}-${index}`;
}

/** Options of {@link queueSweep}. */
export interface QueueSweepOptions {
  /** `redis://host:port[/db]` of the queue (the `--queue` flag). */
  queue: string;
  /** Sweep folder, laid out as by a local sweep. */
  outDir: string;
  /** Continue a sweep in `outDir`: trials already there are neither queued nor written again. */
  resume?: boolean;
  /** No status lines on stderr. */
  quiet?: boolean;
  /** Called with (finished trials, all trials) at the start and after each trial arrives. */
  onProgress?: (done: number, total: number) => void;
  /** Status lines (queued, no worker connected, a worker on another version); default: stderr unless quiet. */
  onStatus?: (message: string) => void;
  /** Write report.html at the end (default true). */
  report?: boolean;
  /** Also write PNG charts with the report. */
  png?: boolean;
  /** Stop waiting (the queued trials keep running on the workers; `--resume` collects them). */
  signal?: AbortSignal;
  /** Runs of a trial that fails for a reason other than its config (default 2). Stalls are counted by the workers. */
  attempts?: number;
  /** Time allowed to reach Redis at the start, ms (default 3000). */
  connectTimeoutMs?: number;
  /** Seconds without an answer from Redis, mid-sweep, before giving up (default 60). */
  lostAfterS?: number;
  /** Version stamped on the jobs (default {@link BIDGYM_VERSION}; for tests). */
  version?: string;
}

/**
 * Checks a payload and writes it as `trialsDir/<point.id>/` (whole files in a
 * temporary folder, summary.json last, then one rename). Returns false when the
 * trial folder already existed (a duplicate delivery): nothing is written then.
 */
function publishTrial(trialsDir: string, point: GridPoint, payload: TrialPayload, expectedHash: string): boolean {
  const dir = join(trialsDir, point.id);
  if (trialDone(dir)) return false;
  const files = payload.files.map((f) => {
    const rel = normalize(f.path);
    if (rel.startsWith('..') || rel.startsWith(sep) || rel === '.' || rel.split(sep).some((s) => s.startsWith(TEMP_PREFIX))) {
      throw new SweepError(`trial ${point.id} from ${payload.worker}: refused file path "${f.path}"`);
    }
    const bytes = gunzipSync(Buffer.from(f.gzip, 'base64'));
    if (createHash('sha256').update(bytes).digest('hex') !== f.sha256) throw new SweepError(`trial ${point.id} from ${payload.worker}: ${f.path} arrived damaged (sha256 differs)`);
    return { rel, bytes };
  });
  const summary = files.find((f) => f.rel === 'summary.json');
  if (!summary) throw new SweepError(`trial ${point.id} from ${payload.worker}: no summary.json in the result`);
  const got = (JSON.parse(summary.bytes.toString('utf8')) as { configHash?: unknown }).configHash;
  if (got !== expectedHash) {
    throw new SweepError(`trial ${point.id} from ${payload.worker}: its config hash is ${String(got)}, this sweep's is ${expectedHash} — the worker resolves configs differently (other code?)`);
  }
  const tmp = tempTrialDir(trialsDir, point.id);
  for (const f of files) if (f !== summary) writeFileAtomic(join(tmp, f.rel), f.bytes);
  writeFileAtomic(join(tmp, 'summary.json'), summary.bytes);
  return publishTrialDir(tmp, dir);
}

/** `p`, or 'timeout' when it takes longer than `ms`; the timer is cleared, so it never keeps the process alive. */
async function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** Job states in which a job is still waiting for a worker (safe to remove). */
const WAITING_STATES = new Set(['waiting', 'delayed', 'prioritized', 'waiting-children']);

/**
 * Runs a sweep on the Redis queue: queues every grid point that has no trial
 * folder in `outDir` yet, waits for the workers (`bidgym worker --queue …`),
 * writes each arriving trial into `outDir/trials/<id>/`, then writes
 * `sweep.json`, `sweep.csv` and `report.html` as a local sweep does. The files
 * are byte-identical to a local `runSweep` of the same config (meta.json aside:
 * it records the worker's timings).
 *
 * @param rawConfig config object with a `sweep:` block, as read from YAML/JSON
 * @param opts see {@link QueueSweepOptions}
 * @returns the sweep table (as written to sweep.json)
 * @throws {QueueError} bad `--queue` URL, Redis unreachable or lost, a worker on another bidgym version, or interrupted by `opts.signal`
 * @throws {ConfigError} for a bad config; {@link SweepError} when `outDir` holds another sweep or a trial fails
 * @example
 * const table = await queueSweep(readRawConfig('experiments/configs/reserve-sweep.yaml'), { queue: 'redis://10.0.0.5:6379', outDir: 'runs/reserve' });
 */
export async function queueSweep(rawConfig: unknown, opts: QueueSweepOptions): Promise<SweepTable> {
  const target = parseQueueUrl(opts.queue);
  const attempts = opts.attempts ?? 2;
  if (!Number.isInteger(attempts) || attempts < 1) throw new QueueError(`attempts: expected a whole number ≥ 1 — got ${attempts}`);
  const { points, trialsDir, todo } = startSweep(rawConfig, opts.outDir, opts.resume ?? false, opts.onProgress);

  if (todo.length > 0) {
    await checkRedis(target, opts.connectTimeoutMs ?? 3000);
    const run = new QueuedSweep(rawConfig, points.length, todo, trialsDir, target, attempts, opts);
    try {
      await run.wait();
    } finally {
      await run.close();
    }
  }

  return finishSweep(rawConfig, opts.outDir, { report: opts.report, png: opts.png });
}

/** The Redis side of one {@link queueSweep}: queue the trials, collect them as they finish. */
class QueuedSweep {
  private readonly queue: Queue<TrialJob, TrialPayload>;
  private readonly events: QueueEvents;
  private readonly version: string;
  private readonly hash: string;
  /** Job id → grid point, for trials not yet in the sweep folder. */
  private readonly pending = new Map<string, GridPoint>();
  private readonly checking = new Set<string>();
  private readonly expectedHash = new Map<number, string>();
  private readonly status: (m: string) => void;
  private done: number;
  private failure: Error | null = null;
  private noWorkerSince: number | null = null;
  private saidNoWorker = false;
  private watching = false;
  private readonly warnedWorkers = new Set<string>();

  constructor(
    private readonly rawConfig: unknown,
    private readonly total: number,
    todo: GridPoint[],
    private readonly trialsDir: string,
    private readonly target: QueueTarget,
    private readonly attempts: number,
    private readonly opts: QueueSweepOptions,
  ) {
    this.version = opts.version ?? BIDGYM_VERSION;
    this.hash = sweepHash(rawConfig);
    this.status = opts.onStatus ?? (opts.quiet ? () => {} : (m: string) => process.stderr.write(`${m}\n`));
    this.done = total - todo.length;
    for (const p of todo) {
      this.pending.set(trialJobId(this.hash, p.index), p);
      this.expectedHash.set(p.index, configHash(resolveConfig(p.config)));
    }
    this.queue = new Queue(QUEUE_NAME, { connection: { ...target.redis }, prefix: QUEUE_PREFIX });
    this.events = new QueueEvents(QUEUE_NAME, { connection: { ...target.redis }, prefix: QUEUE_PREFIX });
    // Connection trouble shows up as failed commands below; these only keep EventEmitter from throwing.
    this.queue.on('error', () => {});
    this.events.on('error', () => {});
  }

  /** Queues the trials, then waits until every one is in the sweep folder. */
  async wait(): Promise<void> {
    const { signal } = this.opts;
    const lostAfterMs = (this.opts.lostAfterS ?? 60) * 1000;
    // Subscribe before queueing, so no completion falls between the two; the first full check sees the rest.
    await this.events.waitUntilReady();
    const onEvent = ({ jobId }: { jobId: string }) => {
      if (this.pending.has(jobId)) this.check(jobId).catch(() => {}); // a Redis hiccup: the next full check retries
    };
    this.events.on('completed', onEvent);
    this.events.on('failed', onEvent);
    await this.enqueue();

    const started = Date.now();
    let lastFull = -Infinity;
    let lastWorkers = -Infinity;
    while (this.pending.size > 0 && this.failure === null) {
      if (signal?.aborted) {
        throw new QueueError(`interrupted: ${this.pending.size} trial(s) stay on the queue at redis://${this.target.where} and keep running on the workers; run the same command with --resume to collect them`);
      }
      const now = Date.now();
      // A full check is the safety net under the events (a dropped event connection, a job removed by hand).
      if (now - lastFull >= Math.max(2000, this.pending.size * 10)) {
        lastFull = now;
        const full = Promise.all([...this.pending.keys()].map((id) => this.check(id))).then(() => 'ok' as const);
        const outcome = await within(full, lostAfterMs).catch((e: Error) => e);
        if (outcome !== 'ok') {
          const why = outcome === 'timeout' ? `no answer for ${lostAfterMs / 1000} s` : outcome.message;
          throw new QueueError(`lost Redis at ${this.target.where}: ${why}; the queued trials are kept there — run the same command with --resume once Redis is back`);
        }
      }
      if (now - lastWorkers >= 5000) {
        lastWorkers = now;
        // Not awaited: a Redis that stopped answering must not stop the loop (the full check reports it).
        if (!this.watching) {
          this.watching = true;
          this.watchWorkers(now - started)
            .catch(() => {})
            .finally(() => (this.watching = false));
        }
      }
      if (this.pending.size > 0 && this.failure === null) await sleep(200, signal);
    }
    if (this.failure !== null) {
      await this.unqueueWaiting();
      throw this.failure;
    }
  }

  /** Closes the Redis connections. */
  async close(): Promise<void> {
    // A graceful close waits for Redis; when Redis is gone, drop the connections instead.
    const closed = Promise.allSettled([this.events.close(), this.queue.close()]);
    if ((await within(closed, 2000)) === 'timeout') {
      // Not awaited: with Redis gone, these promises may never settle.
      this.events.disconnect().catch(() => {});
      this.queue.disconnect().catch(() => {});
    }
  }

  private jobData(p: GridPoint): TrialJob {
    return { version: this.version, sweepHash: this.hash, index: p.index, id: p.id, rawConfig: this.rawConfig, report: this.opts.report !== false };
  }

  private jobOptions(p: GridPoint): JobsOptions {
    return { jobId: trialJobId(this.hash, p.index), attempts: this.attempts, removeOnComplete: { age: KEEP_RESULTS_S }, removeOnFail: { age: KEEP_RESULTS_S } };
  }

  /**
   * Adds a job per pending trial. A job already there (same sweep, queued before)
   * is kept when it is waiting, running or finished by this version; a failed
   * one, or one from another bidgym version, is replaced.
   */
  private async enqueue(): Promise<void> {
    const fresh: GridPoint[] = [];
    let kept = 0;
    for (const [id, p] of this.pending) {
      const job = await Job.fromId<TrialJob, TrialPayload>(this.queue, id);
      if (job) {
        const state = await job.getState();
        const stale =
          state === 'failed' ||
          (state === 'completed' && !(isPlainObject(job.returnvalue) && job.returnvalue.version === this.version)) ||
          (WAITING_STATES.has(state) && (job.data?.version !== this.version || job.data?.report !== this.jobData(p).report));
        if (!stale) {
          kept++;
          continue;
        }
        // A job that is running cannot be removed (it is locked); it is then kept.
        if (!(await job.remove().then(() => true, () => false))) {
          kept++;
          continue;
        }
      }
      fresh.push(p);
    }
    await this.queue.addBulk(fresh.map((p) => ({ name: 'trial', data: this.jobData(p), opts: this.jobOptions(p) })));
    const already = this.total - this.pending.size;
    this.status(
      `queued ${fresh.length} trial(s) on redis://${this.target.where}` +
        (kept > 0 ? `; ${kept} were already queued or finished there` : '') +
        (already > 0 ? `; ${already} already in ${this.opts.outDir}` : ''),
    );
  }

  /** Looks at one pending trial's job; collects it when finished, records a failure. */
  private async check(id: string): Promise<void> {
    const point = this.pending.get(id);
    if (point === undefined || this.checking.has(id)) return;
    this.checking.add(id);
    try {
      if (trialDone(join(this.trialsDir, point.id))) {
        // Written meanwhile by another sweep process on the same folder.
        this.arrived(id);
        return;
      }
      // State first, then the job: a job read first may finish in between and look finished without its result.
      const state = await this.queue.getJobState(id);
      if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return;
      const job = await Job.fromId<TrialJob, TrialPayload>(this.queue, id);
      if (!job) {
        // Removed behind our back (collected by a sweep of the same config into another folder, or by hand): run it again.
        await this.queue.add('trial', this.jobData(point), this.jobOptions(point));
        return;
      }
      if (state === 'completed') await this.collect(job, point);
      else if (state === 'failed') this.failure ??= this.failureOf(job, point);
    } catch (e) {
      if (e instanceof SweepError) this.failure ??= e;
      else throw e;
    } finally {
      this.checking.delete(id);
    }
  }

  /** Writes a finished job's trial folder and takes the job off Redis. */
  private async collect(job: Job<TrialJob, TrialPayload>, point: GridPoint): Promise<void> {
    const payload = job.returnvalue;
    if (!isPlainObject(payload) || payload.version !== this.version || !Array.isArray(payload.files)) {
      // A result left by a sweep on another version (same config): run the trial again.
      await job.remove();
      await this.queue.add('trial', this.jobData(point), this.jobOptions(point));
      return;
    }
    try {
      publishTrial(this.trialsDir, point, payload, this.expectedHash.get(point.index)!);
    } catch (e) {
      if (!(e instanceof SweepError)) throw new SweepError(`cannot write trial ${point.id} into ${this.trialsDir}: ${(e as Error).message}`);
      // A result this sweep refuses is dropped, so that a rerun computes the trial again.
      await job.remove().catch(() => {});
      throw e;
    }
    await job.remove().catch(() => {});
    this.arrived(job.id!);
  }

  private arrived(id: string): void {
    if (!this.pending.delete(id)) return;
    this.done++;
    this.opts.onProgress?.(this.done, this.total);
  }

  private failureOf(job: Job<TrialJob, TrialPayload>, point: GridPoint): Error {
    const reason = (job.failedReason ?? 'no reason given').trim();
    const who = job.processedBy ? ` on worker ${job.processedBy}` : '';
    if (reason.startsWith(VERSION_MISMATCH)) return new QueueError(`trial ${point.id} was refused${who}: ${reason}`);
    const hint = /stalled/i.test(reason) ? ' (the workers running it died or froze mid-trial each time: out of memory?)' : '';
    return new SweepError(`sweep trial ${point.id} failed${who} after ${job.attemptsMade} attempt(s): ${reason}${hint}`);
  }

  /** After a failure: takes this sweep's trials that no worker has started off the queue. */
  private async unqueueWaiting(): Promise<void> {
    for (const id of this.pending.keys()) {
      try {
        const job = await Job.fromId(this.queue, id);
        if (job && WAITING_STATES.has(await job.getState())) await job.remove();
      } catch {
        // Best effort: a job a worker just took finishes and waits in Redis for --resume.
      }
    }
  }

  /** Status lines about the connected workers: none at all, or some on another bidgym version. */
  private async watchWorkers(elapsedMs: number): Promise<void> {
    const workers = await this.queue.getWorkers();
    if (workers.length === 0) {
      this.noWorkerSince ??= elapsedMs;
      if (!this.saidNoWorker && elapsedMs - this.noWorkerSince >= 5000) {
        this.status(`no bidgym worker is connected to redis://${this.target.where} yet — start some with: bidgym worker --queue redis://${this.target.where}`);
        this.saidNoWorker = true;
      }
      return;
    }
    this.noWorkerSince = null;
    this.saidNoWorker = false;
    for (const w of workers) {
      const name = String(w.rawname ?? '').split(':w:')[1] ?? '';
      const v = name.split('@')[1];
      if (v !== undefined && v !== this.version && !this.warnedWorkers.has(name)) {
        this.warnedWorkers.add(name);
        this.status(`worker ${name} runs bidgym ${v}, this sweep bidgym ${this.version}: it refuses these trials, which stops the sweep — run the workers on bidgym ${this.version}`);
      }
    }
  }
}
