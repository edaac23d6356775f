/**
 * The simulator's own users, every default (shown ads clicked at about 1.6%,
 * random ads — the log — at about 0.4%, a log of a million impressions): the
 * true click probability attends over the user's history, so the attention
 * model must beat logistic regression clearly there and stay calibrated.
 */
import { describe, expect, it } from 'vitest';
import { Market } from '../../env/market.js';
import { rng } from '../../env/rng.js';
import { marketSpec, resolveConfig } from '../../experiments/config.js';
import { createInterestModel, type InterestModelConfig, type InterestReport } from '../../models/index.js';

async function report(kind: 'attention' | 'logistic', seed: number): Promise<InterestReport> {
  const cfg = resolveConfig({
    name: 'default-world',
    seed,
    users: { count: 10_000 },
    interestModel: { kind, backend: 'wasm' },
    exchange: { mechanism: 'second-price' },
    bidders: [{ id: 'a', copies: 6, agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 1 } }],
  });
  const rep = rng(cfg.seed).stream('replication:0');
  const market = new Market(marketSpec(cfg), rep.stream('market'));
  const made = await createInterestModel(cfg.interestModel as InterestModelConfig, market.population!, market.catalogue!, rep.stream('interest-model'), { clock: () => performance.now() });
  made.predictor.dispose();
  return made.report!;
}

describe('interest models on the default users', () => {
  it('attention beats logistic by ≥ 0.02 AUC with ECE ≤ 0.02, on a log of a million impressions', async () => {
    const seed = 11;
    const attention = await report('attention', seed);
    const logistic = await report('logistic', seed);
    console.log(
      `default users, seed ${seed}: attention AUC ${attention.auc.toFixed(4)} (ECE ${attention.ece.toFixed(4)}, trained in ${attention.trainSeconds?.toFixed(1)} s), logistic AUC ${logistic.auc.toFixed(4)}; ${attention.testClicks} test clicks of ${attention.testImpressions}`,
    );
    expect(attention.logSize).toBe(1_000_000);
    expect(attention.testClicks).toBe(logistic.testClicks);
    expect(attention.testClicks / attention.testImpressions).toBeLessThan(0.01);
    expect(attention.auc).toBeGreaterThanOrEqual(logistic.auc + 0.02);
    expect(attention.ece).toBeLessThanOrEqual(0.02);
    expect(attention.logLoss).toBeLessThan(logistic.logLoss);
  }, 1_800_000);
});
