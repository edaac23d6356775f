/**
 * Auto-bidding at AuctionNet's shape (experiments/configs/auctionnet.yaml:
 * 48 advertisers, 6 categories, 3 GSP slots with exposure, 48 steps, 500,000
 * opportunities per episode drawn from bidgym's users).
 *
 *   npx tsx bench/autobid.ts [--quick] [--parts 1,2,3,4,5] [--scale F] [--reps N] [--rep-from K] [--rows LOG,…] [--eval-episodes N] [--log-episodes N] [--train-episodes N] [--timing-episodes N]
 *
 * 1. The baselines on the shipped config, all competing (pid, online-lp and
 *    abid mixed in every category): per kind, the mean over its advertisers of
 *    score, CPA / target and budget spent; mean and 95% CI over replications.
 *    Time per episode (wall and CPU of this process, one core).
 * 2. The online learner: the same config with the 12 abid seats taken by
 *    `lagrangian` (trained `--train-episodes` episodes per replication, 20 by
 *    default, every bidder playing), then evaluated like part 1.
 * 3. Offline agents against their behaviour policy and the online agents, in
 *    seat adv-00 of the world at `--scale` of the traffic and budgets (1 =
 *    AuctionNet's scale): a behaviour policy (PID with log-normal noise σ = 0.3
 *    on its factor) is logged for `--log-episodes` episodes; BC and IQL train on
 *    the log; then the behaviour, PID without noise, `lagrangian` (trained in
 *    the seat over `--train-episodes` episodes), BC and IQL each play adv-00 on
 *    the same evaluation episodes (common random numbers). Per replication its
 *    own log, training seeds and evaluation episodes (CPA / target: the
 *    replication's cost / conversions over them); `--reps` replications
 *    (2 by default) × `--eval-episodes` evaluation episodes (4 by default);
 *    `--rep-from K` runs replications K … K + reps − 1 (a replication's log,
 *    seeds and episodes depend only on its index, so separate processes give
 *    the rows one run would). Each replication's row is printed as it ends;
 *    `--rows LOG[,LOG…]` prints the table from the row lines of such runs'
 *    output (nothing run). After the table: the paired differences of score
 *    on the same evaluation episodes.
 * 4. Training time of BC and IQL (default arguments) on a log of
 *    `--timing-episodes` episodes (300 by default) at 1/10 scale; wall and CPU.
 * 5. The online learners in the abid seats, at `--scale` of the traffic and
 *    budgets: the config with its 12 abid seats as they are, then taken by
 *    `lagrangian`, `q-learning`, `dqn`, `reinforce` and `actor-critic` in turn
 *    (bidgym's learners through the step-level adapter, default arguments;
 *    `--train-episodes` training episodes per replication, every bidder
 *    playing), each evaluated like part 1 on the same evaluation episodes;
 *    `--reps` replications (5 by default) × `--eval-episodes` (2 by default).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { makeAutoBidder } from '../experiments/autobid-agents.js';
import { bcSchema, iqlSchema } from '../models/autobid/args.js';
import { trainBc } from '../models/autobid/bc.js';
import { trainIql } from '../models/autobid/iql.js';
import type { AutoBidder } from '../env/autobid/core.js';
import { OfflinePolicy } from '../agents/autobid/offline/policy.js';
import { LagrangianBandit, lagrangianSchema } from '../agents/autobid/lagrangian.js';
import { pidSchema } from '../agents/autobid/pid.js';
import { runStepEpisode } from '../env/autobid/market.js';
import { RecordingBidder, type StepTransition } from '../env/autobid/transitions.js';
import { rng, type Rng } from '../env/rng.js';
import { autoBidMarketSpec, autoBidValueSource, resolveAutoBidConfig, type ResolvedAutoBidConfig } from '../experiments/autobid-config.js';
import { runAutoBid, type AutoBidSummary } from '../experiments/autobid-run.js';
import { meanCi } from '../experiments/format.js';
import { stat } from '../experiments/stats.js';
import { initBackend } from '../models/backend.js';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1]! : dflt;
};
const quick = argv.includes('--quick');
const parts = new Set(opt('parts', '1,2,3,4,5').split(',').map(Number));
const SCALE = Number(opt('scale', quick ? '0.1' : '1'));
const LOG_EPISODES = Number(opt('log-episodes', quick ? '6' : '30'));
const TRAIN_EPISODES = Number(opt('train-episodes', quick ? '4' : '20'));
const TIMING_EPISODES = Number(opt('timing-episodes', quick ? '10' : '300'));
const root = join(import.meta.dirname, '..');
const configDir = join(root, 'experiments/configs');
const raw = parse(readFileSync(join(configDir, 'auctionnet.yaml'), 'utf8'));
const out = (s: string) => process.stdout.write(s + '\n');
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
out(`load average at start: ${loadavg().map((x) => x.toFixed(1)).join(' ')} (2 cores shared); ${new Date().toISOString()}`);

function kindTable(c: ResolvedAutoBidConfig, s: AutoBidSummary): void {
  out(`| agent | advertisers | score | CPA / target | budget spent |\n|---|---|---|---|---|`);
  for (const k of [...new Set(c.bidders.map((b) => b.agent.kind))]) {
    const ids = c.bidders.filter((b) => b.agent.kind === k).map((b) => b.id);
    const per = (f: 'score' | 'cpaRatio' | 'budgetSpent') => stat(Array.from({ length: c.replications }, (_, r) => ids.reduce((a, id) => a + s.bidders[id]![f].values[r]!, 0) / ids.length));
    out(`| ${k} | ${ids.length} | ${meanCi(per('score'))} | ${meanCi(per('cpaRatio'))} | ${meanCi(per('budgetSpent'))} |`);
  }
}

/**
 * {@link kindTable} with the CPA / target of a kind pooled over its advertisers,
 * Σ cost / Σ (target × conversions) per replication: at a fraction of
 * AuctionNet's scale a seat buys a few conversions per episode, and one that
 * bought none (CPA reported as Number.MAX_VALUE) would swamp a mean of ratios.
 */
