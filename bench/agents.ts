/**
 * Learning agents: training throughput, time to reach the outcomes the tests
 * check, and the small-network engine (plain TypeScript vs TensorFlow.js).
 *
 *   npx tsx bench/agents.ts [--quick]
 *
 * 1. Auctions/s while learning, through the runner (market + act + learn, one
 *    core, best of 3 runs), for each agent in the seat of a truthful bidder:
 *    the slowdown column is truthful's rate over the agent's. Two markets:
 *    private values (the cheapest auction, so the worst case for the ratio) and
 *    users (where what the agent wins also changes the users' work, so the
 *    ratio mixes the agent's cost with the market's; pacing spends a budget and
 *    leaves early, which makes its market cheaper).
 * 2. Time to reach the outcomes of test/agents: first price against v/2,
 *    bid/value within 0.05 of 0.5; with a budget in a user market, competitive
 *    ratio ≥ 0.9. Training episodes double until the outcome is reached.
 * 3. The DQN network ([1, 32, 32, 16]): one forward pass (what act() costs) and
 *    one Adam step on a minibatch of 32, in nn.ts and in TensorFlow.js (cpu and
 *    wasm backends).
 */
import * as tf from '@tensorflow/tfjs';
import { Mlp } from '../agents/nn.js';
import { rng } from '../env/rng.js';
import { resolveConfig } from '../experiments/config.js';
import { runReplication } from '../experiments/runner.js';
import { initBackend } from '../models/backend.js';

const quick = process.argv.includes('--quick');
const LEARNERS = ['q-learning', 'dqn', 'reinforce', 'actor-critic', 'linucb', 'thompson'] as const;

