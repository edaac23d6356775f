/**
 * Auto-bidding at AuctionNet's shape (experiments/configs/auctionnet.yaml:
 * 48 advertisers, 6 categories, 3 GSP slots with exposure, 48 steps, 500,000
 * opportunities per episode).
 *
 *   npx tsx bench/autobid.ts [--quick]
 *
 * 1. Time per episode on one core (the whole market: 48 auto-bidders, every
 *    opportunity cleared), best of the episodes played in part 2.
 * 2. The baselines on the shipped config, all competing (pid, online-lp and
 *    abid mixed in every category): per kind, the mean over its advertisers of
 *    score, CPA / target and budget spent; mean and 95% CI over replications.
 * 3. Offline agents against their behaviour policy: the same world at 1/10 of
 *    the traffic and budgets (50,000 opportunities; the rest unchanged, so one
 *    run fits in minutes on 2 cores). A behaviour policy (PID with log-normal
 *    noise σ = 0.3 on its factor) is logged as advertiser adv-00 with
 *    `logAutoBid` for `EPISODES` episodes; BC and IQL train on the log; then
 *    the behaviour, PID without noise, BC and IQL each play adv-00 on the same
 *    evaluation episodes (common random numbers). Per replication its own log,
 *    training seed and evaluation episodes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { makeAutoBidder } from '../experiments/autobid-agents.js';
import { bcSchema, iqlSchema } from '../models/autobid/args.js';
import { trainBc } from '../models/autobid/bc.js';
import { trainIql } from '../models/autobid/iql.js';
import type { AutoBidder } from '../env/autobid/core.js';
import { OfflinePolicy } from '../agents/autobid/offline/policy.js';
import { pidSchema } from '../agents/autobid/pid.js';
import { runStepEpisode } from '../env/autobid/market.js';
import { RecordingBidder, type StepTransition } from '../env/autobid/transitions.js';
import { SyntheticValues } from '../env/autobid/values.js';
import { rng } from '../env/rng.js';
import { autoBidMarketSpec, categoriesOf, resolveAutoBidConfig, type ResolvedAutoBidConfig } from '../experiments/autobid-config.js';
import { runAutoBid } from '../experiments/autobid-run.js';
import { meanCi } from '../experiments/format.js';
import { stat } from '../experiments/stats.js';
import { initBackend } from '../models/backend.js';
import { loadavg } from 'node:os';

const quick = process.argv.includes('--quick');
const root = join(import.meta.dirname, '..');
const raw = parse(readFileSync(join(root, 'experiments/configs/auctionnet.yaml'), 'utf8'));
const out = (s: string) => process.stdout.write(s + '\n');
out(`load average at start: ${loadavg().map((x) => x.toFixed(1)).join(' ')} (2 cores shared)`);

// 1 + 2: the shipped config.
const full = resolveAutoBidConfig({ ...raw, replications: quick ? 1 : 3, evalEpisodes: quick ? 1 : 2, ...(quick ? { auctionsPerEpisode: 50_000 } : {}) });
const { summary, meta } = await runAutoBid(full, { configDir: join(root, 'experiments/configs') });
out(`\n## Episode time (${full.bidders.length} advertisers, ${full.auctionsPerEpisode} opportunities, ${full.steps} steps)\nbest ${Math.min(...meta.secondsPerEpisode).toFixed(2)} s, median ${[...meta.secondsPerEpisode].sort((a, b) => a - b)[Math.floor(meta.secondsPerEpisode.length / 2)]!.toFixed(2)} s over ${meta.secondsPerEpisode.length} episodes`);
const kinds = [...new Set(full.bidders.map((b) => b.agent.kind))];
out(`\n## Baselines on ${full.name} (${full.replications} replications × ${full.evalEpisodes} episodes; per kind the mean over its advertisers)\n| agent | advertisers | score | CPA / target | budget spent |\n|---|---|---|---|---|`);
for (const k of kinds) {
  const ids = full.bidders.filter((b) => b.agent.kind === k).map((b) => b.id);
  const per = (f: 'score' | 'cpaRatio' | 'budgetSpent') => stat(Array.from({ length: full.replications }, (_, r) => ids.reduce((a, id) => a + summary.bidders[id]![f].values[r]!, 0) / ids.length));
  out(`| ${k} | ${ids.length} | ${meanCi(per('score'))} | ${meanCi(per('cpaRatio'))} | ${meanCi(per('budgetSpent'))} |`);
}

// 3: offline agents at 1/10 scale.
await initBackend('wasm');
const small: ResolvedAutoBidConfig = resolveAutoBidConfig({ ...raw, auctionsPerEpisode: 50_000, bidders: raw.bidders.map((b: { budget: number }) => ({ ...b, budget: b.budget / 10 })) });
const spec = autoBidMarketSpec(small);
const source = new SyntheticValues({ ...small.values, opportunities: small.auctionsPerEpisode, categories: categoriesOf(small) }, small.steps, spec.advertisers);
const EPISODES = quick ? 10 : 60;
const EVAL = quick ? 2 : 5;
const REPS = quick ? 1 : 2;
const player = 0;
const others = async (r: Rng0) => Promise.all(small.bidders.map((b) => makeAutoBidder(b.agent, { configDir: root, rng: r.stream(`bidder:${b.id}`) })));
type Rng0 = ReturnType<typeof rng>;
const rows: Record<string, number[][]> = { behaviour: [], pid: [], bc: [], iql: [] };
const times = { data: [] as number[], bc: [] as number[], iql: [] as number[], transitions: 0 };
for (let rep = 0; rep < REPS; rep++) {
  const repRng = rng(7).stream(`offline:${rep}`);
  const bidders = await others(repRng);
  const behaviour = () => makeAutoBidder(pidSchema.parse({ kind: 'pid' }), { configDir: root, rng: repRng, noise: 0.3 });
  const sink: StepTransition[] = [];
  let t0 = performance.now();
  for (let e = 0; e < EPISODES; e++) {
    const rec = new RecordingBidder(await behaviour(), spec.advertisers[player]!.id, sink, small.beta);
    rec.episode = e;
    const bs = [...bidders];
    bs[player] = rec;
    runStepEpisode(spec, source, bs, repRng.stream(`data:${e}`));
  }
  times.data.push((performance.now() - t0) / 1000);
  times.transitions = sink.length;
  t0 = performance.now();
  const bc = await trainBc(sink, bcSchema.parse({ kind: 'bc', dataset: '-' }), repRng.stream('bc'));
  times.bc.push((performance.now() - t0) / 1000);
  t0 = performance.now();
  const iql = await trainIql(sink, iqlSchema.parse({ kind: 'iql', dataset: '-' }), repRng.stream('iql'));
  times.iql.push((performance.now() - t0) / 1000);
  const players: Record<string, () => Promise<AutoBidder>> = {
    behaviour,
    pid: () => makeAutoBidder(pidSchema.parse({ kind: 'pid' }), { configDir: root, rng: repRng }),
    bc: async () => new OfflinePolicy('bc', bc.params),
    iql: async () => new OfflinePolicy('iql', iql.params),
  };
  for (const [name, make] of Object.entries(players)) {
    const acc = [0, 0, 0];
    for (let e = 0; e < EVAL; e++) {
      const bs = [...bidders];
      bs[player] = await make();
      const r = runStepEpisode(spec, source, bs, repRng.stream(`eval:${e}`))[player]!;
      acc[0]! += r.score / EVAL;
      acc[1]! += r.cpa / r.target / EVAL;
      acc[2]! += r.budgetSpent / EVAL;
    }
    rows[name]!.push(acc);
  }
}
const a0 = spec.advertisers[player]!;
out(`\n## Offline agents as ${a0.id} (budget ${a0.budget}, CPA target ${a0.cpa}) at 1/10 traffic: ${REPS} replications × ${EVAL} evaluation episodes; ${EPISODES} logged episodes (${times.transitions} transitions) per replication\n| agent | score | CPA / target | budget spent |\n|---|---|---|---|`);
for (const [name, v] of Object.entries(rows)) out(`| ${name} | ${meanCi(stat(v.map((x) => x[0]!)))} | ${meanCi(stat(v.map((x) => x[1]!)))} | ${meanCi(stat(v.map((x) => x[2]!)))} |`);
out(`\nlogging ${EPISODES} episodes: ${times.data.map((x) => x.toFixed(0)).join(', ')} s; BC training: ${times.bc.map((x) => x.toFixed(1)).join(', ')} s; IQL training: ${times.iql.map((x) => x.toFixed(1)).join(', ')} s (default arguments, wasm backend)`);
out(`load average at end: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
