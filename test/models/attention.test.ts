import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Catalogue } from '../../env/ads/catalogue.js';
import { rng } from '../../env/rng.js';
import { UserPopulation } from '../../env/users/population.js';
import { AttentionModel, LogisticModel, allocBatch, gatherRows, generateLog, initBackend, logPopulation, predictRows, worldShape, type FeatureBatch } from '../../models/index.js';
import { smallWorld } from './world.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** Two content items e₀ = (1, 0), e₁ = (0, 1) and one ad e_a = (0.6, 0.8). */
const tiny: Catalogue = {
  topics: 2,
  items: 2,
  ads: 1,
  advertisers: 1,
  adsPerAdvertiser: 1,
  embeddings: Float32Array.from([1, 0, 0, 1, 0.6, 0.8]),
  adAdvertiser: Int32Array.from([0]),
  itemTopic: Int32Array.from([0, 1]),
  adItem: (a: number) => 2 + a,
};

/**
 * One head of width 2 with W_q = I, W_k = 2I, W_v = W_r = I, no user × ad term,
 * MLP: h = relu(z), logit = 2h − fatigue − 1. MLP rows: z, g, 4 user features, fatigue, 2 ad dims.
 */
function tinyModel(): AttentionModel {
  const pop = new UserPopulation({ ...popArgs }, tiny, rng(0).stream('users'));
  const m = new AttentionModel({ heads: 1, width: 2, hidden: 1 }, worldShape(pop), tiny, rng(0));
  const w = new Map<string, Float32Array>([
    ['logTemp', Float32Array.from([0])],
    ['wq', Float32Array.from([1, 0, 0, 1])],
    ['wk', Float32Array.from([2, 0, 0, 2])],
    ['wv', Float32Array.from([1, 0, 0, 1])],
    ['wr', Float32Array.from([1, 0, 0, 1])],
    ['wu', new Float32Array(8)],
    ['wg', new Float32Array(4)],
    ['w1', Float32Array.from([1, 0, 0, 0, 0, 0, 0, 0, 0])],
    ['b1', Float32Array.from([0])],
    ['w2', Float32Array.from([2])],
    ['wlin', Float32Array.from([0, 0, 0, 0, 0, 0, -1, 0, 0])],
    ['wx', new Float32Array(8)],
    ['b', Float32Array.from([-1])],
  ]);
  m.params.restore(w);
  return m;
}

const popArgs = {
  count: 1, personas: 1, historyLength: 2, interestNoise: 0.5, interestDrift: 0, sessionLength: 1, coldStartShare: 0, organicEngagements: 0,
  baseCtr: 0.02, interestWeight: 1, historyWeight: 1, attentionSharpness: 1, fatigueWeight: 0, fatigueStep: 0.5, fatigueRecovery: 1e15,
  baseCvr: 0.1, cvrInterestWeight: 1,
};

function tinyBatch(history: number[]): FeatureBatch {
  const b = allocBatch(1, 2, 4);
  history.forEach((item, j) => (b.history[j] = item));
  b.historyLen[0] = history.length;
  b.features.set([history.length === 0 ? 1 : 0, history.length / 2, 0, 1]);
  b.fatigue[0] = 0.5;
  b.ads[0] = 0;
  return b;
}

function probabilities(m: AttentionModel, b: FeatureBatch, plain: boolean): number {
  const inputs = m.inputs(b);
  const p = tf.tidy(() => tf.sigmoid(plain ? m.plainLogits(inputs) : m.logits(inputs))).dataSync()[0]!;
  inputs.forEach((t) => t.dispose());
  return p;
}

