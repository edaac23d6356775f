/**
 * Impression logs for training and evaluating interest models.
 *
 * A log is what an exchange records: for every impression, who saw it (user id,
 * the items in their history, their observed features, their fatigue towards the
 * advertiser), which ad, and whether it was clicked. It is drawn straight from a
 * {@link UserPopulation} under an exploration policy (a uniformly random ad in the
 * top slot), so the models see every ad for every kind of user.
 *
 * The user's history and features are snapshot *before* the click is applied.
 * The latent interest (`pop.interest`) is never read; `trueCtr` is kept for the
 * oracle's ceiling metrics only and no model trains on it.
 *
 * Everything is struct-of-arrays; a {@link FeatureBatch} is the same layout for a
 * few rows, and is what the networks turn into tensors.
 */
import type { Rng } from '../env/rng.js';
import { UserPopulation } from '../env/users/population.js';

/**
 * What a model may see about (user, ad) pairs: the model inputs of `n` rows.
 * History rows hold item ids oldest first; places at or past `historyLen[k]` are unused (-1).
 */
export interface FeatureBatch {
  /** Number of rows. */
  n: number;
  /** History capacity L (row stride of `history`). */
  historyLength: number;
  /** User features per row F (row stride of `features`), `UserPopulation.featureCount(personas)`. */
  featureCount: number;
  /** User id of each row (for splitting by user; models do not use it). */
  users: Int32Array;
  /** Ad index (not item id) of each row. */
  ads: Int32Array;
  /** History item ids, `n × L`, oldest first, -1 where unused. */
  history: Int32Array;
  /** Number of history entries of each row (0 = cold start). */
  historyLen: Uint8Array;
  /** Observed user features, `n × F` (see `UserPopulation.userFeatures`). */
  features: Float32Array;
  /** The user's fatigue towards the ad's advertiser at impression time (decayed exposures). */
  fatigue: Float32Array;
}

/** An impression log: model inputs plus the outcome of each impression. */
export interface ImpressionLog extends FeatureBatch {
  /** 1 when the impression was clicked. */
  clicks: Uint8Array;
  /** True click probability of the impression (evaluation of the oracle only; never a training input). */
  trueCtr: Float32Array;
}

/** Arguments of {@link generateLog}. */
export interface LogArgs {
  /** Number of impressions to log (≥ 1). */
  impressions: number;
}

/** An empty batch of capacity `n` (`n` rows filled later). */
export function allocBatch(n: number, historyLength: number, featureCount: number): FeatureBatch {
  return {
    n,
    historyLength,
    featureCount,
    users: new Int32Array(n),
    ads: new Int32Array(n),
    history: new Int32Array(n * historyLength).fill(-1),
    historyLen: new Uint8Array(n),
    features: new Float32Array(n * featureCount),
    fatigue: new Float32Array(n),
  };
}

/**
 * Logs `impressions` page views of `pop` under uniformly random exploration: each
 * page shows one ad drawn uniformly from the catalogue in the top slot, clicked
 * with the true probability. The population moves on as it would in a market
 * (fatigue up on every exposure, clicked ads pushed into the history), so use a
 * population of its own, not the one a run is about to use.
 *
 * @param pop the users (mutated: arrivals, fatigue, histories)
 * @param args log size
 * @param rng the log's own stream (ads shown and clicks)
 * @example const log = generateLog(twin, { impressions: 100_000 }, rng.stream('log'));
 */
export function generateLog(pop: UserPopulation, args: LogArgs, rng: Rng): ImpressionLog {
  const n = args.impressions;
  if (!Number.isInteger(n) || n < 1) throw new Error(`interestModel.logSize: expected an integer ≥ 1 — got ${n}`);
  const cat = pop.catalogue;
  const L = pop.historyLength;
  const F = UserPopulation.featureCount(pop.personas);
  const batch = allocBatch(n, L, F);
  const clicks = new Uint8Array(n);
  const trueCtr = new Float32Array(n);
  const adRng = rng.stream('ads');
  const clickRng = rng.stream('clicks');
  for (let k = 0; k < n; k++) {
    const u = pop.nextArrival();
    const ad = adRng.int(cat.ads);
    const advertiser = cat.adAdvertiser[ad]!;
    // Snapshot what a model may see, before the impression changes anything.
    batch.users[k] = u;
    batch.ads[k] = ad;
    batch.historyLen[k] = pop.readHistory(u, batch.history, k * L);
    pop.userFeatures(u, batch.features, k * F);
    batch.fatigue[k] = pop.fatigueOf(u, advertiser);
    const p = pop.trueCtr(u, ad);
    trueCtr[k] = p;
    const clicked = clickRng.next() < p;
    clicks[k] = clicked ? 1 : 0;
    pop.expose(u, advertiser);
    if (clicked) pop.pushHistory(u, cat.adItem(ad));
  }
  return { ...batch, clicks, trueCtr };
}

