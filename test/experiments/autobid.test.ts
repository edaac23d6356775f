import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAuctionNet, transitionsFromAuctionNet } from '../../env/autobid/auctionnet.js';
import { readTransitions } from '../../env/autobid/transitions.js';
import { InputError } from '../../env/errors.js';
import { resolveAutoBidConfig, type AutoBidConfigInput } from '../../experiments/autobid-config.js';
import { logAutoBid, runAutoBid } from '../../experiments/autobid-run.js';
import { lagrangianFrom } from '../../experiments/autobid-agents.js';
import { initBackend } from '../../models/backend.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const base: AutoBidConfigInput = {
  name: 'cpa-small',
  seed: 3,
  replications: 2,
  evalEpisodes: 2,
  steps: 12,
  auctionsPerEpisode: 6000,
  exchange: { mechanism: 'gsp', slots: 3, exposure: [1, 0.8, 0.6], reservePrice: 0.01 },
  bidders: [
    { id: 'pid', agent: { kind: 'pid' }, budget: 300, cpa: 60, category: 0 },
    { id: 'lp', agent: { kind: 'online-lp' }, budget: 300, cpa: 80, category: 1 },
    { id: 'rival', copies: 3, agent: { kind: 'abid' }, budget: 1e6, cpa: 70, category: 2 },
  ],
};