function pooledKindTable(c: ResolvedAutoBidConfig, s: AutoBidSummary): void {
  out(`| agent | advertisers | score | CPA / target (pooled) | budget spent |\n|---|---|---|---|---|`);
  for (const k of [...new Set(c.bidders.map((b) => b.agent.kind))]) {
    const bs = c.bidders.filter((b) => b.agent.kind === k);
    const reps = Array.from({ length: c.replications }, (_, r) => r);
    const mean = (f: 'score' | 'budgetSpent') => stat(reps.map((r) => bs.reduce((a, b) => a + s.bidders[b.id]![f].values[r]!, 0) / bs.length));
    const pooled = stat(reps.map((r) => bs.reduce((a, b) => a + s.bidders[b.id]!.cost.values[r]!, 0) / bs.reduce((a, b) => a + b.cpa * s.bidders[b.id]!.conversions.values[r]!, 0)));
    out(`| ${k} | ${bs.length} | ${meanCi(mean('score'))} | ${meanCi(pooled)} | ${meanCi(mean('budgetSpent'))} |`);
  }
}

// `--rows LOG[,LOG…]`: part 3's table from the `row` lines of earlier runs' output (replications run as separate processes).
if (argv.includes('--rows')) {
  const rows: Record<string, number[][]> = { behaviour: [], pid: [], lagrangian: [], bc: [], iql: [] };
  const seen = new Set<number>();
  for (const file of opt('rows', '').split(',')) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.startsWith('row ')) continue;
      const r = JSON.parse(line.slice(4)) as Record<string, number[]> & { rep: number };
      if (seen.has(r.rep)) throw new Error(`--rows: replication ${r.rep} twice (${file})`);
      seen.add(r.rep);
      for (const k of Object.keys(rows)) rows[k]!.push(r[k]!);
    }
  }
  out(`\n## 3. from the rows of ${opt('rows', '')}: replications ${[...seen].join(', ')}\n| agent | score | CPA / target | budget spent |\n|---|---|---|---|`);
  offlineTable(rows);
  process.exit(0);
}

