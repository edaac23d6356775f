/**
 * AuctionNet's per-opportunity log format (the NeurIPS 2024 auto-bidding
 * competition's training data): CSV with a header and these 18 columns, one row
 * per (advertiser, opportunity), in this order (pre_generated_dataset/
 * readme_dataset.md of alimama-tech/AuctionNet):
 *
 * | column | meaning |
 * |---|---|
 * | deliveryPeriodIndex | the episode (delivery period) |
 * | advertiserNumber | advertiser id (integer) |
 * | advertiserCategoryIndex | its industry category |
 * | budget | its budget for the period |
 * | CPAConstraint | its target CPA |
 * | timeStepIndex | decision step, 0-based |
 * | remainingBudget | budget left at the start of the step |
 * | pvIndex | index of the opportunity in the period |
 * | pValue | predicted conversion probability if exposed |
 * | pValueSigma | uncertainty of pValue |
 * | bid | the advertiser's bid |
 * | xi | 1 when it won a slot |
 * | adSlot | slot won, 1–3; 0 = none |
 * | cost | price of the slot won, paid only if exposed |
 * | isExposed | 1 when the ad was shown |
 * | conversionAction | 1 when the exposed ad converted |
 * | leastWinningCost | the lowest price that wins a slot (the 4th highest bid) |
 * | isEnd | 1 at the advertiser's last step (period over or budget below the minimum) |
 *
 * The reader takes the columns by name (any order; extra columns such as a
 * pandas index are ignored), so AuctionNet's own files read as they are; the
 * writer writes exactly these 18 in this order. Numbers are written as
 * JavaScript's shortest round-trip decimal text, so a file read back gives the
 * same rows. `transitionsFromAuctionNet` rebuilds the step-level transitions
 * of every (period, advertiser) with the same state features and score-shaped
 * reward as live recording, taking AuctionNet's action: Σ bid / Σ pValue of the
 * step (over the target CPA).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { InputError } from '../errors.js';
import type { StepView, AdvertiserSpec } from './market.js';
import { scoreDelta } from './score.js';
import { StepTracker } from './state.js';
import type { StepTransition } from './transitions.js';

/** The 18 columns, in AuctionNet's order. */
export const AUCTIONNET_COLUMNS = [
  'deliveryPeriodIndex',
  'advertiserNumber',
  'advertiserCategoryIndex',
  'budget',
  'CPAConstraint',
  'timeStepIndex',
  'remainingBudget',
  'pvIndex',
  'pValue',
  'pValueSigma',
  'bid',
  'xi',
  'adSlot',
  'cost',
  'isExposed',
  'conversionAction',
  'leastWinningCost',
  'isEnd',
] as const;

export type AuctionNetColumn = (typeof AUCTIONNET_COLUMNS)[number];

/** One row: every column a number. */
export type AuctionNetRow = Record<AuctionNetColumn, number>;

const INTEGER: ReadonlySet<AuctionNetColumn> = new Set(['deliveryPeriodIndex', 'advertiserNumber', 'advertiserCategoryIndex', 'timeStepIndex', 'pvIndex', 'adSlot']);
const BINARY: ReadonlySet<AuctionNetColumn> = new Set(['xi', 'isExposed', 'conversionAction', 'isEnd']);

/** The header line. */
export const AUCTIONNET_HEADER = AUCTIONNET_COLUMNS.join(',');

/** One row as a CSV line (no line end). */
export function formatAuctionNetRow(r: AuctionNetRow): string {
  let s = '';
  for (let c = 0; c < AUCTIONNET_COLUMNS.length; c++) s += (c ? ',' : '') + String(r[AUCTIONNET_COLUMNS[c]!]);
  return s;
}

/** Rows as a whole CSV file (header included). */
export function formatAuctionNet(rows: Iterable<AuctionNetRow>): string {
  const out = [AUCTIONNET_HEADER];
  for (const r of rows) out.push(formatAuctionNetRow(r));
  return out.join('\n') + '\n';
}