describe('step-level configs', () => {
  it('run to the same summary bytes for the same config and seed, with every figure per bidder', async () => {
    const c = resolveAutoBidConfig(base);
    const dir = mkdtempSync(join(tmpdir(), 'autobid-'));
    const a = await runAutoBid(c, { configDir: '.', outDir: dir });
    const b = await runAutoBid(resolveAutoBidConfig(base), { configDir: '.' });
    expect(JSON.stringify(b.summary)).toBe(JSON.stringify(a.summary));
    expect(readFileSync(join(dir, 'summary.json'), 'utf8')).toContain('"budgetSpent"');
    expect(Object.keys(a.summary.bidders)).toEqual(['pid', 'lp', 'rival-1', 'rival-2', 'rival-3']);
    for (const s of Object.values(a.summary.bidders)) {
      for (const f of ['conversions', 'cost', 'cpa', 'score', 'budgetSpent'] as const) expect(s[f].values).toHaveLength(2);
      expect(s.budgetSpent.mean).toBeLessThanOrEqual(1 + 1e-9);
      for (const cost of s.cost.values) expect(cost).toBeLessThanOrEqual(s.budget * (1 + 1e-12));
    }
    const other = await runAutoBid(resolveAutoBidConfig({ ...base, seed: 4 }), { configDir: '.' });
    expect(JSON.stringify(other.summary.bidders)).not.toBe(JSON.stringify(a.summary.bidders));
  });

  it('an online learner (lagrangian) trains over the config\'s episodes, its policy is exported and rebuilt', async () => {
    const cfg: AutoBidConfigInput = { ...base, episodes: 3, bidders: [{ id: 'lag', agent: { kind: 'lagrangian' }, budget: 300, cpa: 60 }, ...base.bidders.slice(1)] };
    const dir = mkdtempSync(join(tmpdir(), 'autobid-'));
    const a = await runAutoBid(resolveAutoBidConfig(cfg), { configDir: '.', outDir: dir });
    const b = await runAutoBid(resolveAutoBidConfig(cfg), { configDir: '.' });
    expect(JSON.stringify(b.summary)).toBe(JSON.stringify(a.summary));
    expect(a.meta.secondsPerTrainingEpisode).toHaveLength(2 * 3);
    const doc = JSON.parse(readFileSync(join(dir, 'policies', 'lag.json'), 'utf8'));
    expect(doc.kind).toBe('lagrangian');
    expect(doc.level).toBe('step');
    expect(doc.provenance.training.trainingEpisodes).toBe(3);
    const p = lagrangianFrom(doc.params);
    expect(p.state().episodes).toBe(3);
    expect(p.state().volume.some((v) => v > 0)).toBe(true);
    // Without an online learner, training episodes are not played (and do not change the baselines' results).
    const plain = await runAutoBid(resolveAutoBidConfig({ ...base, episodes: 3 }), { configDir: '.' });
    expect(plain.meta.secondsPerTrainingEpisode).toHaveLength(0);
  });

  it('bad fields are InputErrors naming them', () => {
    const bad = (over: object, re: RegExp) => {
      expect(() => resolveAutoBidConfig({ ...base, ...over })).toThrow(InputError);
      expect(() => resolveAutoBidConfig({ ...base, ...over })).toThrow(re);
    };
    bad({ exchange: { exposure: [1, 0.8] } }, /exchange.exposure: expected 3/);
    bad({ exchange: { exposure: [0.5, 0.8, 0.6] } }, /exchange.exposure\[1\]/);
    bad({ bidders: [{ id: 'x', agent: { kind: 'pid' }, budget: 1 }] }, /bidders\[0\].cpa/);
    bad({ bidders: [{ id: 'x', agent: { kind: 'nope' }, budget: 1, cpa: 1 }] }, /bidders\[0\].agent.kind/);
    bad({ bidders: [{ id: 'x', agent: { kind: 'pid', gain: 1 }, budget: 1, cpa: 1 }] }, /bidders\[0\].agent: unknown key "gain"/);
    bad({ auctionsPerEpisode: 5 }, /auctionsPerEpisode/);
    bad({ episodes: 2, bidders: [{ id: 'x', agent: { kind: 'lagrangian', minFactor: 2, maxFactor: 1 }, budget: 1, cpa: 1 }] }, /bidders\[0\].agent.minFactor/);
    bad({ bidders: [{ id: 'x', agent: { kind: 'lagrangian' }, budget: 1, cpa: 1 }] }, /^episodes: bidders\[0\] learns online/);
  });

  it('logs a behaviour policy as transitions and AuctionNet rows, and offline agents train on the log from a config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autobid-log-'));
    const behaviour = resolveAutoBidConfig({ ...base, bidders: [{ ...base.bidders[0]!, noise: 0.3 }, ...base.bidders.slice(1)] });
    const n = await logAutoBid(behaviour, { configDir: '.', bidders: ['pid'], episodes: 3, transitions: join(dir, 'pid.jsonl'), auctionnet: join(dir, 'pid.csv') });
    const { transitions } = readTransitions(join(dir, 'pid.jsonl'));
    expect(transitions.length).toBe(n);
    expect(new Set(transitions.map((t) => t.episode))).toEqual(new Set([0, 1, 2]));
    const rows = parseAuctionNet(readFileSync(join(dir, 'pid.csv'), 'utf8'));
    const rebuilt = transitionsFromAuctionNet(rows, { steps: 12 });
    expect(rebuilt.map((t) => t.reward)).toEqual(transitions.map((t) => t.reward));
    // The same log again: the same bytes.
    await logAutoBid(behaviour, { configDir: '.', bidders: ['pid'], episodes: 3, transitions: join(dir, 'again.jsonl') });
    expect(readFileSync(join(dir, 'again.jsonl'), 'utf8')).toBe(readFileSync(join(dir, 'pid.jsonl'), 'utf8'));
    await expect(logAutoBid(behaviour, { configDir: '.', bidders: ['nobody'], transitions: join(dir, 'x.jsonl') })).rejects.toThrow(/--bidder: no bidder "nobody"/);
    // Offline agents name the dataset relative to the config's folder.
    const offline = resolveAutoBidConfig({
      ...base,
      replications: 1,
      bidders: [
        { id: 'bc', agent: { kind: 'bc', dataset: 'pid.jsonl', steps: 50 }, budget: 300, cpa: 60 },
        { id: 'iql', agent: { kind: 'iql', dataset: 'pid.jsonl', steps: 30 }, budget: 300, cpa: 60 },
        ...base.bidders.slice(1),
      ],
    });
    const run = await runAutoBid(offline, { configDir: dir });
    expect(run.meta.training.map((t) => [t.kind, t.transitions])).toEqual([['bc', n], ['iql', n]]);
    expect(run.summary.bidders.bc!.cost.mean).toBeGreaterThan(0);
    await expect(runAutoBid(offline, { configDir: join(dir, 'missing') })).rejects.toThrow(/dataset: cannot read/);
  }, 300_000);
});
