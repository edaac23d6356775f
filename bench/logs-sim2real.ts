/**
 * Sim-to-real on campaign 2997: bidgym's learners train only in the fitted
 * world (experiments/log-market.ts: training price histogram, lognormal pCTR
 * around the training CTR, nothing from the test log) and are then judged on
 * the real test log, against the paper's methods at the same budget.
 *
 *   npx tsx bench/logs-sim2real.ts [--data DIR] [--c0 0.03125] [--replications 10]
 *       [--episodes 300] [--sigma 1] [--agents '[{"kind":"pacing"},…]'] [--sigmas 0.5,1,1.5]
 *       [--tune '{"kind":"pacing","gain":[0.25,0.5,1,2,4]}']
 *
 * Each replication r trains a fresh agent (its own seed r: initialisation,
 * exploration, the fitted world's draws) for --episodes episodes of 1000
 * auctions and evaluates it greedily on the whole log; clicks are reported as
 * the mean with a 95% t-interval over replications. --sigmas repeats the
 * first two agents over other pCTR spreads of the fitted world (a sensitivity
 * check of that modelling choice; the spread is not chosen by looking at the
 * test log).
 *
 * --tune picks one hyperparameter from a grid **in the fitted world only**:
 * each value trains 3 agents (seeds 101–103) and is scored by its clicks on a
 * held-out fitted-world log as long as the real one; the best value is then
 * trained and judged on the real log like the others. The real log plays no
 * part in the choice.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LinBidBidder } from '../agents/log/lin-bid.js';
import { McpcBidder } from '../agents/log/mcpc.js';
import { RlbBidder } from '../agents/log/rlb.js';
import { SsMdpBidder } from '../agents/log/ss-mdp.js';
import { readLog, readLogInfo } from '../env/log/format.js';
import { sampleLog } from '../env/log/generate.js';
import { episodeBudget, replay } from '../env/log/replay.js';
import { rng } from '../env/rng.js';
import { createAgent } from '../experiments/agent-registry.js';
import { agentSchema } from '../experiments/agent-schema.js';
import { DEFAULT_CTR_SPREAD, evaluateOnLog, fittedWorld, trainOnLogs } from '../experiments/log-market.js';
import { stat } from '../experiments/stats.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : def;
};
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const data = resolve(root, opt('data', '../shared/data/ipinyou-2997'));
const c0 = Number(opt('c0', '0.03125'));
const R = Number(opt('replications', '10'));
const episodes = Number(opt('episodes', '300'));
const sigma = Number(opt('sigma', String(DEFAULT_CTR_SPREAD)));
const agents = JSON.parse(opt('agents', '[{"kind":"pacing"},{"kind":"q-learning"},{"kind":"reinforce"},{"kind":"actor-critic"},{"kind":"dqn"}]')) as Record<string, unknown>[];
const sigmas = opt('sigmas', '').split(',').filter(Boolean).map(Number);
const tune = JSON.parse(opt('tune', 'null')) as Record<string, unknown> | null;

const N = 1000;
const MAX_BID = 300;
const log = readLog(join(data, 'test.theta.txt'), 'rlb');
const info = readLogInfo(join(data, 'info.json'));
const b0s = JSON.parse(readFileSync(join(data, 'lin-bid-b0.json'), 'utf8')) as Record<string, number>;
const budget = episodeBudget({ c0 }, info, N);
const protocol = { horizon: N, budget, maxBid: MAX_BID };
const vpc = info.costTrain / info.clkTrain;
const label = (a: Record<string, unknown>) => {
  const { kind, ...rest } = a;
  return Object.keys(rest).length ? `${kind} ${JSON.stringify(rest)}` : String(kind);
};

console.log(`# bench/logs-sim2real.ts — ${new Date().toISOString()}`);
console.log(`machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, node ${process.version}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log(`c0 = ${c0} (B = ${budget}), ${R} replications × ${episodes} training episodes of ${N} auctions in the fitted world (σ = ${sigma}), value per click = training CPC ${vpc.toFixed(1)}\n`);

const paper: [string, number][] = [
  ['SS-MDP', replay(log, new SsMdpBidder(info, N, budget, MAX_BID), protocol).clicks],
  ['Mcpc', replay(log, new McpcBidder(info, MAX_BID), protocol).clicks],
  ...(b0s[String(c0)] !== undefined ? [['Lin-Bid', replay(log, new LinBidBidder(b0s[String(c0)]!, info, MAX_BID), protocol).clicks] as [string, number]] : []),
  ['RLB', replay(log, new RlbBidder(info, N, budget, MAX_BID), protocol).clicks],
];
console.log(`paper's methods on the log: ${paper.map(([n, c]) => `${n} ${c}`).join(', ')}\n`);

function run(spec: Record<string, unknown>, spread: number, seeds = Array.from({ length: R }, (_, r) => r), target = log): { clicks: number[]; impressions: number[]; cost: number[]; seconds: number } {
  const clicks: number[] = [];
  const impressions: number[] = [];
  const cost: number[] = [];
  const t0 = performance.now();
  for (const r of seeds) {
    const s = rng(r + 1).stream(`sim2real:${label(spec)}`);
    const agent = createAgent(agentSchema.parse(spec), {
      id: 'learner',
      budget,
      auctionsPerEpisode: N,
      mechanism: 'second-price',
      slots: 1,
      valueScale: MAX_BID,
      rng: s.stream('init'),
    });
    trainOnLogs(agent, { kind: 'fitted', world: fittedWorld(info, { ctrSpread: spread }), stream: s.stream('world') }, episodes, protocol, vpc, s.stream('explore'));
    const ev = evaluateOnLog(agent, target, protocol, vpc, s.stream('eval'));
    clicks.push(ev.clicks);
    impressions.push(ev.impressions);
    cost.push(ev.cost);
  }
  return { clicks, impressions, cost, seconds: (performance.now() - t0) / 1000 };
}

const f1 = (x: number) => x.toFixed(1);
if (tune) {
  const entry = Object.entries(tune).find(([, v]) => Array.isArray(v));
  if (!entry) throw new Error('--tune: give one field as a list of values');
  const [field, values] = entry as [string, unknown[]];
  const held = sampleLog(fittedWorld(info, { ctrSpread: sigma }), log.length, rng(0).stream('held-out fitted world'), 'held-out');
  console.log(`tuning ${tune.kind}.${field} in the fitted world (3 agents each, clicks on a held-out fitted-world log of ${log.length} auctions):\n`);
  let bestValue: unknown = values[0];
  let bestScore = -Infinity;
  for (const v of values) {
    const clicks = run({ ...tune, [field]: v }, sigma, [100, 101, 102], held).clicks;
    const m = clicks.reduce((a, b) => a + b, 0) / clicks.length;
    console.log(`- ${field} = ${JSON.stringify(v)}: ${clicks.join(' ')} (mean ${f1(m)})`);
    if (m > bestScore) {
      bestScore = m;
      bestValue = v;
    }
  }
  console.log(`\nchosen: ${field} = ${JSON.stringify(bestValue)}\n`);
  agents.push({ ...tune, [field]: bestValue });
}
console.log('| learner | clicks (mean, 95% CI) | per replication | impressions | cost | replications ≥ 71 | s |');
console.log('| --- | ---: | --- | ---: | ---: | ---: | ---: |');
for (const spec of agents) {
  const r = run(spec, sigma);
  const s = stat(r.clicks);
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
  console.log(
    `| ${label(spec)} | ${f1(s.mean)} [${f1(s.ci95[0])}, ${f1(s.ci95[1])}] | ${r.clicks.join(' ')} | ${Math.round(mean(r.impressions)).toLocaleString('en-US')} | ${Math.round(mean(r.cost)).toLocaleString('en-US')} | ${r.clicks.filter((c) => c >= 71).length}/${R} | ${r.seconds.toFixed(0)} |`,
  );
}
if (sigmas.length) {
  console.log(`\nsensitivity to the fitted world's pCTR spread σ (clicks, mean [95% CI]):\n`);
  const some = agents.slice(0, 2);
  console.log(`| σ | ${some.map(label).join(' | ')} |`);
  console.log(`| ---: | ${some.map(() => '---:').join(' | ')} |`);
  for (const sg of sigmas) {
    const cells = some.map((spec) => {
      const s = stat(run(spec, sg).clicks);
      return `${f1(s.mean)} [${f1(s.ci95[0])}, ${f1(s.ci95[1])}]`;
    });
    console.log(`| ${sg} | ${cells.join(' | ')} |`);
  }
}
console.log(`\nload average at the end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
