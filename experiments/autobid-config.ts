/**
 * Configs of the step-level auto-bidding problem: a config with top-level
 * `steps > 1` (AuctionNet: 48). Every bidder is an auto-bidder with a budget and
 * a target CPA; `auctionsPerEpisode` counts the impression opportunities of an
 * episode, spread over the steps. Unknown keys are errors; every field but
 * `name`, the bidders' `id`, `agent.kind`, `budget` and `cpa` has a default.
 *
 * ```yaml
 * name: cpa-small
 * steps: 48
 * auctionsPerEpisode: 100000
 * exchange: { mechanism: gsp, slots: 3, exposure: [1, 0.8, 0.6], reservePrice: 0.01 }
 * bidders:
 *   - { id: pid, agent: { kind: pid }, budget: 3000, cpa: 60 }
 *   - { id: rival, copies: 7, agent: { kind: abid }, budget: 1000000, cpa: 80, category: 1 }
 * ```
 */
import { z } from 'zod';
import { autoBidAgentSchema, ONLINE_LEARNER_KINDS } from './autobid-agents.js';
import type { AdvertiserSpec, StepMarketSpec } from '../env/autobid/market.js';
import { SyntheticValues, SYNTHETIC_VALUES_DEFAULTS, type SyntheticValuesSpec } from '../env/autobid/values.js';
import { UserValues } from '../env/autobid/user-values.js';
import type { ValueSource } from '../env/autobid/market.js';
import { rng } from '../env/rng.js';
import { idSchema, MAX_BIDDERS, usersSchema } from './schema.js';
import { InputError } from '../env/errors.js';
import { checkBidderCount, ConfigError, formatPath } from './config.js';
import { totalmem } from 'node:os';
import { bytesText, countText, MAX_CPU_SECONDS, MAX_TYPED_ARRAY_LENGTH, secondsText, type WorkEstimate } from './preflight.js';

const D = SYNTHETIC_VALUES_DEFAULTS;

/** `values`: how opportunities' conversion probabilities are drawn (env/autobid/values.ts). */
export const autoBidValuesSchema = z
  .object({
    median: z.number().gt(0).lt(1).default(D.median).describe('median base conversion probability of an opportunity'),
    spread: z.number().min(0).default(D.spread).describe('log-scale spread of the base propensity across opportunities'),
    noise: z.number().min(0).default(D.noise).describe('log-scale noise of one advertiser\'s pValue around the base'),
    affinity: z.number().positive().default(D.affinity).describe('pValue multiplier for advertisers of the opportunity\'s category'),
    sigmaShare: z.number().min(0).default(D.sigmaShare).describe('pValueSigma as a share of pValue (spread of the true conversion probability)'),
    dayAmplitude: z.number().min(0).lt(1).default(D.dayAmplitude).describe('amplitude of the daily traffic pattern over the steps'),
  })
  .strict();

/** `exchange` of a step-level config. */
export const autoBidExchangeSchema = z
  .object({
    mechanism: z
      .literal('gsp', { error: (iss) => `a step-level config (steps > 1) is sold by GSP, AuctionNet's exchange (one slot: second price); expected "gsp", got ${JSON.stringify(iss.input)}` })
      .default('gsp')
      .describe('payment rule (GSP, as AuctionNet)'),
    slots: z.number().int().min(1).max(20).default(3).describe('ad slots per opportunity'),
    exposure: z.array(z.number().min(0).max(1)).optional().describe('probability that each slot is shown, non-increasing; default all 1. The price is charged only when shown.'),
    reservePrice: z.number().min(0).default(0.01).describe('reserve price, currency units'),
  })
  .strict();

