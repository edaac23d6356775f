/**
 * The value table of RLB (Cai et al., "Real-Time Bidding by Reinforcement
 * Learning in Display Advertising", WSDM 2017): the expected clicks V[n][b]
 * that an optimal bidder still gets with n auctions left and budget b, when the
 * market price of every future auction is drawn from the training price
 * distribution m(d) and every future auction's CTR is the training average θ.
 *
 *   V[0][·] = 0,   V[n][0] = 0,
 *   V[n][b] = V[n−1][b] + Σ_{d=0..A(b)} m(d) · (θ + V[n−1][b−d] − V[n−1][b])   (n, b ≥ 1)
 *
 * where A(b) is the largest d ≤ min(maxBid, b) with θ + V[n−1][b−d] − V[n−1][b] ≥ 0
 * (the planning bid: win every auction cheaper than what the money would be
 * worth later). Once V[n][b] is within 1e-10 of n·θ·P(d ≤ maxBid), the value of
 * unlimited money, the larger b take that value (the paper's early stop).
 *
 * {@link buildRlbTable} is the fast version:
 * - V[n−1] is non-decreasing in b, so the condition holds for a prefix of d and
 *   A(b) is the first d that fails, minus one; A(b) is (in practice) non-
 *   decreasing in b, so the scan starts from A(b−1) instead of 0 (checked: if
 *   the condition fails at A(b−1) the scan restarts from 0), which makes
 *   finding all A(b) of a row O(B);
 * - the sum is written Σ m(d)·V[n−1][b−d] + M(A)·(θ − V[n−1][b]) with M the
 *   cumulative distribution, and summed with four accumulators over typed
 *   arrays (one flat Float64Array of N × (B+1) values).
 * {@link buildRlbTablePlain} is the formula above as written, for the tests.
 *
 * Tables are cached by their inputs, in memory and optionally on disk
 * ({@link rlbTable}).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { makeDirs } from '../../env/io/atomic.js';
import { join } from 'node:path';

/** Everything a value table depends on. */
export interface RlbTableInputs {
  /** Auctions per episode N (rows 0 … N−1 are built: a bid with n auctions left reads row n−1). */
  horizon: number;
  /** Episode budget B (integer; columns 0 … B). */
  budget: number;
  /** Largest bid (300 in the RLB data). */
  maxBid: number;
  /** Average CTR θ of the future auctions (clk_train / imp_train). */
  avgCtr: number;
  /** Market price distribution m(d), d = 0 … (at least those ≤ maxBid are used; missing ones are 0). */
  pdf: Float64Array;
}

/** The precision of the early stop (as in the paper's code). */
export const UP_PRECISION = 1e-10;

/** The training price histogram with add-one (Laplace) smoothing: m(d) = (count[d] + 1) / (Σ count + len). */
export function marketPdf(priceCounter: readonly number[], laplace = 1): Float64Array {
  let sum = 0;
  for (const c of priceCounter) sum += c;
  const pdf = new Float64Array(priceCounter.length);
  for (let d = 0; d < pdf.length; d++) pdf[d] = (priceCounter[d]! + laplace) / (sum + pdf.length * laplace);
  return pdf;
}

/** A built value table. */
export class RlbValueTable {
  /** Columns per row (B + 1). */
  readonly width: number;
  constructor(
    readonly inputs: RlbTableInputs,
    /** V[n][b] at n × (B + 1) + b, for n = 0 … N−1. */
    readonly values: Float64Array,
  ) {
    this.width = inputs.budget + 1;
    if (values.length !== inputs.horizon * this.width) throw new Error(`RlbValueTable: ${values.length} values, expected ${inputs.horizon} × ${this.width}`);
  }
  /** V[n][b] (n < horizon, 0 ≤ b ≤ budget). */
  value(n: number, b: number): number {
    return this.values[n * this.width + b]!;
  }
  /** Row n as a view. */
  row(n: number): Float64Array {
    return this.values.subarray(n * this.width, (n + 1) * this.width);
  }
}

function checkInputs(x: RlbTableInputs): void {
  if (!Number.isInteger(x.horizon) || x.horizon < 1) throw new Error(`RLB table: horizon must be an integer ≥ 1, got ${x.horizon}`);
  if (!Number.isInteger(x.budget) || x.budget < 0) throw new Error(`RLB table: budget must be an integer ≥ 0, got ${x.budget}`);
  if (!Number.isInteger(x.maxBid) || x.maxBid < 0) throw new Error(`RLB table: maxBid must be an integer ≥ 0, got ${x.maxBid}`);
}

/** m(d) for d = 0 … maxBid (zero-padded), its cumulative M(k) = Σ_{d<k} m(d), and n·θ·M(maxBid+1) per n. */
function prepared(x: RlbTableInputs): { m: Float64Array; cum: Float64Array; topPerAuction: number } {
  const m = new Float64Array(x.maxBid + 1);
  m.set(x.pdf.subarray(0, Math.min(x.pdf.length, x.maxBid + 1)));
  const cum = new Float64Array(x.maxBid + 2);
  for (let d = 0; d <= x.maxBid; d++) cum[d + 1] = cum[d]! + m[d]!;
  return { m, cum, topPerAuction: x.avgCtr * cum[x.maxBid + 1]! };
}

