import { describe, expect, it } from 'vitest';
import { summaryTable } from '../../experiments/cli.js';
import type { Summary } from '../../experiments/runner.js';
import { stat } from '../../experiments/stats.js';

/** A summary in the runner's shape, with `reps` replications of every figure. */
function summary(reps: number, ids: string[]): Summary {
  const s = (x: number) => stat(Array.from({ length: reps }, (_, r) => x * (1 + 0.01 * r)));
  const bidder = (i: number) => ({
    utilityPerAuction: s(0.0123 * (i + 1)),
    winRate: s(0.41),
    bidToValue: s(0.999),
    competitiveRatio: s(0.91),
    spend: s(12345.6789),
    value: s(23456.789),
    clicks: s(1234.5),
  });
  return {
    name: 'wide',
    configHash: 'abcdef123456',
    seed: 1,
    replications: reps,
    interestModel: { kind: 'oracle' },
    market: { revenuePerAuction: s(0.123456), welfarePerAuction: s(0.5), publisherPayoutPerAuction: s(0.08), exchangeFeePerAuction: s(0.04) },
    bidders: Object.fromEntries(ids.map((id, i) => [id, bidder(i)])),
  } as unknown as Summary;
}

describe('terminal summary table', () => {
  const ids = Array.from({ length: 12 }, (_, i) => `a-learner-with-an-id-longer-than-the-column-${i}`);

  it('fits 100 columns, with many bidders and long ids', () => {
    for (const reps of [1, 5]) {
      const text = summaryTable(summary(reps, ids));
      for (const line of text.split('\n')) expect(line.length, `${reps} replications: "${line}"`).toBeLessThanOrEqual(100);
    }
  });

  it('shows no ± for a single replication, and ± for several', () => {
    expect(summaryTable(summary(1, ids))).not.toContain('±');
    expect(summaryTable(summary(5, ids))).toContain('±');
  });
});