describe('attention layer: a hand-computed example', () => {
  // Q = e_a = (0.6, 0.8); K_i = 2 e_i; scores = Q·K_i / √2 = (1.2, 1.6) / √2 = (0.848528, 1.131371)
  // α = softmax = (0.429757, 0.570243); V_i = e_i, R = e_a: z = Σ α_i (e_i · e_a) = 0.429757·0.6 + 0.570243·0.8 = 0.714049
  // logit = 2·relu(z) − 0.5 − 1 = −0.071903 → p = 0.482032
  const sig = (x: number) => 1 / (1 + Math.exp(-x));
  const s0 = 1.2 / Math.SQRT2;
  const s1 = 1.6 / Math.SQRT2;
  const a1 = 1 / (1 + Math.exp(s0 - s1));
  const z = (1 - a1) * 0.6 + a1 * 0.8;

  it('matches the hand computation (both orders of the forward pass)', () => {
    expect(a1).toBeCloseTo(0.570243, 6);
    expect(z).toBeCloseTo(0.714049, 6);
    const m = tinyModel();
    expect(probabilities(m, tinyBatch([0, 1]), false)).toBeCloseTo(0.482032, 5);
    expect(probabilities(m, tinyBatch([0, 1]), true)).toBeCloseTo(sig(2 * z - 1.5), 5);
    // one item: all attention on it, z = e₁·e_a = 0.8 → logit 0.1
    expect(probabilities(m, tinyBatch([1]), false)).toBeCloseTo(sig(0.1), 5);
    expect(probabilities(m, tinyBatch([1]), true)).toBeCloseTo(sig(0.1), 5);
    // empty history: z = 0 → logit −1.5
    expect(probabilities(m, tinyBatch([]), false)).toBeCloseTo(sig(-1.5), 5);
    expect(probabilities(m, tinyBatch([]), true)).toBeCloseTo(sig(-1.5), 5);
    m.params.dispose();
  });

  it('the CPU serving path matches it too', () => {
    const m = tinyModel();
    const pop = new UserPopulation({ ...popArgs }, tiny, rng(0).stream('users'));
    pop.pushHistory(0, 0);
    pop.pushHistory(0, 1); // capacity 2: the history is now exactly {e₀, e₁}
    pop.expose(0, 0); // fatigue 0.5 (no recovery)
    const out = new Float32Array(1);
    m.server().predict(pop, Int32Array.from([0]), Int32Array.from([0]), 1, out);
    expect(out[0]).toBeCloseTo(0.482032, 5);
    m.params.dispose();
  });

  it('a learned temperature sharpens the attention', () => {
    const m = tinyModel();
    const w = m.params.snapshot();
    w.set('logTemp', Float32Array.from([Math.log(10)]));
    m.params.restore(w);
    // t = 10: α₁ = 1/(1 + exp(10(s0 − s1)))
    const a = 1 / (1 + Math.exp(10 * (s0 - s1)));
    const zt = (1 - a) * 0.6 + a * 0.8;
    expect(probabilities(m, tinyBatch([0, 1]), false)).toBeCloseTo(sig(2 * zt - 1.5), 5);
    expect(probabilities(m, tinyBatch([0, 1]), true)).toBeCloseTo(sig(2 * zt - 1.5), 5);
    m.params.dispose();
  });

  it('rejects a width that is not a multiple of the heads, naming the field', () => {
    const { shape, catalogue } = smallWorld();
    expect(() => new AttentionModel({ heads: 3, width: 16, hidden: 8 }, shape, catalogue, rng(1))).toThrow(/interestModel\.width/);
    expect(() => new AttentionModel({ heads: 0, width: 16, hidden: 8 }, shape, catalogue, rng(1))).toThrow(/interestModel\.heads/);
  });
});