/** Row indices of a log split by user: no user is in two parts. */
export interface LogSplit {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

/**
 * Splits a log by user: each user id goes, with all its impressions, to train,
 * validation (early stopping) or test (metrics). Users of the test part were never
 * seen in training, and the cold-start impressions among them are the model's
 * cold-start test set.
 *
 * @param validationShare share of users for validation, in [0, 1)
 * @param testShare share of users for test, in (0, 1); validationShare + testShare < 1
 * @param rng stream for the assignment of users
 */
export function splitByUser(log: FeatureBatch, validationShare: number, testShare: number, rng: Rng): LogSplit {
  if (!(validationShare >= 0 && testShare > 0 && validationShare + testShare < 1)) {
    throw new Error(`interestModel: expected validationShare ≥ 0, testShare > 0 and their sum < 1 — got ${validationShare} and ${testShare}`);
  }
  // One uniform draw per distinct user id, in order of first appearance.
  const part = new Map<number, number>();
  const rows: number[][] = [[], [], []];
  for (let k = 0; k < log.n; k++) {
    const u = log.users[k]!;
    let p = part.get(u);
    if (p === undefined) {
      const x = rng.next();
      p = x < testShare ? 2 : x < testShare + validationShare ? 1 : 0;
      part.set(u, p);
    }
    rows[p]!.push(k);
  }
  return { train: Int32Array.from(rows[0]!), validation: Int32Array.from(rows[1]!), test: Int32Array.from(rows[2]!) };
}

/**
 * Copies rows `rows[from … from+count)` of `src` into rows `0 … count` of `dst`
 * (which must have room) and sets `dst.n = count`.
 */
export function gatherRows(src: FeatureBatch, rows: Int32Array, from: number, count: number, dst: FeatureBatch): FeatureBatch {
  const L = src.historyLength;
  const F = src.featureCount;
  if (dst.historyLength !== L || dst.featureCount !== F) throw new Error('gatherRows: batch shapes differ');
  for (let i = 0; i < count; i++) {
    const k = rows[from + i]!;
    dst.users[i] = src.users[k]!;
    dst.ads[i] = src.ads[k]!;
    dst.historyLen[i] = src.historyLen[k]!;
    dst.fatigue[i] = src.fatigue[k]!;
    dst.history.set(src.history.subarray(k * L, (k + 1) * L), i * L);
    dst.features.set(src.features.subarray(k * F, (k + 1) * F), i * F);
  }
  dst.n = count;
  return dst;
}

/**
 * Fills `dst` with the current inputs of the pairs (users[k], ads[k]) of `pop`,
 * as a market would see them now (for the tensor serving path).
 */
export function batchFromPopulation(pop: UserPopulation, users: Int32Array, ads: Int32Array, n: number, dst: FeatureBatch): FeatureBatch {
  const L = dst.historyLength;
  const F = dst.featureCount;
  const adv = pop.catalogue.adAdvertiser;
  dst.history.fill(-1, 0, n * L);
  for (let k = 0; k < n; k++) {
    const u = users[k]!;
    dst.users[k] = u;
    dst.ads[k] = ads[k]!;
    dst.historyLen[k] = pop.readHistory(u, dst.history, k * L);
    pop.userFeatures(u, dst.features, k * F);
    dst.fatigue[k] = pop.fatigueOf(u, adv[ads[k]!]!);
  }
  dst.n = n;
  return dst;
}

/** Share of clicked impressions among `rows` (all rows when omitted). */
export function clickRate(log: ImpressionLog, rows?: Int32Array): number {
  let s = 0;
  if (!rows) {
    for (let k = 0; k < log.n; k++) s += log.clicks[k]!;
    return log.n > 0 ? s / log.n : 0;
  }
  for (let i = 0; i < rows.length; i++) s += log.clicks[rows[i]!]!;
  return rows.length > 0 ? s / rows.length : 0;
}
