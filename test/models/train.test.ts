import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { rng } from '../../env/rng.js';
import { interestModelSchema } from '../../experiments/interest-schema.js';
import {
  AttentionModel,
  createInterestModel,
  generateLog,
  initBackend,
  logLoss,
  logPopulation,
  predictRows,
  splitByUser,
  trainNetwork,
  type InterestModelConfig,
  type InterestReport,
} from '../../models/index.js';
import { fitPlatt, foldCalibration } from '../../models/train.js';
import { HISTORY_DRIVEN, makeWorld, smallWorld } from './world.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const args = { epochs: 3, batchSize: 256, learningRate: 0.01, patience: 1, l2: 0 };

describe('trainNetwork', () => {
  const world = smallWorld(41);
  const log = generateLog(logPopulation(world.pop), { impressions: 4000 }, rng(41));
  const split = splitByUser(log, 0.15, 0.2, rng(42));

  it('is deterministic: same seed and backend → same weights', () => {
    const run = (seed: number) => {
      const net = new AttentionModel({ heads: 2, width: 8, hidden: 8 }, world.shape, world.catalogue, rng(seed).stream('init'));
      const res = trainNetwork(net, log, split, args, rng(seed).stream('train'));
      const w = net.params.snapshot();
      net.params.dispose();
      return { res, w };
    };
    const a = run(7);
    const b = run(7);
    const c = run(8);
    expect(b.res).toEqual(a.res);
    expect(b.w).toEqual(a.w);
    expect(c.w.get('wq')).not.toEqual(a.w.get('wq'));
  });

  it('keeps the weights of the epoch with the lowest validation loss', () => {
    const net = new AttentionModel({ heads: 1, width: 8, hidden: 8 }, world.shape, world.catalogue, rng(9));
    const res = trainNetwork(net, log, split, { ...args, epochs: 5, learningRate: 0.05, patience: 5, calibrate: false }, rng(10));
    const best = Math.min(...res.epochs.map((e) => e.validationLoss));
    expect(res.epochs[res.bestEpoch - 1]!.validationLoss).toBe(best);
    const y = Float32Array.from(split.validation, (k) => log.clicks[k]!);
    expect(logLoss(predictRows(net, log, split.validation), y)).toBeCloseTo(best, 6);
    expect(res.calibration).toBeNull();
    net.params.dispose();
  });

  it('rejects bad hyperparameters, naming the field', () => {
    const net = new AttentionModel({ heads: 1, width: 4, hidden: 4 }, world.shape, world.catalogue, rng(9));
    expect(() => trainNetwork(net, log, split, { ...args, batchSize: 0 }, rng(1))).toThrow(/interestModel\.batchSize/);
    expect(() => trainNetwork(net, log, split, { ...args, learningRate: -1 }, rng(1))).toThrow(/interestModel\.learningRate/);
    net.params.dispose();
  });
});

describe('Platt calibration', () => {
  it('recovers a known logit scale and shift', () => {
    const r = rng(5);
    const n = 40_000;
    const z = Float64Array.from({ length: n }, () => 2 * r.normal());
    const y = Float64Array.from(z, (v) => (r.next() < 1 / (1 + Math.exp(-(0.5 * v - 1))) ? 1 : 0));
    const { a, c } = fitPlatt(z, y);
    expect(a).toBeCloseTo(0.5, 1);
    expect(c).toBeCloseTo(-1, 1);
  });

  it('is folded into the output layer: every logit z becomes a·z + c', () => {
    const world = smallWorld(43);
    const log = generateLog(logPopulation(world.pop), { impressions: 500 }, rng(43));
    const net = new AttentionModel({ heads: 2, width: 8, hidden: 4 }, world.shape, world.catalogue, rng(44));
    const logit = (p: number) => Math.log(p / (1 - p));
    const before = Array.from(predictRows(net, log), logit);
    foldCalibration(net, 0.7, -0.3);
    const after = Array.from(predictRows(net, log), logit);
    for (let i = 0; i < before.length; i++) expect(after[i]).toBeCloseTo(0.7 * before[i]! - 0.3, 3);
    net.params.dispose();
    expect(tf.memory().numTensors).toBeLessThan(50);
  });
});

