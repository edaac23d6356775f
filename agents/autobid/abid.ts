/**
 * `abid`: AuctionNet's fixed bid factor. Bids α × pValue on every opportunity
 * with the same α all episode: α = factor × the target CPA (factor 1 bids the
 * target CPA times the conversion probability, the bid at which a won and
 * exposed opportunity costs at most its expected conversions × target).
 */
import { z } from 'zod';
import type { AutoBidContext, AutoBidder, StepObservation } from '../../env/autobid/core.js';

/** Arguments of `abid`. */
export const abidSchema = z
  .object({
    kind: z.literal('abid'),
    factor: z.number().min(0).max(100).default(1).describe('bid factor relative to the CPA target: α = factor × cpa'),
  })
  .strict();
export type AbidArgs = z.infer<typeof abidSchema>;

/** Fixed factor: α = factor × cpa at every step. */
export class Abid implements AutoBidder {
  readonly kind = 'abid';
  constructor(readonly args: AbidArgs = abidSchema.parse({ kind: 'abid' })) {}
  reset(_ctx: AutoBidContext): void {}
  factor(o: StepObservation): number {
    return this.args.factor * o.ctx.cpa;
  }
  observe(): void {}
  params(): Record<string, unknown> {
    return { ...this.args };
  }
}