/** `bidders[i]` of a step-level config. */
export const autoBidBidderSchema = z
  .object({
    id: idSchema().describe('bidder id: letters, digits, _ and -, at most 64 characters (copies get -1 … -n), as in per-auction configs (the id names its policy file)'),
    copies: z.number().int().min(1).max(MAX_BIDDERS).default(1).describe(`number of identical bidders (at most 10,000 bidders in all)`),
    agent: autoBidAgentSchema,
    budget: z.number().positive().describe('budget per episode, currency units'),
    cpa: z.number().positive().describe('target cost per conversion, currency units'),
    roi: z.number().positive().optional().describe('target return on investment: value / cost ≥ roi, with value = conversions × conversionValue (docs/autobidding.md); needs conversionValue'),
    conversionValue: z.number().positive().optional().describe('value of one conversion, currency units (with roi)'),
    category: z.number().int().min(0).default(0).describe('industry category (opportunities of a category convert better for its advertisers)'),
    noise: z.number().min(0).default(0).describe('exploration noise σ: the factor is multiplied by exp(σ · N(0,1)) (behaviour policies for bidgym log)'),
  })
  .strict();

/** The whole step-level config. */
export const autoBidConfigSchema = z
  .object({
    name: idSchema().describe('experiment name (run folder prefix): letters, digits, _ and -, at most 64 characters, as in per-auction configs'),
    seed: z.number().int().min(0).max(2 ** 32 - 1).default(42).describe('root seed'),
    replications: z.number().int().min(1).max(1000).default(3).describe('independent repeats; every figure reports mean and 95% CI'),
    episodes: z.number().int().min(0).default(0).describe('training episodes per replication for the online learners (lagrangian, q-learning, dqn, reinforce, actor-critic), played by every bidder before the evaluation episodes; none are played without an online learner (the baselines do not learn, the offline agents train on their dataset)'),
    evalEpisodes: z.number().int().min(1).default(3).describe('evaluation episodes per replication'),
    steps: z.number().int().min(2).describe('decision steps per episode (AuctionNet: 48)'),
    auctionsPerEpisode: z.number().int().min(1).default(100_000).describe('impression opportunities per episode'),
    beta: z.number().min(0).default(2).describe('exponent β of the score\'s CPA penalty'),
    values: autoBidValuesSchema.default(autoBidValuesSchema.parse({})),
    users: usersSchema.optional().describe('draw the opportunities from bidgym\'s users (env/autobid/user-values.ts): each is a visit of a user, and each advertiser\'s pValue is the user model\'s conversion probability of its best ad (with values.noise, values.sigmaShare, values.dayAmplitude); values.median, spread and affinity are then not used. Omit for the synthetic generator.'),
    exchange: autoBidExchangeSchema.default(autoBidExchangeSchema.parse({})),
    bidders: z.array(autoBidBidderSchema).min(1).max(MAX_BIDDERS).describe(`the auto-bidders (at most 10,000 in all, copies included)`),
  })
  .strict();

export type AutoBidConfigInput = z.input<typeof autoBidConfigSchema>;

/** A bidder after copies were expanded. */
export interface ResolvedAutoBidder extends AdvertiserSpec {
  agent: z.output<typeof autoBidAgentSchema>;
  noise: number;
}

/** A validated step-level config. */
export interface ResolvedAutoBidConfig {
  name: string;
  seed: number;
  replications: number;
  episodes: number;
  evalEpisodes: number;
  steps: number;
  auctionsPerEpisode: number;
  beta: number;
  values: Omit<SyntheticValuesSpec, 'opportunities' | 'categories'>;
  /** The users the opportunities come from; absent for the synthetic generator. */
  users?: z.output<typeof usersSchema>;
  exchange: { mechanism: 'gsp'; slots: number; exposure: number[]; reservePrice: number };
  bidders: ResolvedAutoBidder[];
}

/** True when a raw config asks for the step-level problem (`steps` > 1). */
export function isAutoBidConfig(raw: unknown): boolean {
  const s = (raw as { steps?: unknown } | null)?.steps;
  return typeof s === 'number' && s > 1;
}

