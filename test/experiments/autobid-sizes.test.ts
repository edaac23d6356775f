/**
 * Sizes of step-level configs (steps > 1) are checked before any work, as those
 * of per-auction configs are (experiments/preflight.ts): found by the CLI fuzzer,
 * `auctionsPerEpisode: 1e12` was a RangeError (exit 1) in the run,
 * `users.count: 1e12` too, and `users.count: 1e8` or `copies: 1e8` ran for
 * minutes; validate accepted all of them.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { checkAutoBidSizes, resolveAutoBidConfig, type AutoBidConfigInput } from '../../experiments/autobid-config.js';
import { main } from '../../experiments/cli.js';
import { MAX_CPU_SECONDS } from '../../experiments/preflight.js';

const base = (over: Record<string, unknown> = {}): AutoBidConfigInput =>
  ({
    name: 'sizes',
    replications: 1,
    evalEpisodes: 1,
    steps: 4,
    auctionsPerEpisode: 400,
    bidders: [{ id: 'a', agent: { kind: 'pid' }, budget: 100, cpa: 10 }],
    ...over,
  }) as AutoBidConfigInput;

const errorOf = (raw: AutoBidConfigInput): string => {
  try {
    resolveAutoBidConfig(raw);
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
};

describe('step-level sizes', () => {
  it.each([
    ['auctionsPerEpisode 1e12 (a RangeError in the run)', { auctionsPerEpisode: 1e12 }, /^auctionsPerEpisode: 1,000,000,000,000 opportunities over 4 steps × 1 bidders is more than the 4,294,967,296 per-step entries an array can hold/],
    ['users.count 1e12 (a RangeError in the run)', { users: { count: 1e12 } }, /^users\.count: 1,000,000,000,000 users × 1 bidders is more than the 4,294,967,296 entries/],
    ['evalEpisodes 1e15', { evalEpisodes: 1e15 }, /^evalEpisodes: .* opportunities .* take at least .* days of CPU, more than the 7 days a run may take/],
    ['episodes of an online learner 1e11', { episodes: 1e11, bidders: [{ id: 'l', agent: { kind: 'lagrangian' }, budget: 100, cpa: 10 }] }, /^episodes: 40,000,000,000,400 opportunities .* more than the 7 days/],
    ['copies past 10,000 bidders in all', { bidders: [{ id: 'a', copies: 6000, agent: { kind: 'pid' }, budget: 100, cpa: 10 }, { id: 'b', copies: 6000, agent: { kind: 'pid' }, budget: 100, cpa: 10 }] }, /^bidders\[1\]\.copies: 12,000 bidders in all \(copies included\) is more than the 10,000 a market may have$/],
    ['copies of 1e8', { bidders: [{ id: 'a', copies: 1e8, agent: { kind: 'pid' }, budget: 100, cpa: 10 }] }, /^bidders\.0\.copies|^bidders\[0\]\.copies/],
  ])('%s → one line naming the field', (_what, over, why) => {
    expect(errorOf(base(over))).toMatch(why);
  });

  it('memory past half of the machine names the biggest part', () => {
    // Opportunities a step can hold in memory, with room to spare under the array limit.
    const mem = totalmem();
    const over = Math.ceil(mem / 43 / 1.5) * 4 * 2;
    if (over / 4 < 2 ** 32) expect(errorOf(base({ auctionsPerEpisode: over }))).toMatch(/^auctionsPerEpisode: the run needs about .* of memory, more than half of this machine's/);
    expect(errorOf(base({ users: { count: Math.ceil(mem / 100) } }))).toMatch(/^users\.count: the run needs about .* of memory/);
  });

  it('the shipped sizes pass, and the estimate grows with bidders, opportunities and episodes', () => {
    const w = checkAutoBidSizes(resolveAutoBidConfig(base()));
    expect(w.auctions).toBe(400);
    const more = checkAutoBidSizes(resolveAutoBidConfig(base({ evalEpisodes: 3, bidders: [{ id: 'a', copies: 4, agent: { kind: 'pid' }, budget: 100, cpa: 10 }] })));
    expect(more.auctions).toBe(1200);
    expect(more.cpuSeconds).toBeCloseTo(w.cpuSeconds * 12, 12);
    expect(more.bytes).toBeGreaterThan(w.bytes);
    expect(w.cpuSeconds).toBeLessThan(MAX_CPU_SECONDS);
  });

  it('validate and run refuse it with one line, exit 2, nothing written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bidgym-autobid-sizes-'));
    try {
      const file = join(dir, 'c.json');
      writeFileSync(file, JSON.stringify(base({ auctionsPerEpisode: 1e12 })));
      for (const argv of [['validate', file], ['run', file, '--out', join(dir, 'out'), '--quiet']]) {
        let err = '';
        const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
        let code: number;
        try {
          code = await main(argv);
        } finally {
          e.mockRestore();
        }
        expect(code, err).toBe(2);
        expect(err.trim().split('\n')).toHaveLength(1);
        expect(err).toMatch(/^bidgym: auctionsPerEpisode: /);
        expect(readdirSync(dir)).toEqual(['c.json']);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
