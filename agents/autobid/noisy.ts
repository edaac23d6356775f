/**
 * Exploration noise for behaviour policies (what `bidgym log` records): wraps
 * an auto-bidder and multiplies its factor by exp(σ · N(0, 1)), drawn from the
 * bidder's own stream. σ = 0 leaves the bidder unchanged.
 */
import type { Rng } from '../../env/rng.js';
import type { AutoBidContext, AutoBidder, StepFeedback, StepObservation } from '../../env/autobid/core.js';

export class NoisyBidder implements AutoBidder {
  readonly kind: string;
  constructor(readonly inner: AutoBidder, readonly sigma: number) {
    if (!(sigma >= 0)) throw new RangeError(`noise: expected a number ≥ 0, got ${sigma}`);
    this.kind = inner.kind;
  }
  reset(ctx: AutoBidContext): void {
    this.inner.reset(ctx);
  }
  factor(o: StepObservation, rng: Rng): number {
    const a = this.inner.factor(o, rng);
    return this.sigma > 0 ? a * Math.exp(this.sigma * rng.normal()) : a;
  }
  observe(f: StepFeedback, o: StepObservation): void {
    this.inner.observe(f, o);
  }
  setLearning(on: boolean): void {
    this.inner.setLearning?.(on);
  }
  endEpisode(last: StepObservation): void {
    this.inner.endEpisode?.(last);
  }
  params(): Record<string, unknown> {
    return { ...this.inner.params(), noise: this.sigma };
  }
}
