/**
 * Runs a step-level auto-bidding config (`steps > 1`): per replication, builds
 * the market and the bidders (offline agents train on their datasets), plays
 * `evalEpisodes` episodes and reports per bidder, over replications:
 * `conversions`, `cost`, `cpa` (realised: the replication's cost over its
 * conversions), `cpaRatio` (cpa / target), `score` (AuctionNet's, per
 * episode), `budgetSpent` (share of the budget), `exposures` and `wins`.
 * summary.json holds no timing, so the same config and seed give the same bytes;
 * times go to meta.json.
 *
 * `logAutoBid` plays episodes of a config and writes what chosen bidders did:
 * step transitions (JSON Lines, env/autobid/transitions.ts) and optionally
 * AuctionNet's 18-column per-opportunity CSV (env/autobid/auctionnet.ts).
 */
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { totalmem } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { makeAutoBidder, ONLINE_LEARNER_KINDS, type TrainingInfo } from './autobid-agents.js';
import { AUCTIONNET_HEADER, auctionNetRowsOfStep, formatAuctionNetRow } from '../env/autobid/auctionnet.js';
import type { AutoBidder } from '../env/autobid/core.js';
import { runStepEpisode, type AdvertiserResult, type StepMarketSpec, type ValueSource } from '../env/autobid/market.js';
import { formatTransitions, RecordingBidder, transitionsHeader, type StepTransition } from '../env/autobid/transitions.js';
import { InputError } from '../env/errors.js';
import { rng, type Rng } from '../env/rng.js';
import { AUTOBID_PAIRS_PER_SECOND, autoBidMarketSpec, autoBidValueSource, type ResolvedAutoBidConfig } from './autobid-config.js';
import { writeOutFile } from './out-dir.js';
import { bytesText, MAX_CPU_SECONDS, secondsText } from './preflight.js';
import { canonicalJson } from '../env/canonical-json.js';
import { TEMP_PREFIX, writeFileAtomic, writeJsonAtomic } from '../env/io/atomic.js';
import { stat, type Stat } from './stats.js';
import { createHash } from 'node:crypto';
import { writeAutoBidPolicyFile } from '../agents/autobid/policy-file.js';
import { BIDGYM_VERSION } from './version.js';

/** Per-bidder figures of summary.json. */
export interface AutoBidBidderSummary {
  kind: string;
  budget: number;
  target: number;
  conversions: Stat;
  cost: Stat;
  cpa: Stat;
  cpaRatio: Stat;
  score: Stat;
  budgetSpent: Stat;
  exposures: Stat;
  wins: Stat;
  /** With an ROI target only: the target, the value of a conversion, and the realised ROI (the replication's value / cost). */
  roiTarget?: number;
  conversionValue?: number;
  roi?: Stat;
}

export interface AutoBidSummary {
  name: string;
  configHash: string;
  seed: number;
  replications: number;
  steps: number;
  opportunitiesPerEpisode: number;
  evalEpisodes: number;
  bidders: Record<string, AutoBidBidderSummary>;
}

/** What a run measured besides the summary. */
export interface AutoBidMeta {
  secondsPerEpisode: number[];
  /** Seconds per training episode of the online learners (all replications). */
  secondsPerTrainingEpisode: number[];
  training: TrainingInfo[];
}

/** The config's hash: first 12 hex digits of the sha256 of its canonical JSON. */
export function autoBidConfigHash(c: ResolvedAutoBidConfig): string {
  return createHash('sha256').update(canonicalJson(c)).digest('hex').slice(0, 12);
}

/** The bidders of replication r (offline ones trained). */
async function buildBidders(c: ResolvedAutoBidConfig, root: Rng, configDir: string, training: TrainingInfo[], replication: number, noise = true): Promise<AutoBidder[]> {
  const datasets = new Map<string, StepTransition[]>();
  const out: AutoBidder[] = [];
  for (const b of c.bidders) out.push(await makeAutoBidder(b.agent, { configDir, rng: root.stream(`bidder:${b.id}`), noise: noise ? b.noise : 0, datasets, beta: c.beta, onTrained: (t) => training.push({ ...t, bidder: b.id, replication }) }));
  return out;
}

