import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../experiments/config.js';
import { interestModelSchema } from '../../experiments/interest-schema.js';
import type { InterestModelConfig } from '../../models/index.js';

const base = {
  name: 'im',
  users: { count: 100 },
  exchange: { mechanism: 'second-price' },
  bidders: [{ id: 'b', copies: 2, agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 1 } }],
};

describe('interestModel config', () => {
  it('fills a documented default for every hyperparameter', () => {
    const a = interestModelSchema.parse({ kind: 'attention' });
    expect(a).toEqual({
      kind: 'attention', heads: 1, width: 16, hidden: 16, logSize: 1_000_000, validationShare: 0.1, testShare: 0.2, epochs: 10, batchSize: 512,
      learningRate: 0.005, patience: 2, l2: 0, calibrate: true, backend: 'auto', serving: 'auto',
    });
    expect(interestModelSchema.parse({ kind: 'mf' })).toMatchObject({ factors: 16, l2: 1e-5 });
    expect(interestModelSchema.parse({ kind: 'oracle' })).toEqual({ kind: 'oracle', logSize: 1_000_000, validationShare: 0.1, testShare: 0.2 });
    // what the schema gives is what createInterestModel takes
    const cfg: InterestModelConfig = a;
    expect(cfg.kind).toBe('attention');
  });

  it('errors name the field: unknown keys, bad values, bad kinds', () => {
    expect(() => resolveConfig({ ...base, interestModel: { kind: 'attention', hedas: 2 } })).toThrow(/interestModel: unknown key "hedas"/);
    expect(() => resolveConfig({ ...base, interestModel: { kind: 'attention', heads: 3, width: 16 } })).toThrow(/interestModel\.width/);
    expect(() => resolveConfig({ ...base, interestModel: { kind: 'attention', backend: 'tpu' } })).toThrow(/interestModel\.backend: expected one of auto, tensorflow, webgpu, wasm, cpu/);
    expect(() => resolveConfig({ ...base, interestModel: { kind: 'logistic', validationShare: 0.45, testShare: 0.45 } })).not.toThrow();
    expect(() => resolveConfig({ ...base, interestModel: { kind: 'attentoin' } })).toThrow(/interestModel\.kind: expected one of oracle, attention, logistic, mf/);
    expect(() => resolveConfig({ ...base, interestModel: { kind: 'mf', epochs: 0 } })).toThrow(/interestModel\.epochs/);
  });

  it('takes a saved model’s path', () => {
    const cfg = resolveConfig({ ...base, interestModel: { kind: 'attention', path: 'models/att' } });
    expect(cfg.interestModel).toMatchObject({ kind: 'attention', path: 'models/att' });
  });
});
