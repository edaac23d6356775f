/**
 * The experiment config: zod schemas are the single source of its types,
 * defaults and field docs (JSON Schema for editors is generated from them).
 * Every field has a working default except `name`, `exchange.mechanism`,
 * `bidders`, and each bidder's `id`, `agent.kind` and `value`.
 */
import { z } from 'zod';
import { idProblem } from './ids.js';
import { MECHANISMS } from '../env/exchange/mechanisms.js';
import { agentSchema, allocatorSchema, type AllocatorSpec } from './agent-schema.js';
import { interestModelSchema } from './interest-schema.js';
import { c0BudgetSchema, logSchema } from './log-schema.js';

export { allocatorSchema, type AllocatorSpec };

const posInt = () => z.number().int().positive();

/** Most bidders a market may have, copies included (each is simulated in every auction). */
export const MAX_BIDDERS = 10_000;
/** A name that becomes a file name or a key: the one id rule (ids.ts). */
export const idSchema = () =>
  z.string().superRefine((v, ctx) => {
    const problem = idProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
const prob = () => z.number().min(0).max(1);

/** `users`: the simulated population (omit for a market of independent private values). */
export const usersSchema = z
  .object({
    count: posInt().default(10_000).describe('number of users'),
    topics: z.number().int().min(2).max(256).default(16).describe('dimensions of the topic space of interests, items and ads'),
    personas: z.number().int().min(1).max(255).default(8).describe('number of personas (segments) users are drawn from'),
    historyLength: z.number().int().min(0).max(255).default(20).describe('the last N items a user engaged with'),
    items: posInt().default(1000).describe('number of content items'),
    adsPerAdvertiser: z.number().int().min(1).max(1000).default(12).describe('ads in each advertiser’s catalogue'),
    adSpread: z.number().min(0).default(0.5).describe('spread of an advertiser’s ads around its main topic'),
    interestNoise: z.number().min(0).default(0.5).describe('spread of a user’s interest around the persona centroid'),
    interestDrift: z.number().min(0).default(0.02).describe('standard deviation of interest drift per session'),
    sessionLength: z.number().min(1).default(8).describe('mean page views per session (geometric)'),
    coldStartShare: prob().default(0.05).describe('probability that a session is a new user with no history'),
    organicEngagements: z.number().int().min(0).default(1).describe('content items engaged with at the start of a session'),
    baseCtr: z.number().gt(0).lt(1).default(0.0015).describe('top-slot click probability before the interest, history and fatigue terms (an ad unrelated to the user); the defaults give shown ads a CTR of about 2%'),
    interestWeight: z.number().default(1.5).describe('weight of interest · ad in the click logit'),
    historyWeight: z.number().default(3.5).describe('weight of the history-attention term in the click logit'),
    attentionSharpness: z.number().min(0).max(100).default(8).describe('inverse temperature of the history softmax (at most 100: exp(τ·similarity) must stay finite)'),
    fatigueWeight: z.number().min(0).default(0.3).describe('click-logit penalty per unit of fatigue'),
    fatigueStep: z.number().min(0).default(1).describe('fatigue added by one exposure to an advertiser'),
    fatigueRecovery: z.number().positive().default(200).describe('time constant of fatigue recovery, auctions'),
    positionDecay: z.number().gt(0).max(1).optional().describe('click multiplier per slot down the page: sets the default exchange.slotWeights to 1, d, d², … (the one position effect; give this or slotWeights, not both)'),
    baseCvr: z.number().gt(0).lt(1).default(0.02).describe('conversion probability given a click, average ad (the defaults give about 2.5% on shown ads)'),
    cvrInterestWeight: z.number().default(1).describe('weight of interest · ad in the conversion logit'),
    trainingAttention: z
      .enum(['reference', 'own'])
      .default('reference')
      .describe('how the training users’ attention (fatigue, clicked ads entering the history) moves: reference = as in evaluation, as under the reference allocation (every slot to the highest true values, budgets ignored), so that learners train in the world they are evaluated in; own = under the auctions actually won (a bidder’s wins shape its own users)'),
  })
  .strict();

/** `exchange`: the auction rules. */
export const exchangeSchema = z
  .object({
    mechanism: z.enum(MECHANISMS).describe('payment rule'),
    slots: z.number().int().min(1).max(20).default(1).describe('ad slots sold per auction'),
    slotWeights: z.array(z.number().gt(0).max(1)).optional().describe('weight of each slot: value, price and (with users) click probability scale with it; default 1, d, d², … with d = users.positionDecay or 0.75'),
    reservePrice: z.number().min(0).default(0).describe('reserve price, currency units'),
    publisherShare: prob().default(0.7).describe('share of each payment paid out to the publisher'),
    participantsPerAuction: posInt().optional().describe('bidders eligible per auction (a random subset); default all'),
    publishers: posInt().default(100).describe('number of publishers (content creators) whose pages carry impressions'),
    allocator: z.enum(['best', 'random']).default('best').describe('which ad of its catalogue a bidder shows: best predicted value, or random'),
    exposure: z.array(prob()).optional().describe('probability that each slot is shown, non-increasing (e.g. [1, 0.8, 0.6]); a slot not shown costs nothing and gets no click; default all 1'),
  })
  .strict();

/** `bidders[i].value`: what an impression is worth to the bidder. */
export const valueSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('per-click'), amount: z.number().min(0).max(1e6).describe('value of a click, currency units (at most 1e6, as bids)') }).strict(),
  z.object({ kind: z.literal('per-conversion'), amount: z.number().min(0).max(1e6).describe('value of a conversion, currency units (at most 1e6, as bids)') }).strict(),
  z
    .object({
      kind: z.literal('uniform'),
      low: z.number().min(0).max(1e6).default(0).describe('lowest private value (at most 1e6, as bids)'),
      high: z.number().min(0).max(1e6).default(1).describe('highest private value (at most 1e6, as bids)'),
    })
    .strict()
    .refine((v) => v.low <= v.high, { message: 'expected low ≤ high', path: ['low'] }),
]);