function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((x, i) => (i === 0 ? x.padEnd(w[i]!) : x.padStart(w[i]!))).join(' | ')} |`;
  return [line(head), `| ${w.map((n, i) => (i === 0 ? '-'.repeat(n) : '-'.repeat(n - 1) + ':')).join(' | ')} |`, ...rows.map(line)].join('\n');
}
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

// ---- 1. throughput ----
function privateValues(kind: string, episodes: number) {
  return resolveConfig({
    name: 'bench-pv',
    seed: 1,
    replications: 1,
    episodes,
    evalEpisodes: 1,
    auctionsPerEpisode: 10_000,
    exchange: { mechanism: 'first-price' },
    bidders: [
      { id: 'learner', agent: { kind }, value: { kind: 'uniform', low: 0, high: 1 } },
      { id: 'rival', agent: { kind: 'shaded', factor: 0.5 }, value: { kind: 'uniform', low: 0, high: 1 } },
    ],
  });
}
function users(kind: string, episodes: number, budget?: number, seed = 1) {
  return resolveConfig({
    name: 'bench-users',
    seed,
    replications: 1,
    episodes,
    evalEpisodes: 4,
    auctionsPerEpisode: 2000,
    users: { count: 500, topics: 8, historyLength: 5, items: 100 },
    exchange: { mechanism: 'second-price', reservePrice: 0.005 },
    bidders: [
      { id: 'learner', agent: { kind }, value: { kind: 'per-click', amount: 2 }, ...(budget ? { budget } : {}) },
      { id: 'rival', copies: 2, agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 2 } },
    ],
  });
}

/** Best of a few timed runs (the machine is shared: the best run is the least disturbed). */
async function rate(cfg: ReturnType<typeof resolveConfig>): Promise<number> {
  await runReplication({ ...cfg, episodes: 1 }, 0); // warm-up (JIT)
  let best = 0;
  for (let i = 0; i < (quick ? 1 : 3); i++) {
    const r = await runReplication(cfg, 0);
    best = Math.max(best, r.auctions / r.seconds);
  }
  return best;
}

const throughput: string[][] = [];
{
  const pvEpisodes = quick ? 5 : 20;
  const uEpisodes = quick ? 10 : 40;
  const basePv = await rate(privateValues('truthful', pvEpisodes));
  const baseU = await rate(users('truthful', uEpisodes));
  throughput.push(['truthful (reference)', fmt(basePv), '1.00×', fmt(baseU), '1.00×']);
  for (const kind of ['pacing', ...LEARNERS]) {
    const fast = kind === 'dqn' ? 0.25 : 1;
    const pv = await rate(privateValues(kind, Math.max(1, Math.round(pvEpisodes * fast))));
    const u = await rate(users(kind, Math.max(1, Math.round(uEpisodes * fast)), kind === 'pacing' ? 8 : undefined));
    throughput.push([kind, fmt(pv), `${(basePv / pv).toFixed(2)}×`, fmt(u), `${(baseU / u).toFixed(2)}×`]);
  }
}
console.log('\n## Auctions/s while learning (runner, one core)\n');
console.log(table(['agent', 'private values: auctions/s', 'slowdown', 'users: auctions/s', 'slowdown'], throughput));

// ---- 2. time to reach the outcomes ----
async function firstEpisodes(make: (episodes: number) => ReturnType<typeof resolveConfig>, ok: (b: Record<string, number>) => boolean, max: number): Promise<string[]> {
  for (let e = 1; e <= max; e *= 2) {
    const r = await runReplication(make(e), 0);
    const b = r.bidders.learner!;
    if (ok(b)) return [String(e), fmt(r.auctions), r.seconds.toFixed(2)];
  }
  return [`> ${max}`, '—', '—'];
}
const outcomes: string[][] = [];
for (const kind of LEARNERS) {
  const fp = await firstEpisodes(
    (e) => ({ ...privateValues(kind, e), auctionsPerEpisode: 5000, evalEpisodes: 2 }),
    (b) => Math.abs(b.bidToValue! - 0.5) <= 0.05,
    quick ? 16 : 64,
  );
  const cr = await firstEpisodes((e) => users(kind, e, 8, 5), (b) => b.competitiveRatio! >= 0.9, quick ? 16 : 64);
  outcomes.push([kind, ...fp, ...cr]);
}
console.log('\n## Time to reach the outcomes (training episodes double until reached; seconds include the evaluation episodes)\n');
console.log(
  table(['agent', 'first price: episodes (×5,000)', 'auctions', 's', 'budget CR ≥ 0.9: episodes (×2,000)', 'auctions', 's'], outcomes),
);

// ---- 3. small networks: nn.ts vs TensorFlow.js ----
const sizes = [1, 32, 32, 16];
const engine: string[][] = [];
{
  const net = new Mlp({ sizes, learningRate: 1e-3 }, rng(1).stream('w'));
  const x = [0.4];
  const n = quick ? 20_000 : 100_000;
  let t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) net.forward(x);
  const fwd = Number(process.hrtime.bigint() - t0) / 1e3 / n;
  const steps = quick ? 2000 : 10_000;
  const d = new Float64Array(16);
  t0 = process.hrtime.bigint();
  for (let s = 0; s < steps; s++) {
    for (let b = 0; b < 32; b++) {
      const q = net.forward([b / 32]);
      d.fill(0);
      d[b % 16] = q[b % 16]! - 1;
      net.backward(d);
    }
    net.step();
  }
  const step = Number(process.hrtime.bigint() - t0) / 1e3 / steps;
  engine.push(['nn.ts (plain TypeScript, Float64Array)', fwd.toFixed(2), step.toFixed(1)]);
}
for (const backend of ['cpu', 'wasm'] as const) {
  try {
    await initBackend(backend);
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [1], units: 32, activation: 'relu', kernelInitializer: tf.initializers.heUniform({ seed: 1 }) }),
        tf.layers.dense({ units: 32, activation: 'relu', kernelInitializer: tf.initializers.heUniform({ seed: 2 }) }),
        tf.layers.dense({ units: 16, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
      ],
    });
    const opt = tf.train.adam(1e-3);
    const one = tf.tensor2d([[0.4]]);
    const n = quick ? 500 : 2000;
    for (let i = 0; i < 50; i++) tf.tidy(() => (model.predict(one) as tf.Tensor).dataSync());
    let t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) tf.tidy(() => (model.predict(one) as tf.Tensor).dataSync());
    const fwd = Number(process.hrtime.bigint() - t0) / 1e3 / n;
    const xs = tf.tensor2d(Array.from({ length: 32 }, (_, b) => [b / 32]));
    const mask = tf.oneHot(tf.tensor1d(Array.from({ length: 32 }, (_, b) => b % 16), 'int32'), 16);
    const target = tf.onesLike(mask);
    const trainStep = () =>
      tf.tidy(() => {
        opt.minimize(() => tf.losses.huberLoss(tf.mul(target, mask), tf.mul(model.predict(xs) as tf.Tensor, mask)) as tf.Scalar);
      });
    for (let i = 0; i < 20; i++) trainStep();
    const steps = quick ? 200 : 1000;
    t0 = process.hrtime.bigint();
    for (let i = 0; i < steps; i++) trainStep();
    await tf.ready();
    const step = Number(process.hrtime.bigint() - t0) / 1e3 / steps;
    engine.push([`TensorFlow.js ${backend}`, fwd.toFixed(2), step.toFixed(1)]);
  } catch (e) {
    engine.push([`TensorFlow.js ${backend}`, `unavailable: ${(e as Error).message.split('\n')[0]}`, '—']);
  }
}
console.log('\n## DQN network [1, 32, 32, 16]: one forward pass and one Adam step on 32 transitions\n');
console.log(table(['engine', 'forward, µs', 'train step (batch 32), µs'], engine));