/**
 * The online learners' training: when a bidder of the config learns online
 * (kind `lagrangian`), every bidder plays the config's `episodes` training
 * episodes (streams `train:<e>` of `root`) with learning on, then learning is
 * switched off for what follows. Without an online learner nothing is played.
 * @returns seconds per training episode
 */
function trainOnline(c: ResolvedAutoBidConfig, spec: StepMarketSpec, src: ValueSource, bidders: AutoBidder[], root: Rng): number[] {
  if (!c.bidders.some((b) => ONLINE_LEARNER_KINDS.includes(b.agent.kind))) return [];
  const seconds: number[] = [];
  for (const b of bidders) b.setLearning?.(true);
  for (let e = 0; e < c.episodes; e++) {
    const t0 = performance.now();
    runStepEpisode(spec, src, bidders, root.stream(`train:${e}`));
    seconds.push((performance.now() - t0) / 1000);
  }
  for (const b of bidders) b.setLearning?.(false);
  return seconds;
}

/**
 * `policies/<bidder>.json`: replication 0's policy of every bidder, in the
 * policy-file format (agents/autobid/policy-file.ts: level "step", checksummed;
 * `bidgym export` signs it, `bidgym evaluate` plays it).
 */
function writeAutoBidPolicies(dir: string, c: ResolvedAutoBidConfig, bidders: AutoBidder[], configHash: string, training: TrainingInfo[]): void {
  c.bidders.forEach((b, i) => {
    const fit = training.find((t) => t.bidder === b.id);
    const info: Record<string, number | string | boolean | null> = {
      agent: b.agent.kind,
      budget: b.budget,
      cpa: b.cpa,
      steps: c.steps,
      opportunitiesPerEpisode: c.auctionsPerEpisode,
      trainingEpisodes: ONLINE_LEARNER_KINDS.includes(b.agent.kind) ? c.episodes : null,
      dataset: 'dataset' in b.agent ? b.agent.dataset : null,
      datasetTransitions: fit ? fit.transitions : null,
    };
    writeAutoBidPolicyFile(join(dir, 'policies', `${b.id}.json`), bidders[i]!, { configHash, seed: c.seed, bidder: b.id, replication: 0, bidgym: BIDGYM_VERSION, training: info });
  });
}

function source(c: ResolvedAutoBidConfig): ValueSource {
  return autoBidValueSource(c);
}

