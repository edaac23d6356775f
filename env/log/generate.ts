/**
 * Synthetic bid logs: auctions drawn from a simple parametric world, for the
 * tests (which must not need real data) and for the fitted world that
 * learners train in before they are judged on a real log.
 *
 * A world is a market-price distribution over the integers 0 … maxPrice and a
 * predicted-CTR distribution: pCTR is lognormal with the given mean and
 * log-scale spread σ (ln pCTR ~ N(ln mean − σ²/2, σ²), so E[pCTR] = mean, capped
 * at 1), and the click is drawn from the pCTR (a calibrated predictor). With
 * `priceCorrelation` ρ ≠ 0 the price's quantile is tied to the pCTR through a
 * Gaussian copula (ρ > 0: likely clicks cost more, as rivals see the same user).
 */
import { Rng } from '../rng.js';
import type { BidLog } from './format.js';

/** A parametric auction world. */
export interface LogWorld {
  /** Market-price distribution m(d), d = 0 … maxPrice (need not be normalised). */
  pricePdf: Float64Array;
  /** Mean predicted CTR. */
  meanCtr: number;
  /** Log-scale spread σ of the pCTR (0: every auction has the mean). */
  ctrSpread: number;
  /** Gaussian-copula correlation between the pCTR and the price quantile, in (−1, 1) (default 0). */
  priceCorrelation?: number;
}

/** A discretised lognormal price distribution on 0 … maxPrice with the given mean (before truncation) and log-spread. */
export function lognormalPricePdf(mean: number, sigma: number, maxPrice: number): Float64Array {
  const pdf = new Float64Array(maxPrice + 1);
  const mu = Math.log(mean) - (sigma * sigma) / 2;
  const cdf = (x: number) => (x <= 0 ? 0 : 0.5 * (1 + erf((Math.log(x) - mu) / (sigma * Math.SQRT2))));
  for (let d = 0; d <= maxPrice; d++) pdf[d] = (d === maxPrice ? 1 : cdf(d + 1)) - cdf(d);
  return pdf;
}

/** Error function (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7). */
function erf(x: number): number {
  const s = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}

/** Standard normal CDF. */
function phi(x: number): number {
  return 0.5 * (1 + erf(x / Math.SQRT2));
}

/** Draws a log of `auctions` lines from a world. */
export function sampleLog(world: LogWorld, auctions: number, stream: Rng, source = 'generated'): BidLog {
  const { pricePdf, meanCtr, ctrSpread: sigma } = world;
  const rho = world.priceCorrelation ?? 0;
  const cum = new Float64Array(pricePdf.length);
  let total = 0;
  for (let d = 0; d < pricePdf.length; d++) cum[d] = total += pricePdf[d]!;
  const price = new Float64Array(auctions);
  const pctr = new Float64Array(auctions);
  const click = new Uint8Array(auctions);
  const mu = Math.log(meanCtr) - (sigma * sigma) / 2;
  const side = Math.sqrt(1 - rho * rho);
  for (let i = 0; i < auctions; i++) {
    const z = stream.normal();
    const p = Math.min(1, Math.exp(mu + sigma * z));
    pctr[i] = p;
    click[i] = stream.next() < p ? 1 : 0;
    const u = rho === 0 ? stream.next() : phi(rho * z + side * stream.normal());
    // inverse CDF by binary search
    const target = u * total;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! > target) hi = mid;
      else lo = mid + 1;
    }
    price[i] = lo;
  }
  return { source, length: auctions, price, pctr, click, conversion: null, value: null, timestamp: null };
}
