/** Small step markets for the auto-bidding tests. */
import type { AutoBidder } from '../../../env/autobid/core.js';
import type { AdvertiserSpec, StepMarketSpec, ValueSource } from '../../../env/autobid/market.js';
import { SyntheticValues, SYNTHETIC_VALUES_DEFAULTS } from '../../../env/autobid/values.js';
import type { Rng } from '../../../env/rng.js';

/** A market of `rivals` fixed-factor advertisers (unbounded budgets) plus advertiser 0 with the given budget and target. */
export function smallMarket(opts: { budget: number; cpa: number; rivals?: number; opportunities?: number; steps?: number }): { spec: StepMarketSpec; source: SyntheticValues } {
  const rivals = opts.rivals ?? 7;
  const steps = opts.steps ?? 48;
  const advertisers: AdvertiserSpec[] = [{ id: 'learner', budget: opts.budget, cpa: opts.cpa, category: 0 }];
  for (let i = 1; i <= rivals; i++) advertisers.push({ id: `rival-${i}`, budget: 1e9, cpa: 60 + ((i * 10) % 80), category: i % 4 });
  const spec: StepMarketSpec = { steps, slots: 3, exposure: [1, 0.8, 0.6], reserve: 0.01, beta: 2, advertisers };
  const source = new SyntheticValues({ ...SYNTHETIC_VALUES_DEFAULTS, opportunities: opts.opportunities ?? 100_000, categories: 4 }, steps, advertisers);
  return { spec, source };
}

/** Opportunities given in full: `pv[t][i][j]` (sigma 0: the true conversion probability is the pValue). */
export class FixedValues implements ValueSource {
  constructor(readonly pv: number[][][]) {}
  count(t: number): number {
    return this.pv[t]![0]!.length;
  }
  fill(t: number, pValue: Float32Array, sigma: Float32Array, _rng: Rng): void {
    const n = this.count(t);
    this.pv[t]!.forEach((row, i) => row.forEach((p, j) => {
      pValue[i * n + j] = p;
      sigma[i * n + j] = 0;
    }));
  }
}

/** A bidder with a fixed α (currency units), for hand-computed cases. */
export class FixedAlpha implements AutoBidder {
  readonly kind = 'fixed';
  constructor(readonly alpha: number) {}
  reset(): void {}
  factor(): number {
    return this.alpha;
  }
  observe(): void {}
  params(): Record<string, unknown> {
    return { alpha: this.alpha };
  }
}
