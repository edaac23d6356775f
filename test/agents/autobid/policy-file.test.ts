/**
 * Step-level policies as policy files (agents/autobid/policy-file.ts): a run
 * writes every bidder's policy into policies/; each one loads back and plays
 * exactly as the run's bidder did (evaluate on the same seed gives the same
 * figures); export verifies and signs; a tampered, out-of-range or
 * wrong-level file is refused naming why.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadAutoBidPolicy } from '../../../agents/autobid/policy-file.js';
import { loadPolicy, policyChecksum, PolicyError, PolicySignatureError, policyDocument } from '../../../agents/policy.js';
import { InputError } from '../../../env/errors.js';
import { resolveAutoBidConfig, type AutoBidConfigInput } from '../../../experiments/autobid-config.js';
import { logAutoBid, runAutoBid } from '../../../experiments/autobid-run.js';
import { main } from '../../../experiments/cli.js';
import { evaluateAutoBidCommand, evaluateCommand, exportCommand, keygenCommand } from '../../../experiments/policy-commands.js';
import { initBackend } from '../../../models/backend.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const market = {
  seed: 5,
  replications: 1,
  evalEpisodes: 2,
  steps: 12,
  auctionsPerEpisode: 6000,
  exchange: { mechanism: 'gsp' as const, slots: 3, exposure: [1, 0.8, 0.6], reservePrice: 0.01 },
};
const rivals = [{ id: 'rival', copies: 3, agent: { kind: 'abid' as const }, budget: 1e6, cpa: 70, category: 2 }];

describe('step-level policy files', () => {
  let dir: string;
  let configPath: string;
  let cfg: AutoBidConfigInput;
  let run: Awaited<ReturnType<typeof runAutoBid>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'autobid-policy-'));
    // A noisy behaviour policy's log for the offline agents.
    const behaviour = resolveAutoBidConfig({ name: 'behaviour', ...market, bidders: [{ id: 'pid', agent: { kind: 'pid' }, budget: 300, cpa: 60, noise: 0.3 }, ...rivals] });
    await logAutoBid(behaviour, { configDir: dir, bidders: ['pid'], episodes: 4, transitions: join(dir, 'pid.jsonl') });
    cfg = {
      name: 'policies',
      ...market,
      episodes: 3,
      bidders: [
        { id: 'abid', agent: { kind: 'abid', factor: 0.8 }, budget: 300, cpa: 60, noise: 0.2 },
        { id: 'pid', agent: { kind: 'pid' }, budget: 300, cpa: 60 },
        { id: 'lp', agent: { kind: 'online-lp' }, budget: 300, cpa: 80, category: 1 },
        { id: 'lag', agent: { kind: 'lagrangian' }, budget: 300, cpa: 60 },
        { id: 'bc', agent: { kind: 'bc', dataset: 'pid.jsonl', steps: 60 }, budget: 300, cpa: 60 },
        { id: 'iql', agent: { kind: 'iql', dataset: 'pid.jsonl', steps: 40 }, budget: 300, cpa: 60 },
        ...rivals,
      ],
    };
    configPath = join(dir, 'policies.yaml');
    writeFileSync(configPath, stringify(cfg));
    run = await runAutoBid(resolveAutoBidConfig(cfg), { configDir: dir, outDir: join(dir, 'run') });
  }, 300_000);

  it('a run writes every bidder\'s policy as a checksummed policy file of level "step"', () => {
    for (const id of ['abid', 'pid', 'lp', 'lag', 'bc', 'iql', 'rival-1']) {
      const doc = JSON.parse(readFileSync(join(dir, 'run', 'policies', `${id}.json`), 'utf8'));
      expect(doc.schemaVersion).toBe(1);
      expect(doc.level).toBe('step');
      expect(doc.provenance.bidder).toBe(id);
      expect(doc.sha256).toBe(policyChecksum(doc));
      expect(doc.action.unit).toBe('currency per conversion');
      const loaded = loadAutoBidPolicy(join(dir, 'run', 'policies', `${id}.json`));
      expect(loaded.kind).toBe(run.summary.bidders[id]!.kind);
    }
    const bc = JSON.parse(readFileSync(join(dir, 'run', 'policies', 'bc.json'), 'utf8'));
    expect(bc.features.map((f: { name: string }) => f.name)).toContain('budgetLeft');
    expect(bc.provenance.training.datasetTransitions).toBe(run.meta.training.find((t) => t.bidder === 'bc')!.transitions);
    expect(JSON.parse(readFileSync(join(dir, 'run', 'policies', 'abid.json'), 'utf8')).params).toEqual({ factor: 0.8, noise: 0.2 });
    expect(JSON.parse(readFileSync(join(dir, 'run', 'policies', 'lag.json'), 'utf8')).provenance.training.trainingEpisodes).toBe(3);
  });

  it('every exported policy, evaluated on the same seed, gives exactly the run\'s own figures (bc and iql signed, through the CLI)', async () => {
    const keys = keygenCommand({ out: join(dir, 'keys') });
    for (const id of ['abid', 'pid', 'lp', 'lag', 'bc', 'iql']) {
      const file = join(dir, `${id}.policy.json`);
      const signed = id === 'bc' || id === 'iql';
      const r = exportCommand({ runDir: join(dir, 'run'), bidder: id, out: file, ...(signed ? { sign: keys.privateKey } : {}) });
      expect(r.file.level).toBe('step');
      let s;
      if (signed) {
        const out = join(dir, `eval-${id}`);
        const log = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
        let code: number;
        try {
          code = await main(['evaluate', '--policy', file, '--public-key', keys.publicKey, '--config', configPath, '--out', out, '--quiet']);
        } finally {
          log.mockRestore();
        }
        expect(code).toBe(0);
        s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
        expect(JSON.parse(readFileSync(join(out, 'resolved-config.json'), 'utf8')).bidders.find((b: { id: string }) => b.id === id).agent.kind).toBe('policy');
      } else {
        s = await evaluateAutoBidCommand({ policy: file, config: configPath, out: join(dir, `eval-${id}`) });
      }
      const { kind: _k, ...mine } = s.bidders[id];
      const { kind: _k2, ...theirs } = run.summary.bidders[id]!;
      expect(mine, id).toEqual(theirs);
      expect(s.bidders[id].score.values[0]).toBe(run.summary.bidders[id]!.score.values[0]);
    }
  }, 300_000);

  it('a config may name a policy file: agent { kind: policy, path } relative to the config', async () => {
    const c = resolveAutoBidConfig({ ...cfg, bidders: cfg.bidders.map((b) => (b.id === 'iql' ? { ...b, agent: { kind: 'policy' as const, path: 'iql.policy.json' } } : b)) });
    const r = await runAutoBid(c, { configDir: dir });
    const { kind: _k, ...mine } = r.summary.bidders.iql!;
    const { kind: _k2, ...theirs } = run.summary.bidders.iql!;
    expect(mine).toEqual(theirs);
    expect(theirs.cost.values[0]).toBeGreaterThan(0);
    const alone = resolveAutoBidConfig({ ...cfg, episodes: 0, bidders: [{ id: 'iql', agent: { kind: 'policy', path: 'iql.policy.json' }, budget: 300, cpa: 60 }, ...rivals] });
    await expect(runAutoBid(alone, { configDir: join(dir, 'nowhere') })).rejects.toThrow(/cannot read policy file/);
  });

  it('a tampered file is refused: checksum without a key, signature with one', async () => {
    const text = readFileSync(join(dir, 'run', 'policies', 'bc.json'), 'utf8');
    const doc = JSON.parse(text);
    doc.params.norm.actionMean += 0.5;
    writeFileSync(join(dir, 'tampered.json'), JSON.stringify(doc));
    expect(() => loadAutoBidPolicy(join(dir, 'tampered.json'))).toThrow(PolicyError);
    expect(() => loadAutoBidPolicy(join(dir, 'tampered.json'))).toThrow(/checksum mismatch/);
    // Re-hashed: valid without a key, refused against the signer's key.
    const signed = JSON.parse(readFileSync(join(dir, 'bc.policy.json'), 'utf8'));
    signed.params.norm.actionMean += 0.5;
    signed.sha256 = policyChecksum(signed);
    writeFileSync(join(dir, 'resigned.json'), JSON.stringify(signed));
    expect(loadAutoBidPolicy(join(dir, 'resigned.json')).kind).toBe('bc');
    expect(() => loadAutoBidPolicy(join(dir, 'resigned.json'), { publicKey: join(dir, 'keys', 'public.pem') })).toThrow(PolicySignatureError);
    await expect(evaluateAutoBidCommand({ policy: join(dir, 'resigned.json'), config: configPath, out: join(dir, 'never'), publicKey: join(dir, 'keys', 'public.pem') })).rejects.toThrow(/changed after it was signed/);
    // Out of range, re-hashed: refused naming the field.
    const big = JSON.parse(text);
    big.params.network.w[0][0] = 1e9;
    big.sha256 = policyChecksum(big);
    expect(() => loadAutoBidPolicy(big)).toThrow(/params\.network\.w\[0\]\[0\]/);
    const lag = JSON.parse(readFileSync(join(dir, 'run', 'policies', 'lag.json'), 'utf8'));
    lag.params.state.cost.pop();
    lag.sha256 = policyChecksum(lag);
    expect(() => loadAutoBidPolicy(lag)).toThrow(/params\.state/);
    const extra = JSON.parse(readFileSync(join(dir, 'run', 'policies', 'pid.json'), 'utf8'));
    extra.params.gain = 1;
    extra.sha256 = policyChecksum(extra);
    expect(() => loadAutoBidPolicy(extra)).toThrow(InputError);
    // Export verifies before copying.
    writeFileSync(join(dir, 'run', 'policies', 'broken.json'), JSON.stringify(doc));
    expect(() => exportCommand({ runDir: join(dir, 'run'), bidder: 'broken', out: join(dir, 'never.json') })).toThrow(/checksum mismatch/);
  });

  it('each loader and each evaluate refuses the other level, saying which to use', async () => {
    const stepFile = join(dir, 'run', 'policies', 'iql.json');
    expect(() => loadPolicy(stepFile)).toThrow(/step-level auto-bidding policy.*loadAutoBidPolicy/);
    const auction = policyDocument({ kind: 'truthful', params: () => ({}) }, { configHash: 'x', seed: 1, bidder: 'iql', training: {} });
    writeFileSync(join(dir, 'truthful.json'), JSON.stringify(auction));
    expect(() => loadAutoBidPolicy(join(dir, 'truthful.json'))).toThrow(/per-auction policy.*loadPolicy/);
    await expect(evaluateAutoBidCommand({ policy: join(dir, 'truthful.json'), config: configPath, out: join(dir, 'never') })).rejects.toThrow(/--policy: .* is a per-auction policy/);
    await expect(evaluateCommand({ policy: stepFile, config: configPath, out: join(dir, 'never') })).rejects.toThrow(InputError);
    await expect(evaluateAutoBidCommand({ policy: stepFile, config: configPath, bidder: 'nobody', out: join(dir, 'never') })).rejects.toThrow(/--bidder: no bidder "nobody"/);
  });
});
