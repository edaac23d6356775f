/**
 * Statistics over replications: mean with a 95% confidence interval from the
 * t-distribution, and Welch's unequal-variance t-test against a baseline.
 *
 * Mean and sample standard deviation are summed here in mathjs's order (from the
 * first value, in order; the same numbers to the bit as mathjs's `mean` and
 * `std(·, 'unbiased')`, which earlier versions called); log-gamma is mathjs's,
 * loaded on first use (only intervals and tests need it, so a one-replication run
 * never loads mathjs). mathjs
 * has no Student-t distribution, so its CDF is written here through the
 * regularised incomplete beta function, I_x(a, b), evaluated with the continued
 * fraction of Numerical Recipes (Press et al., 3rd ed., §6.4, eq. 6.4.5) by the
 * modified Lentz method; the quantile is the CDF inverted by bisection.
 */
import { createRequire } from 'node:module';

let mathLgamma: ((x: number) => number) | undefined;
/** mathjs's log-gamma (mathjs loads on the first call). */
function lgamma(x: number): number {
  mathLgamma ??= (createRequire(import.meta.url)('mathjs/number') as typeof import('mathjs/number')).lgamma as (x: number) => number;
  return mathLgamma(x);
}

/** Arithmetic mean, summed from the first value in order (as mathjs's `mean`). */
function mean(values: readonly number[]): number {
  let sum = values[0]!;
  for (let i = 1; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

/** Sample standard deviation (n − 1), summed as mathjs's `std(values, 'unbiased')`: the mean first, then the squared deviations from the first in order. */
function std(values: readonly number[]): number {
  const n = values.length;
  if (n === 1) return 0;
  const m = mean(values);
  let d = values[0]! - m;
  let sum = d * d;
  for (let i = 1; i < n; i++) {
    d = values[i]! - m;
    sum += d * d;
  }
  return Math.sqrt(sum / (n - 1));
}

/** A figure over replications, as written to summary.json. */
export interface Stat {
  /** Mean over replications. */
  mean: number;
  /** 95% confidence interval of the mean (t-distribution); `[v, v]` with one replication. */
  ci95: [number, number];
  /** One value per replication, in replication order. */
  values: number[];
}

/** Result of {@link welch}. */
export interface WelchResult {
  /** t statistic of mean(a) − mean(b). */
  t: number;
  /** Welch–Satterthwaite degrees of freedom. */
  df: number;
  /** Two-sided p-value, in [0, 1]. */
  p: number;
}

const EPS = 1e-15;
const TINY = 1e-300;

/** Continued fraction for I_x(a, b) (Numerical Recipes eq. 6.4.5, modified Lentz). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    // Even step of the fraction.
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    // Odd step.
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) return h;
  }
  return h;
}

/**
 * Regularised incomplete beta function I_x(a, b) = B(x; a, b) / B(a, b).
 *
 * @param x in [0, 1]
 * @param a > 0
 * @param b > 0
 * @returns a probability in [0, 1]
 * @example regularizedIncompleteBeta(0.5, 2, 3) // 0.6875
 */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (!(a > 0) || !(b > 0)) throw new RangeError(`regularizedIncompleteBeta: a and b must be > 0, got a=${a}, b=${b}`);
  if (!(x >= 0 && x <= 1)) throw new RangeError(`regularizedIncompleteBeta: x must be in [0, 1], got ${x}`);
  if (x === 0) return 0;
  if (x === 1) return 1;
  // Prefactor x^a (1−x)^b / (a B(a, b)), in logs for large a, b.
  const lnFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  const front = Math.exp(lnFront);
  // The fraction converges fast for x < (a+1)/(a+b+2); otherwise use the symmetry I_x(a,b) = 1 − I_{1−x}(b,a).
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/**
 * Cumulative distribution function of Student's t with `df` degrees of freedom.
 *
 * @param t any real (±Infinity allowed)
 * @param df degrees of freedom, > 0 (need not be an integer)
 * @example tCdf(2.776445, 4) // ≈ 0.975
 */
export function tCdf(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`tCdf: df must be > 0, got ${df}`);
  if (Number.isNaN(t)) return NaN;
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  // P(|T| > |t|) = I_{df/(df+t²)}(df/2, 1/2).
  const tail = 0.5 * regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t > 0 ? 1 - tail : tail;
}

const quantileCache = new Map<string, number>();

/**
 * Quantile (inverse CDF) of Student's t: the `q` with `tCdf(q, df) = p`.
 *
 * @param p probability in (0, 1)
 * @param df degrees of freedom, > 0
 * @example tQuantile(0.975, 4) // ≈ 2.776445
 */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`tQuantile: p must be in (0, 1), got ${p}`);
  if (!(df > 0)) throw new RangeError(`tQuantile: df must be > 0, got ${df}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -tQuantile(1 - p, df);
  const key = `${p}|${df}`;
  const cached = quantileCache.get(key);
  if (cached !== undefined) return cached;
  let lo = 0;
  let hi = 1;
  while (tCdf(hi, df) < p) {
    lo = hi;
    hi *= 2;
  }
  // Bisection to full double precision: the CDF is monotone, so this cannot fail.
  for (let i = 0; i < 200 && hi - lo > 1e-15 * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (tCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  const q = 0.5 * (lo + hi);
  quantileCache.set(key, q);
  return q;
}

/**
 * Mean and 95% confidence interval (t-distribution, n − 1 degrees of freedom) of
 * one figure over replications.
 *
 * With one value the interval is `[v, v]`. A non-finite value (e.g. a ratio with
 * no denominator in some replication) makes the mean and interval NaN, which JSON
 * writes as null: the figure is undefined rather than silently averaged over fewer
 * replications.
 *
 * @param values one value per replication (at least one)
 * @example stat([1, 2, 3, 4, 5]) // { mean: 3, ci95: [1.0368, 4.9632], values: [1, 2, 3, 4, 5] }
 */
export function stat(values: number[]): Stat {
  if (values.length === 0) throw new RangeError('stat: values must hold at least one replication, got none');
  const copy = values.slice();
  if (!copy.every(Number.isFinite)) return { mean: NaN, ci95: [NaN, NaN], values: copy };
  const m = mean(copy);
  if (copy.length === 1) return { mean: m, ci95: [m, m], values: copy };
  const se = std(copy) / Math.sqrt(copy.length);
  const half = tQuantile(0.975, copy.length - 1) * se;
  return { mean: m, ci95: [m - half, m + half], values: copy };
}

/**
 * Welch's two-sample t-test (unequal variances) of mean(a) against mean(b),
 * two-sided.
 *
 * Degenerate cases: fewer than two values on either side (or a non-finite value)
 * gives NaN for all three figures; zero variance on both sides gives p = 1 when the
 * means are equal and p = 0 (t = ±Infinity) when they differ.
 *
 * @param a sample, e.g. a bidder's utility per replication
 * @param b baseline sample
 * @example welch([1, 2, 3, 4], [2, 4, 6, 8]).p // ≈ 0.1301
 */
export function welch(a: number[], b: number[]): WelchResult {
  const na = a.length;
  const nb = b.length;
  if (na < 2 || nb < 2 || !a.every(Number.isFinite) || !b.every(Number.isFinite)) return { t: NaN, df: NaN, p: NaN };
  const diff = mean(a) - mean(b);
  const va = std(a) ** 2 / na;
  const vb = std(b) ** 2 / nb;
  const se2 = va + vb;
  // A figure too large to square (a CPA of Number.MAX_VALUE: a replication without a conversion) has no test.
  if (!Number.isFinite(se2)) return { t: NaN, df: NaN, p: NaN };
  if (se2 === 0) {
    const df = na + nb - 2;
    if (diff === 0) return { t: 0, df, p: 1 };
    return { t: diff > 0 ? Infinity : -Infinity, df, p: 0 };
  }
  const t = diff / Math.sqrt(se2);
  // Welch–Satterthwaite approximation of the degrees of freedom; where the squares of tiny or huge variances
  // underflow or overflow, the same formula on the variances relative to the larger.
  let df = (se2 * se2) / ((va * va) / (na - 1) + (vb * vb) / (nb - 1));
  if (!(df > 0) || !Number.isFinite(df)) {
    const top = Math.max(va, vb);
    const ra = va / top;
    const rb = vb / top;
    df = ((ra + rb) * (ra + rb)) / ((ra * ra) / (na - 1) + (rb * rb) / (nb - 1));
  }
  const p = Math.min(1, 2 * tCdf(-Math.abs(t), df));
  return { t, df, p };
}
