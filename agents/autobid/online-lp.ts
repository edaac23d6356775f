/**
 * `online-lp`: AuctionNet's online LP baseline — a greedy knapsack on
 * value / cost estimated from past steps.
 *
 * The opportunities seen so far (a deterministic sample of at most `sample`
 * per step) stand for the rest of the episode: each represents
 * (opportunities expected in the steps left) / (sample size) future ones.
 * An opportunity with predicted value p and least winning cost c is won by any
 * α ≥ c / p (its "real CPA", AuctionNet's `realCPA`). Sorting the sample by real
 * CPA ascending and walking it, the bidder adds opportunities — expected cost
 * r · e · c and expected conversions e · p each, with e the exposure rate of its
 * past wins and r the ratio of what it paid to the least winning cost of what it
 * won (GSP prices above the lowest slot) — until either the budget left is used
 * up or the episode's CPA (past cost and conversions included) would exceed the
 * target. α is the real CPA at which the walk stopped, capped at
 * `maxFactor` × target. The first step, with no history, bids α = target.
 *
 * AuctionNet fits its table offline on one logged period and caps α at 1.5 × the
 * target; this version fits online on the advertiser's own past steps, and
 * stops on the CPA constraint as well as on the budget.
 */
import { z } from 'zod';
import type { AutoBidContext, AutoBidder, StepFeedback, StepObservation } from '../../env/autobid/core.js';

/** Arguments of `online-lp`. */
export const onlineLpSchema = z
  .object({
    kind: z.literal('online-lp'),
    sample: z.number().int().min(10).default(500).describe('opportunities kept per past step (an even stride through the step)'),
    maxFactor: z.number().positive().default(3).describe('largest α, as a multiple of the target'),
  })
  .strict();
export type OnlineLpArgs = z.infer<typeof onlineLpSchema>;

export class OnlineLp implements AutoBidder {
  readonly kind = 'online-lp';
  /** Kept past opportunities, sorted by real CPA (least winning cost / pValue) ascending. */
  private real = new Float64Array(0);
  private pv = new Float64Array(0);
  private lwc = new Float64Array(0);
  private m = 0;
  private seen = 0;
  private steps = 0;
  private paid = 0;
  private paidLwc = 0;
  private wins = 0;
  private exposures = 0;

  constructor(readonly args: OnlineLpArgs = onlineLpSchema.parse({ kind: 'online-lp' })) {}

  reset(_ctx: AutoBidContext): void {
    this.m = 0;
    this.seen = 0;
    this.steps = 0;
    this.paid = this.paidLwc = this.wins = this.exposures = 0;
  }

  factor(o: StepObservation): number {
    const target = o.ctx.cpa;
    const m = this.m;
    if (m === 0) return target;
    const stepsLeft = o.ctx.steps - o.t;
    // Future volume: the steps left at the mean volume per past step, with this step's known volume.
    const future = o.n + (stepsLeft - 1) * (this.seen / this.steps);
    const weight = future / m;
    const e = this.wins > 0 ? this.exposures / this.wins : 1;
    const r = this.paidLwc > 0 ? this.paid / this.paidLwc : 1;
    const cap = this.args.maxFactor * target;
    let cost = 0;
    let conv = 0;
    const pastCost = o.totals.cost;
    const pastConv = o.totals.expectedConversions;
    for (let k = 0; k < m; k++) {
      const real = this.real[k]!;
      if (real >= cap) return cap;
      const c = cost + weight * r * e * this.lwc[k]!;
      const v = conv + weight * e * this.pv[k]!;
      if (c > o.remainingBudget || pastCost + c > target * (pastConv + v)) return real;
      cost = c;
      conv = v;
    }
    return cap;
  }

  observe(f: StepFeedback): void {
    const n = f.n;
    const stride = Math.max(1, Math.floor(n / this.args.sample));
    const fresh: number[] = [];
    for (let j = 0; j < n; j += stride) if (f.pValue[j]! > 0 && f.leastWinningCost[j]! > 0) fresh.push(j);
    fresh.sort((a, b) => f.leastWinningCost[a]! / f.pValue[a]! - f.leastWinningCost[b]! / f.pValue[b]! || a - b);
    this.merge(fresh, f);
    for (let j = 0; j < n; j++) {
      if (f.slot[j]! > 0) {
        this.wins++;
        if (f.exposed[j]! > 0) {
          this.exposures++;
          this.paid += f.cost[j]!;
          this.paidLwc += f.leastWinningCost[j]!;
        }
      }
    }
    this.seen += n;
    this.steps++;
  }

  /** Merges the step's sample (sorted by real CPA) into the kept ones: O(kept + new). */
  private merge(fresh: number[], f: StepFeedback): void {
    const total = this.m + fresh.length;
    const real = new Float64Array(total);
    const pv = new Float64Array(total);
    const lwc = new Float64Array(total);
    let a = 0;
    let b = 0;
    for (let k = 0; k < total; k++) {
      const fromOld = b >= fresh.length || (a < this.m && this.real[a]! <= f.leastWinningCost[fresh[b]!]! / f.pValue[fresh[b]!]!);
      if (fromOld) {
        real[k] = this.real[a]!;
        pv[k] = this.pv[a]!;
        lwc[k] = this.lwc[a]!;
        a++;
      } else {
        const j = fresh[b++]!;
        pv[k] = f.pValue[j]!;
        lwc[k] = f.leastWinningCost[j]!;
        real[k] = lwc[k]! / pv[k]!;
      }
    }
    this.real = real;
    this.pv = pv;
    this.lwc = lwc;
    this.m = total;
  }

  params(): Record<string, unknown> {
    return { ...this.args };
  }
}
