/**
 * Sweeps on a Redis-backed job queue (BullMQ): `bidgym sweep <config> --queue
 * redis://host:port --out DIR` puts every unfinished grid point of the sweep on
 * the queue as one job, `bidgym worker --queue … --queue-key KEY` processes
 * (worker.ts) take them on any number of machines, and this side checks each
 * finished trial's files (queue-result.ts) and writes them into
 * `DIR/trials/<id>/` exactly as a local sweep (sweep/) lays them out: the sweep
 * is started and finished by the local sweep's own steps (`startSweep`,
 * `finishSweep`) and trial folders are published as theirs (`publishTrialDir`).
 *
 * Guarantees:
 * - Same bytes as a local sweep: a worker runs the trial with `runTrial` (the
 *   code a local sweep runs) into a private temporary folder and returns its
 *   data files; they are checked, written here whole, the trial's report is
 *   written here from them, and the folder is renamed to its final name in one step.
 * - Results are checked before a byte is written: size caps, file names, the
 *   summary against its schema and its own statistics, the resolved config
 *   against the sweep's (queue-result.ts); with a queue secret, also a MAC that
 *   only a worker holding the secret can make (queue-auth.ts). A refused result
 *   is dropped and the trial queued again (at most {@link MAX_REFUSALS} times).
 * - Jobs carry data, not paths: the config and the files it names (policy
 *   files, a saved interest model, a log market's logs) travel inside the job,
 *   read once by the sweep, hashed and capped (queue-inputs.ts); a worker
 *   writes them into its own work folder and opens no path a job names.
 * - Isolation: the queue of a sweep is `trials-db<db>-<key>` (key: `--queue-key`,
 *   default the sweep's hash), and a database index Redis refuses is an error,
 *   never a fall-back to database 0.
 * - Versions: jobs carry the bidgym version and a hash of the code (code-hash.ts);
 *   a worker on other code refuses them.
 * - Idempotent: the job id is `<sweepHash>-<grid point>`, so queueing the same
 *   trial twice adds one job, and a trial folder that already exists is never
 *   written again. Trials present in `DIR` are not queued at all (`--resume`).
 * - Nothing lost, poison ends: a worker that dies mid-trial loses its lock and
 *   another runs the trial (at most 2 such stalls); a trial that fails is tried
 *   {@link DEFAULT_ATTEMPTS} times in all, then reported, while the other trials
 *   complete. A trial whose input cannot run, queued for other code, or not
 *   authenticated fails once, and stops the sweep.
 *
 * BullMQ forbids `:` in custom job ids and queue names (Redis's key separator), hence `-`.
 */