/** A parser bound to one header line: maps a data line to a row, or throws naming the line. */
function rowParser(headerLine: string, source: string): (line: string, lineNo: number) => AuctionNetRow {
  const names = headerLine.replace(/^\uFEFF/, '').trim().split(',').map((s) => s.trim().replace(/^"|"$/g, ''));
  const index = AUCTIONNET_COLUMNS.map((c) => names.indexOf(c));
  const missing = AUCTIONNET_COLUMNS.filter((_, k) => index[k]! < 0);
  if (missing.length > 0) throw new InputError(`${source}:1: header: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  const width = names.length;
  return (line, lineNo) => {
    const cells = line.split(',');
    if (cells.length !== width) throw new InputError(`${source}:${lineNo}: expected ${width} fields, got ${cells.length}`);
    const row = {} as AuctionNetRow;
    for (let k = 0; k < AUCTIONNET_COLUMNS.length; k++) {
      const col = AUCTIONNET_COLUMNS[k]!;
      const text = cells[index[k]!]!.trim();
      const v = Number(text);
      if (text === '' || !Number.isFinite(v)) throw new InputError(`${source}:${lineNo}: ${col}: expected a number, got "${text}"`);
      if (INTEGER.has(col) && !Number.isInteger(v)) throw new InputError(`${source}:${lineNo}: ${col}: expected an integer, got ${text}`);
      if (BINARY.has(col) && v !== 0 && v !== 1) throw new InputError(`${source}:${lineNo}: ${col}: expected 0 or 1, got ${text}`);
      if (v < 0 && col !== 'advertiserNumber') throw new InputError(`${source}:${lineNo}: ${col}: expected a number ≥ 0, got ${text}`);
      row[col] = v;
    }
    if (row.adSlot > 3 || (row.xi === 1) !== row.adSlot > 0) throw new InputError(`${source}:${lineNo}: adSlot: expected 1–3 when xi is 1 and 0 otherwise, got ${row.adSlot} with xi ${row.xi}`);
    return row;
  };
}

/** Parses a whole CSV text (small files; see {@link readAuctionNet} for large ones). */
export function parseAuctionNet(text: string, source = 'auctionnet'): AuctionNetRow[] {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new InputError(`${source}: empty file (expected a header with the 18 AuctionNet columns)`);
  const parse = rowParser(lines[0]!, source);
  const rows: AuctionNetRow[] = [];
  for (let i = 1; i < lines.length; i++) rows.push(parse(lines[i]!, i + 1));
  return rows;
}

/** Streams a CSV file row by row (AuctionNet's periods are millions of rows). */
export async function readAuctionNet(path: string, onRow: (r: AuctionNetRow) => void): Promise<number> {
  const stream = createReadStream(path, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (e) => reject(new InputError(`dataset: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)})`)));
  });
  await opened;
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let parse: ((line: string, n: number) => AuctionNetRow) | null = null;
  let n = 0;
  let rows = 0;
  for await (const line of lines) {
    n++;
    if (parse === null) {
      parse = rowParser(line, path);
      continue;
    }
    if (line === '') continue;
    onRow(parse(line, n));
    rows++;
  }
  if (parse === null) throw new InputError(`${path}: empty file (expected a header with the 18 AuctionNet columns)`);
  return rows;
}

/**
 * The rows of one market step for the advertisers listed (logging from the step market).
 * @param pvOffset index of the step's first opportunity in the period (pvIndex = pvOffset + j)
 */
export function* auctionNetRowsOfStep(v: StepView, period: number, advertisers: readonly AdvertiserSpec[], which: readonly number[], pvOffset: number): Generator<AuctionNetRow> {
  for (const i of which) {
    if (!v.active[i]) continue;
    const a = advertisers[i]!;
    for (let j = 0; j < v.n; j++) {
      const at = i * v.n + j;
      yield {
        deliveryPeriodIndex: period,
        advertiserNumber: i,
        advertiserCategoryIndex: a.category,
        budget: a.budget,
        CPAConstraint: a.cpa,
        timeStepIndex: v.t,
        remainingBudget: v.remainingAtStart[i]!,
        pvIndex: pvOffset + j,
        pValue: v.pValue[at]!,
        pValueSigma: v.sigma[at]!,
        bid: v.bid[at]!,
        xi: v.slot[at]! > 0 ? 1 : 0,
        adSlot: v.slot[at]!,
        cost: v.price[at]!,
        isExposed: v.exposed[at]!,
        conversionAction: v.conversion[at]!,
        leastWinningCost: v.leastWinningCost[j]!,
        isEnd: v.endsHere[i]!,
      };
    }
  }
}

/**
 * Step-level transitions from per-opportunity rows: one episode per
 * (deliveryPeriodIndex, advertiserNumber), its steps in timeStepIndex order and
 * the opportunities of a step in row order.
 * @param steps decision steps per period (AuctionNet: 48)
 */
export function transitionsFromAuctionNet(rows: readonly AuctionNetRow[], opts: { steps?: number; beta?: number } = {}): StepTransition[] {
  const steps = opts.steps ?? 48;
  const beta = opts.beta ?? 2;
  const groups = new Map<string, AuctionNetRow[]>();
  for (const r of rows) {
    if (r.timeStepIndex >= steps) throw new InputError(`timeStepIndex: ${r.timeStepIndex} is not below steps (${steps})`);
    const key = `${r.deliveryPeriodIndex}/${r.advertiserNumber}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(r);
  }
  const keys = [...groups.keys()].sort((a, b) => {
    const [pa, aa] = a.split('/').map(Number);
    const [pb, ab] = b.split('/').map(Number);
    return pa! - pb! || aa! - ab!;
  });
  const out: StepTransition[] = [];
  for (const key of keys) {
    const g = groups.get(key)!;
    const first = g[0]!;
    const ctx = { budget: first.budget, cpa: first.CPAConstraint, steps };
    const tracker = new StepTracker(ctx);
    const bySteps = new Map<number, AuctionNetRow[]>();
    for (const r of g) {
      let s = bySteps.get(r.timeStepIndex);
      if (!s) bySteps.set(r.timeStepIndex, (s = []));
      s.push(r);
    }
    const order = [...bySteps.keys()].sort((a, b) => a - b);
    const episode: StepTransition[] = [];
    for (const t of order) {
      const s = bySteps.get(t)!;
      while (tracker.t < t) tracker.record({ pValue: [], bid: [], slot: [], cost: [], exposed: [], conversion: [], leastWinningCost: [], n: 0 }, 0);
      const pv = s.map((r) => r.pValue);
      const state = Array.from(tracker.state(pv, pv.length));
      const before = { conversions: tracker.totals.conversions, cost: tracker.totals.cost, e: tracker.totals.expectedConversions };
      const sumBid = s.reduce((a, r) => a + r.bid, 0);
      const sumPv = pv.reduce((a, x) => a + x, 0);
      const alpha = sumPv > 0 ? sumBid / sumPv : 0;
      tracker.record(
        {
          pValue: pv,
          bid: s.map((r) => r.bid),
          slot: s.map((r) => r.adSlot),
          cost: s.map((r) => r.cost * r.isExposed),
          exposed: s.map((r) => r.isExposed),
          conversion: s.map((r) => r.conversionAction * r.isExposed),
          leastWinningCost: s.map((r) => r.leastWinningCost),
          n: s.length,
        },
        alpha,
      );
      const T = tracker.totals;
      episode.push({
        episode: first.deliveryPeriodIndex,
        bidder: String(first.advertiserNumber),
        step: t,
        state,
        action: alpha / ctx.cpa,
        reward: scoreDelta(before, T, ctx.cpa, beta),
        nextState: [],
        done: false,
        conversions: T.conversions - before.conversions,
        expectedConversions: T.expectedConversions - before.e,
        cost: T.cost - before.cost,
        budget: ctx.budget,
        cpa: ctx.cpa,
      });
    }
    episode.forEach((tr, k) => {
      const next = episode[k + 1];
      tr.nextState = next ? next.state : Array.from(tracker.state([], 0));
      tr.done = !next;
    });
    out.push(...episode);
  }
  return out;
}
