import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRedis, parseQueueUrl, QUEUE_NAME, QUEUE_PREFIX, QueueError, queueSweep, trialJobId, type TrialJob } from '../../experiments/queue.js';
import { BIDGYM_VERSION } from '../../experiments/version.js';
import { runSweep, sweepHash } from '../../experiments/sweep/index.js';
import { runWorker } from '../../experiments/worker.js';
import { base as sweepBase, expectSameSweep, sweepConfig as sweepFixture } from './sweep/fixtures.js';

const REPO = resolve(import.meta.dirname, '../..');
const root = mkdtempSync(join(tmpdir(), 'bidgym-queue-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const HAS_REDIS = spawnSync('redis-server', ['--version']).status === 0;
if (!HAS_REDIS) console.warn('queue.test.ts: redis-server is not installed, so the Redis integration tests are skipped (apt-get install redis-server; .ci/run installs it)');

/** The tiny market of the sweep tests (each trial is a second or two), under its own name. */
const base = { ...sweepBase, name: 'queue-test' };
const sweepConfig = { ...base, sweep: sweepFixture.sweep, sweepBaseline: 0 };

/** A loopback port nobody listens on (just released by the OS). */
function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

async function until(cond: () => boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('queue URL and reachability', () => {
  it('accepts redis:// and rediss:// URLs with credentials and a database number', () => {
    expect(parseQueueUrl('redis://10.0.0.5:6380/2')).toEqual({ where: '10.0.0.5:6380/2', redis: { host: '10.0.0.5', port: 6380, db: 2 } });
    const t = parseQueueUrl('rediss://user:p%40ss@redis.lab');
    expect(t.where).toBe('redis.lab:6379/0');
    expect(t.redis).toMatchObject({ host: 'redis.lab', port: 6379, db: 0, username: 'user', password: 'p@ss', tls: { servername: 'redis.lab' } });
  });

  it('names the flag for a URL that is not a Redis URL', () => {
    for (const [url, why] of [
      ['http://localhost:6379', /--queue: expected a Redis URL .* got the scheme "http"/],
      ['localhost:6379', /--queue: expected a Redis URL .* got the scheme "localhost"/],
      ['', /--queue: expected a Redis URL .* got ""/],
      ['redis://host:6379/queue', /database number, got "\/queue"/],
      ['redis://host:6379?db=1', /options after \? or #/],
      ['not a url', /--queue: expected a Redis URL/],
    ] as const) {
      let err: unknown;
      try {
        parseQueueUrl(url);
      } catch (e) {
        err = e;
      }
      expect(err, url).toBeInstanceOf(QueueError);
      expect((err as QueueError).message, url).toMatch(why);
      expect((err as QueueError).exitCode).toBe(2);
    }
  });

  it('says Redis cannot be reached, for the sweep and for a worker, instead of retrying forever', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const sweepErr = await rejection(queueSweep(sweepConfig, { queue: url, outDir: join(root, 'down'), quiet: true, connectTimeoutMs: 1000 }));
    expect(sweepErr).toBeInstanceOf(QueueError);
    expect(sweepErr.message).toMatch(new RegExp(`cannot reach Redis at 127.0.0.1:${port}/0: .*ECONNREFUSED`));
    const workerErr = await rejection(runWorker({ queue: url, quiet: true, connectTimeoutMs: 1000, workDir: join(root, 'wd') }));
    expect(workerErr).toBeInstanceOf(QueueError);
    expect(workerErr.message).toMatch(/cannot reach Redis at/);
    await expect(runWorker({ queue: url, concurrency: 0, quiet: true })).rejects.toThrow(/--concurrency: expected a whole number ≥ 1 — got 0/);
    await expect(runWorker({ queue: 'http://x', quiet: true })).rejects.toThrow(/--queue: expected a Redis URL/);
  });
});

/** Processes the Redis tests start (redis-servers, worker processes), stopped after them. */
const children: ChildProcess[] = [];

/** Starts a throw-away redis-server on a free loopback port (no persistence); resolves once it answers. */
async function startRedis(): Promise<{ server: ChildProcess; port: number }> {
  const p = await freePort();
  const server = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
  children.push(server);
  const target = parseQueueUrl(`redis://127.0.0.1:${p}`);
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await checkRedis(target, 500);
      return { server, port: p };
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Starts `bidgym worker` in its own process (short lock and stall check so a killed worker's trial returns in ~3 s). */
function startWorkerProcess(url: string): { child: ChildProcess; log: () => string } {
  const child = spawn(
    process.execPath,
    [join(REPO, 'bin', 'bidgym.mjs'), 'worker', '--queue', url, '--lock-duration', '2000', '--stalled-interval', '1000', '--work-dir', join(root, 'workdir')],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  return { child, log: () => out };
}

/** Kills the worker processes and stray servers started so far, then stops `redis` gracefully. */
async function stopChildren(redis: ChildProcess | undefined): Promise<void> {
  for (const c of children) if (c !== redis && c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  if (redis && redis.exitCode === null) {
    const exited = new Promise((r) => redis.once('exit', r));
    redis.kill('SIGTERM');
    await exited;
  }
}

describe.skipIf(!HAS_REDIS)('queued sweep against a real redis-server', () => {
  let redis: ChildProcess;
  let port: number;
  const local = join(root, 'local');

  beforeAll(async () => {
    ({ server: redis, port } = await startRedis());
    // The reference: the same sweep run locally.
    await runSweep(sweepConfig, { outDir: local, workers: 2, quiet: true });
  });

  afterAll(() => stopChildren(redis));

  it('equals the local sweep byte for byte with two worker processes, one killed with SIGKILL mid-trial', async () => {
    const url = `redis://127.0.0.1:${port}/1`;
    const a = startWorkerProcess(url);
    const b = startWorkerProcess(url);
    await until(() => a.log().includes(' ready on ') && b.log().includes(' ready on '), 'two workers');

    const out = join(root, 'queued');
    const statuses: string[] = [];
    const sweep = queueSweep(sweepConfig, { queue: url, outDir: out, onStatus: (m) => statuses.push(m) });
    // Kill worker A as soon as it has started a trial.
    await until(() => /trial (\S+) \(job \S+\) started/.test(a.log()), 'worker A to start a trial');
    const killedTrial = /trial (\S+) \(job \S+\) started/.exec(a.log())![1]!;
    const exited = new Promise((r) => a.child.once('exit', (_c, signal) => r(signal)));
    a.child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(a.log()).not.toMatch(/ done in /);

    const table = await sweep;
    expect(statuses[0]).toBe(`queued 3 trial(s) on redis://127.0.0.1:${port}/1`);
    expect(table.points).toHaveLength(3);
    // The killed trial went back on the queue and worker B ran it.
    expect(b.log()).toContain(`trial ${killedTrial} (job `);
    expect(b.log().match(/ done in /g)).toHaveLength(3);
    expectSameSweep(local, out);
    // Collected jobs are gone from Redis; no temporary folder is left in the sweep.
    const queue = new Queue(QUEUE_NAME, { connection: parseQueueUrl(url).redis, prefix: QUEUE_PREFIX });
    const counts = await queue.getJobCounts();
    await queue.close();
    expect(Object.values(counts).reduce((s, n) => s + n, 0)).toBe(0);
    expect(readdirSync(join(out, 'trials')).filter((n) => n.startsWith('.tmp-'))).toEqual([]);

    const stopped = new Promise((r) => b.child.once('exit', (code) => r(code)));
    b.child.kill('SIGTERM');
    expect(await stopped).toBe(0);
  });

  it('resumes: only trials missing from the folder are queued, a duplicate job is one job, and a finished sweep queues nothing', async () => {
    const url = `redis://127.0.0.1:${port}/2`;
    const dir = join(root, 'resumed');
    cpSync(local, dir, { recursive: true });
    rmSync(join(dir, 'trials', '2-reservePrice=0.05'), { recursive: true });
    rmSync(join(dir, 'sweep.json'));

    // The same trial queued twice (a repeated `bidgym sweep`) is one job.
    const hash = sweepHash(sweepConfig);
    const queue = new Queue<TrialJob>(QUEUE_NAME, { connection: parseQueueUrl(url).redis, prefix: QUEUE_PREFIX });
    const data: TrialJob = { version: BIDGYM_VERSION, sweepHash: hash, index: 2, id: '2-reservePrice=0.05', rawConfig: sweepConfig, report: true };
    await queue.add('trial', data, { jobId: trialJobId(hash, 2) });
    await queue.add('trial', data, { jobId: trialJobId(hash, 2) });
    expect((await queue.getJobCounts('waiting')).waiting).toBe(1);

    const lines: string[] = [];
    const stop = new AbortController();
    const worker = runWorker({ queue: url, signal: stop.signal, log: (l) => lines.push(l), workDir: join(root, 'workdir') });
    try {
      const statuses: string[] = [];
      await queueSweep(sweepConfig, { queue: url, outDir: dir, resume: true, onStatus: (m) => statuses.push(m) });
      expect(statuses[0]).toBe(`queued 0 trial(s) on redis://127.0.0.1:${port}/2; 1 were already queued or finished there; 2 already in ${dir}`);
      expect(lines.filter((l) => l.endsWith(' started'))).toEqual([`trial 2-reservePrice=0.05 (job ${trialJobId(hash, 2)}) started`]);
      expectSameSweep(local, dir);

      const before = statSync(join(dir, 'trials', '2-reservePrice=0.05', 'summary.json')).mtimeMs;
      await queueSweep(sweepConfig, { queue: url, outDir: dir, resume: true, onStatus: (m) => statuses.push(m) });
      expect(statuses).toHaveLength(1);
      expect(statSync(join(dir, 'trials', '2-reservePrice=0.05', 'summary.json')).mtimeMs).toBe(before);
      expect(lines.filter((l) => l.endsWith(' started'))).toHaveLength(1);
    } finally {
      stop.abort();
      await worker;
      await queue.close();
    }
  });
});

describe.skipIf(!HAS_REDIS)('queued sweep failures against a real redis-server', () => {
  let redis: ChildProcess;
  let port: number;

  beforeAll(async () => {
    ({ server: redis, port } = await startRedis());
  });

  afterAll(() => stopChildren(redis));

  it('fails a trial whose config cannot run once, not again and again', async () => {
    const url = `redis://127.0.0.1:${port}/3`;
    const queue = new Queue<TrialJob>(QUEUE_NAME, { connection: parseQueueUrl(url).redis, prefix: QUEUE_PREFIX });
    const bad = { ...sweepConfig, bidders: [{ ...base.bidders[0], agent: { kind: 'q-learnin' } }] };
    const job = await queue.add('trial', { version: BIDGYM_VERSION, sweepHash: 'bad', index: 0, id: '0-x', rawConfig: bad, report: false }, { jobId: 'bad-0', attempts: 3 });
    const stop = new AbortController();
    const lines: string[] = [];
    const worker = runWorker({ queue: url, signal: stop.signal, log: (l) => lines.push(l), workDir: join(root, 'workdir') });
    try {
      await until(() => lines.some((l) => l.includes(' failed: ')), 'the trial to fail', 30_000);
      expect(await job.getState()).toBe('failed');
      const failed = (await queue.getJob('bad-0'))!;
      expect(failed.attemptsMade).toBe(1);
      expect(failed.failedReason).toMatch(/^config error: bidders\[0\]\.agent\.kind: .*q-learnin/);
    } finally {
      stop.abort();
      await worker;
      await queue.close();
    }
  });

  it('stops the sweep with a clear error when a worker runs another bidgym version, and takes its waiting trials off the queue', async () => {
    const url = `redis://127.0.0.1:${port}/4`;
    const stop = new AbortController();
    const lines: string[] = [];
    const worker = runWorker({ queue: url, signal: stop.signal, log: (l) => lines.push(l), version: '9.9.9', workDir: join(root, 'workdir') });
    try {
      await until(() => lines.some((l) => l.includes(' ready on ')), 'the worker');
      const err = await rejection(queueSweep(sweepConfig, { queue: url, outDir: join(root, 'mismatch'), quiet: true }));
      expect(err).toBeInstanceOf(QueueError);
      expect(err.message).toMatch(new RegExp(`^trial \\S+ was refused on worker bidgym@9\\.9\\.9@\\S+: bidgym version mismatch: trial \\S+ was queued by bidgym ${BIDGYM_VERSION.replace(/\./g, '\\.')}, worker \\S+ runs bidgym 9\\.9\\.9`));
      // Refused at once, never retried (the sweep queues 2 attempts per trial), and nothing left waiting.
      const queue = new Queue(QUEUE_NAME, { connection: parseQueueUrl(url).redis, prefix: QUEUE_PREFIX });
      const failed = await queue.getFailed();
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed');
      await queue.close();
      expect(failed.length).toBeGreaterThanOrEqual(1);
      for (const j of failed) {
        expect(j.attemptsMade).toBe(1);
        expect(j.failedReason).toMatch(/^bidgym version mismatch/);
      }
      expect(counts).toMatchObject({ waiting: 0, active: 0, delayed: 0 });
      expect(lines.filter((l) => l.includes(' done in '))).toEqual([]);
    } finally {
      stop.abort();
      await worker;
    }
  });

  it('says so when Redis goes away mid-sweep, instead of waiting forever', async () => {
    const gone = await startRedis();
    const url = `redis://127.0.0.1:${gone.port}`;
    const statuses: string[] = [];
    const sweep = rejection(queueSweep(sweepConfig, { queue: url, outDir: join(root, 'lost'), lostAfterS: 1, onStatus: (m) => statuses.push(m) }));
    await until(() => statuses.length > 0, 'the trials to be queued');
    gone.server.kill('SIGKILL');
    const err = await sweep;
    expect(err).toBeInstanceOf(QueueError);
    expect(err.message).toMatch(new RegExp(`^lost Redis at 127.0.0.1:${gone.port}/0: .*run the same command with --resume once Redis is back`));
  });

  it('stops waiting when interrupted, leaving the trials queued for --resume', async () => {
    const url = `redis://127.0.0.1:${port}/5`;
    const stop = new AbortController();
    const statuses: string[] = [];
    const sweep = rejection(queueSweep(sweepConfig, { queue: url, outDir: join(root, 'interrupted'), signal: stop.signal, onStatus: (m) => statuses.push(m) }));
    await until(() => statuses.length > 0, 'the trials to be queued');
    stop.abort();
    const err = await sweep;
    expect(err).toBeInstanceOf(QueueError);
    expect(err.message).toMatch(/^interrupted: 3 trial\(s\) stay on the queue .* run the same command with --resume to collect them$/);
    const queue = new Queue(QUEUE_NAME, { connection: parseQueueUrl(url).redis, prefix: QUEUE_PREFIX });
    expect((await queue.getJobCounts('waiting')).waiting).toBe(3);
    await queue.obliterate({ force: true });
    await queue.close();
  });
});