import { isIP } from 'node:net';
import { join } from 'node:path';
import { Queue, QueueEvents, type JobsOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { InputError } from '../env/errors.js';
import { writeFileAtomic } from '../env/io/atomic.js';
import { codeHash } from './code-hash.js';
import { canonicalJson } from '../env/canonical-json.js';
import { configHash } from './config.js';
import { queueSecret, readSmallFile, resultAuthentic, sealJob, type QueueSecret } from './queue-auth.js';
import { checkInputCap, DEFAULT_MAX_JOB_INPUT_BYTES, DEFAULT_MAX_SWEEP_INPUT_BYTES, readTrialInputs, type JobInputs, type TrialConfig } from './queue-inputs.js';
import { checkTrialResult, DEFAULT_MAX_RESULT_BYTES, ResultRefused } from './queue-result.js';
import { expandSweep, isAutoBidSweep, isPlainObject, resolveAutoBidPoint, resolvePoint } from './sweep/grid.js';
import { autoBidConfigHash } from './autobid-run.js';
import { finishSweep, startSweep, SweepError, sweepHash, type GridPoint, type SweepTable } from './sweep/index.js';
import { publishTrialDir, tempTrialDir, trialDone, TRIALS } from './sweep/trial.js';
import { BIDGYM_VERSION } from './version.js';

/** Prefix of bidgym's Redis keys (`bidgym:trials-db0-<key>:…`). */
export const QUEUE_PREFIX = 'bidgym';
/** First words of the failure a worker reports when it refuses a trial queued for other code. */
export const VERSION_MISMATCH = 'bidgym version mismatch';
/** First words of the failure a worker reports for a trial whose input cannot run. */
export const CONFIG_FAILURE = 'config error';
/** First words of the failure a worker reports for a job it cannot authenticate. */
export const AUTH_FAILURE = 'not authenticated';
/** Runs of a trial that fails (not for its input), in all. */
export const DEFAULT_ATTEMPTS = 3;
/** Times a trial's result may be refused (forged, damaged) before the sweep gives up on it. */
export const MAX_REFUSALS = 3;
/** Default cap on the size of a result as stored in Redis (its JSON): 64 MiB. */
export const DEFAULT_MAX_STORED_RESULT_BYTES = 64 * 1024 * 1024;
/** Finished results wait this long in Redis for a sweep to collect them (seconds). */
const KEEP_RESULTS_S = 7 * 24 * 3600;

/** Bad queue URL or flag, Redis unreachable or refusing the database, or a worker on other code (exit code 2 in the CLI). */
export class QueueError extends InputError {}

/** TLS files for a `rediss://` queue (PEM). */
export interface TlsFiles {
  /** CA certificate(s) to trust (`--tls-ca`). */
  ca?: string;
  /** Client certificate (`--tls-cert`). */
  cert?: string;
  /** Client key (`--tls-key`). */
  key?: string;
}

/** What a queue URL points at. */
export interface QueueTarget {
  /** `host:port/db` with no credentials, for messages. */
  where: string;
  /** The URL with its password masked (`redis://user:***@host:6379/0`), for printed commands. */
  shown: string;
  /** Database index. */
  db: number;
  /** ioredis connection options (host, port, db, credentials, TLS for `rediss://`). */
  redis: RedisOptions;
  /** The TLS flags as given, to repeat in a printed worker command. */
  tlsFlags: string[];
}

/**
 * Parses `redis://[user:password@]host[:port][/db]` (or `rediss://` for TLS,
 * with optional CA, certificate and key files).
 *
 * @param url the URL as given on the command line
 * @param flag the option it came from, named in errors
 * @param tls PEM files for `rediss://`
 * @throws {QueueError} naming `flag` when the URL is not a Redis URL, or TLS files come with `redis://`
 * @example parseQueueUrl('redis://10.0.0.5:6379/2').where // '10.0.0.5:6379/2'
 */
export function parseQueueUrl(url: unknown, flag = '--queue', tls: TlsFiles = {}): QueueTarget {
  const bad = (why: string) => new QueueError(`${flag}: expected a Redis URL like redis://host:6379 (or redis://:password@host:6379/0) — ${why}`);
  if (typeof url !== 'string' || url.trim() === '') throw bad(`got ${JSON.stringify(url ?? null)}`);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw bad(`got "${maskUrlText(url)}"`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw bad(`got the scheme "${u.protocol.replace(/:$/, '')}" in "${maskUrlText(url)}"`);
  if (u.hostname === '') throw bad(`no host in "${maskUrlText(url)}"`);
  if (u.search !== '' || u.hash !== '') throw bad(`options after ? or # are not supported in "${maskUrlText(url)}"`);
  const path = u.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,6}$/.test(path)) throw bad(`the part after the host must be a database number, got "/${path}"`);
  const port = u.port === '' ? 6379 : Number(u.port);
  const db = path === '' ? 0 : Number(path);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const redis: RedisOptions = { host, port, db };
  if (u.username !== '') redis.username = decodeURIComponent(u.username);
  if (u.password !== '') redis.password = decodeURIComponent(u.password);
  const tlsFlags: string[] = [];
  const given = (Object.entries(tls) as [keyof TlsFiles, string | undefined][]).filter(([, v]) => v !== undefined);
  if (u.protocol === 'rediss:') {
    // SNI names a host, never an address (RFC 6066; Node warns otherwise); the certificate is checked against either.
    const opts: NonNullable<RedisOptions['tls']> = isIP(host) === 0 ? { servername: host } : {};
    for (const [k, file] of given) {
      opts[k] = readSmallFile(file!, `--tls-${k}`);
      tlsFlags.push(`--tls-${k}`, file!);
    }
    redis.tls = opts;
  } else if (given.length > 0) {
    throw new QueueError(`--tls-${given[0]![0]}: TLS files need a rediss:// URL (${flag} is redis://)`);
  }
  const auth = u.username !== '' || u.password !== '' ? `${u.username}${u.password !== '' ? ':***' : ''}@` : '';
  return { where: `${u.hostname}:${port}/${db}`, shown: `${u.protocol}//${auth}${u.host}/${db}`, db, redis, tlsFlags };
}

