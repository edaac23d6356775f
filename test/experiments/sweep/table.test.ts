import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeJsonAtomic } from '../../../env/io/atomic.js';
import type { Summary } from '../../../experiments/runner.js';
import { stat, welch } from '../../../experiments/stats.js';
import { expandSweep, SweepError } from '../../../experiments/sweep/grid.js';
import { buildSweepTable, sweepCsv, sweepText } from '../../../experiments/sweep/table.js';
import { base } from './fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'bidgym-table-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const raw = { ...base, sweep: { 'exchange.reservePrice': [0, 0.5] }, sweepBaseline: 0 };

/** A trial's summary.json with the given per-replication revenues and bidder a's utilities. */
function summary(revenue: number[], utility: number[]): Summary {
  return {
    name: 'sweep-test',
    configHash: `hash-${revenue[0]}`,
    seed: 11,
    replications: revenue.length,
    interestModel: { kind: 'oracle', backend: 'none' },
    market: { revenuePerAuction: stat(revenue) },
    bidders: { a: { utilityPerAuction: stat(utility) } },
  };
}

/** A sweep folder whose trials hold the given summaries (a trial folder is finished when it has summary.json). */
function sweepFolder(name: string, summaries: Summary[]): string {
  const dir = join(root, name);
  expandSweep(raw).forEach((p, i) => {
    if (summaries[i]) writeJsonAtomic(join(dir, 'trials', p.id, 'summary.json'), summaries[i]);
  });
  return dir;
}

describe('sweep table', () => {
  const s0 = summary([1, 1.2, 0.9], [0.5, 0.4, 0.6]);
  const s1 = summary([2, 2.5, 2.2], [0.1, 0.2, 0.15]);
  const dir = sweepFolder('two', [s0, s1]);

  it('holds every trial in grid order with Welch p against the baseline point', () => {
    const table = buildSweepTable(raw, dir);
    expect(table.points.map((p) => [p.index, p.id, p.dir, p.configHash])).toEqual([
      [0, '0-reservePrice=0', 'trials/0-reservePrice=0', 'hash-1'],
      [1, '1-reservePrice=0.5', 'trials/1-reservePrice=0.5', 'hash-2'],
    ]);
    expect(table).toMatchObject({ name: 'sweep-test', seed: 11, replications: 3, baseline: 0, sweep: { 'exchange.reservePrice': [0, 0.5] } });
    expect(table.points[0]!.market.revenuePerAuction!.p).toBeUndefined();
    expect(table.points[1]!.market.revenuePerAuction!.p).toBeCloseTo(welch([2, 2.5, 2.2], [1, 1.2, 0.9]).p, 12);
    expect(table.points[1]!.bidders.a!.utilityPerAuction!.p).toBeCloseTo(welch([0.1, 0.2, 0.15], [0.5, 0.4, 0.6]).p, 12);
    expect(table.points[1]!.market.revenuePerAuction!.mean).toBe(s1.market.revenuePerAuction!.mean);
  });

  it('writes the CSV: swept values, then mean, CI and p of every figure', () => {
    const table = buildSweepTable(raw, dir);
    const [header, row0, row1, end] = sweepCsv(table).split('\n');
    expect(header).toBe(
      'index,trial,exchange.reservePrice,market.revenuePerAuction.mean,market.revenuePerAuction.ci95lo,market.revenuePerAuction.ci95hi,market.revenuePerAuction.p,' +
        'bidders.a.utilityPerAuction.mean,bidders.a.utilityPerAuction.ci95lo,bidders.a.utilityPerAuction.ci95hi,bidders.a.utilityPerAuction.p',
    );
    const r = s0.market.revenuePerAuction!;
    expect(row0!.startsWith(`0,0-reservePrice=0,0,${r.mean},${r.ci95[0]},${r.ci95[1]},,`)).toBe(true);
    expect(row1!.split(',')[6]).toBe(String(table.points[1]!.market.revenuePerAuction!.p));
    expect(end).toBe('');
  });

  it('shows one terminal line per point, the baseline starred', () => {
    const text = sweepText(buildSweepTable(raw, dir)).split('\n');
    expect(text[0]).toBe('sweep-test sweep: 2 grid points × 3 replications (mean ± 95% CI half-width; p: Welch vs point 0*)');
    expect(text[2]).toMatch(/^#\s+exchange\.reservePrice\s+revenue\/auction\s+welfare\/auction\s+a utility\/auction$/);
    expect(text[4]).toMatch(/^0\*\s+0\s+1\.033 ± /);
    expect(text[5]).toMatch(/^1\s+0\.5\s+2\.233 ± \d\.\d+ \(p 0\.\d{3}\)\s+—/);
  });

  it('refuses a sweep whose trials have not all finished', () => {
    expect(() => buildSweepTable(raw, sweepFolder('half', [s0]))).toThrow(SweepError);
    expect(() => buildSweepTable(raw, sweepFolder('half2', [s0]))).toThrow(/trial 1-reservePrice=0.5 has not finished/);
  });
});
