import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Abid } from '../../../agents/autobid/abid.js';
import { NoisyBidder } from '../../../agents/autobid/noisy.js';
import { PidCpa } from '../../../agents/autobid/pid.js';
import { AUCTIONNET_COLUMNS, AUCTIONNET_HEADER, auctionNetRowsOfStep, formatAuctionNet, parseAuctionNet, readAuctionNet, transitionsFromAuctionNet, type AuctionNetRow } from '../../../env/autobid/auctionnet.js';
import { runStepEpisode } from '../../../env/autobid/market.js';
import { S } from '../../../env/autobid/state.js';
import { RecordingBidder, type StepTransition } from '../../../env/autobid/transitions.js';
import { InputError } from '../../../env/errors.js';
import { rng } from '../../../env/rng.js';
import { smallMarket } from './fixture.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const nonneg = fc.double({ min: 0, max: 1e7, noNaN: true }).map((x) => (Object.is(x, -0) ? 0 : x));
const row: fc.Arbitrary<AuctionNetRow> = fc
  .record({
    deliveryPeriodIndex: fc.nat(100),
    advertiserNumber: fc.nat(100),
    advertiserCategoryIndex: fc.nat(10),
    budget: nonneg,
    CPAConstraint: nonneg,
    timeStepIndex: fc.nat(47),
    remainingBudget: nonneg,
    pvIndex: fc.nat(1_000_000),
    pValue: fc.double({ min: 0, max: 1, noNaN: true }),
    pValueSigma: nonneg,
    bid: nonneg,
    adSlot: fc.nat(3),
    cost: nonneg,
    isExposed: fc.constantFrom(0, 1),
    conversionAction: fc.constantFrom(0, 1),
    leastWinningCost: nonneg,
    isEnd: fc.constantFrom(0, 1),
  })
  .map((r) => ({ ...r, xi: r.adSlot > 0 ? 1 : 0 }) as AuctionNetRow);

describe("AuctionNet's 18-column format", () => {
  it('has the 18 columns in the order of AuctionNet\'s dataset readme', () => {
    expect(AUCTIONNET_HEADER).toBe('deliveryPeriodIndex,advertiserNumber,advertiserCategoryIndex,budget,CPAConstraint,timeStepIndex,remainingBudget,pvIndex,pValue,pValueSigma,bid,xi,adSlot,cost,isExposed,conversionAction,leastWinningCost,isEnd');
    expect(AUCTIONNET_COLUMNS).toHaveLength(18);
  });

  it('round-trips: rows written and read back are the same, column by column', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 30 }), (rows) => {
        const text = formatAuctionNet(rows);
        const back = parseAuctionNet(text, 'mem');
        expect(back).toEqual(rows);
        expect(formatAuctionNet(back)).toBe(text);
      }),
    );
  });

  it('reads columns by name (other order, extra index column, CRLF) and streams files', async () => {
    const text = 'idx,' + [...AUCTIONNET_COLUMNS].reverse().join(',') + '\r\n' + '7,' + [...AUCTIONNET_COLUMNS].reverse().map((c) => (c === 'adSlot' ? 2 : c === 'xi' ? 1 : c === 'pValue' ? 0.5 : 0)).join(',') + '\r\n';
    const [r] = parseAuctionNet(text);
    expect(r!.adSlot).toBe(2);
    expect(r!.pValue).toBe(0.5);
    const dir = mkdtempSync(join(tmpdir(), 'an-'));
    const path = join(dir, 'period-1.csv');
    writeFileSync(path, text);
    const seen: AuctionNetRow[] = [];
    expect(await readAuctionNet(path, (x) => seen.push(x))).toBe(1);
    expect(seen).toEqual([r]);
  });

  it('bad files are one-line InputErrors naming the line', async () => {
    const ok = formatAuctionNet([{ ...Object.fromEntries(AUCTIONNET_COLUMNS.map((c) => [c, 0])), adSlot: 1, xi: 1 } as AuctionNetRow]).split('\n');
    const bad = (text: string, re: RegExp) => {
      expect(() => parseAuctionNet(text, 'p.csv')).toThrow(InputError);
      expect(() => parseAuctionNet(text, 'p.csv')).toThrow(re);
    };
    bad('', /p.csv: empty file/);
    bad('deliveryPeriodIndex,pValue\n', /p.csv:1: header: missing columns advertiserNumber/);
    bad(`${ok[0]}\n${ok[1]}\n${ok[1]!.replace(/^0/, 'x')}\n`, /p.csv:3: deliveryPeriodIndex: expected a number, got "x"/);
    bad(`${ok[0]}\n${ok[1]},5\n`, /p.csv:2: expected 18 fields, got 19/);
    bad(`${ok[0]}\n${ok[1]!.replace(',1,1,', ',1,4,')}\n`, /p.csv:2: adSlot/);
    bad(`${ok[0]}\n-1${ok[1]!.slice(1)}\n`, /p.csv:2: deliveryPeriodIndex: expected a number ≥ 0/);
    await expect(readAuctionNet('/nonexistent/x.csv', () => {})).rejects.toThrow(InputError);
  });

  it('rebuilds the transitions recorded live from the per-opportunity log of the same episode', () => {
    const { spec, source } = smallMarket({ budget: 3000, cpa: 60, opportunities: 10_000 });
    const sink: StepTransition[] = [];
    const rec = new RecordingBidder(new NoisyBidder(new PidCpa(), 0.3), '0', sink);
    const rows: AuctionNetRow[] = [];
    let offset = 0;
    runStepEpisode(spec, source, spec.advertisers.map((_, i) => (i === 0 ? rec : new Abid())), rng(2), (v) => {
      rows.push(...auctionNetRowsOfStep(v, 0, spec.advertisers, [0], offset));
      offset += v.n;
    });
    const rebuilt = transitionsFromAuctionNet(parseAuctionNet(formatAuctionNet(rows)), { steps: spec.steps });
    expect(rebuilt.length).toBe(sink.length);
    rebuilt.forEach((t, k) => {
      const live = sink[k]!;
      // Every feature identical, but the last factor, which the log knows as Σ bid / Σ pValue (bids are float arithmetic on α).
      const same = (a: number[], b: number[]) => {
        a.forEach((x, f) => (f === S.lastFactor ? expect(x).toBeCloseTo(b[f]!, 9) : expect(x).toBe(b[f])));
      };
      same(t.state, live.state);
      same(t.nextState, live.nextState);
      expect(t.reward).toBe(live.reward);
      expect(t.done).toBe(live.done);
      expect(t.action).toBeCloseTo(live.action, 6); // Σ bid / Σ pValue: the factor, up to bids capped by the budget left
    });
  });
});
