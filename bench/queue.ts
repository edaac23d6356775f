/**
 * Distributed sweeps on the Redis queue: speed-up with worker processes, and the
 * queue's overhead per trial.
 *
 *   npx tsx bench/queue.ts [--quick]
 *
 * Needs `redis-server` on the PATH (started here on a free loopback port, no
 * persistence, stopped at the end).
 *
 * 1. Speed-up: one sweep of `TRIALS` medium trials run locally (`runSweep`, 1
 *    and 2 worker threads) and through the queue with 1, 2 and 4 `bidgym worker`
 *    processes (concurrency 1 each, started and connected before the clock starts).
 * 2. Overhead: a sweep of tiny trials, locally with 1 worker thread and through
 *    the queue with 1 worker process; (queue − local) / trials is what the queue
 *    adds to a trial (Redis round trips, packing the trial folder, events,
 *    writing it back), since both run every trial in a fresh thread.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkRedis, parseQueueUrl, queueSweep } from '../experiments/queue.js';
import { runSweep } from '../experiments/sweep.js';

const quick = process.argv.includes('--quick');
const root = join(import.meta.dirname, '..');
const tmp = mkdtempSync(join(tmpdir(), 'bidgym-bench-queue-'));

if (spawnSync('redis-server', ['--version']).status !== 0) {
  console.log('bench/queue.ts: redis-server is not installed (apt-get install redis-server); skipped');
  process.exit(0);
}

const TRIALS = quick ? 4 : 6;
const TINY_TRIALS = quick ? 6 : 12;

/** A medium trial: about 5 s of simulation on one core (plus ~1.5 s to start its thread). */
const medium = {
  name: 'bench-queue',
  seed: 3,
  replications: 2,
  episodes: 4,
  evalEpisodes: 1,
  auctionsPerEpisode: quick ? 10_000 : 50_000,
  users: { count: 2000, topics: 8, historyLength: 5, items: 200 },
  exchange: { mechanism: 'second-price' },
  bidders: [
    { id: 'learner', agent: { kind: 'q-learning' }, value: { kind: 'per-click', amount: 2 }, budget: 30 },
    { id: 'rival', copies: 3, agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 1.5 } },
  ],
  sweep: { seed: Array.from({ length: TRIALS }, (_, i) => 100 + i) },
};

/** A tiny trial: little more than starting a thread and writing the run folder. */
const tiny = {
  name: 'bench-queue-tiny',
  seed: 3,
  replications: 1,
  episodes: 1,
  evalEpisodes: 1,
  auctionsPerEpisode: 50,
  exchange: { mechanism: 'second-price' },
  bidders: [{ id: 'a', agent: { kind: 'truthful' }, value: { kind: 'uniform', low: 0, high: 1 } }],
  sweep: { seed: Array.from({ length: TINY_TRIALS }, (_, i) => 100 + i) },
};

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

const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

let runs = 0;
async function timeLocal(cfg: unknown, workers: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  await runSweep(cfg, { outDir: join(tmp, `local-${runs++}`), workers, quiet: true, report: false });
  return seconds(t0);
}

const driver = join(tmp, 'worker.mts');
writeFileSync(
  driver,
  `const { runWorker } = await import(${JSON.stringify(pathToFileURL(join(root, 'experiments/worker.ts')).href)});\n` +
    `const stop = new AbortController();\nprocess.once('SIGTERM', () => stop.abort());\n` +
    `await runWorker({ queue: process.argv[2], concurrency: 1, signal: stop.signal, log: (l) => console.log(l) });\n`,
);

/** Starts `n` worker processes on `url` and waits until all are connected. */
async function startWorkers(url: string, n: number): Promise<ChildProcess[]> {
  const procs: ChildProcess[] = [];
  const ready: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const p = spawn(process.execPath, ['--import', 'tsx', driver, url], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    procs.push(p);
    ready.push(
      new Promise((res, rej) => {
        let out = '';
        p.stdout!.on('data', (b: Buffer) => {
          out += b.toString();
          if (out.includes(' ready on ')) res();
        });
        p.once('exit', (code) => rej(new Error(`worker exited with ${code}`)));
      }),
    );
  }
  await Promise.all(ready);
  return procs;
}

async function stopWorkers(procs: ChildProcess[]): Promise<void> {
  await Promise.all(
    procs.map(
      (p) =>
        new Promise<void>((res) => {
          if (p.exitCode !== null) return res();
          p.once('exit', () => res());
          p.kill('SIGTERM');
        }),
    ),
  );
}

async function timeQueued(url: string, cfg: unknown, workers: number): Promise<number> {
  const procs = await startWorkers(url, workers);
  try {
    const t0 = process.hrtime.bigint();
    await queueSweep(cfg, { queue: url, outDir: join(tmp, `queued-${runs++}`), quiet: true, report: false });
    return seconds(t0);
  } finally {
    await stopWorkers(procs);
  }
}

const port = await freePort();
const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
const url = `redis://127.0.0.1:${port}`;
try {
  for (let i = 0; ; i++) {
    try {
      await checkRedis(parseQueueUrl(url), 500);
      break;
    } catch (e) {
      if (i > 100) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`Distributed sweeps (Redis queue) — ${cpu}, ${cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}${quick ? ' (--quick)' : ''}`);
  console.log(`load average at start: ${loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);

  console.log(`1. Speed-up: ${TRIALS} trials of ${medium.replications} replications × ${medium.episodes + medium.evalEpisodes} episodes × ${medium.auctionsPerEpisode} auctions (${medium.users.count} users, 4 bidders)\n`);
  // The machine may be shared: the 1-minute load average before each row shows how busy it was.
  const rows: [string, number, number][] = [];
  const row = async (name: string, run: () => Promise<number>) => {
    const load = loadavg()[0]!;
    rows.push([name, await run(), load]);
  };
  await row('local runSweep, 1 worker thread', () => timeLocal(medium, 1));
  await row('local runSweep, 2 worker threads', () => timeLocal(medium, 2));
  for (const n of [1, 2, 4]) await row(`queue, ${n} worker process${n > 1 ? 'es' : ''}`, () => timeQueued(`${url}/${n}`, medium, n));
  const q1 = rows[2]![1];
  console.log('| setup | wall s | s / trial | speed-up vs 1 queue worker | load before |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [name, s, load] of rows) console.log(`| ${name} | ${s.toFixed(1)} | ${(s / TRIALS).toFixed(2)} | ${(q1 / s).toFixed(2)}× | ${load.toFixed(1)} |`);

  console.log(`\n2. Overhead per trial: ${TINY_TRIALS} tiny trials (1 replication × 2 episodes × 50 auctions), one at a time\n`);
  const local = await timeLocal(tiny, 1);
  const queued = await timeQueued(`${url}/9`, tiny, 1);
  console.log('| setup | wall s | ms / trial |');
  console.log('| --- | ---: | ---: |');
  console.log(`| local runSweep, 1 worker thread | ${local.toFixed(2)} | ${((local / TINY_TRIALS) * 1000).toFixed(0)} |`);
  console.log(`| queue, 1 worker process | ${queued.toFixed(2)} | ${((queued / TINY_TRIALS) * 1000).toFixed(0)} |`);
  console.log(`| overhead of the queue | | ${(((queued - local) / TINY_TRIALS) * 1000).toFixed(0)} |`);
} finally {
  redis.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
}