const shape = { replications: quick ? 1 : 3, evalEpisodes: quick ? 1 : 2, ...(quick ? { auctionsPerEpisode: 50_000 } : {}) };
if (parts.has(1)) {
  const full = resolveAutoBidConfig({ ...raw, ...shape });
  const c0 = cpu();
  const { summary, meta } = await runAutoBid(full, { configDir });
  const cpuPer = (cpu() - c0) / meta.secondsPerEpisode.length;
  const sorted = [...meta.secondsPerEpisode].sort((a, b) => a - b);
  out(`\n## 1. Baselines on ${full.name} (${full.replications} replications × ${full.evalEpisodes} episodes; per kind the mean over its advertisers)`);
  kindTable(full, summary);
  out(`\nepisode (${full.bidders.length} advertisers, ${full.auctionsPerEpisode} opportunities, ${full.steps} steps): wall best ${sorted[0]!.toFixed(2)} s, median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(2)} s over ${sorted.length}; CPU ${cpuPer.toFixed(2)} s per episode (the run's CPU time / episodes, user value table included); load ${loadavg()[0]!.toFixed(1)}`);
}

if (parts.has(2)) {
  const withLearner = resolveAutoBidConfig({ ...raw, ...shape, episodes: TRAIN_EPISODES, bidders: raw.bidders.map((b: { agent: { kind: string } }) => (b.agent.kind === 'abid' ? { ...b, agent: { kind: 'lagrangian' } } : b)) });
  const c0 = cpu();
  const { summary, meta } = await runAutoBid(withLearner, { configDir });
  out(`\n## 2. The abid seats taken by lagrangian (${TRAIN_EPISODES} training episodes per replication, every bidder playing; ${withLearner.replications} replications × ${withLearner.evalEpisodes} evaluation episodes)`);
  kindTable(withLearner, summary);
  out(`\nCPU ${(cpu() - c0).toFixed(0)} s for ${meta.secondsPerTrainingEpisode.length} training + ${meta.secondsPerEpisode.length} evaluation episodes; load ${loadavg()[0]!.toFixed(1)}`);
}

/** The world of adv-00 at a fraction of the traffic and budgets. */
function scaled(f: number): ResolvedAutoBidConfig {
  return resolveAutoBidConfig({ ...raw, auctionsPerEpisode: Math.round(500_000 * f), bidders: raw.bidders.map((b: { budget: number }) => ({ ...b, budget: b.budget * f })) });
}

async function logBehaviour(c: ResolvedAutoBidConfig, repRng: Rng, episodes: number, others: AutoBidder[], behaviour: () => Promise<AutoBidder>): Promise<StepTransition[]> {
  const spec = autoBidMarketSpec(c);
  const source = autoBidValueSource(c);
  const sink: StepTransition[] = [];
  for (let e = 0; e < episodes; e++) {
    const rec = new RecordingBidder(await behaviour(), spec.advertisers[0]!.id, sink, c.beta);
    rec.episode = e;
    const bs = [...others];
    bs[0] = rec;
    runStepEpisode(spec, source, bs, repRng.stream(`data:${e}`));
  }
  return sink;
}

const othersOf = (c: ResolvedAutoBidConfig, r: Rng) => Promise.all(c.bidders.map((b) => makeAutoBidder(b.agent, { configDir, rng: r.stream(`bidder:${b.id}`) })));

/**
 * Part 3's table from its rows (per agent, per replication: score, CPA /
 * target, budget spent), then the paired differences of score on the same
 * evaluation episodes (common random numbers), mean ± 95% CI over replications.
 */
function offlineTable(rows: Record<string, number[][]>): void {
  for (const [name, v] of Object.entries(rows)) out(`| ${name} | ${meanCi(stat(v.map((x) => x[0]!)))} | ${meanCi(stat(v.map((x) => x[1]!)))} | ${meanCi(stat(v.map((x) => x[2]!)))} |`);
  out(`\npaired differences of score (same evaluation episodes), per replication and mean ± 95% CI:\n| difference | per replication | mean |\n|---|---|---|`);
  for (const [a, b] of [['iql', 'behaviour'], ['iql', 'bc'], ['bc', 'behaviour'], ['pid', 'behaviour'], ['lagrangian', 'iql'], ['lagrangian', 'pid']] as const) {
    const d = rows[a]!.map((x, r) => x[0]! - rows[b]![r]![0]!);
    out(`| ${a} − ${b} | ${d.map((x) => x.toFixed(2)).join(', ')} | ${meanCi(stat(d))} |`);
  }
}


