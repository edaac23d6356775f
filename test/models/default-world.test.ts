/**
 * The simulator's own users, every default: the true click probability attends
 * over the user's history (env/users/population.ts) and histories follow each
 * user's own interest, so the attention model must beat the baselines clearly
 * there — not only on a world tuned for it — and stay calibrated.
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
    interestModel: { kind },
    exchange: { mechanism: 'second-price' },
    bidders: [{ id: 'a', copies: 6, agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 1 } }],
  });
  const rep = rng(cfg.seed).stream('replication:0');
  const market = new Market(marketSpec(cfg), rep.stream('market'));
  const made = await createInterestModel(cfg.interestModel as InterestModelConfig, market.population!, market.catalogue!, rep.stream('interest-model'));
  return made.report!;
}

describe('interest models on the default users', () => {
  it('attention beats logistic by ≥ 0.03 AUC with ECE ≤ 0.02', async () => {
    const seed = 11;
    const attention = await report('attention', seed);
    const logistic = await report('logistic', seed);
    console.log(`default users, seed ${seed}: attention AUC ${attention.auc.toFixed(4)} (ECE ${attention.ece.toFixed(4)}), logistic AUC ${logistic.auc.toFixed(4)}`);
    expect(attention.auc).toBeGreaterThan(logistic.auc + 0.03);
    expect(attention.ece).toBeLessThanOrEqual(0.02);
    expect(attention.logLoss).toBeLessThan(logistic.logLoss);
  });
});