/** The value table, fast (see the file's comment). */
export function buildRlbTable(x: RlbTableInputs): RlbValueTable {
  checkInputs(x);
  const { horizon: N, budget: B, maxBid, avgCtr: c } = x;
  const { m, cum, topPerAuction } = prepared(x);
  const W = B + 1;
  const V = new Float64Array(N * W);
  for (let n = 1; n < N; n++) {
    const p = (n - 1) * W; // previous row
    const q = n * W; // this row
    const top = n * topPerAuction;
    let a = 0;
    for (let b = 1; b <= B; b++) {
      const cap = b < maxBid ? b : maxBid;
      if (a > cap) a = cap;
      const pb = p + b;
      const vb = V[pb]!;
      if (a > 0 && c + V[pb - a]! - vb < 0) a = 0; // A(b) < A(b−1): rescan
      while (a < cap && c + V[pb - a - 1]! - vb >= 0) a++;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let d = 0;
      for (; d + 3 <= a; d += 4) {
        s0 += m[d]! * V[pb - d]!;
        s1 += m[d + 1]! * V[pb - d - 1]!;
        s2 += m[d + 2]! * V[pb - d - 2]!;
        s3 += m[d + 3]! * V[pb - d - 3]!;
      }
      for (; d <= a; d++) s0 += m[d]! * V[pb - d]!;
      const v = vb + (s0 + s1 + (s2 + s3)) + cum[a + 1]! * (c - vb);
      V[q + b] = v;
      if (Math.abs(v - top) < UP_PRECISION) {
        V.fill(top, q + b + 1, q + W);
        break;
      }
    }
  }
  return new RlbValueTable({ ...x }, V);
}

/** The value table, the formula as written (slow; for the tests). */
export function buildRlbTablePlain(x: RlbTableInputs): RlbValueTable {
  checkInputs(x);
  const { horizon: N, budget: B, maxBid, avgCtr: c } = x;
  const { m, topPerAuction } = prepared(x);
  const W = B + 1;
  const V = new Float64Array(N * W);
  const at = (n: number, b: number) => V[n * W + b]!;
  for (let n = 1; n < N; n++) {
    const top = n * topPerAuction;
    for (let b = 1; b <= B; b++) {
      let A = 0;
      while (A + 1 <= Math.min(maxBid, b) && c + at(n - 1, b - A - 1) - at(n - 1, b) >= 0) A++;
      let v = at(n - 1, b);
      for (let d = 0; d <= A; d++) v += m[d]! * (c + at(n - 1, b - d) - at(n - 1, b));
      V[n * W + b] = v;
      if (Math.abs(v - top) < UP_PRECISION) {
        for (let bb = b + 1; bb <= B; bb++) V[n * W + bb] = top;
        break;
      }
    }
  }
  return new RlbValueTable({ ...x }, V);
}

/**
 * RLB's bid with n auctions left (this one included), budget b and this
 * auction's CTR θ: the largest d ≤ min(b, maxBid) such that
 * θ + V[n−1][b−d'] − V[n−1][b] ≥ 0 for every d' = 1 … d (0 if d = 1 fails).
 * A budget above the table's is read as the table's; a fractional one is
 * rounded down.
 */
export function rlbBid(table: RlbValueTable, n: number, budgetLeft: number, theta: number): number {
  const { horizon, budget, maxBid } = table.inputs;
  const b = Math.min(Math.floor(budgetLeft), budget);
  const row = Math.min(Math.max(n, 1), horizon) - 1;
  const V = table.values;
  const base = row * table.width;
  const vb = V[base + b]!;
  const cap = b < maxBid ? b : maxBid;
  let a = 0;
  while (a < cap && theta + V[base + b - a - 1]! - vb >= 0) a++;
  return a;
}

/** Hash of a table's inputs (the cache key). */
export function rlbTableKey(x: RlbTableInputs): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ v: 1, horizon: x.horizon, budget: x.budget, maxBid: x.maxBid, avgCtr: x.avgCtr }));
  h.update(new Uint8Array(x.pdf.buffer, x.pdf.byteOffset, x.pdf.byteLength));
  return h.digest('hex').slice(0, 32);
}

const memory = new Map<string, RlbValueTable>();

/** Where {@link rlbTable} got its table from. */
export type RlbTableSource = 'memory' | 'disk' | 'built';

/**
 * The value table for these inputs: from the in-memory cache, else from
 * `cacheDir` (a file `rlb-<hash>.f64` of raw little-endian doubles) when
 * given, else built (and stored in both).
 */
export function rlbTable(x: RlbTableInputs, options: { cacheDir?: string | null; onSource?: (s: RlbTableSource) => void } = {}): RlbValueTable {
  const key = rlbTableKey(x);
  const hit = memory.get(key);
  if (hit) {
    options.onSource?.('memory');
    return hit;
  }
  const file = options.cacheDir ? join(options.cacheDir, `rlb-${key}.f64`) : null;
  if (file && existsSync(file)) {
    const buf = readFileSync(file);
    if (buf.byteLength === x.horizon * (x.budget + 1) * 8) {
      const values = new Float64Array(buf.byteLength / 8);
      new Uint8Array(values.buffer).set(buf);
      const t = new RlbValueTable({ ...x }, values);
      memory.set(key, t);
      options.onSource?.('disk');
      return t;
    }
  }
  const t = buildRlbTable(x);
  memory.set(key, t);
  if (file) {
    makeDirs(options.cacheDir!);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength));
    renameSync(tmp, file);
  }
  options.onSource?.('built');
  return t;
}

/** Empties the in-memory cache. */
export function clearRlbTableCache(): void {
  memory.clear();
}