/** `url` with any password replaced by `***`, for messages about a URL that did not parse. */
function maskUrlText(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
}

/** A queue key: letters, digits, `_` and `-` (it is part of Redis key names). */
export function checkQueueKey(key: unknown, flag = '--queue-key'): string {
  if (typeof key !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(key)) throw new QueueError(`${flag}: expected 1–64 letters, digits, _ or -, got ${JSON.stringify(key ?? null)}`);
  return key;
}

/** Name of the BullMQ queue of database `db` and key `key`: one pool of workers. */
export function queueName(db: number, key: string): string {
  return `trials-db${db}-${checkQueueKey(key)}`;
}

/** The default queue key of a sweep: the first 12 characters of its hash. */
export function defaultQueueKey(rawConfig: unknown): string {
  return sweepHash(rawConfig).slice(0, 12);
}

/**
 * Checks that Redis answers at `target` within `timeoutMs`, that it accepts the
 * URL's database index, and that it is recent enough for BullMQ (≥ 5), without
 * ioredis's endless reconnecting.
 *
 * @throws {QueueError} "cannot reach Redis at host:port/db: …", or "database N cannot be used …"
 */
export async function checkRedis(target: QueueTarget, timeoutMs = 3000): Promise<void> {
  // Connect on database 0, then select the URL's explicitly: ioredis only logs a refused SELECT and carries on in database 0.
  const client = new Redis({ ...target.redis, db: 0, lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
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
    await Promise.race([client.connect(), timeout]);
    try {
      await Promise.race([client.select(target.db), timeout]);
    } catch (e) {
      throw new QueueError(`--queue: database ${target.db} cannot be used at ${target.where.replace(/\/\d+$/, '')}: ${(e as Error).message} — use a database index the server has (redis.conf "databases")`);
    }
    info = await Promise.race([client.info('server'), timeout]);
  } catch (e) {
    if (e instanceof QueueError) throw e;
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
  /** bidgym version of the sweep that queued it. */
  version: string;
  /** Hash of the sweep's code (code-hash.ts); a worker on other code refuses the job. */
  code: string;
  /** Hash of the raw sweep config (sweep/grid.ts `sweepHash`). */
  sweepHash: string;
  /** Grid point index. */
  index: number;
  /** Trial folder name (`03-reservePrice=0.5`). */
  id: string;
  /** The whole sweep config, as read from YAML/JSON. */
  rawConfig: unknown;
  /** The files this trial's config names (policy files, a saved model, a log market's logs): path as named → bytes and sha256 (queue-inputs.ts). */
  inputs: JobInputs;
  /** HMAC of the job (queue-auth.ts), when the sweep has a queue secret. */
  mac?: string;
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

/** A job's return value: the finished trial's data files and who made them. */
export interface TrialPayload {
  version: string;
  /** Code hash of the worker. */
  code: string;
  /** Worker name (`bidgym@<version>+<code>@<host>@<pid>`). */
  worker: string;
  /** Seconds the trial's thread ran on the worker (start to end, packing the folder not included). */
  seconds: number;
  files: TrialFile[];
  /** HMAC of the result (queue-auth.ts), when the worker has a queue secret. */
  mac?: string;
}

/** BullMQ job id of grid point `index` of the sweep with hash `hash` (no `:` allowed). */
export function trialJobId(hash: string, index: number): string {
  return `${hash}-${index}`;
}

/** Options of {@link queueSweep}. */
export interface QueueSweepOptions {
  /** Folder a step-level config's relative datasets and policy files are named from (the CLI passes the config file's; default the working directory). */
  configDir?: string;
  /** `redis://host:port[/db]` of the queue (the `--queue` flag). */
  queue: string;
  /** TLS files for a `rediss://` queue. */
  tls?: TlsFiles;
  /** Queue key shared with the workers (default {@link defaultQueueKey}). */
  queueKey?: string;
  /** Queue secret shared with the workers; default `--queue-secret-file`/BIDGYM_QUEUE_SECRET ({@link queueSecret}), null for none. */
  secret?: QueueSecret;
  /** Sweep folder, laid out as by a local sweep. */
  outDir: string;
  /** Continue a sweep in `outDir`: trials already there are neither queued nor written again. */
  resume?: boolean;
  /** No status lines on stderr. */
  quiet?: boolean;
  /** Called with (finished trials, all trials) at the start and after each trial arrives. */
  onProgress?: (done: number, total: number) => void;
  /** Status lines (queued, no worker connected, a worker on other code, a refused result); default: stderr unless quiet. */
  onStatus?: (message: string) => void;
  /** Write report.html for the sweep and each trial (default true). */
  report?: boolean;
  /** Also write PNG charts with the report. */
  png?: boolean;
  /** Stop waiting (the queued trials keep running on the workers; `--resume` collects them). */
  signal?: AbortSignal;
  /** Runs of a trial that fails for a reason other than its input (default {@link DEFAULT_ATTEMPTS}). Stalls are counted by the workers. */
  attempts?: number;
  /** Cap on the decoded bytes of one trial's result (default 256 MiB). */
  maxResultBytes?: number;
  /** Cap on the bytes of the files one job carries (default {@link DEFAULT_MAX_JOB_INPUT_BYTES}; `--max-job-inputs-mb`). */
  maxJobInputBytes?: number;
  /** Cap on the bytes of the files all the sweep's jobs carry together (default {@link DEFAULT_MAX_SWEEP_INPUT_BYTES}; `--max-sweep-inputs-mb`). */
  maxSweepInputBytes?: number;
  /** Time allowed to reach Redis at the start, ms (default 3000). */
  connectTimeoutMs?: number;
  /** Seconds without an answer from Redis, mid-sweep, before giving up (default 60). */
  lostAfterS?: number;
  /** Version stamped on the jobs (default {@link BIDGYM_VERSION}; for tests). */
  version?: string;
  /** Code hash stamped on the jobs (default {@link codeHash}; for tests). */
  code?: string;
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

/** One line, at most `n` characters: for reasons shown from Redis. */
export function oneLine(s: string, n = 500): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > n ? `${t.slice(0, n)}…` : t;
}

/**
 * Runs a sweep on the Redis queue: queues every grid point that has no trial
 * folder in `outDir` yet, waits for the workers (`bidgym worker --queue …
 * --queue-key …`), checks and writes each arriving trial into
 * `outDir/trials/<id>/`, then writes `sweep.json`, `sweep.csv` and
 * `report.html` as a local sweep does. The files are byte-identical to a local
 * `runSweep` of the same config (meta.json aside: it records the worker's timings).
 *
 * @param rawConfig config object with a `sweep:` block, as read from YAML/JSON
 * @param opts see {@link QueueSweepOptions}
 * @returns the sweep table (as written to sweep.json)
 * @throws {QueueError} bad `--queue` URL or database, Redis unreachable or lost, a worker on other code, or interrupted by `opts.signal`
 * @throws {ConfigError} for a bad config; {@link SweepError} when `outDir` holds another sweep or trials fail
 * @example
 * const table = await queueSweep(readRawConfig('experiments/configs/reserve-sweep.yaml'), { queue: 'redis://10.0.0.5:6379', outDir: 'runs/reserve' });
 */
export async function queueSweep(rawConfig: unknown, opts: QueueSweepOptions): Promise<SweepTable> {
  const target = parseQueueUrl(opts.queue, '--queue', opts.tls);
  const attempts = opts.attempts ?? DEFAULT_ATTEMPTS;
  if (!Number.isInteger(attempts) || attempts < 1) throw new QueueError(`attempts: expected a whole number ≥ 1 — got ${attempts}`);
  const maxResultBytes = opts.maxResultBytes ?? DEFAULT_MAX_RESULT_BYTES;
  if (!Number.isSafeInteger(maxResultBytes) || maxResultBytes < 1) throw new QueueError(`--max-result-mb: expected a positive size — got ${maxResultBytes}`);
  const caps = { perJob: checkInputCap(opts.maxJobInputBytes, DEFAULT_MAX_JOB_INPUT_BYTES, '--max-job-inputs-mb'), total: checkInputCap(opts.maxSweepInputBytes, DEFAULT_MAX_SWEEP_INPUT_BYTES, '--max-sweep-inputs-mb') };
  const key = checkQueueKey(opts.queueKey ?? defaultQueueKey(rawConfig));
  const secret = opts.secret === undefined ? queueSecret(undefined) : opts.secret;
  // The files the trials to queue name are read, checked and capped before the sweep folder is touched.
  const toQueue = expandSweep(rawConfig).filter((p) => !trialDone(join(opts.outDir, TRIALS, p.id)));
  // A step-level sweep (steps > 1): its trials' configs with the folder their datasets and policy files are named from.
  const configDir = opts.configDir ?? process.cwd();
  const configs = new Map<number, TrialConfig>(toQueue.map((p) => [p.index, isAutoBidSweep(rawConfig) ? { autoBid: resolveAutoBidPoint(p), configDir } : resolvePoint(p)]));
  const inputs = readTrialInputs(configs, caps, new Map(toQueue.map((p) => [p.index, p.id])));
  // Redis too: an unreachable one, or one refusing the database, leaves no sweep folder behind.
  if (toQueue.length > 0) await checkRedis(target, opts.connectTimeoutMs ?? 3000);
  const { points, trialsDir, todo } = startSweep(rawConfig, opts.outDir, opts.resume ?? false, opts.onProgress);

  if (todo.length > 0) {
    const run = new QueuedSweep(rawConfig, points.length, todo, configs, inputs, trialsDir, target, key, secret, attempts, maxResultBytes, opts);
    try {
      await run.wait();
    } finally {
      await run.close();
    }
  }

  return finishSweep(rawConfig, opts.outDir, { report: opts.report, png: opts.png });
}

/** What the sweep reads of a job in Redis (raw hash fields, never parsed before their size is checked). */
interface RawJob {
  returnvalue: string | null;
  failedReason: string | null;
  attemptsMade: number;
  processedBy: string | null;
}

/** The Redis side of one {@link queueSweep}: queue the trials, collect them as they finish. */
class QueuedSweep {
  private readonly queue: Queue;
  private readonly events: QueueEvents;
  private readonly name: string;
  private readonly version: string;
  private readonly code: string;
  private readonly hash: string;
  /** Job id → grid point, for trials not yet in the sweep folder. */
  private readonly pending = new Map<string, GridPoint>();
  private readonly checking = new Set<string>();
  private readonly expectedHash = new Map<number, string>();
  private readonly refusals = new Map<number, number>();
  /** Trials that failed after all their attempts: point → reason. */
  private readonly failed = new Map<GridPoint, string>();
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
    private readonly configs: Map<number, TrialConfig>,
    private readonly inputs: Map<number, JobInputs>,
    private readonly trialsDir: string,
    private readonly target: QueueTarget,
    private readonly key: string,
    private readonly secret: QueueSecret,
    private readonly attempts: number,
    private readonly maxResultBytes: number,
    private readonly opts: QueueSweepOptions,
  ) {
    this.version = opts.version ?? BIDGYM_VERSION;
    this.code = opts.code ?? codeHash();
    this.hash = sweepHash(rawConfig);
    this.name = queueName(target.db, key);
    this.status = opts.onStatus ?? (opts.quiet ? () => {} : (m: string) => process.stderr.write(`${m}\n`));
    this.done = total - todo.length;
    for (const p of todo) {
      this.pending.set(trialJobId(this.hash, p.index), p);
      const c = configs.get(p.index)!;
      this.expectedHash.set(p.index, 'autoBid' in c ? autoBidConfigHash(c.autoBid) : configHash(c));
    }
    this.queue = new Queue(this.name, { connection: { ...target.redis }, prefix: QUEUE_PREFIX });
    this.events = new QueueEvents(this.name, { connection: { ...target.redis }, prefix: QUEUE_PREFIX });
    // Connection trouble shows up as failed commands below; these only keep EventEmitter from throwing.
    this.queue.on('error', () => {});
    this.events.on('error', () => {});
  }

  /** The command that starts a worker for this sweep (password masked). */
  private workerCommand(): string {
    return ['bidgym worker --queue', this.target.shown, '--queue-key', this.key, ...this.target.tlsFlags, ...(this.secret ? ['(with the same BIDGYM_QUEUE_SECRET)'] : [])].join(' ');
  }

  /** Queues the trials, then waits until every one is in the sweep folder or has failed. */
  async wait(): Promise<void> {
    const { signal } = this.opts;
    const lostAfterMs = (this.opts.lostAfterS ?? 60) * 1000;
    if (this.secret === null) {
      this.status(`no queue secret (BIDGYM_QUEUE_SECRET or --queue-secret-file): results are checked, but trusted as far as the Redis at ${this.target.where} is — anyone who can write to it can forge a result that passes the checks`);
    }
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
        throw new QueueError(`interrupted: ${this.pending.size} trial(s) stay on the queue at ${this.target.shown} and keep running on the workers; run the same command with --resume to collect them`);
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
    if (this.failed.size > 0) {
      const list = [...this.failed].map(([p, why]) => `${p.id}: ${why}`).join('; ');
      throw new SweepError(`${this.failed.size} sweep trial(s) failed after ${this.attempts} attempt(s) each — ${list}; the ${this.total - this.failed.size} other trial(s) are in ${this.trialsDir} (--resume runs the failed ones again)`);
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
    const jobId = trialJobId(this.hash, p.index);
    const data: TrialJob = { version: this.version, code: this.code, sweepHash: this.hash, index: p.index, id: p.id, rawConfig: this.rawConfig, inputs: this.inputs.get(p.index)! };
    return this.secret ? sealJob(this.secret, jobId, data) : data;
  }

  private jobOptions(p: GridPoint): JobsOptions {
    return { jobId: trialJobId(this.hash, p.index), attempts: this.attempts, removeOnComplete: { age: KEEP_RESULTS_S }, removeOnFail: { age: KEEP_RESULTS_S } };
  }

  private async add(p: GridPoint): Promise<void> {
    await this.queue.add('trial', this.jobData(p), this.jobOptions(p));
  }

  /** Cap on the files one job carries, bytes. */
  private get jobInputCap(): number {
    return this.opts.maxJobInputBytes ?? DEFAULT_MAX_JOB_INPUT_BYTES;
  }

  /** The queue's own ioredis connection (BullMQ types it narrowly). */
  private async redis(): Promise<Redis> {
    return (await this.queue.client) as unknown as Redis;
  }

  /** The hash key of a job. */
  private jobKey(id: string): string {
    return `${QUEUE_PREFIX}:${this.name}:${id}`;
  }

  /** Reads what the sweep needs of a job, refusing a stored result over the size cap before reading it. */
  private async rawJob(id: string): Promise<RawJob | 'too-large' | null> {
    const client = await this.redis();
    const key = this.jobKey(id);
    if ((await client.exists(key)) === 0) return null;
    const cap = Math.min(DEFAULT_MAX_STORED_RESULT_BYTES, Math.ceil(this.maxResultBytes * 1.4) + 1_000_000);
    if ((await client.hstrlen(key, 'returnvalue')) > cap) return 'too-large';
    const [returnvalue, failedReason, atm, pb] = await client.hmget(key, 'returnvalue', 'failedReason', 'atm', 'pb');
    return { returnvalue, failedReason: failedReason === null ? null : failedReason.slice(0, 2000), attemptsMade: Number(atm ?? 0) || 0, processedBy: pb === null ? null : pb.slice(0, 200) };
  }

  /** Data a job holds now, parsed, or undefined when it is not JSON (or not there). */
  private async jobDataOf(id: string): Promise<unknown> {
    const client = await this.redis();
    const key = this.jobKey(id);
    if ((await client.hstrlen(key, 'data')) > 64 * 1024 * 1024 + Math.ceil(this.jobInputCap * 1.4)) return undefined;
    const text = await client.hget(key, 'data');
    try {
      return text === null ? undefined : (JSON.parse(text) as unknown);
    } catch {
      return undefined;
    }
  }

  /**
   * Adds a job per pending trial. A job already there (same sweep, queued before)
   * is kept when it is waiting, running or finished; a failed one, or a waiting
   * one that is not this sweep's own (other code, not authenticated), is replaced.
   */
  private async enqueue(): Promise<void> {
    const fresh: GridPoint[] = [];
    let kept = 0;
    for (const [id, p] of this.pending) {
      const state = await this.queue.getJobState(id);
      if (state !== 'unknown') {
        let stale = state === 'failed';
        if (WAITING_STATES.has(state)) stale = canonical(await this.jobDataOf(id)) !== canonical(this.jobData(p));
        if (!stale) {
          kept++;
          continue;
        }
        // A job that is running cannot be removed (it is locked); it is then kept.
        if (!(await this.queue.remove(id).then((n) => n === 1, () => false))) {
          kept++;
          continue;
        }
      }
      fresh.push(p);
    }
    await this.queue.addBulk(fresh.map((p) => ({ name: 'trial', data: this.jobData(p), opts: this.jobOptions(p) })));
    const already = this.total - this.pending.size;
    this.status(
      `queued ${fresh.length} trial(s) on ${this.target.shown} (queue ${this.name})` +
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
      const job = await this.rawJob(id);
      if (job === null) {
        // Removed behind our back (collected by a sweep of the same config into another folder, or by hand): run it again.
        await this.add(point);
        return;
      }
      if (job === 'too-large') await this.refuse(id, point, 'an unknown worker', `the stored result is over the size cap`);
      else if (state === 'completed') await this.collect(id, job, point);
      else if (state === 'failed') this.failedJob(id, job, point);
    } catch (e) {
      if (e instanceof SweepError) this.failure ??= e;
      else throw e;
    } finally {
      this.checking.delete(id);
    }
  }

  /** Checks a finished job's result and writes its trial folder, then takes the job off Redis. */
  private async collect(id: string, job: RawJob, point: GridPoint): Promise<void> {
    let payload: unknown;
    try {
      payload = JSON.parse(job.returnvalue ?? 'null');
    } catch {
      return this.refuse(id, point, 'an unknown worker', 'the result is not JSON');
    }
    const worker = isPlainObject(payload) && typeof payload.worker === 'string' ? oneLine(payload.worker, 120) : 'an unknown worker';
    if (this.secret && !(isPlainObject(payload) && resultAuthentic(this.secret, id, payload))) {
      return this.refuse(id, point, worker, 'its MAC does not verify with the queue secret (forged, or from a worker without the secret)');
    }
    if (!isPlainObject(payload) || payload.version !== this.version || payload.code !== this.code) {
      return this.refuse(id, point, worker, `it was made by other code (bidgym ${oneLine(String(isPlainObject(payload) ? payload.version : '?'), 40)}, code ${oneLine(String(isPlainObject(payload) ? payload.code : '?'), 40)}; this sweep: ${this.version}, code ${this.code})`);
    }
    let files;
    try {
      files = checkTrialResult(payload, this.configs.get(point.index)!, this.expectedHash.get(point.index)!, this.maxResultBytes);
    } catch (e) {
      if (e instanceof ResultRefused) return this.refuse(id, point, worker, e.message);
      throw e;
    }
    try {
      await this.write(point, files);
    } catch (e) {
      throw new SweepError(`cannot write trial ${point.id} into ${this.trialsDir}: ${(e as Error).message}`);
    }
    await this.queue.remove(id).catch(() => {});
    this.arrived(id);
  }

  /** Writes checked files as the trial folder: whole files in a temporary folder, the report, summary.json last, one rename. */
  private async write(point: GridPoint, files: { rel: string; bytes: Buffer }[]): Promise<void> {
    const dir = join(this.trialsDir, point.id);
    if (trialDone(dir)) return;
    const tmp = tempTrialDir(this.trialsDir, point.id);
    const summary = files.find((f) => f.rel === 'summary.json')!;
    for (const f of files) if (f !== summary) writeFileAtomic(join(tmp, f.rel), f.bytes);
    writeFileAtomic(join(tmp, 'summary.json'), summary.bytes);
    if (this.opts.report !== false && !isAutoBidSweep(this.rawConfig)) {
      // The trial's report, from the data: never HTML from a worker (a step-level trial has none).
      const { writeReport } = await import('./report.js');
      await writeReport(tmp);
    }
    publishTrialDir(tmp, dir);
  }

  /** Drops a result the sweep will not write and queues the trial again, at most {@link MAX_REFUSALS} times. */
  private async refuse(id: string, point: GridPoint, worker: string, why: string): Promise<void> {
    const n = (this.refusals.get(point.index) ?? 0) + 1;
    this.refusals.set(point.index, n);
    if (n > MAX_REFUSALS) {
      throw new SweepError(`trial ${point.id}: ${MAX_REFUSALS + 1} results in a row were refused, the last from ${worker}: ${why}`);
    }
    this.status(`refused the result of trial ${point.id} from ${worker}: ${why} — nothing written; queued again (${n} of ${MAX_REFUSALS})`);
    await this.queue.remove(id).catch(() => {});
    await this.add(point);
  }

  /** A failed job: input, version and authentication failures stop the sweep; others are recorded while the rest go on. */
  private failedJob(id: string, job: RawJob, point: GridPoint): void {
    const reason = oneLine(job.failedReason ?? 'no reason given');
    const who = job.processedBy ? ` on worker ${oneLine(job.processedBy, 120)}` : '';
    if (reason.startsWith(VERSION_MISMATCH) || reason.startsWith(AUTH_FAILURE)) {
      this.failure ??= new QueueError(`trial ${point.id} was refused${who}: ${reason}`);
      return;
    }
    if (reason.startsWith(CONFIG_FAILURE)) {
      this.failure ??= new SweepError(`sweep trial ${point.id} failed${who}: ${reason}`);
      return;
    }
    const hint = /stalled/i.test(reason) ? ' (the workers running it died or froze mid-trial each time: out of memory?)' : '';
    this.failed.set(point, `${reason}${hint} (${job.attemptsMade} attempt(s)${who})`);
    this.status(`sweep trial ${point.id} failed${who} after ${job.attemptsMade} attempt(s): ${reason}${hint}`);
    if (this.pending.delete(id)) this.opts.onProgress?.(this.done, this.total);
  }

  private arrived(id: string): void {
    if (!this.pending.delete(id)) return;
    this.done++;
    this.opts.onProgress?.(this.done, this.total);
  }

  /** After a failure: takes this sweep's trials that no worker has started off the queue. */
  private async unqueueWaiting(): Promise<void> {
    for (const id of this.pending.keys()) {
      try {
        if (WAITING_STATES.has(await this.queue.getJobState(id))) await this.queue.remove(id);
      } catch {
        // Best effort: a job a worker just took finishes and waits in Redis for --resume.
      }
    }
  }

  /** Status lines about the connected workers: none at all, or some on other code. */
  private async watchWorkers(elapsedMs: number): Promise<void> {
    const workers = await this.queue.getWorkers();
    if (workers.length === 0) {
      this.noWorkerSince ??= elapsedMs;
      if (!this.saidNoWorker && elapsedMs - this.noWorkerSince >= 5000) {
        this.status(`no bidgym worker is connected to ${this.target.shown} for queue ${this.name} yet — start some with: ${this.workerCommand()}`);
        this.saidNoWorker = true;
      }
      return;
    }
    this.noWorkerSince = null;
    this.saidNoWorker = false;
    const mine = `${this.version}+${this.code.slice(0, 8)}`;
    for (const w of workers) {
      const name = String(w.rawname ?? '').split(':w:')[1] ?? '';
      const v = name.split('@')[1];
      if (v !== undefined && v !== mine && !this.warnedWorkers.has(name)) {
        this.warnedWorkers.add(name);
        this.status(`worker ${oneLine(name, 120)} runs bidgym ${oneLine(v, 60)}, this sweep bidgym ${mine}: it refuses these trials, which stops the sweep — run the workers on the sweep's code`);
      }
    }
  }
}

/** Canonical JSON of a value (for comparing job data), or a marker for undefined. */
function canonical(v: unknown): string {
  return v === undefined ? '<none>' : canonicalJson(v);
}
