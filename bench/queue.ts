/**
 * Distributed sweeps on the Redis queue: speed-up with worker processes, and the
 * queue's overhead per trial.
 *
 *   npx tsx bench/queue.ts [--quick]
 *
 * Needs `redis-server` on the PATH (started here on a free loopback port, no
 * persistence, stopped at the end).
 *
 * 1. Speed-up: one sweep of `TRIALS` trials run locally (`runSweep`, 1 and 2
 *    worker threads) and through the queue with 1, 2 and 4 worker processes
 *    (concurrency 1 each, started and connected before the clock starts). The
 *    setups take turns for `ROUNDS` rounds and each keeps its best time, so a
 *    burst of load from other work on a shared machine hits them all alike.
 * 2. Overhead per trial: tiny trials through the queue with 1 worker process:
 *    (sweep wall time − the time the worker spent in its trial threads) / trials
 *    is what the queue adds to a trial — queueing, a worker taking the job,
 *    packing the trial folder, the completion event, writing the folder back.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkRedis, parseQueueUrl, queueSweep } from '../experiments/queue.js';
import { runSweep } from '../experiments/sweep/index.js';

const quick = process.argv.includes('--quick');
const root = join(import.meta.dirname, '..');
const tmp = mkdtempSync(join(tmpdir(), 'bidgym-bench-queue-'));

if (spawnSync('redis-server', ['--version']).status !== 0) {
  console.log('bench/queue.ts: redis-server is not installed (apt-get install redis-server); skipped');
  process.exit(0);
}

const TRIALS = 4;
const ROUNDS = quick ? 1 : 2;
const TINY_TRIALS = quick ? 6 : 12;

/** A medium trial: a few seconds of simulation on one core (plus ~1.5 s to start its thread). */
const medium = {
  name: 'bench-queue',
  seed: 3,
  replications: 2,
  episodes: 4,
  evalEpisodes: 1,
  auctionsPerEpisode: quick ? 20_000 : 100_000,
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

/** Starts `n` worker processes on `url`; resolves when all are connected, with a function returning their logs. */
async function startWorkers(url: string, n: number): Promise<{ procs: ChildProcess[]; logs: () => string }> {
  const procs: ChildProcess[] = [];
  const ready: Promise<void>[] = [];
  let logs = '';
  for (let i = 0; i < n; i++) {
    const p = spawn(process.execPath, ['--import', 'tsx', driver, url], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    procs.push(p);
    ready.push(
      new Promise((res, rej) => {
        let out = '';
        p.stdout!.on('data', (b: Buffer) => {
          out += b.toString();
          logs += b.toString();
          if (out.includes(' ready on ')) res();
        });
        p.once('exit', (code) => rej(new Error(`worker exited with ${code}`)));
      }),
    );
  }
  await Promise.all(ready);
  return { procs, logs: () => logs };
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

/** Wall seconds of a queued sweep with `workers` worker processes, and the seconds the workers spent in trial threads. */
async function timeQueued(url: string, cfg: unknown, workers: number): Promise<{ wall: number; inTrials: number }> {
  const { procs, logs } = await startWorkers(url, workers);
  try {
    const t0 = process.hrtime.bigint();
    await queueSweep(cfg, { queue: url, outDir: join(tmp, `queued-${runs++}`), quiet: true, report: false });
    const wall = seconds(t0);
    const inTrials = [...logs().matchAll(/ done in ([\d.]+) s/g)].reduce((s, m) => s + Number(m[1]), 0);
    return { wall, inTrials };
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

  console.log(`1. Speed-up: ${TRIALS} trials of ${medium.replications} replications × ${medium.episodes + medium.evalEpisodes} episodes × ${medium.auctionsPerEpisode} auctions (${medium.users.count} users, 4 bidders); best of ${ROUNDS} round(s)\n`);
  const setups: [string, (db: number) => Promise<number>][] = [
    ['local runSweep, 1 worker thread', () => timeLocal(medium, 1)],
    ['local runSweep, 2 worker threads', () => timeLocal(medium, 2)],
    ...[1, 2, 4].map((n): [string, (db: number) => Promise<number>] => [`queue, ${n} worker process${n > 1 ? 'es' : ''}`, async (db) => (await timeQueued(`${url}/${db}`, medium, n)).wall]),
  ];
  const best = setups.map(() => Infinity);
  const loads: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < setups.length; i++) {
      loads.push(loadavg()[0]!);
      best[i] = Math.min(best[i]!, await setups[i]![1](i));
    }
  }
  const q1 = best[2]!;
  console.log('| setup | wall s | s / trial | speed-up vs 1 queue worker |');
  console.log('| --- | ---: | ---: | ---: |');
  setups.forEach(([name], i) => console.log(`| ${name} | ${best[i]!.toFixed(1)} | ${(best[i]! / TRIALS).toFixed(2)} | ${(q1 / best[i]!).toFixed(2)}× |`));
  console.log(`\n1-minute load average before the runs: ${Math.min(...loads).toFixed(1)} to ${Math.max(...loads).toFixed(1)}`);

  console.log(`\n2. Overhead per trial: ${TINY_TRIALS} tiny trials (1 replication × 2 episodes × 50 auctions) through the queue, 1 worker process\n`);
  const { wall, inTrials } = await timeQueued(`${url}/9`, tiny, 1);
  console.log('| sweep wall s | in trial threads s | queue overhead ms / trial |');
  console.log('| ---: | ---: | ---: |');
  console.log(`| ${wall.toFixed(2)} | ${inTrials.toFixed(2)} | ${(((wall - inTrials) / TINY_TRIALS) * 1000).toFixed(0)} |`);
} finally {
  redis.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
}
