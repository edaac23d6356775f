/**
 * Quality of click predictions: ranking (AUC), likelihood (log-loss) and
 * calibration (expected calibration error), overall and on cold-start users.
 *
 * All functions take predictions `p` (probabilities) and labels `y` (0/1) of the
 * same length, optionally restricted to a subset of rows.
 */

/** Metrics of a model on one set of impressions. */
export interface QualityMetrics {
  /** Area under the ROC curve, in [0, 1]; NaN when the set has no click or only clicks. */
  auc: number;
  /** Mean negative log-likelihood, nats per impression (predictions clipped to [1e-7, 1 − 1e-7]). */
  logLoss: number;
  /** Expected calibration error over equal-mass bins, probability units. */
  ece: number;
  /** Mean prediction and click rate, for a quick look at the overall bias. */
  meanPrediction: number;
  clickRate: number;
  /** Number of impressions and of clicks. */
  impressions: number;
  clicks: number;
}

type Preds = ArrayLike<number>;
type Labels = ArrayLike<number>;

function pick(rows: ArrayLike<number> | undefined, n: number): ArrayLike<number> {
  if (rows) return rows;
  const all = new Int32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  return all;
}

/**
 * Area under the ROC curve: the probability that a random clicked impression is
 * ranked above a random unclicked one (ties count one half), by the rank-sum
 * (Mann–Whitney U) formula with average ranks for ties.
 * @example auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) // 0.75
 */
export function auc(p: Preds, y: Labels, rows?: ArrayLike<number>): number {
  const idx = Int32Array.from(pick(rows, p.length));
  const m = idx.length;
  idx.sort((a, b) => p[a]! - p[b]!);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < m; ) {
    let j = i + 1;
    while (j < m && p[idx[j]!] === p[idx[i]!]) j++;
    const avgRank = (i + 1 + j) / 2; // ranks i+1 … j share their mean
    for (let k = i; k < j; k++) {
      if (y[idx[k]!]! > 0) {
        pos++;
        rankSum += avgRank;
      }
    }
    i = j;
  }
  const neg = m - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Mean negative log-likelihood (nats), predictions clipped to [1e-7, 1 − 1e-7]. */
export function logLoss(p: Preds, y: Labels, rows?: ArrayLike<number>): number {
  const idx = pick(rows, p.length);
  if (idx.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < idx.length; i++) {
    const k = idx[i]!;
    const q = Math.min(1 - 1e-7, Math.max(1e-7, p[k]!));
    s -= y[k]! > 0 ? Math.log(q) : Math.log(1 - q);
  }
  return s / idx.length;
}

/**
 * Expected calibration error: rows sorted by prediction are cut into `bins`
 * bins of equal size (equal mass: with click rates of a few percent, equal-width
 * bins would put almost everything in the first bin); ECE = Σ_b (n_b / n) ·
 * |mean prediction_b − click rate_b|.
 * @param bins number of bins (≥ 1; fewer when there are fewer rows)
 */
export function ece(p: Preds, y: Labels, rows?: ArrayLike<number>, bins = 10): number {
  if (!(Number.isInteger(bins) && bins >= 1)) throw new Error(`ece: bins: expected an integer ≥ 1 — got ${bins}`);
  const idx = Int32Array.from(pick(rows, p.length));
  const m = idx.length;
  if (m === 0) return NaN;
  idx.sort((a, b) => p[a]! - p[b]! || a - b);
  const B = Math.min(bins, m);
  let err = 0;
  for (let b = 0; b < B; b++) {
    const lo = Math.floor((b * m) / B);
    const hi = Math.floor(((b + 1) * m) / B);
    let sp = 0;
    let sy = 0;
    for (let i = lo; i < hi; i++) {
      sp += p[idx[i]!]!;
      sy += y[idx[i]!]!;
    }
    err += Math.abs(sp - sy) / m; // (n_b/n)·|sp/n_b − sy/n_b|
  }
  return err;
}

/** All of {@link QualityMetrics} for the rows given (all rows when omitted). */
export function quality(p: Preds, y: Labels, rows?: ArrayLike<number>, bins = 10): QualityMetrics {
  const idx = pick(rows, p.length);
  let sp = 0;
  let sy = 0;
  for (let i = 0; i < idx.length; i++) {
    sp += p[idx[i]!]!;
    sy += y[idx[i]!]!;
  }
  return {
    auc: auc(p, y, idx),
    logLoss: logLoss(p, y, idx),
    ece: ece(p, y, idx, bins),
    meanPrediction: idx.length ? sp / idx.length : NaN,
    clickRate: idx.length ? sy / idx.length : NaN,
    impressions: idx.length,
    clicks: sy,
  };
}
