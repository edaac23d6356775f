import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rng } from '../../env/rng.js';
import { buildNetwork, catalogueFingerprint, generateLog, initBackend, loadModel, logPopulation, MODEL_FORMAT, predictRows, saveModel, type LearnedKind } from '../../models/index.js';
import { makeWorld, smallWorld } from './world.js';

const dir = mkdtempSync(join(tmpdir(), 'bidgym-io-'));
beforeAll(async () => {
  await initBackend('wasm');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HYPER: Record<LearnedKind, Record<string, number>> = { attention: { heads: 2, width: 8, hidden: 4 }, logistic: {}, mf: { factors: 4 } };

describe.each(['attention', 'logistic', 'mf'] as const)('%s: save → load', (kind) => {
  const world = smallWorld(21);
  const log = generateLog(logPopulation(world.pop), { impressions: 1500 }, rng(21));

  it('gives a model that predicts exactly what the saved one did', async () => {
    const net = buildNetwork({ kind, shape: world.shape, hyper: HYPER[kind] }, world.catalogue, rng(22).stream(kind));
    const out = join(dir, kind);
    await saveModel(net, out, { note: 'test', catalogue: catalogueFingerprint(world.catalogue) });
    const json = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    expect(json.format).toBe(MODEL_FORMAT);
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(json.modelTopology.kind).toBe(kind);

    const { network: loaded, metadata } = await loadModel(out, world.catalogue);
    expect(metadata).toEqual({ note: 'test', catalogue: catalogueFingerprint(world.catalogue) });
    expect(loaded.getConfig()).toEqual(net.getConfig());
    expect(predictRows(loaded, log)).toEqual(predictRows(net, log));
    // the serving paths too
    const users = Int32Array.from({ length: 64 }, (_, i) => (i * 37) % world.pop.count);
    const ads = Int32Array.from({ length: 64 }, (_, i) => i % world.catalogue.ads);
    const a = new Float32Array(64);
    const b = new Float32Array(64);
    net.server().predict(world.pop, users, ads, 64, a);
    loaded.server().predict(world.pop, users, ads, 64, b);
    expect(b).toEqual(a);
    net.params.dispose();
    loaded.params.dispose();
  });
});

describe('loading errors', () => {
  it('a missing folder names the field', async () => {
    const { catalogue } = smallWorld(21);
    await expect(loadModel(join(dir, 'nothing-here'), catalogue)).rejects.toThrow(/interestModel\.path: cannot read/);
  });

  it('a world of other sizes is refused, naming what differs', async () => {
    const world = smallWorld(21);
    const net = buildNetwork({ kind: 'attention', shape: world.shape, hyper: HYPER.attention }, world.catalogue, rng(1));
    await saveModel(net, join(dir, 'shape'));
    const other = makeWorld(21, {}, { topics: 8, items: 130, advertisers: 3, adsPerAdvertiser: 4 });
    await expect(loadModel(join(dir, 'shape'), other.catalogue)).rejects.toThrow(/items = 120, this world has 130/);
    net.params.dispose();
  });
});

describe('catalogueFingerprint', () => {
  it('tells catalogues apart and is stable', () => {
    expect(catalogueFingerprint(smallWorld(1).catalogue)).toBe(catalogueFingerprint(smallWorld(1).catalogue));
    expect(catalogueFingerprint(smallWorld(1).catalogue)).not.toBe(catalogueFingerprint(smallWorld(2).catalogue));
  });
});