/** Runs the config; writes summary.json, resolved-config.json and meta.json into `outDir` when given. */
export async function runAutoBid(c: ResolvedAutoBidConfig, opts: { configDir: string; outDir?: string }): Promise<{ summary: AutoBidSummary; meta: AutoBidMeta }> {
  const spec = autoBidMarketSpec(c);
  const src = source(c);
  const meta: AutoBidMeta = { secondsPerEpisode: [], secondsPerTrainingEpisode: [], training: [] };
  let rep0: AutoBidder[] = [];
  // perRep[bidder][figure][replication]
  const figures = ['conversions', 'cost', 'cpa', 'cpaRatio', 'score', 'budgetSpent', 'exposures', 'wins'] as const;
  const roiPerRep = c.bidders.map(() => [] as number[]);
  const perRep = c.bidders.map(() => Object.fromEntries(figures.map((f) => [f, [] as number[]])) as Record<(typeof figures)[number], number[]>);
  for (let r = 0; r < c.replications; r++) {
    const root = rng(c.seed).stream(`replication:${r}`);
    const bidders = await buildBidders(c, root, opts.configDir, meta.training, r);
    meta.secondsPerTrainingEpisode.push(...trainOnline(c, spec, src, bidders, root));
    if (r === 0) rep0 = bidders;
    const sums = c.bidders.map(() => ({ conversions: 0, cost: 0, score: 0, budgetSpent: 0, exposures: 0, wins: 0 }));
    for (let e = 0; e < c.evalEpisodes; e++) {
      const t0 = performance.now();
      const res: AdvertiserResult[] = runStepEpisode(spec, src, bidders, root.stream(`eval:${e}`));
      meta.secondsPerEpisode.push((performance.now() - t0) / 1000);
      res.forEach((x, i) => {
        const s = sums[i]!;
        s.conversions += x.conversions;
        s.cost += x.cost;
        s.score += x.score;
        s.budgetSpent += x.budgetSpent;
        s.exposures += x.exposures;
        s.wins += x.wins;
      });
    }
    sums.forEach((s, i) => {
      const p = perRep[i]!;
      const E = c.evalEpisodes;
      const cpa = s.conversions > 0 ? s.cost / s.conversions : s.cost > 0 ? Number.MAX_VALUE : 0;
      p.conversions.push(s.conversions / E);
      p.cost.push(s.cost / E);
      p.cpa.push(cpa);
      p.cpaRatio.push(cpa / c.bidders[i]!.cpa);
      p.score.push(s.score / E);
      p.budgetSpent.push(s.budgetSpent / E);
      p.exposures.push(s.exposures / E);
      p.wins.push(s.wins / E);
      const b = c.bidders[i]!;
      if (b.roi !== undefined) roiPerRep[i]!.push(s.cost > 0 ? (s.conversions * b.conversionValue!) / s.cost : Number.MAX_VALUE);
    });
  }
  const summary: AutoBidSummary = {
    name: c.name,
    configHash: autoBidConfigHash(c),
    seed: c.seed,
    replications: c.replications,
    steps: c.steps,
    opportunitiesPerEpisode: c.auctionsPerEpisode,
    evalEpisodes: c.evalEpisodes,
    bidders: Object.fromEntries(
      c.bidders.map((b, i) => [
        b.id,
        {
          kind: b.agent.kind,
          budget: b.budget,
          target: b.cpa,
          ...(Object.fromEntries(figures.map((f) => [f, stat(perRep[i]![f])])) as Record<(typeof figures)[number], Stat>),
          ...(b.roi !== undefined ? { roiTarget: b.roi, conversionValue: b.conversionValue!, roi: stat(roiPerRep[i]!) } : {}),
        },
      ]),
    ),
  };
  if (opts.outDir) {
    mkdirSync(opts.outDir, { recursive: true });
    writeJsonAtomic(join(opts.outDir, 'resolved-config.json'), c);
    writeJsonAtomic(join(opts.outDir, 'summary.json'), summary);
    writeJsonAtomic(join(opts.outDir, 'meta.json'), meta);
    writeAutoBidPolicies(opts.outDir, c, rep0, summary.configHash, meta.training.filter((t) => t.replication === 0));
  }
  return { summary, meta };
}

/** Options of {@link logAutoBid}. */
export interface AutoBidLogOptions {
  configDir: string;
  /** Ids of the bidders to record (default all). */
  bidders?: string[];
  /** Episodes to play (default the config's evalEpisodes × replications). */
  episodes?: number;
  /** Transitions file to write (JSON Lines). */
  transitions: string;
  /** AuctionNet 18-column CSV to write as well (per opportunity: large). */
  auctionnet?: string;
}

/**
 * Plays episodes of the config and records the chosen bidders (their
 * exploration `noise` included). The logged world is the evaluated one (same
 * market, same value model) but its episodes are drawn from streams of their
 * own (`log/episode:<k>`), so an offline agent is never evaluated on the very
 * opportunities it was trained on.
 * @returns number of transitions written
 */
