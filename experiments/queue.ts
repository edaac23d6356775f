/**
 * Sweeps on a Redis-backed job queue (BullMQ): `bidgym sweep <config> --queue
 * redis://host:port --out DIR` puts every unfinished grid point of the sweep on
 * the queue as one job, `bidgym worker --queue …` processes (worker.ts) take them
 * on any number of machines, and this side collects each finished trial's files
 * into `DIR/trials/<id>/` exactly as a local sweep (sweep.ts) lays them out, then
 * writes `sweep.json`, `sweep.csv` and the report with sweep.ts's own functions.
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
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Job, Queue, QueueEvents, type JobsOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { canonicalJson, configHash, resolveConfig } from './config.js';
import { fsyncDir, removeStaleTemps, TEMP_PREFIX, writeFileAtomic, writeJsonAtomic } from './fsutil.js';
import { buildSweepTable, expandSweep, sweepCsv, SweepError, sweepHash, type GridPoint, type SweepTable } from './sweep.js';

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
export class QueueError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'QueueError';
  }
}

/** bidgym's version (package.json `version`); jobs carry it and workers refuse another one. */
export function bidgymVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  if (typeof pkg.version !== 'string') throw new Error('package.json has no version');
  return pkg.version;
}

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
  /** Hash of the raw sweep config (sweep.ts `sweepHash`). */
  sweepHash: string;
  /** Grid point index. */
  index: number;
  /** Trial folder name (`03-reservePrice=0.5`). */
  id: string;
  /** The whole sweep config, as read from YAML/JSON. */
  rawConfig: unknown;
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
  /** Seconds the trial ran on the worker. */
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
  /** Version stamped on the jobs (default {@link bidgymVersion}; for tests). */
  version?: string;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One sweep per folder (the rules of a local sweep): returns the trials folder, ready. */
function prepareSweepDir(rawConfig: unknown, outDir: string, resume: boolean): string {
  const trialsDir = join(outDir, 'trials');
  const configFile = join(outDir, 'sweep-config.json');
  if (existsSync(configFile)) {
    if (!resume) throw new SweepError(`${outDir} already holds a sweep: pass --resume to continue it, or choose another --out`);
    const before = JSON.parse(readFileSync(configFile, 'utf8')) as unknown;
    if (canonicalJson(before) !== canonicalJson(rawConfig)) {
      throw new SweepError(`--resume: ${outDir} was started with a different config (see its sweep-config.json); choose another --out`);
    }
  } else if (existsSync(trialsDir) && readdirSync(trialsDir).some((n) => !n.startsWith(TEMP_PREFIX))) {
    throw new SweepError(`${outDir} holds trials but no sweep-config.json: choose another --out`);
  } else {
    writeJsonAtomic(configFile, rawConfig);
  }
  mkdirSync(trialsDir, { recursive: true });
  removeStaleTemps(trialsDir);
  return trialsDir;
}

function trialDone(dir: string): boolean {
  return existsSync(join(dir, 'summary.json'));
}

let publishCounter = 0;

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
  const tmp = join(trialsDir, `${TEMP_PREFIX}${point.id}-q${process.pid}-${publishCounter++}`);
  rmSync(tmp, { recursive: true, force: true });
  for (const f of files) if (f !== summary) writeFileAtomic(join(tmp, f.rel), f.bytes);
  writeFileAtomic(join(tmp, 'summary.json'), summary.bytes);
  try {
    renameSync(tmp, dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
    rmSync(tmp, { recursive: true, force: true });
    if (trialDone(dir)) return false;
    throw new SweepError(`trial folder ${dir} exists but is unfinished: remove it and rerun`);
  }
  fsyncDir(trialsDir);
  return true;
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