/** Validates and resolves; a bad field is an InputError naming it. */
export function resolveAutoBidConfig(raw: unknown): ResolvedAutoBidConfig {
  const parsed = autoBidConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = formatPath(issue.path);
    const msg = issue.code === 'unrecognized_keys' ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message.replace(/^Invalid input: /, '');
    throw new InputError(path ? `${path}: ${msg}` : msg);
  }
  const c = parsed.data;
  if (c.users) {
    const given = (raw as { values?: Record<string, unknown> }).values ?? {};
    for (const k of ['median', 'spread', 'affinity']) if (k in given) throw new InputError(`values.${k}: not used with users (the users give the pValues); drop it`);
  }
  const exposure = c.exchange.exposure ?? new Array<number>(c.exchange.slots).fill(1);
  if (exposure.length !== c.exchange.slots) throw new InputError(`exchange.exposure: expected ${c.exchange.slots} probabilities (one per slot), got ${exposure.length}`);
  exposure.forEach((e, k) => {
    if (k > 0 && e > exposure[k - 1]!) throw new InputError(`exchange.exposure[${k}]: must not exceed the slot above (${exposure[k - 1]}), got ${e}`);
  });
  const learner = c.bidders.findIndex((b) => ONLINE_LEARNER_KINDS.includes(b.agent.kind));
  if (learner >= 0 && c.episodes < 1) throw new InputError(`episodes: bidders[${learner}] learns online (${c.bidders[learner]!.agent.kind}) and needs training episodes (≥ 1), got ${c.episodes}`);
  if (c.auctionsPerEpisode < c.steps) throw new InputError(`auctionsPerEpisode: expected at least one opportunity per step (≥ ${c.steps}), got ${c.auctionsPerEpisode}`);
  checkBidderCount(c.bidders);
  const bidders: ResolvedAutoBidder[] = [];
  const seen = new Set<string>();
  c.bidders.forEach((b, i) => {
    if (b.roi !== undefined && b.conversionValue === undefined) throw new InputError(`bidders[${i}].conversionValue: required with roi (ROI = conversions × conversionValue / cost)`);
    if (b.roi === undefined && b.conversionValue !== undefined) throw new InputError(`bidders[${i}].conversionValue: only used with roi; give roi or drop it`);
    for (let k = 1; k <= b.copies; k++) {
      const id = b.copies > 1 ? `${b.id}-${k}` : b.id;
      if (seen.has(id)) throw new InputError(`bidders[${i}].id: duplicate bidder id "${id}"`);
      seen.add(id);
      bidders.push({ id, budget: b.budget, cpa: b.cpa, category: b.category, agent: b.agent, noise: b.noise, ...(b.roi !== undefined ? { roi: b.roi, conversionValue: b.conversionValue! } : {}) });
    }
  });
  const resolved: ResolvedAutoBidConfig = {
    name: c.name,
    seed: c.seed,
    replications: c.replications,
    episodes: c.episodes,
    evalEpisodes: c.evalEpisodes,
    steps: c.steps,
    auctionsPerEpisode: c.auctionsPerEpisode,
    beta: c.beta,
    values: c.values,
    ...(c.users ? { users: c.users } : {}),
    exchange: { mechanism: 'gsp', slots: c.exchange.slots, exposure, reservePrice: c.exchange.reservePrice },
    bidders,
  };
  checkAutoBidSizes(resolved);
  return resolved;
}

/**
 * Bidder × opportunity pairs the step-level loop handles per CPU second at its
 * fastest, for a lower estimate of a run's CPU time (AuctionNet's 48 bidders run
 * about 7.6 million a second; the online learners are slower).
 */
export const AUTOBID_PAIRS_PER_SECOND = 20_000_000;

/**
 * The work and memory a step-level config asks for, refused (naming the field)
 * when the per-step arrays cannot be allocated, the memory is more than half
 * the machine's, or the CPU time more than {@link MAX_CPU_SECONDS}: so that
 * `auctionsPerEpisode: 1e12`, `users.count: 1e12` or `episodes: 1e9` fail in
 * validate with one line, not in the run with a RangeError or after days.
 * @throws ConfigError
 */