describe('interest models on users whose clicks depend on their history', () => {
  // Two personas (who the user is says little), a heavy and sharp history term.
  const world = makeWorld(44, { ...HISTORY_DRIVEN, count: 5000 });
  const reports: Record<string, InterestReport> = {};

  beforeAll(async () => {
    for (const kind of ['oracle', 'logistic', 'attention', 'mf'] as const) {
      const cfg = interestModelSchema.parse(kind === 'oracle' ? { kind, logSize: 60_000 } : { kind, logSize: 60_000, backend: 'wasm' }) as InterestModelConfig;
      // The same stream for every kind: the same log, the same held-out users.
      const made = await createInterestModel(cfg, world.pop, world.catalogue, rng(45).stream('interest-model'));
      reports[kind] = made.report!;
      made.predictor.dispose();
    }
  }, 300_000);

  it('measures every model on the same held-out users', () => {
    const n = reports.oracle!.testImpressions;
    expect(n).toBeGreaterThan(8000);
    for (const r of Object.values(reports)) {
      expect(r.testImpressions).toBe(n);
      expect(r.testClicks).toBe(reports.oracle!.testClicks);
      expect(r.coldStartImpressions).toBeGreaterThan(100);
    }
    expect(reports.attention!.backend).toBe('wasm');
    expect(reports.attention!.source).toBe('trained');
  });

  it('attention beats logistic and mf clearly on AUC and log-loss, and stays below the oracle', () => {
    const { attention, logistic, mf, oracle } = reports as Record<string, InterestReport>;
    expect(attention!.auc).toBeGreaterThan(logistic!.auc + 0.03);
    expect(attention!.auc).toBeGreaterThan(mf!.auc + 0.03);
    expect(attention!.logLoss).toBeLessThan(logistic!.logLoss);
    expect(attention!.auc).toBeLessThan(oracle!.auc);
    // the baselines learn something too
    expect(logistic!.auc).toBeGreaterThan(0.6);
    expect(mf!.auc).toBeGreaterThan(0.6);
  });

  it('attention is well calibrated on held-out users (ECE ≤ 0.02)', () => {
    expect(reports.attention!.ece).toBeLessThanOrEqual(0.02);
    expect(reports.attention!.coldStartAuc).toBeGreaterThan(0.5);
  });
});

describe('createInterestModel', () => {
  it('checks that a saved model fits the run’s population', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { saveModel } = await import('../../models/index.js');
    const dir = mkdtempSync(join(tmpdir(), 'bidgym-train-'));
    const world = smallWorld(46);
    const net = new AttentionModel({ heads: 1, width: 4, hidden: 4 }, world.shape, world.catalogue, rng(1));
    await saveModel(net, dir);
    const longer = makeWorld(46, { count: 400, personas: 3, historyLength: 12 }, { topics: 8, items: 120, advertisers: 3, adsPerAdvertiser: 4 });
    const cfg = interestModelSchema.parse({ kind: 'attention', logSize: 2000, path: dir }) as InterestModelConfig;
    await expect(createInterestModel(cfg, longer.pop, longer.catalogue, rng(2))).rejects.toThrow(/historyLength = 10, this run has 12/);
    const wrongKind = interestModelSchema.parse({ kind: 'logistic', logSize: 2000, path: dir }) as InterestModelConfig;
    await expect(createInterestModel(wrongKind, world.pop, world.catalogue, rng(2))).rejects.toThrow(/holds a attention model/);
    net.params.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the oracle is measured on the same log when it has a logSize, and not at all without', async () => {
    const world = smallWorld(47);
    const none = await createInterestModel({ kind: 'oracle' }, world.pop, world.catalogue, rng(3));
    expect(none.report).toBeNull();
    const some = await createInterestModel({ kind: 'oracle', logSize: 3000 }, world.pop, world.catalogue, rng(3));
    expect(some.report!.auc).toBeGreaterThan(0.5);
    expect(some.report!.trainSeconds).toBeNull();
  });
});