export async function logAutoBid(c: ResolvedAutoBidConfig, opts: AutoBidLogOptions): Promise<number> {
  const ids = opts.bidders ?? c.bidders.map((b) => b.id);
  const which = ids.map((id) => {
    const i = c.bidders.findIndex((b) => b.id === id);
    if (i < 0) throw new InputError(`--bidder: no bidder "${id}" in the config (bidders: ${c.bidders.map((b) => b.id).join(', ')})`);
    return i;
  });
  const episodes = opts.episodes ?? c.evalEpisodes * c.replications;
  if (!Number.isInteger(episodes) || episodes < 1) throw new InputError(`--episodes: expected a positive integer, got ${episodes}`);
  // The work and the transitions held in memory (about 300 bytes each), checked before any work as run checks its own.
  const cpu = (episodes * c.auctionsPerEpisode * c.bidders.length) / AUTOBID_PAIRS_PER_SECOND;
  if (cpu > MAX_CPU_SECONDS) throw new InputError(`--episodes: ${episodes} episodes of ${c.auctionsPerEpisode} opportunities for ${c.bidders.length} bidders take at least ${secondsText(cpu)} of CPU, more than the ${secondsText(MAX_CPU_SECONDS)} a run may take`);
  const bytes = episodes * c.steps * which.length * 300;
  if (bytes > totalmem() / 2) throw new InputError(`--episodes: ${episodes} episodes × ${c.steps} steps × ${which.length} bidders of transitions need about ${bytesText(bytes)} of memory, more than half of this machine's ${bytesText(totalmem())}; log fewer episodes or bidders at once`);
  const spec = autoBidMarketSpec(c);
  const src = source(c);
  const sink: StepTransition[] = [];
  let csv: { fd: number; tmp: string; buf: string[] } | null = null;
  if (opts.auctionnet) {
    mkdirSync(dirname(opts.auctionnet), { recursive: true });
    const tmp = join(dirname(opts.auctionnet), `${TEMP_PREFIX}${basename(opts.auctionnet)}`);
    csv = { fd: openSync(tmp, 'w'), tmp, buf: [AUCTIONNET_HEADER] };
  }
  const flush = () => {
    if (csv && csv.buf.length > 0) {
      writeSync(csv.fd, csv.buf.join('\n') + '\n');
      csv.buf = [];
    }
  };
  try {
    const root = rng(c.seed).stream('log');
    const bidders = await buildBidders(c, root, opts.configDir, [], -1);
    // Online learners train first (the config's episodes), then are logged frozen.
    trainOnline(c, spec, src, bidders, root);
    const recorders: RecordingBidder[] = [];
    for (const i of which) {
      const rec = new RecordingBidder(bidders[i]!, c.bidders[i]!.id, sink, c.beta);
      recorders.push(rec);
      bidders[i] = rec;
    }
    for (let ep = 0; ep < episodes; ep++) {
      for (const rec of recorders) rec.episode = ep;
      let offset = 0;
      runStepEpisode(spec, src, bidders, root.stream(`episode:${ep}`), (v) => {
        if (csv) {
          for (const row of auctionNetRowsOfStep(v, ep, spec.advertisers, which, offset)) csv.buf.push(formatAuctionNetRow(row));
          if (csv.buf.length > 50_000) flush();
        }
        offset += v.n;
      });
    }
    flush();
  } catch (e) {
    // Nothing half-written is left: the per-opportunity rows' temporary file goes; a disk that failed is one line.
    if (csv) {
      closeSync(csv.fd);
      rmSync(csv.tmp, { force: true });
      csv = null;
      const code = (e as NodeJS.ErrnoException).code;
      if (code && !(e instanceof InputError)) throw new InputError(`--auctionnet ${opts.auctionnet}: cannot write it (${code}); nothing was written`);
    }
    throw e;
  } finally {
    if (csv) closeSync(csv.fd);
  }
  try {
    writeOutFile(opts.transitions, formatTransitions(sink, transitionsHeader(c.beta)));
  } catch (e) {
    if (csv) rmSync(csv.tmp, { force: true });
    throw e;
  }
  if (csv && opts.auctionnet) renameSync(csv.tmp, opts.auctionnet);
  return sink.length;
}
