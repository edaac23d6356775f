import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Worker } from 'bullmq';
import { codeHash } from '../../experiments/code-hash.js';
import { checkRedis, parseQueueUrl, QUEUE_PREFIX, QueueError, queueName, queueSweep, trialJobId, type TrialJob, type TrialPayload } from '../../experiments/queue.js';
import { sealJob } from '../../experiments/queue-auth.js';
import { BIDGYM_VERSION } from '../../experiments/version.js';
import { runSweep, sweepHash } from '../../experiments/sweep/index.js';
import { runWorker } from '../../experiments/worker.js';
import { resolveConfig } from '../../experiments/config.js';
import { trainModelCommand } from '../../experiments/train-model.js';
import { InputError } from '../../env/errors.js';
import { infoFromLog, writeLog, writeLogInfo } from '../../env/log/format.js';
import { lognormalPricePdf, sampleLog } from '../../env/log/generate.js';
import { rng } from '../../env/rng.js';
import { base as sweepBase, expectSameSweep, sweepConfig as sweepFixture } from './sweep/fixtures.js';
import { freePort } from '../helpers.js';

const REPO = resolve(import.meta.dirname, '../..');
const root = mkdtempSync(join(tmpdir(), 'bidgym-queue-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const HAS_REDIS = spawnSync('redis-server', ['--version']).status === 0;
const HAS_OPENSSL = spawnSync('openssl', ['version']).status === 0;
if (!HAS_REDIS) console.warn('queue.test.ts: redis-server is not installed, so the Redis integration tests are skipped (apt-get install redis-server; .ci/run installs it)');

/** The tiny market of the sweep tests (each trial is a second or two), under its own name. */
const base = { ...sweepBase, name: 'queue-test' };
const sweepConfig = { ...base, sweep: sweepFixture.sweep, sweepBaseline: 0 };

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

const SECRET = Buffer.from('queue-test-secret-0123456789abcdef');
const CODE = codeHash();

describe('queue URL and reachability', () => {
  it('accepts redis:// and rediss:// URLs with credentials and a database number, and shows them with the password masked', () => {
    expect(parseQueueUrl('redis://10.0.0.5:6380/2')).toMatchObject({ where: '10.0.0.5:6380/2', shown: 'redis://10.0.0.5:6380/2', db: 2, redis: { host: '10.0.0.5', port: 6380, db: 2 } });
    const t = parseQueueUrl('rediss://user:p%40ss@redis.lab');
    expect(t.where).toBe('redis.lab:6379/0');
    expect(t.shown).toBe('rediss://user:***@redis.lab/0');
    expect(t.redis).toMatchObject({ host: 'redis.lab', port: 6379, db: 0, username: 'user', password: 'p@ss', tls: { servername: 'redis.lab' } });
    expect(parseQueueUrl('redis://:s3cret@h:7000/1').shown).toBe('redis://:***@h:7000/1');
  });

  it('reads --tls-ca/--tls-cert/--tls-key for rediss:// and refuses them for redis://', () => {
    const ca = join(root, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const t = parseQueueUrl('rediss://h:6380', '--queue', { ca });
    expect(Buffer.isBuffer((t.redis.tls as { ca?: unknown }).ca)).toBe(true);
    expect(t.tlsFlags).toEqual(['--tls-ca', ca]);
    expect(() => parseQueueUrl('redis://h:6380', '--queue', { ca })).toThrow(/--tls-ca: TLS files need a rediss:\/\/ URL/);
    expect(() => parseQueueUrl('rediss://h:6380', '--queue', { key: join(root, 'nope.pem') })).toThrow(/--tls-key: cannot read .*ENOENT/);
  });

  it('names the flag for a URL that is not a Redis URL, and never repeats its password', () => {
    for (const [url, why] of [
      ['http://localhost:6379', /--queue: expected a Redis URL .* got the scheme "http"/],
      ['localhost:6379', /--queue: expected a Redis URL .* got the scheme "localhost"/],
      ['', /--queue: expected a Redis URL .* got ""/],
      ['redis://host:6379/queue', /database number, got "\/queue"/],
      ['redis://host:6379?db=1', /options after \? or #/],
      ['http://u:hunter2@host:1', /got the scheme "http" in "http:\/\/u:\*\*\*@host:1"/],
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
      expect((err as QueueError).message).not.toContain('hunter2');
      expect((err as QueueError).exitCode).toBe(2);
    }
  });

  it('says Redis cannot be reached, for the sweep and for a worker, instead of retrying forever', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const sweepErr = await rejection(queueSweep(sweepConfig, { queue: url, outDir: join(root, 'down'), quiet: true, connectTimeoutMs: 1000, secret: null }));
    expect(sweepErr).toBeInstanceOf(QueueError);
    expect(sweepErr.message).toMatch(new RegExp(`cannot reach Redis at 127.0.0.1:${port}/0: .*ECONNREFUSED`));
    const workerErr = await rejection(runWorker({ queue: url, queueKey: 'k', quiet: true, connectTimeoutMs: 1000, workDir: join(root, 'wd'), secret: null }));
    expect(workerErr).toBeInstanceOf(QueueError);
    expect(workerErr.message).toMatch(/cannot reach Redis at/);
    await expect(runWorker({ queue: url, queueKey: 'k', concurrency: 0, quiet: true })).rejects.toThrow(/--concurrency: expected a whole number ≥ 1 — got 0/);
    await expect(runWorker({ queue: 'http://x', queueKey: 'k', quiet: true })).rejects.toThrow(/--queue: expected a Redis URL/);
    await expect(runWorker({ queue: url, queueKey: 'a:b', quiet: true })).rejects.toThrow(/--queue-key: expected 1–64 letters/);
  });
});

describe.skipIf(!HAS_REDIS)('queued sweep against a real redis-server', () => {
  let redis: ChildProcess;
  let port: number;
  const local = join(root, 'local');
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

  beforeAll(async () => {
    ({ server: redis, port } = await startRedis());
    // The reference: the same sweep run locally.
    await runSweep(sweepConfig, { outDir: local, workers: 2, quiet: true });
  });

  afterAll(async () => {
    for (const c of children) if (c !== redis && c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    if (redis && redis.exitCode === null) {
      const exited = new Promise((r) => redis.once('exit', r));
      redis.kill('SIGTERM');
      await exited;
    }
  });

  /** A BullMQ queue object on database `db` for key `key` (as a party with Redis access would open it). */
  const openQueue = (db: number, key: string) => new Queue(queueName(db, key), { connection: parseQueueUrl(`redis://127.0.0.1:${port}/${db}`).redis, prefix: QUEUE_PREFIX });

  /** Starts `bidgym worker` in its own process (short lock and stall check so a killed worker's trial returns in ~3 s). */
  function startWorkerProcess(url: string, key: string): { child: ChildProcess; log: () => string } {
    const child = spawn(
      process.execPath,
      [join(REPO, 'bin', 'bidgym.mjs'), 'worker', '--queue', url, '--queue-key', key, '--lock-duration', '2000', '--stalled-interval', '1000', '--work-dir', join(root, 'workdir')],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BIDGYM_QUEUE_SECRET: '' } },
    );
    children.push(child);
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    return { child, log: () => out };
  }

  /** An in-process worker (stop with the returned function). */
  function startWorker(url: string, key: string, extra: Partial<Parameters<typeof runWorker>[0]> = {}) {
    const stop = new AbortController();
    const lines: string[] = [];
    const done = runWorker({ queue: url, queueKey: key, signal: stop.signal, log: (l) => lines.push(l), workDir: join(root, 'workdir'), secret: null, ...extra });
    return { lines, stop: async () => (stop.abort(), await done) };
  }

  it('equals the local sweep byte for byte with two worker processes, one killed with SIGKILL mid-trial', async () => {
    const url = `redis://127.0.0.1:${port}/1`;
    const a = startWorkerProcess(url, 'bytes');
    const b = startWorkerProcess(url, 'bytes');
    await until(() => a.log().includes(' ready on ') && b.log().includes(' ready on '), 'two workers');

    const out = join(root, 'queued');
    const statuses: string[] = [];
    const sweep = queueSweep(sweepConfig, { queue: url, queueKey: 'bytes', secret: null, outDir: out, onStatus: (m) => statuses.push(m) });
    // Kill worker A as soon as it has started a trial.
    await until(() => /trial (\S+) \(job \S+\) started/.test(a.log()), 'worker A to start a trial');
    const killedTrial = /trial (\S+) \(job \S+\) started/.exec(a.log())![1]!;
    const exited = new Promise((r) => a.child.once('exit', (_c, signal) => r(signal)));
    a.child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(a.log()).not.toMatch(/ done in /);

    const table = await sweep;
    // Without a secret the sweep says how far its results can be trusted.
    expect(statuses[0]).toMatch(/^no queue secret .* trusted as far as the Redis at 127\.0\.0\.1:\d+\/1 is/);
    expect(statuses[1]).toBe(`queued 3 trial(s) on redis://127.0.0.1:${port}/1 (queue trials-db1-bytes)`);
    expect(table.points).toHaveLength(3);
    // The killed trial went back on the queue and worker B ran it.
    expect(b.log()).toContain(`trial ${killedTrial} (job `);
    expect(b.log().match(/ done in /g)).toHaveLength(3);
    expectSameSweep(local, out);
    // Collected jobs are gone from Redis; no temporary folder is left in the sweep.
    const queue = openQueue(1, 'bytes');
    const counts = await queue.getJobCounts();
    await queue.close();
    expect(Object.values(counts).reduce((s, n) => s + n, 0)).toBe(0);
    expect(readdirSync(join(out, 'trials')).filter((n) => n.startsWith('.tmp-'))).toEqual([]);

    const stopped = new Promise((r) => b.child.once('exit', (code) => r(code)));
    b.child.kill('SIGTERM');
    expect(await stopped).toBe(0);
  }, 240_000); // two worker processes start tsx and the module graph: slow on a loaded machine

  it('resumes: only trials missing from the folder are queued, a duplicate job is one job, and a finished sweep queues nothing', async () => {
    const url = `redis://127.0.0.1:${port}/2`;
    const dir = join(root, 'resumed');
    cpSync(local, dir, { recursive: true });
    rmSync(join(dir, 'trials', '2-reservePrice=0.05'), { recursive: true });
    rmSync(join(dir, 'sweep.json'));

    // The same trial queued twice (a repeated `bidgym sweep`) is one job.
    const hash = sweepHash(sweepConfig);
    const queue = openQueue(2, 'resume');
    const data: TrialJob = { version: BIDGYM_VERSION, code: CODE, sweepHash: hash, index: 2, id: '2-reservePrice=0.05', rawConfig: sweepConfig, inputs: {} };
    await queue.add('trial', data, { jobId: trialJobId(hash, 2) });
    await queue.add('trial', data, { jobId: trialJobId(hash, 2) });
    expect((await queue.getJobCounts('waiting')).waiting).toBe(1);

    const w = startWorker(url, 'resume');
    try {
      const statuses: string[] = [];
      await queueSweep(sweepConfig, { queue: url, queueKey: 'resume', secret: null, outDir: dir, resume: true, onStatus: (m) => statuses.push(m) });
      expect(statuses[1]).toBe(`queued 0 trial(s) on redis://127.0.0.1:${port}/2 (queue trials-db2-resume); 1 were already queued or finished there; 2 already in ${dir}`);
      expect(w.lines.filter((l) => l.endsWith(' started'))).toEqual([`trial 2-reservePrice=0.05 (job ${trialJobId(hash, 2)}) started`]);
      expectSameSweep(local, dir);

      const before = statSync(join(dir, 'trials', '2-reservePrice=0.05', 'summary.json')).mtimeMs;
      await queueSweep(sweepConfig, { queue: url, queueKey: 'resume', secret: null, outDir: dir, resume: true, onStatus: (m) => statuses.push(m) });
      expect(statuses).toHaveLength(2);
      expect(statSync(join(dir, 'trials', '2-reservePrice=0.05', 'summary.json')).mtimeMs).toBe(before);
      expect(w.lines.filter((l) => l.endsWith(' started'))).toHaveLength(1);
    } finally {
      await w.stop();
      await queue.close();
    }
  });

  /** Packs a trial folder of the local sweep as a worker would, with `edit` applied to summary.json. */
  function forgedPayload(id: string, edit: (summary: string) => string): TrialPayload {
    const dir = join(local, 'trials', id);
    const out: TrialPayload['files'] = [];
    const walk = (d: string, prefix: string) => {
      for (const n of readdirSync(d).sort()) {
        const p = join(d, n);
        if (statSync(p).isDirectory()) walk(p, `${prefix}${n}/`);
        else {
          const rel = `${prefix}${n}`;
          let bytes = readFileSync(p);
          if (rel === 'summary.json') bytes = Buffer.from(edit(bytes.toString('utf8')));
          if (rel === 'report.html') bytes = Buffer.from('<script>alert("forged")</script>');
          out.push({ path: rel, gzip: gzipSync(bytes).toString('base64'), sha256: createHash('sha256').update(bytes).digest('hex') });
        }
      }
    };
    walk(dir, '');
    return { version: BIDGYM_VERSION, code: CODE, worker: 'bidgym@forger', seconds: 1, files: out };
  }

  /** A party with Redis access but no secret answering the first `n` jobs of a queue with forged results. */
  async function forge(db: number, key: string, n: number, edit: (summary: string) => string): Promise<() => Promise<number>> {
    let answered = 0;
    const forger = new Worker(
      queueName(db, key),
      async (job) => {
        answered++;
        if (answered >= n) void forger.pause(true);
        return forgedPayload((job.data as TrialJob).id, edit);
      },
      { connection: { ...parseQueueUrl(`redis://127.0.0.1:${port}/${db}`).redis, maxRetriesPerRequest: null }, prefix: QUEUE_PREFIX, concurrency: 1 },
    );
    forger.on('error', () => {});
    await forger.waitUntilReady();
    return async () => {
      await forger.close(true);
      return answered;
    };
  }

  const forgedMean = (summary: string) => summary.replace(/"revenuePerAuction": \{\s*"mean": [^,]+/, '"revenuePerAuction": { "mean": 123456.789');

  it('refuses forged results (no secret: they fail the checks), and completes with the right bytes once a real worker reruns the trials', async () => {
    const url = `redis://127.0.0.1:${port}/6`;
    const out = join(root, 'forged-open');
    const statuses: string[] = [];
    const stopForger = await forge(6, 'forge', 2, forgedMean);
    const sweep = queueSweep(sweepConfig, { queue: url, queueKey: 'forge', secret: null, outDir: out, onStatus: (m) => statuses.push(m) });
    await until(() => statuses.filter((s) => s.startsWith('refused the result')).length >= 2, 'two forged results refused');
    expect(await stopForger()).toBe(2);
    for (const s of statuses.filter((x) => x.startsWith('refused'))) expect(s).toMatch(/^refused the result of trial \S+ from bidgym@forger: summary\.json\.market\.revenuePerAuction: its mean and interval are not those of its values — nothing written; queued again \(1 of 3\)$/);
    const w = startWorker(url, 'forge');
    try {
      await sweep;
    } finally {
      await w.stop();
    }
    expectSameSweep(local, out);
    // The forged report never reached the sweep folder: reports are written by the sweep, from the data.
    for (const t of readdirSync(join(out, 'trials'))) expect(readFileSync(join(out, 'trials', t, 'report.html'), 'utf8')).not.toContain('forged');
  });

  it('with a queue secret, refuses a result without a valid MAC even when its content passes every check, and completes with the right bytes', async () => {
    const url = `redis://127.0.0.1:${port}/7`;
    const out = join(root, 'forged-secret');
    const statuses: string[] = [];
    // The forger copies a genuine trial folder: only the MAC can tell it apart.
    const stopForger = await forge(7, 'forge', 1, (s) => s);
    const sweep = queueSweep(sweepConfig, { queue: url, queueKey: 'forge', secret: SECRET, outDir: out, onStatus: (m) => statuses.push(m) });
    await until(() => statuses.some((s) => s.startsWith('refused the result')), 'the forged result refused');
    await stopForger();
    expect(statuses.find((s) => s.startsWith('refused'))).toMatch(/from bidgym@forger: its MAC does not verify with the queue secret/);
    expect(statuses.some((s) => s.startsWith('no queue secret'))).toBe(false);
    // A worker holding the secret reruns the trial.
    const w = startWorker(url, 'forge', { secret: SECRET });
    try {
      await sweep;
    } finally {
      await w.stop();
    }
    expectSameSweep(local, out);
  });

  it('with a queue secret, a worker refuses a job injected without the MAC, and runs one sealed with the secret', async () => {
    const queue = openQueue(8, 'inject');
    const hash = sweepHash(sweepConfig);
    const data: TrialJob = { version: BIDGYM_VERSION, code: CODE, sweepHash: hash, index: 0, id: '0-reservePrice=0', rawConfig: sweepConfig, inputs: {} };
    const injected = await queue.add('trial', data, { jobId: 'injected-0' });
    const sealed = await queue.add('trial', sealJob(SECRET, 'sealed-0', data), { jobId: 'sealed-0' });
    const w = startWorker(`redis://127.0.0.1:${port}/8`, 'inject', { secret: SECRET });
    try {
      await until(() => w.lines.some((l) => l.includes('sealed-0') && l.includes(' done in ')) && w.lines.some((l) => l.includes('injected-0') && l.includes(' failed: ')), 'both jobs');
      expect(await injected.getState()).toBe('failed');
      const failed = (await queue.getJob('injected-0'))!;
      expect(failed.attemptsMade).toBe(1);
      expect(failed.failedReason).toMatch(/^not authenticated: job injected-0 carries no valid MAC/);
      expect(await sealed.getState()).toBe('completed');
    } finally {
      await w.stop();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it('fails a job whose data is not JSON at once, and one whose config cannot run once, not again and again', async () => {
    const queue = openQueue(3, 'bad');
    const bad = { ...sweepConfig, bidders: [{ ...base.bidders[0], agent: { kind: 'q-learnin' } }] };
    const job = await queue.add('trial', { version: BIDGYM_VERSION, code: CODE, sweepHash: 'bad', index: 0, id: '0-x', rawConfig: bad, inputs: {} }, { jobId: 'bad-0', attempts: 3 });
    const broken = await queue.add('trial', { x: 1 }, { jobId: 'notjson-0', attempts: 3 });
    // A party with Redis access rewrites the job's data with something that is not JSON.
    const client = (await queue.client) as unknown as import('ioredis').Redis;
    await client.hset(`${QUEUE_PREFIX}:${queueName(3, 'bad')}:notjson-0`, 'data', '{not json');
    const w = startWorker(`redis://127.0.0.1:${port}/3`, 'bad');
    try {
      await until(() => w.lines.filter((l) => l.includes(' failed: ')).length >= 2, 'both jobs to fail', 30_000);
      expect(await job.getState()).toBe('failed');
      const failed = (await queue.getJob('bad-0'))!;
      expect(failed.attemptsMade).toBe(1);
      expect(failed.failedReason).toMatch(/^config error: bidders\[0\]\.agent\.kind: .*q-learnin/);
      expect(await broken.getState()).toBe('failed');
      expect(await queue.getJobState('notjson-0')).toBe('failed');
      const reason = await client.hget(`${QUEUE_PREFIX}:${queueName(3, 'bad')}:notjson-0`, 'failedReason');
      expect(reason).toMatch(/^config error: job notjson-0: its data is not JSON$/);
    } finally {
      await w.stop();
      await queue.close();
    }
  });

  it('never opens a path a job names: the failure carries no content of the file, and the sweep sends policies inside the job', async () => {
    const secretFile = join(root, 'private.txt');
    writeFileSync(secretFile, 'root:x:0:0:TOP-SECRET-LINE\n');
    const queue = openQueue(9, 'paths');
    const cfg = { ...sweepConfig, bidders: [base.bidders[0], { ...base.bidders[1], agent: { kind: 'policy', path: secretFile } }] };
    const job = await queue.add('trial', { version: BIDGYM_VERSION, code: CODE, sweepHash: 'p', index: 0, id: '0-x', rawConfig: cfg, inputs: {} }, { jobId: 'path-0', attempts: 3 });
    const w = startWorker(`redis://127.0.0.1:${port}/9`, 'paths');
    try {
      await until(() => w.lines.some((l) => l.includes(' failed: ')), 'the job to fail', 30_000);
      const failed = (await queue.getJob('path-0'))!;
      expect(await job.getState()).toBe('failed');
      expect(failed.attemptsMade).toBe(1);
      expect(failed.failedReason).toMatch(/^config error: bidders\[1\]\.agent\.path: the policy file this trial names was not sent with it; a worker opens no path a job names$/);
      expect(JSON.stringify(failed)).not.toContain('TOP-SECRET');
    } finally {
      await w.stop();
      await queue.close();
    }
    // The sweep side reads the file itself, refuses it as a policy, and says nothing of its content.
    const err = await rejection(queueSweep(cfg, { queue: `redis://127.0.0.1:${port}/9`, queueKey: 'paths', secret: null, outDir: join(root, 'paths'), quiet: true }));
    expect(err.message).toMatch(/private\.txt: not valid JSON$/);
    expect(err.message).not.toContain('TOP-SECRET');
  });

  it('sends the policy files a config names inside the job: the worker never opens them, and the bytes equal a local sweep', async () => {
    const url = `redis://127.0.0.1:${port}/11`;
    const policy = join(root, 'shaded.policy.json');
    cpSync(join(local, 'trials', readdirSync(join(local, 'trials')).find((n) => n.startsWith('0-'))!, 'policies', 'b.json'), policy);
    const cfg = { ...sweepConfig, name: 'queue-policy', bidders: [base.bidders[0], { ...base.bidders[1], agent: { kind: 'policy', path: policy } }] };
    const ref = join(root, 'policy-local');
    await runSweep(cfg, { outDir: ref, workers: 1, quiet: true });
    const out = join(root, 'policy-queued');
    const statuses: string[] = [];
    const sweep = queueSweep(cfg, { queue: url, queueKey: 'policy', secret: null, outDir: out, onStatus: (m) => statuses.push(m) });
    await until(() => statuses.some((s) => s.startsWith('queued')), 'the trials to be queued');
    // The file is gone before any worker starts: the trials can only run from what the jobs carry.
    rmSync(policy);
    const w = startWorker(url, 'policy');
    try {
      await sweep;
    } finally {
      await w.stop();
    }
    expectSameSweep(ref, out);
  });

  it('sends a saved interest model inside the jobs (MAC-covered): the worker never opens the folder, and the bytes equal a local sweep', async () => {
    const url = `redis://127.0.0.1:${port}/12`;
    const modelDir = join(root, 'saved-model');
    const im = { kind: 'logistic', logSize: 2000, epochs: 1, backend: 'cpu' };
    const market = { ...base, name: 'queue-model', replications: 1 };
    await trainModelCommand(resolveConfig({ ...market, interestModel: im }), modelDir);
    const cfg = { ...market, interestModel: { ...im, path: modelDir }, sweep: { 'exchange.reservePrice': [0, 0.05] } };
    const ref = join(root, 'model-local');
    await runSweep(cfg, { outDir: ref, workers: 1, quiet: true });
    const out = join(root, 'model-queued');
    const statuses: string[] = [];
    const sweep = queueSweep(cfg, { queue: url, queueKey: 'model', secret: SECRET, outDir: out, onStatus: (m) => statuses.push(m) });
    await until(() => statuses.some((s) => s.startsWith('queued')), 'the trials to be queued');
    // The folder is gone before any worker starts: the trials can only run from what the jobs carry.
    const queue = openQueue(12, 'model');
    const jobs = await queue.getJobs(['waiting']);
    await queue.close();
    expect(jobs).toHaveLength(2);
    const sent = (jobs[0]!.data as TrialJob).inputs[modelDir]!;
    expect(sent.kind).toBe('model');
    expect(sent.files.map((f) => f.name)).toEqual(['model.json', 'weights.bin']);
    expect(sent.files.map((f) => Buffer.from(f.base64, 'base64').equals(readFileSync(join(modelDir, f.name))))).toEqual([true, true]);
    rmSync(modelDir, { recursive: true });
    const w = startWorker(url, 'model', { secret: SECRET });
    try {
      await sweep;
    } finally {
      await w.stop();
    }
    expectSameSweep(ref, out);
    expect(readdirSync(ref, { recursive: true }).filter((f) => String(f).endsWith('summary.json'))).toHaveLength(2);
    expect(existsSync(modelDir)).toBe(false);
  });

  it("sends a log market's logs inside the jobs: the worker opens none of its paths, and the bytes equal a local sweep; over a size cap, refused before any work", async () => {
    const url = `redis://127.0.0.1:${port}/13`;
    const data = join(root, 'log-data');
    mkdirSync(data, { recursive: true });
    const world = { pricePdf: lognormalPricePdf(50, 0.8, 300), meanCtr: 0.005, ctrSpread: 1, priceCorrelation: 0.2 };
    const train = sampleLog(world, 3000, rng(1).stream('train'));
    writeLog(join(data, 'test.txt'), sampleLog(world, 2000, rng(1).stream('test')), 'rlb');
    writeLog(join(data, 'train.txt'), train, 'rlb');
    writeLogInfo(join(data, 'info.json'), infoFromLog(train, 300));
    const cacheDir = join(root, 'log-cache');
    const cfg = {
      name: 'queue-log',
      seed: 1,
      replications: 1,
      episodes: 0,
      auctionsPerEpisode: 500,
      log: { format: 'rlb', path: join(data, 'test.txt'), info: join(data, 'info.json'), trainPath: join(data, 'train.txt'), cacheDir },
      bidders: [
        { id: 'lin', agent: { kind: 'lin-bid' }, budget: { c0: 0.0625 } },
        { id: 'mcpc', agent: { kind: 'mcpc' }, budget: { c0: 0.0625 } },
      ],
      sweep: { 'bidders.0.budget.c0': [0.03125, 0.0625] },
    };
    const ref = join(root, 'log-local');
    await runSweep(cfg, { outDir: ref, workers: 1, quiet: true });

    // Caps: per job and in total, one line naming the flag, before the sweep folder or the queue is touched.
    const bytes = ['test.txt', 'train.txt', 'info.json'].reduce((n, f) => n + statSync(join(data, f)).size, 0);
    const capped = (o: object) => rejection(queueSweep(cfg, { queue: url, queueKey: 'log', secret: null, outDir: join(root, 'log-capped'), quiet: true, ...o }));
    const perJob = await capped({ maxJobInputBytes: bytes - 1 });
    expect(perJob).toBeInstanceOf(InputError);
    expect(perJob.message).toMatch(/^--max-job-inputs-mb: trial 0-c0=0\.03125 carries [\d.]+ MiB of files \(log\.\w+ \S+ and the files before it\), over the cap of [\d.]+ MiB; raise --max-job-inputs-mb/);
    const total = await capped({ maxSweepInputBytes: bytes + 1 });
    expect(total.message).toMatch(/^--max-sweep-inputs-mb: the queued trials carry [\d.]+ MiB of files so far \(each job carries its own copy\), over the cap of/);
    for (const e of [perJob, total]) expect(e.message).not.toContain('\n');
    expect(existsSync(join(root, 'log-capped'))).toBe(false);
    const q = openQueue(13, 'log');
    expect(await q.count()).toBe(0);
    await q.close();

    const out = join(root, 'log-queued');
    const statuses: string[] = [];
    const sweep = queueSweep(cfg, { queue: url, queueKey: 'log', secret: null, outDir: out, onStatus: (m) => statuses.push(m), maxJobInputBytes: bytes });
    await until(() => statuses.some((s) => s.startsWith('queued')), 'the trials to be queued');
    // The logs are gone before any worker starts.
    rmSync(data, { recursive: true });
    const w = startWorker(url, 'log');
    try {
      await sweep;
    } finally {
      await w.stop();
    }
    expectSameSweep(ref, out);
    // The cache folder the config names is the worker's own, never the named path.
    expect(existsSync(cacheDir)).toBe(false);
  });

  it('a worker checks what a job carries: content that does not match its sha256, and file names that leave its folder, fail at once', async () => {
    const queue = openQueue(14, 'carried');
    const path = join(root, 'never-there', 'p.json');
    const cfg = { ...sweepConfig, bidders: [base.bidders[0], { ...base.bidders[1], agent: { kind: 'policy', path } }] };
    const file = (name: string, content: string, claimed = content) => ({ name, sha256: createHash('sha256').update(claimed).digest('hex'), base64: Buffer.from(content).toString('base64') });
    const job = (inputs: object) => ({ version: BIDGYM_VERSION, code: CODE, sweepHash: 'c', index: 0, id: '0-x', rawConfig: cfg, inputs });
    await queue.add('trial', job({ [path]: { kind: 'policy', files: [file('policy.json', '{"swapped":1}', '{"original":1}')] } }), { jobId: 'hash-0', attempts: 3 });
    await queue.add('trial', job({ [path]: { kind: 'policy', files: [file('../../escape.json', '{}')] } }), { jobId: 'name-0', attempts: 3 });
    // Sizes no machine can hold: failed before a thread allocates anything, not run until the worker dies.
    const huge = { ...sweepConfig, exchange: { ...sweepConfig.exchange, publishers: 1e12 } };
    await queue.add('trial', { ...job({}), rawConfig: huge }, { jobId: 'huge-0', attempts: 3 });
    const w = startWorker(`redis://127.0.0.1:${port}/14`, 'carried');
    try {
      await until(() => w.lines.filter((l) => l.includes(' failed: ')).length >= 3, 'the jobs to fail', 30_000);
      const huge0 = (await queue.getJob('huge-0'))!;
      expect(huge0.attemptsMade).toBe(1);
      expect(huge0.failedReason).toMatch(/^config error: exchange\.publishers: the run needs about .* of memory/);
      const hash = (await queue.getJob('hash-0'))!;
      expect([hash.attemptsMade, hash.failedReason]).toEqual([1, `config error: job hash-0: the input ${path} does not match its sha256 (damaged or changed on the way)`]);
      const name = (await queue.getJob('name-0'))!;
      expect(name.attemptsMade).toBe(1);
      expect(name.failedReason).toMatch(/^config error: job name-0 is not a bidgym trial \(inputs\..*\.files\.0\.name: /);
      expect(existsSync(join(root, 'escape.json'))).toBe(false);
    } finally {
      await w.stop();
      await queue.close();
    }
  });

  it.skipIf(!HAS_OPENSSL)('rediss:// with a password and --tls-ca/--tls-cert/--tls-key: refused without the CA or with a wrong password, and the printed worker command keeps scheme, password (masked) and TLS flags', async () => {
    // A CA, a server certificate for 127.0.0.1 and a client certificate (the server asks for one), made with openssl.
    const d = join(root, 'tls');
    mkdirSync(d, { recursive: true });
    const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: d, stdio: 'ignore' });
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=bidgym-test-ca');
    writeFileSync(join(d, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
    for (const [name, ext] of [['server', ['-extfile', 'san.ext']], ['client', []]] as const) {
      ssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
      ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', ...ext);
    }
    const tlsPort = await freePort();
    const password = 'tls-test-pass-7f3a';
    const server = spawn('redis-server', ['--port', '0', '--tls-port', String(tlsPort), '--bind', '127.0.0.1', '--tls-cert-file', join(d, 'server.pem'), '--tls-key-file', join(d, 'server.key'), '--tls-ca-cert-file', join(d, 'ca.pem'), '--requirepass', password, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    children.push(server);
    const url = `rediss://:${password}@127.0.0.1:${tlsPort}/0`;
    const tls = { ca: join(d, 'ca.pem'), cert: join(d, 'client.pem'), key: join(d, 'client.key') };
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await checkRedis(parseQueueUrl(url, '--queue', tls), 500);
        break;
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    try {
      const noCa = await rejection(checkRedis(parseQueueUrl(url, '--queue', { cert: tls.cert, key: tls.key }), 1000));
      expect(noCa).toBeInstanceOf(QueueError);
      const wrongPassword = await rejection(checkRedis(parseQueueUrl(`rediss://:wrong@127.0.0.1:${tlsPort}/0`, '--queue', tls), 1000));
      expect(wrongPassword).toBeInstanceOf(QueueError);
      for (const e of [noCa, wrongPassword]) expect(e.message).not.toContain(password);

      const cfg = { ...sweepConfig, sweep: { 'exchange.reservePrice': [0] } };
      const statuses: string[] = [];
      const out = join(root, 'tls-queued');
      const sweep = queueSweep(cfg, { queue: url, tls, queueKey: 'tls', secret: null, outDir: out, onStatus: (m) => statuses.push(m) });
      await until(() => statuses.some((s) => s.includes('start some with: ')), 'the worker command', 30_000);
      const command = statuses.find((s) => s.includes('start some with: '))!.split('start some with: ')[1];
      expect(command).toBe(`bidgym worker --queue rediss://:***@127.0.0.1:${tlsPort}/0 --queue-key tls --tls-ca ${tls.ca} --tls-cert ${tls.cert} --tls-key ${tls.key}`);
      expect(statuses.join('\n')).not.toContain(password);
      const w = startWorker(url, 'tls', { tls });
      try {
        await sweep;
      } finally {
        await w.stop();
      }
      const trial = readdirSync(join(out, 'trials'))[0]!;
      expect(readFileSync(join(out, 'trials', trial, 'summary.json')).equals(readFileSync(join(local, 'trials', '0-reservePrice=0', 'summary.json')))).toBe(true);
    } finally {
      server.kill('SIGKILL');
    }
  });

  it('fails a trial no machine can run once, naming the field, before a thread starts (its sizes are checked in the worker too)', async () => {
    const url = `redis://127.0.0.1:${port}/10`;
    // Grid point 1 asks for a replay buffer no machine can allocate. queueSweep (the library) does not check sizes; the
    // worker does, before a thread allocates anything, and fails the job once: bad input is not retried, and it stops the
    // sweep as bad input does. (Retries of a trial that fails for another reason: the --trial-memory-mb test below.)
    const poison = { ...base, sweep: { 'bidders.1.agent': [{ kind: 'shaded', factor: 0.8 }, { kind: 'dqn', replaySize: 1e12 }, { kind: 'shaded', factor: 0.5 }] } };
    const out = join(root, 'poison');
    const w = startWorker(url, 'poison');
    try {
      const err = await rejection(queueSweep(poison, { queue: url, queueKey: 'poison', secret: null, outDir: out, report: false }));
      expect(err.message).toMatch(/^sweep trial 1-\S+ failed on worker bidgym@\S+: config error: bidders\[1\]\.agent\.replaySize: a buffer of 1,000,000,000,000 transitions needs /);
      expect(w.lines.filter((l) => l.includes(' started') && l.includes('(job ') && /trial 1-/.test(l))).toHaveLength(1);
    } finally {
      await w.stop();
    }
    expect(existsSync(join(out, 'trials')) && readdirSync(join(out, 'trials')).some((n) => n.startsWith('1-'))).toBe(false);
  });

  it('a worker whose --work-dir cannot be made is one line naming it (a file there was an EEXIST error with a stack)', async () => {
    const url = `redis://127.0.0.1:${port}/11`;
    const file = join(root, 'work-dir-is-a-file');
    writeFileSync(file, 'x');
    const err = await rejection(runWorker({ queue: url, queueKey: 'wd', quiet: true, workDir: file, secret: null }));
    expect(err).toBeInstanceOf(QueueError);
    expect(err.message).toMatch(/^--work-dir .*work-dir-is-a-file: cannot create the folder \(EEXIST\)$/);
  });

  it('refuses a database index Redis does not have, for the sweep and for a worker, instead of using database 0', async () => {
    const url = `redis://127.0.0.1:${port}/99`;
    const sweepErr = await rejection(queueSweep(sweepConfig, { queue: url, queueKey: 'x', secret: null, outDir: join(root, 'db99'), quiet: true }));
    expect(sweepErr).toBeInstanceOf(QueueError);
    expect(sweepErr.message).toMatch(/^--queue: database 99 cannot be used at 127\.0\.0\.1:\d+: ERR DB index is out of range/);
    const workerErr = await rejection(runWorker({ queue: url, queueKey: 'x', quiet: true, workDir: join(root, 'wd'), secret: null }));
    expect(workerErr).toBeInstanceOf(QueueError);
    expect(workerErr.message).toMatch(/database 99 cannot be used/);
    // Nothing was queued in database 0.
    const q0 = openQueue(0, 'x');
    expect(Object.values(await q0.getJobCounts()).reduce((s, n) => s + n, 0)).toBe(0);
    await q0.close();
  });

  it('stops the sweep with a clear error when a worker runs other code under the same version number, and takes its waiting trials off the queue', async () => {
    const url = `redis://127.0.0.1:${port}/4`;
    const w = startWorker(url, 'mismatch', { code: 'deadbeefdeadbeef' });
    try {
      await until(() => w.lines.some((l) => l.includes(' ready on ')), 'the worker');
      const err = await rejection(queueSweep(sweepConfig, { queue: url, queueKey: 'mismatch', secret: null, outDir: join(root, 'mismatch'), quiet: true }));
      expect(err).toBeInstanceOf(QueueError);
      expect(err.message).toMatch(new RegExp(`^trial \\S+ was refused on worker bidgym@${BIDGYM_VERSION.replace(/\./g, '\\.')}\\+deadbeef@\\S+: bidgym version mismatch: trial \\S+ was queued by bidgym ${BIDGYM_VERSION.replace(/\./g, '\\.')} \\(code ${CODE}\\), worker \\S+ runs bidgym ${BIDGYM_VERSION.replace(/\./g, '\\.')} \\(code deadbeefdeadbeef\\)`));
      // Refused at once, never retried, and nothing left waiting.
      const queue = openQueue(4, 'mismatch');
      const failed = await queue.getFailed();
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed');
      await queue.close();
      expect(failed.length).toBeGreaterThanOrEqual(1);
      for (const j of failed) {
        expect(j.attemptsMade).toBe(1);
        expect(j.failedReason).toMatch(/^bidgym version mismatch/);
      }
      expect(counts).toMatchObject({ waiting: 0, active: 0, delayed: 0 });
      expect(w.lines.filter((l) => l.includes(' done in '))).toEqual([]);
    } finally {
      await w.stop();
    }
  });

  it('caps the heap of a trial: past --trial-memory-mb the trial fails after its attempts with the reason, and the worker lives on', async () => {
    const url = `redis://127.0.0.1:${port}/15`;
    const cfg = { ...sweepConfig, name: 'queue-oom', sweep: { 'exchange.reservePrice': [0] } };
    // 8 MiB of heap holds no trial (not even its modules): every attempt's thread dies out of memory.
    const w = startWorker(url, 'oom', { trialMemoryMb: 8 });
    try {
      const err = await rejection(queueSweep(cfg, { queue: url, queueKey: 'oom', secret: null, outDir: join(root, 'oom'), quiet: true }));
      expect(err.message).toMatch(/^1 sweep trial\(s\) failed after 3 attempt\(s\) each — 0-reservePrice=0: out of memory: the trial needed more than --trial-memory-mb 8 \(3 attempt\(s\) on worker /);
      expect(w.lines.filter((l) => l.includes(' failed: out of memory'))).toHaveLength(3);
    } finally {
      // The worker survived its trials' deaths: it stops as asked.
      await w.stop();
    }
  });

  it('says so when Redis goes away mid-sweep, instead of waiting forever', async () => {
    const gone = await startRedis();
    const url = `redis://127.0.0.1:${gone.port}`;
    const statuses: string[] = [];
    const sweep = rejection(queueSweep(sweepConfig, { queue: url, secret: null, outDir: join(root, 'lost'), lostAfterS: 1, onStatus: (m) => statuses.push(m) }));
    await until(() => statuses.some((s) => s.startsWith('queued')), 'the trials to be queued');
    gone.server.kill('SIGKILL');
    const err = await sweep;
    expect(err).toBeInstanceOf(QueueError);
    expect(err.message).toMatch(new RegExp(`^lost Redis at 127.0.0.1:${gone.port}/0: .*run the same command with --resume once Redis is back`));
  });

  it('stops waiting when interrupted, leaving the trials queued for --resume', async () => {
    const url = `redis://127.0.0.1:${port}/5`;
    const stop = new AbortController();
    const statuses: string[] = [];
    const sweep = rejection(queueSweep(sweepConfig, { queue: url, secret: null, outDir: join(root, 'interrupted'), signal: stop.signal, onStatus: (m) => statuses.push(m) }));
    await until(() => statuses.some((s) => s.startsWith('queued')), 'the trials to be queued');
    stop.abort();
    const err = await sweep;
    expect(err).toBeInstanceOf(QueueError);
    expect(err.message).toMatch(/^interrupted: 3 trial\(s\) stay on the queue .* run the same command with --resume to collect them$/);
    // The default queue key is the sweep's hash.
    const queue = openQueue(5, sweepHash(sweepConfig).slice(0, 12));
    expect((await queue.getJobCounts('waiting')).waiting).toBe(3);
    await queue.obliterate({ force: true });
    await queue.close();
  });
});