export function checkAutoBidSizes(c: ResolvedAutoBidConfig): WorkEstimate {
  const A = c.bidders.length;
  const K = c.exchange.slots;
  // The busiest step's opportunities (the daily pattern puts up to 1 + dayAmplitude times the mean in one step).
  const perStep = Math.ceil((c.auctionsPerEpisode / c.steps) * (1 + c.values.dayAmplitude)) + 1;
  if (perStep * A > MAX_TYPED_ARRAY_LENGTH) {
    throw new ConfigError('auctionsPerEpisode', `${countText(c.auctionsPerEpisode)} opportunities over ${c.steps} steps × ${A} bidders is more than the ${countText(MAX_TYPED_ARRAY_LENGTH)} per-step entries an array can hold; use more steps or fewer opportunities`);
  }
  const u = c.users;
  if (u && u.count * A > MAX_TYPED_ARRAY_LENGTH) throw new ConfigError('users.count', `${countText(u.count)} users × ${A} bidders is more than the ${countText(MAX_TYPED_ARRAY_LENGTH)} entries the value table can hold`);
  // Per pair of the busiest step: pValue, sigma (4 bytes each), bid, price, cost, the generator's noise (8 each), slot, exposed, conversion (1 each).
  const parts: [string, number][] = [
    ['auctionsPerEpisode', perStep * A * 43 + perStep * (16 + 16 * K)],
    ['users.count', u ? u.count * (u.topics * 8 + u.historyLength * 4 + A * 4 + 32) : 0],
    ['steps', c.steps * 64],
  ];
  const bytes = parts.reduce((t, [, b]) => t + b, 0);
  const mem = totalmem() / 2;
  if (bytes > mem) {
    const [field] = parts.sort((a, b) => b[1] - a[1])[0]!;
    throw new ConfigError(field, `the run needs about ${bytesText(bytes)} of memory, more than half of this machine's ${bytesText(2 * mem)}`);
  }
  const training = c.bidders.some((b) => ONLINE_LEARNER_KINDS.includes(b.agent.kind)) ? c.episodes : 0;
  const opportunities = c.replications * (training + c.evalEpisodes) * c.auctionsPerEpisode;
  const cpuSeconds = (opportunities * A) / AUTOBID_PAIRS_PER_SECOND;
  if (cpuSeconds > MAX_CPU_SECONDS) {
    const field = training + c.evalEpisodes > c.replications ? (training >= c.evalEpisodes ? 'episodes' : 'evalEpisodes') : 'replications';
    throw new ConfigError(field, `${countText(opportunities)} opportunities (replications × episodes × auctionsPerEpisode) for ${A} bidders take at least ${secondsText(cpuSeconds)} of CPU, more than the ${secondsText(MAX_CPU_SECONDS)} a run may take; split the work`);
  }
  return { auctions: opportunities, cpuSeconds, bytes };
}

/** The market of a resolved config. */
export function autoBidMarketSpec(c: ResolvedAutoBidConfig): StepMarketSpec {
  return { steps: c.steps, slots: c.exchange.slots, exposure: c.exchange.exposure, reserve: c.exchange.reservePrice, beta: c.beta, advertisers: c.bidders.map(({ id, budget, cpa, category, roi, conversionValue }) => ({ id, budget, cpa, category, ...(roi !== undefined ? { roi, conversionValue } : {}) })) };
}

/** Number of categories: one more than the largest a bidder names. */
export function categoriesOf(c: ResolvedAutoBidConfig): number {
  return Math.max(...c.bidders.map((b) => b.category)) + 1;
}

/**
 * Where the config's opportunities come from: bidgym's users when the config
 * has a `users` block (the world built from the stream `users-world` of the
 * config's seed, the same in every replication), else the synthetic generator.
 */
export function autoBidValueSource(c: ResolvedAutoBidConfig): ValueSource {
  const advertisers = autoBidMarketSpec(c).advertisers;
  if (c.users) return new UserValues(c.users, { opportunities: c.auctionsPerEpisode, noise: c.values.noise, sigmaShare: c.values.sigmaShare, dayAmplitude: c.values.dayAmplitude }, c.steps, advertisers, rng(c.seed).stream('users-world'));
  return new SyntheticValues({ ...c.values, opportunities: c.auctionsPerEpisode, categories: categoriesOf(c) }, c.steps, advertisers);
}
