/**
 * Config schemas of log markets: the top-level `log:` block, the paper's
 * methods as agent kinds, and the `{ c0 }` form of a budget.
 */
import { z } from 'zod';
import { LOG_FORMATS } from '../env/log/format.js';
import { DEFAULT_CTR_SPREAD } from './log-market.js';

/** `log`: replay a bid log instead of simulating users (see docs/logs.md). */
export const logSchema = z
  .object({
    format: z.enum(LOG_FORMATS).default('rlb').describe('rlb (lines "click price pctr" + info.json) or csv (header with price, pctr, click[, conversion, value, timestamp])'),
    path: z.string().min(1).describe('the log to evaluate on (relative to the config file’s folder)'),
    info: z.string().min(1).optional().describe('training statistics, RLB’s info.json (imp_train, clk_train, cost_train, price_counter_train); default: computed from trainPath'),
    trainPath: z.string().min(1).optional().describe('a training log in the same format: learners train on it instead of the fitted world, Lin-Bid tunes b0 on it'),
    maxPrice: z.number().min(0).optional().describe('largest bid (bids are capped at it); default the top of the training price histogram, else the highest logged price'),
    integerBids: z.boolean().default(true).describe('round bids down to integers (the paper’s protocol)'),
    ctrSpread: z.number().min(0).max(5).default(DEFAULT_CTR_SPREAD).describe('log-scale spread σ of the lognormal pCTR of the fitted world learners train in'),
    cacheDir: z.string().min(1).optional().describe('folder for RLB value tables cached on disk (relative to the config file’s folder); default memory only'),
  })
  .strict();

/** A parsed `log:` block. */
export type LogConfig = z.output<typeof logSchema>;

/** `bidders[i].budget` in a log market may also be `{ c0 }`: floor(cost_train / imp_train × c0 × auctionsPerEpisode). */
export const c0BudgetSchema = z
  .object({ c0: z.number().gt(0).max(1000).describe('budget as a share of the training mean price × auctionsPerEpisode (the RLB paper’s c0)') })
  .strict();

/** The paper's methods (log markets only). */
export const logAgentSchemas = [
  z
    .object({
      kind: z.literal('lin-bid'),
      b0: z.number().positive().optional().describe('base bid: bid = pctr × b0 / avgCTR; default tuned on log.trainPath (else on a fitted-world log)'),
    })
    .strict(),
  z.object({ kind: z.literal('mcpc') }).strict(),
  z.object({ kind: z.literal('rlb') }).strict(),
  z.object({ kind: z.literal('ss-mdp') }).strict(),
] as const;