if (parts.has(3) || parts.has(4)) await initBackend('wasm');

if (parts.has(3)) {
  const c = scaled(SCALE);
  const spec = autoBidMarketSpec(c);
  const source = autoBidValueSource(c);
  const EVAL = Number(opt('eval-episodes', quick ? '2' : '4'));
  const REPS = Number(opt('reps', quick ? '1' : '2'));
  const REP_FROM = Number(opt('rep-from', '0'));
  const rows: Record<string, number[][]> = { behaviour: [], pid: [], lagrangian: [], bc: [], iql: [] };
  const times = { data: [] as number[], bc: [] as number[], iql: [] as number[], lag: [] as number[], transitions: 0 };
  for (let rep = REP_FROM; rep < REP_FROM + REPS; rep++) {
    const repRng = rng(7).stream(`offline:${rep}`);
    const bidders = await othersOf(c, repRng);
    const behaviour = () => makeAutoBidder(pidSchema.parse({ kind: 'pid' }), { configDir, rng: repRng, noise: 0.3 });
    let c0 = cpu();
    const sink = await logBehaviour(c, repRng, LOG_EPISODES, bidders, behaviour);
    times.data.push(cpu() - c0);
    times.transitions = sink.length;
    c0 = cpu();
    const bc = await trainBc(sink, bcSchema.parse({ kind: 'bc', dataset: '-' }), repRng.stream('bc'));
    times.bc.push(cpu() - c0);
    c0 = cpu();
    const iql = await trainIql(sink, iqlSchema.parse({ kind: 'iql', dataset: '-' }), repRng.stream('iql'));
    times.iql.push(cpu() - c0);
    // The online learner, trained in the seat over its own episodes.
    c0 = cpu();
    const lag = new LagrangianBandit(lagrangianSchema.parse({ kind: 'lagrangian' }));
    lag.setLearning(true);
    for (let e = 0; e < TRAIN_EPISODES; e++) {
      const bs = [...bidders];
      bs[0] = lag;
      runStepEpisode(spec, source, bs, repRng.stream(`train:${e}`));
    }
    lag.setLearning(false);
    times.lag.push(cpu() - c0);
    const players: Record<string, () => Promise<AutoBidder>> = {
      behaviour,
      pid: () => makeAutoBidder(pidSchema.parse({ kind: 'pid' }), { configDir, rng: repRng }),
      lagrangian: async () => lag,
      bc: async () => new OfflinePolicy('bc', bc.params),
      iql: async () => new OfflinePolicy('iql', iql.params),
    };
    for (const [name, make] of Object.entries(players)) {
      // Per replication: mean score and budget spent over its episodes; CPA = the replication's cost / conversions (as summary.json's cpa).
      const acc = [0, 0, 0];
      let cost = 0;
      let conversions = 0;
      for (let e = 0; e < EVAL; e++) {
        const bs = [...bidders];
        bs[0] = await make();
        const r = runStepEpisode(spec, source, bs, repRng.stream(`eval:${e}`))[0]!;
        acc[0]! += r.score / EVAL;
        cost += r.cost;
        conversions += r.conversions;
        acc[2]! += r.budgetSpent / EVAL;
      }
      acc[1] = (conversions > 0 ? cost / conversions : Number.MAX_VALUE) / spec.advertisers[0]!.cpa;
      rows[name]!.push(acc);
    }
    const last = (k: number) => times[(['data', 'bc', 'iql', 'lag'] as const)[k]].at(-1)!;
    out(`(replication ${rep} done; CPU logging ${last(0).toFixed(0)} s, BC ${last(1).toFixed(1)} s, IQL ${last(2).toFixed(1)} s, lagrangian ${last(3).toFixed(0)} s; load ${loadavg()[0]!.toFixed(1)}; ${new Date().toISOString()})`);
    out(`row ${JSON.stringify({ rep, ...Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, v.at(-1)])) })}`);
  }
  const a0 = spec.advertisers[0]!;
  out(`\n## 3. Offline agents as ${a0.id} (budget ${a0.budget}, CPA target ${a0.cpa}) at ${SCALE} × AuctionNet's traffic (${c.auctionsPerEpisode} opportunities): ${REPS} replications (${REP_FROM}–${REP_FROM + REPS - 1}) × ${EVAL} evaluation episodes; ${LOG_EPISODES} logged episodes (${times.transitions} transitions) per replication; lagrangian trained ${TRAIN_EPISODES} episodes\n| agent | score | CPA / target | budget spent |\n|---|---|---|---|`);
  offlineTable(rows);
  out(`\nCPU: logging ${times.data.map((x) => x.toFixed(0)).join(', ')} s; BC training ${times.bc.map((x) => x.toFixed(1)).join(', ')} s; IQL training ${times.iql.map((x) => x.toFixed(1)).join(', ')} s; lagrangian training ${times.lag.map((x) => x.toFixed(0)).join(', ')} s; load ${loadavg()[0]!.toFixed(1)}`);
}