/** `bidders[i]` */
export const bidderSchema = z
  .object({
    id: idSchema().describe('bidder id: letters, digits, _ and -, at most 64 characters (copies get -1 … -n)'),
    copies: posInt().max(MAX_BIDDERS).default(1).describe(`number of identical bidders; ids become id-1 … id-n (at most 10,000 bidders in all)`),
    agent: agentSchema,
    value: valueSchema.optional().describe('what an impression is worth to the bidder; required except in a log market (there: optional, per-click)'),
    budget: z
      .union([z.number().positive(), c0BudgetSchema])
      .optional()
      .describe('budget per episode, currency units, or in a log market { c0 } = floor(cost_train / imp_train × c0 × auctionsPerEpisode); omit for none'),
    allocator: allocatorSchema.optional().describe('learn which ad to show from clicks (linucb | thompson); default the exchange allocator'),
    cpa: z.number().positive().optional().describe('target cost per conversion, currency units: summary.json then reports cost, cpa, cpaRatio and AuctionNet\'s score (conversions × penalty) for the bidder (docs/autobidding.md); the agent does not see it'),
    roi: z.number().positive().optional().describe('target return on investment, value won / spend ≥ roi: summary.json then reports roi and the score with the ROI penalty (docs/autobidding.md); the agent does not see it'),
    objective: z.string().min(1).optional().describe('reward as a mathjs expression over per-auction figures: value (the bidder\'s own estimate of the value won), spend, clicks, conversions, won; default value - spend'),
  })
  .strict();

/** The whole experiment config. */
export const configSchema = z
  .object({
    name: idSchema().describe('experiment name (run folder prefix): letters, digits, _ and -, at most 64 characters'),
    seed: z.number().int().min(0).max(2 ** 32 - 1).default(42).describe('root seed; replication r uses a stream derived from (seed, r)'),
    replications: z.number().int().min(1).max(1000).default(3).describe('independent repeats; every figure reports mean and 95% CI'),
    episodes: z.number().int().min(0).default(10).describe('training episodes per replication'),
    evalEpisodes: z.number().int().min(1).default(5).describe('evaluation episodes after training (learning off, greedy)'),
    auctionsPerEpisode: posInt().default(1000).describe('auctions per episode; budgets are per episode'),
    steps: z.literal(1).optional().describe('decision steps per episode: 1 (the default) bids per auction; a config with steps > 1 is a step-level auto-bidding config (docs/autobidding.md)'),
    users: usersSchema.optional().describe('simulated users; omit for independent private values'),
    interestModel: interestModelSchema.optional().describe('click model bidders see; default oracle (true CTR)'),
    exchange: exchangeSchema.optional().describe('the auction rules; required except in a log market'),
    log: logSchema.optional().describe('replay a bid log instead of simulating a market (docs/logs.md): each bidder replays it alone'),
    bidders: z.array(bidderSchema).min(1).max(MAX_BIDDERS).describe(`the bidders (at most 10,000 in all, copies included)`),
    beta: z.number().min(0).optional().describe('exponent β of the CPA / ROI penalty of the score of bidders with cpa: or roi: (default 2, AuctionNet\'s)'),
    sweep: z.record(z.string(), z.array(z.unknown()).min(1)).optional().describe('dotted config path → values to sweep (bidgym sweep)'),
    sweepBaseline: z.number().int().min(0).optional().describe('grid point index the others are tested against'),
  })
  .strict();

/** The config as written by a user (before defaults). */
export type ConfigInput = z.input<typeof configSchema>;
/** The config after parsing (defaults filled). */
export type ParsedConfig = z.output<typeof configSchema>;
