import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../env/errors.js';
import { infoFromLog, writeLog, writeLogInfo } from '../../env/log/format.js';
import { lognormalPricePdf, sampleLog } from '../../env/log/generate.js';
import { rng } from '../../env/rng.js';
import { configHash, loadConfig, resolveConfig } from '../../experiments/config.js';
import { evaluateCommand } from '../../experiments/policy-commands.js';
import { runExperiment } from '../../experiments/runner.js';

const dir = mkdtempSync(join(tmpdir(), 'bidgym-log-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const world = { pricePdf: lognormalPricePdf(50, 0.8, 300), meanCtr: 0.005, ctrSpread: 1, priceCorrelation: 0.2 };
const train = sampleLog(world, 20_000, rng(2).stream('train'));
const test = sampleLog(world, 10_300, rng(2).stream('test'));
mkdirSync(join(dir, 'data'));
mkdirSync(join(dir, 'cfg'));
writeLog(join(dir, 'data', 'test.txt'), test, 'rlb');
writeLogInfo(join(dir, 'data', 'info.json'), infoFromLog(train, 300));

const base = {
  name: 'gen-log',
  seed: 4,
  replications: 2,
  episodes: 20,
  auctionsPerEpisode: 500,
  log: { format: 'rlb', path: '../data/test.txt', info: '../data/info.json' },
  bidders: [
    { id: 'lin', agent: { kind: 'lin-bid', b0: 30 }, budget: { c0: 0.0625 } },
    { id: 'rlb', agent: { kind: 'rlb' }, budget: { c0: 0.0625 } },
    { id: 'q', agent: { kind: 'q-learning' }, budget: { c0: 0.0625 } },
  ],
};
const file = join(dir, 'cfg', 'gen-log.json');
writeFileSync(file, JSON.stringify(base));

function configError(raw: unknown, pattern: RegExp): void {
  let err: unknown;
  try {
    resolveConfig(raw);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(InputError);
  expect((err as Error).message).toMatch(pattern);
}

describe('log markets in a config', () => {
  it('resolve: c0 budgets, no exchange, no value; the config hash does not depend on where the file lies', () => {
    const cfg = loadConfig(file);
    expect(cfg.log!.baseDir).toBe(join(dir, 'cfg'));
    expect(cfg.bidders.map((b) => [b.budget, b.budgetC0, b.value])).toEqual([
      [null, 0.0625, null],
      [null, 0.0625, null],
      [null, 0.0625, null],
    ]);
    expect(configHash(cfg)).toBe(configHash(resolveConfig(base)));
  });

  it('refuse what a log market does not have, and log-only parts elsewhere, naming the field', () => {
    configError({ ...base, exchange: { mechanism: 'second-price' } }, /^exchange: a log market has no exchange/);
    configError({ ...base, users: {} }, /^users: a log market has no simulated users/);
    configError({ ...base, bidders: [{ id: 'a', agent: { kind: 'mcpc' }, value: { kind: 'per-conversion', amount: 1 } }] }, /^bidders\[0\]\.value\.kind: a log market values clicks/);
    configError({ ...base, bidders: [{ id: 'a', agent: { kind: 'mcpc' }, objective: 'clicks' }] }, /^bidders\[0\]\.objective:/);
    configError({ ...base, log: { path: 'x', form: 'csv' } }, /^log: unknown key "form"/);
    configError({ ...base, log: { path: 'x', format: 'tsv' } }, /^log\.format: expected one of rlb, csv/);
    const sim = { name: 's', exchange: { mechanism: 'second-price' }, bidders: [{ id: 'a', agent: { kind: 'rlb' }, value: { kind: 'uniform' } }] };
    configError(sim, /^bidders\[0\]\.agent\.kind: "rlb" replays a bid log: it needs a log: block/);
    configError({ ...sim, bidders: [{ id: 'a', agent: { kind: 'truthful' }, value: { kind: 'uniform' }, budget: { c0: 0.1 } }] }, /^bidders\[0\]\.budget: \{ c0 \}/);
    configError({ ...sim, bidders: [{ id: 'a', agent: { kind: 'truthful' } }] }, /^bidders\[0\]\.value: required/);
    configError({ name: 's', bidders: [{ id: 'a', agent: { kind: 'truthful' }, value: { kind: 'uniform' } }] }, /^exchange: required/);
  });

  it('bidgym run: summary.json with the log figures, byte-identical for 1 and 2 workers; evaluate an exported policy on the log', async () => {
    const cfg = loadConfig(file);
    const s1 = await runExperiment(cfg, { outDir: join(dir, 'run1'), quiet: true, workers: 1 });
    await runExperiment(cfg, { outDir: join(dir, 'run2'), quiet: true, workers: 2 });
    expect(readFileSync(join(dir, 'run2', 'summary.json'), 'utf8')).toBe(readFileSync(join(dir, 'run1', 'summary.json'), 'utf8'));
    for (const id of ['lin', 'rlb', 'q']) {
      for (const k of ['totalClicks', 'totalImpressions', 'totalCost', 'winRate', 'hindsightClicks', 'competitiveRatio']) expect(s1.bidders[id]![k], `${id}.${k}`).toBeDefined();
      expect(s1.bidders[id]!.totalClicks!.mean).toBeLessThanOrEqual(s1.bidders[id]!.hindsightClicks!.mean);
    }
    expect(s1.bidders.rlb!.totalClicks!.values[0]).toBe(s1.bidders.rlb!.totalClicks!.values[1]); // deterministic method
    const ev = await evaluateCommand({ policy: join(dir, 'run1', 'policies', 'q.json'), config: file, out: join(dir, 'eval'), quiet: true });
    // the exported policy is replication 0's agent after training: the same clicks on the same log
    expect(ev.bidders.q!.totalClicks!.values[0]).toBe(s1.bidders.q!.totalClicks!.values[0]);
  });

  it('a bad log file stops the run with a one-line input error naming the line', async () => {
    writeFileSync(join(dir, 'data', 'bad.txt'), '0 5 0.1\n1 7 -0.2\n');
    writeFileSync(join(dir, 'cfg', 'bad.json'), JSON.stringify({ ...base, name: 'bad', log: { ...base.log, path: '../data/bad.txt' } }));
    await expect(runExperiment(loadConfig(join(dir, 'cfg', 'bad.json')), { outDir: join(dir, 'bad-run'), quiet: true, workers: 1 })).rejects.toThrow(/bad\.txt:2: pctr "-0\.2" is not a probability/);
    expect(existsSync(join(dir, 'bad-run'))).toBe(false); // nothing written
    // a bidder that cannot run is refused before any work too
    writeFileSync(join(dir, 'cfg', 'noinfo.json'), JSON.stringify({ ...base, name: 'noinfo', log: { format: 'rlb', path: '../data/test.txt' } }));
    await expect(runExperiment(loadConfig(join(dir, 'cfg', 'noinfo.json')), { outDir: join(dir, 'noinfo-run'), quiet: true, workers: 1 })).rejects.toThrow(/budget: \{ c0 \} needs the log's training statistics/);
    expect(existsSync(join(dir, 'noinfo-run'))).toBe(false);
  });
});