if (parts.has(4)) {
  const c = scaled(0.1);
  const repRng = rng(8).stream('timing');
  const bidders = await othersOf(c, repRng);
  const sink = await logBehaviour(c, repRng, TIMING_EPISODES, bidders, () => makeAutoBidder(pidSchema.parse({ kind: 'pid' }), { configDir, rng: repRng, noise: 0.3 }));
  for (const kind of ['bc', 'iql'] as const) {
    const w0 = performance.now();
    const c0 = cpu();
    if (kind === 'bc') await trainBc(sink, bcSchema.parse({ kind: 'bc', dataset: '-' }), repRng.stream('bc'));
    else await trainIql(sink, iqlSchema.parse({ kind: 'iql', dataset: '-' }), repRng.stream('iql'));
    out(`\n## 4. ${kind} training, default arguments, on ${TIMING_EPISODES} logged episodes (${sink.length} transitions): wall ${((performance.now() - w0) / 1000).toFixed(1)} s, CPU ${(cpu() - c0).toFixed(1)} s; load ${loadavg()[0]!.toFixed(1)}`);
  }
}
if (parts.has(5)) {
  const REPS = Number(opt('reps', quick ? '1' : '5'));
  const EVAL = Number(opt('eval-episodes', quick ? '1' : '2'));
  const base = scaled(SCALE);
  out(`\n## 5. The abid seats taken by each online learner at ${SCALE} × AuctionNet's traffic and budgets (${base.auctionsPerEpisode} opportunities per episode; ${TRAIN_EPISODES} training episodes per replication, every bidder playing; ${REPS} replications × ${EVAL} evaluation episodes)`);
  for (const kind of ['abid', 'lagrangian', 'q-learning', 'dqn', 'reinforce', 'actor-critic']) {
    const c = resolveAutoBidConfig({
      ...raw,
      replications: REPS,
      evalEpisodes: EVAL,
      episodes: kind === 'abid' ? 0 : TRAIN_EPISODES,
      auctionsPerEpisode: base.auctionsPerEpisode,
      bidders: raw.bidders.map((b: { budget: number; agent: { kind: string } }) => ({ ...b, budget: b.budget * SCALE, ...(b.agent.kind === 'abid' ? { agent: { kind } } : {}) })),
    });
    const c0 = cpu();
    const { summary } = await runAutoBid(c, { configDir });
    out(`\n### abid seats: ${kind} (CPU ${(cpu() - c0).toFixed(0)} s; load ${loadavg()[0]!.toFixed(1)})`);
    pooledKindTable(c, summary);
  }
}
out(`\nload average at end: ${loadavg().map((x) => x.toFixed(1)).join(' ')}; ${new Date().toISOString()}`);
