/**
 * Where history matters less, the attention model must not do worse than
 * logistic regression (it nests it: models/attention.ts): history weight from 0.5
 * upwards, 8 to 32 topics, longer histories, more cold-start users. Small worlds
 * with more frequent clicks than the default world (so that 60,000 logged
 * impressions hold a few thousand clicks), the same log and held-out users for
 * both models, every setting asserted.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { rng } from '../../env/rng.js';
import type { PopulationArgs } from '../../env/users/population.js';
import { interestModelSchema } from '../../experiments/interest-schema.js';
import { createInterestModel, initBackend, type InterestModelConfig, type InterestReport } from '../../models/index.js';
import { makeWorld } from './world.js';

beforeAll(async () => {
  await initBackend('wasm');
});

interface Setting {
  name: string;
  users: Partial<PopulationArgs>;
  topics: number;
}

const SETTINGS: Setting[] = [
  { name: 'history weight 0.5, 8 topics', users: { historyWeight: 0.5 }, topics: 8 },
  { name: 'history weight 1, 32 topics', users: { historyWeight: 1 }, topics: 32 },
  { name: 'history weight 2, histories of 50', users: { historyWeight: 2, historyLength: 50 }, topics: 16 },
  { name: 'history weight 1, 40% cold-start sessions', users: { historyWeight: 1, coldStartShare: 0.4 }, topics: 16 },
];

async function reportsFor(s: Setting, seed: number): Promise<Record<'logistic' | 'attention', InterestReport>> {
  const world = makeWorld(seed, { count: 3000, personas: 6, historyLength: 20, attentionSharpness: 8, baseCtr: 0.02, ...s.users }, { topics: s.topics, items: 300, advertisers: 4, adsPerAdvertiser: 6 });
  const out = {} as Record<'logistic' | 'attention', InterestReport>;
  for (const kind of ['logistic', 'attention'] as const) {
    const cfg = interestModelSchema.parse({ kind, logSize: 60_000, backend: 'wasm' }) as InterestModelConfig;
    const made = await createInterestModel(cfg, world.pop, world.catalogue, rng(seed).stream('interest-model'));
    out[kind] = made.report!;
    made.predictor.dispose();
  }
  return out;
}

describe('attention never worse than logistic where history matters less', () => {
  for (const s of SETTINGS) {
    it(`${s.name}: attention AUC ≥ logistic AUC − 0.005, ECE ≤ 0.02`, async () => {
      const r = await reportsFor(s, 7);
      console.log(`${s.name}: attention AUC ${r.attention.auc.toFixed(4)} (ECE ${r.attention.ece.toFixed(4)}), logistic ${r.logistic.auc.toFixed(4)}; test clicks ${r.attention.testClicks}`);
      expect(r.attention.testClicks).toBe(r.logistic.testClicks);
      expect(r.attention.testClicks).toBeGreaterThan(200);
      expect(r.attention.auc).toBeGreaterThanOrEqual(r.logistic.auc - 0.005);
      expect(r.attention.ece).toBeLessThanOrEqual(0.02);
    }, 600_000);
  }
});