describe('attention model on a simulated log', () => {
  const world = smallWorld(3);
  const log = generateLog(logPopulation(world.pop), { impressions: 2000 }, rng(3).stream('log'));
  const all = Int32Array.from({ length: 512 }, (_, i) => i);
  const batch = gatherRows(log, all, 0, 512, allocBatch(512, log.historyLength, log.featureCount));

  it('the folded forward pass equals the textbook one', () => {
    const m = new AttentionModel({ heads: 4, width: 16, hidden: 8 }, world.shape, world.catalogue, rng(4));
    const inputs = m.inputs(batch);
    const a = tf.tidy(() => m.logits(inputs)).dataSync();
    const b = tf.tidy(() => m.plainLogits(inputs)).dataSync();
    inputs.forEach((t) => t.dispose());
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    expect(worst).toBeLessThan(1e-4);
    m.params.dispose();
  });

  it('gradients reach every parameter and reduce the loss (wasm backend)', () => {
    expect(tf.getBackend()).toBe('wasm');
    const m = new AttentionModel({ heads: 2, width: 8, hidden: 8 }, world.shape, world.catalogue, rng(5));
    const inputs = m.inputs(batch);
    const y = tf.tensor1d(Float32Array.from(all, (k) => log.clicks[k]!));
    const loss = () => tf.mean(tf.sub(tf.softplus(m.logits(inputs)), tf.mul(y, m.logits(inputs)))) as tf.Scalar;
    const { grads } = tf.variableGrads(loss, m.params.variables());
    for (const p of m.params.params) {
      const g = grads[p.variable.name]!;
      expect(tf.tidy(() => tf.sum(tf.abs(g))).dataSync()[0], `gradient of ${p.name}`).toBeGreaterThan(0);
    }
    Object.values(grads).forEach((g) => g.dispose());
    const before = tf.tidy(() => loss().dataSync()[0]!);
    const opt = tf.train.adam(0.01);
    for (let i = 0; i < 60; i++) opt.minimize(loss, true, m.params.variables())?.dispose();
    const after = tf.tidy(() => loss().dataSync()[0]!);
    expect(after).toBeLessThan(before * 0.9);
    opt.dispose();
    y.dispose();
    inputs.forEach((t) => t.dispose());
    m.params.dispose();
  });
});

describe('the attention model nests logistic regression', () => {
  it('with the logistic weights on its linear path and nothing else it predicts exactly what logistic regression does (tfjs and served)', () => {
    const world = smallWorld(3);
    const log = generateLog(logPopulation(world.pop), { impressions: 300 }, rng(4));
    const logistic = new LogisticModel(world.shape, world.catalogue, rng(5));
    const att = new AttentionModel({ heads: 2, width: 8, hidden: 4 }, world.shape, world.catalogue, rng(6));
    const lw = logistic.params.snapshot();
    const aw = att.params.snapshot();
    const { topics: d, featureCount: F } = world.shape;
    const H = 2;
    const inDim = H + 1 + F + 1 + d;
    const wlin = new Float32Array(inDim);
    for (let f = 0; f < F; f++) wlin[H + 1 + f] = lw.get('wu')![f]!;
    wlin[H + 1 + F] = lw.get('wf')![0]!;
    for (let i = 0; i < d; i++) wlin[H + 2 + F + i] = lw.get('wa')![i]!;
    aw.set('wlin', wlin);
    aw.set('wx', lw.get('wx')!);
    aw.set('b', lw.get('b')!);
    aw.set('w2', new Float32Array(aw.get('w2')!.length));
    att.params.restore(aw);
    const pl = predictRows(logistic, log);
    const pa = predictRows(att, log);
    for (let i = 0; i < log.n; i++) expect(pa[i]!).toBeCloseTo(pl[i]!, 5);
    // The served paths agree too, on the population's own users.
    const sl = logistic.server();
    const sa = att.server();
    const users = new Int32Array(world.catalogue.ads);
    const ads = Int32Array.from({ length: world.catalogue.ads }, (_, a) => a);
    const ol = new Float32Array(ads.length);
    const oa = new Float32Array(ads.length);
    for (let t = 0; t < 50; t++) {
      users.fill(world.pop.nextArrival());
      sl.predict(world.pop, users, ads, ads.length, ol);
      sa.predict(world.pop, users, ads, ads.length, oa);
      for (let a = 0; a < ads.length; a++) expect(oa[a]!).toBeCloseTo(ol[a]!, 5);
    }
  });
});
