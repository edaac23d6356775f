import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Market } from '../../env/market.js';
import { rng } from '../../env/rng.js';
import { ConfigError, marketSpec, resolveConfig } from '../../experiments/config.js';
import { trainModelCommand } from '../../experiments/train-model.js';
import { createInterestModel, type InterestModelConfig } from '../../models/index.js';

const dir = mkdtempSync(join(tmpdir(), 'bidgym-train-model-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const raw = {
  name: 'tm',
  seed: 5,
  users: { count: 600, topics: 8, personas: 3, historyLength: 10, items: 200, adsPerAdvertiser: 4 },
  interestModel: { kind: 'attention', heads: 2, width: 8, hidden: 8, logSize: 5000, epochs: 2, backend: 'wasm' },
  exchange: { mechanism: 'second-price' },
  bidders: [{ id: 'b', copies: 3, agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 1 } }],
};

describe('trainModelCommand', () => {
  it('trains the model a run would train in replication 0, saves it, and a run can load it back unchanged', async () => {
    const cfg = resolveConfig(raw);
    const lines: string[] = [];
    const out = join(dir, 'att');
    const { report, files } = await trainModelCommand(cfg, out, { log: (l) => lines.push(l) });
    for (const f of files) expect(existsSync(join(out, f))).toBe(true);
    expect(lines.length).toBe(report.epochs);
    expect(report).toMatchObject({ kind: 'attention', source: 'trained', backend: 'wasm', catalogueMatch: true });
    expect(report.trainSeconds).toBeGreaterThan(0);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.report.auc).toBe(report.auc);

    // What runner.ts does for replication 0, with the saved model.
    const loadCfg = resolveConfig({ ...raw, interestModel: { ...raw.interestModel, path: out } });
    const rep = rng(cfg.seed).stream('replication:0');
    const market = new Market(marketSpec(loadCfg), rep.stream('market'));
    const loaded = await createInterestModel(loadCfg.interestModel as InterestModelConfig, market.population!, market.catalogue!, rep.stream('interest-model'));
    expect(loaded.report).toMatchObject({ source: 'loaded', catalogueMatch: true, trainSeconds: null, epochs: null });
    // Same log, same held-out users, same weights: the same figures.
    expect(loaded.report!.auc).toBe(report.auc);
    expect(loaded.report!.logLoss).toBe(report.logLoss);

    // Another replication's world has another catalogue: the model loads, and says so.
    const rep1 = rng(cfg.seed).stream('replication:1');
    const m1 = new Market(marketSpec(loadCfg), rep1.stream('market'));
    const other = await createInterestModel(loadCfg.interestModel as InterestModelConfig, m1.population!, m1.catalogue!, rep1.stream('interest-model'));
    expect(other.report!.catalogueMatch).toBe(false);
  });

  it('refuses configs with nothing to train', async () => {
    await expect(trainModelCommand(resolveConfig({ ...raw, interestModel: { kind: 'oracle' } }), join(dir, 'x'))).rejects.toThrow(ConfigError);
    await expect(trainModelCommand(resolveConfig({ ...raw, interestModel: { kind: 'oracle' } }), join(dir, 'x'))).rejects.toThrow(/interestModel\.kind/);
  });

  it('checks the sizes and the --out folder before training (an --out at a file failed after the training, exit 1)', async () => {
    writeFileSync(join(dir, 'a-file'), 'x');
    const t = Date.now();
    await expect(trainModelCommand(resolveConfig(raw), join(dir, 'a-file'))).rejects.toThrow(/^--out .*a-file\/model\.json: cannot create its folder \(ENOTDIR: a file is in the way\)$/);
    await expect(trainModelCommand(resolveConfig({ ...raw, users: { ...(raw as { users: object }).users, count: 1e12 } }), join(dir, 'y'))).rejects.toThrow(/^users\.count: the run needs about .* of memory/);
    expect(Date.now() - t).toBeLessThan(10_000); // refused, not trained
    expect(existsSync(join(dir, 'y'))).toBe(false);
  });
});
