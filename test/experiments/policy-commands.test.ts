import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicy, policyChecksum, type PolicyFile } from '../../agents/policy.js';
import { resolveConfig } from '../../experiments/config.js';
import { InputError } from '../../env/errors.js';
import { evaluateCommand, exportCommand, keygenCommand } from '../../experiments/policy-commands.js';
import { PolicySignatureError } from '../../agents/policy.js';
import { runExperiment } from '../../experiments/runner.js';
import { useSentInputs } from '../../env/io/sent-inputs.js';

const root = mkdtempSync(join(tmpdir(), 'bidgym-commands-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A first-price market with private values; the learner trains against a rival bidding half its value. */
const training = {
  name: 'train',
  seed: 4,
  replications: 1,
  episodes: 10,
  evalEpisodes: 1,
  auctionsPerEpisode: 3000,
  exchange: { mechanism: 'first-price' },
  bidders: [
    { id: 'learner', agent: { kind: 'q-learning' }, value: { kind: 'uniform', low: 0, high: 1 } },
    { id: 'budgeted', agent: { kind: 'linucb' }, value: { kind: 'uniform', low: 0, high: 1 }, budget: 100 },
    { id: 'rival', agent: { kind: 'shaded', factor: 0.5 }, value: { kind: 'uniform', low: 0, high: 1 } },
  ],
};

/** Another market to evaluate in: a stronger rival, no budgets. */
const other = {
  name: 'other',
  seed: 11,
  replications: 2,
  episodes: 5,
  evalEpisodes: 2,
  auctionsPerEpisode: 1000,
  exchange: { mechanism: 'first-price' },
  bidders: [
    { id: 'learner', agent: { kind: 'truthful' }, value: { kind: 'uniform', low: 0, high: 1 } },
    { id: 'budgeted', agent: { kind: 'truthful' }, value: { kind: 'uniform', low: 0, high: 1 } },
    { id: 'rival', agent: { kind: 'shaded', factor: 0.8 }, value: { kind: 'uniform', low: 0, high: 1 } },
  ],
};

const runDir = join(root, 'run');
const otherConfig = join(root, 'other.json');

beforeAll(async () => {
  await runExperiment(resolveConfig(training), { outDir: runDir, quiet: true, workers: 1 });
  writeFileSync(otherConfig, JSON.stringify(other));
});

describe('exportCommand', () => {
  it('verifies and copies a policy byte for byte', () => {
    const out = join(root, 'exported', 'learner.policy.json');
    const { path, file } = exportCommand({ runDir, bidder: 'learner', out });
    expect(path).toBe(out);
    expect(readFileSync(out)).toEqual(readFileSync(join(runDir, 'policies', 'learner.json')));
    expect(file.kind).toBe('q-learning');
    expect(loadPolicy(out).file.sha256).toBe(file.sha256);
  });

  it('names the bidders a run has when asked for another', () => {
    expect(() => exportCommand({ runDir, bidder: 'nobody' })).toThrow(InputError);
    expect(() => exportCommand({ runDir, bidder: 'nobody' })).toThrow(/no policy for "nobody" \(it has budgeted, learner, rival\)/);
    expect(() => exportCommand({ runDir: root, bidder: 'x' })).toThrow(/not a run folder with policies/);
  });
});

describe('evaluateCommand', () => {
  it('evaluates a policy in place of the bidder with its id and writes a normal run folder', async () => {
    const out = join(root, 'eval');
    const policy = join(runDir, 'policies', 'learner.json');
    const summary = await evaluateCommand({ policy, config: otherConfig, out, workers: 1 });
    for (const f of ['summary.json', 'episodes.csv', 'samples.csv', 'resolved-config.json', 'meta.json', 'policies/learner.json']) expect(existsSync(join(out, f))).toBe(true);
    // The rivals do not learn, so no training episodes: only evaluation rows.
    const phases = new Set(readFileSync(join(out, 'episodes.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[2]));
    expect([...phases]).toEqual(['eval']);
    // The policy played frozen: every sampled bid is the loaded policy's bid for that value.
    const loaded = loadPolicy(policy);
    const rows = readFileSync(join(out, 'samples.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const mine = rows.filter((r) => r[1] === 'learner');
    expect(mine.length).toBeGreaterThan(100);
    for (const r of mine) expect(Number(r[5])).toBeCloseTo(loaded.bid({ value: Number(r[3]) }), 6);
    expect(summary.bidders.learner!.bidToValue!.mean).toBeLessThan(0.9);
    const resolved = JSON.parse(readFileSync(join(out, 'resolved-config.json'), 'utf8'));
    expect(resolved.bidders[0].agent.kind).toBe('policy');
    const rewritten = loadPolicy(join(out, 'policies', 'learner.json'));
    expect(rewritten.file.params).toEqual(loadPolicy(policy).file.params);
    // Deterministic.
    const again = await evaluateCommand({ policy, config: otherConfig, out: join(root, 'eval2'), workers: 1 });
    expect(again).toEqual(summary);
  });

  it('replaces another bidder with --bidder', async () => {
    const summary = await evaluateCommand({ policy: join(runDir, 'policies', 'learner.json'), config: otherConfig, out: join(root, 'eval-rival'), bidder: 'rival', workers: 1 });
    expect(summary.bidders.rival!.bidToValue!.mean).toBeLessThan(0.9);
    expect(summary.bidders.learner!.bidToValue!.mean).toBe(1);
    await expect(evaluateCommand({ policy: join(runDir, 'policies', 'learner.json'), config: otherConfig, out: join(root, 'x'), bidder: 'ghost' })).rejects.toThrow(
      /no bidder "ghost" in the config \(bidders: learner, budgeted, rival\)/,
    );
  });

  it('refuses a tampered file, an unknown schema version and features that do not match, with exit code 2', async () => {
    const good = JSON.parse(readFileSync(join(runDir, 'policies', 'learner.json'), 'utf8')) as PolicyFile;
    const cases: [string, PolicyFile, RegExp][] = [
      ['tampered', { ...good, params: { ...good.params, q: (good.params.q as number[]).map((x, i) => (i === 0 ? x + 1 : x)) } }, /checksum mismatch/],
      ['version', (() => { const d = { ...good, schemaVersion: 3 }; return { ...d, sha256: policyChecksum(d) }; })(), /unknown schemaVersion 3/],
    ];
    for (const [name, doc, message] of cases) {
      const path = join(root, `${name}.json`);
      writeFileSync(path, JSON.stringify(doc));
      const err = await evaluateCommand({ policy: path, config: otherConfig, out: join(root, `out-${name}`) }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).exitCode).toBe(2);
      expect((err as Error).message).toMatch(message);
      expect(existsSync(join(root, `out-${name}`, 'summary.json'))).toBe(false);
    }
    // Trained with a budget (it reads budgetLeft), evaluated where that bidder has none.
    const err = await evaluateCommand({ policy: join(runDir, 'policies', 'budgeted.json'), config: otherConfig, out: join(root, 'out-budget') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/features do not match the config: the policy reads budgetLeft .* "budgeted" has no budget/);
  });
});

describe('signed policies: keygen, export --sign, evaluate --public-key', () => {
  const keys = join(root, 'keys');
  const other = join(root, 'other-keys');
  const signedPath = join(root, 'signed', 'learner.policy.json');
  const policyOf = (r: string) => join(runDir, 'policies', r);

  it('keygen writes private.pem (mode 0600) and public.pem, and never overwrites them', () => {
    const r = keygenCommand({ out: keys });
    expect(r.keyId).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(join(keys, 'private.pem'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(readFileSync(join(keys, 'public.pem'), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(statSync(join(keys, 'private.pem')).mode & 0o777).toBe(0o600);
    const before = readFileSync(join(keys, 'private.pem'));
    expect(() => keygenCommand({ out: keys })).toThrow(InputError);
    expect(() => keygenCommand({ out: keys })).toThrow(/private\.pem exists; keygen never overwrites a key/);
    expect(readFileSync(join(keys, 'private.pem'))).toEqual(before);
    keygenCommand({ out: other });
  });

  it('export --sign writes a signed copy that evaluate accepts with the public key', async () => {
    const r = exportCommand({ runDir, bidder: 'learner', out: signedPath, sign: join(keys, 'private.pem') });
    expect(r.signedBy).toMatch(/^[0-9a-f]{64}$/);
    const doc = JSON.parse(readFileSync(signedPath, 'utf8')) as PolicyFile;
    const original = JSON.parse(readFileSync(policyOf('learner.json'), 'utf8')) as PolicyFile;
    expect({ ...doc, signature: undefined }).toEqual({ ...original, signature: undefined });
    expect(loadPolicy(signedPath, { publicKey: join(keys, 'public.pem') }).verifiedKey).toBe(r.signedBy);
    const summary = await evaluateCommand({ policy: signedPath, config: otherConfig, out: join(root, 'eval-signed'), workers: 1, publicKey: join(keys, 'public.pem') });
    const unsigned = await evaluateCommand({ policy: policyOf('learner.json'), config: otherConfig, out: join(root, 'eval-unsigned'), workers: 1 });
    expect(summary.bidders).toEqual(unsigned.bidders);
    expect(() => exportCommand({ runDir, bidder: 'learner', sign: join(keys, 'private.pem') })).toThrow(/--sign: needs --out/);
    expect(() => exportCommand({ runDir, bidder: 'learner', out: join(root, 'x.json'), sign: join(keys, 'public.pem') })).toThrow(/not a PEM private key/);
    expect(existsSync(join(root, 'x.json'))).toBe(false);
  });

  it('evaluate --public-key refuses an unsigned file, one signed by another key and one changed after signing, writing nothing', async () => {
    const tampered = join(root, 'tampered-signed.json');
    const doc = JSON.parse(readFileSync(signedPath, 'utf8')) as PolicyFile;
    const d = { ...doc, params: { ...doc.params, q: (doc.params.q as number[]).map((x) => -x) } };
    writeFileSync(tampered, JSON.stringify({ ...d, sha256: policyChecksum(d) }));
    const cases: [string, string, RegExp][] = [
      [policyOf('learner.json'), join(keys, 'public.pem'), /unsigned — the file has no signature/],
      [signedPath, join(other, 'public.pem'), /signed by another key/],
      [tampered, join(keys, 'public.pem'), /changed after it was signed/],
    ];
    for (const [i, [policy, publicKey, message]] of cases.entries()) {
      const out = join(root, `refused-${i}`);
      const err = await evaluateCommand({ policy, config: otherConfig, out, publicKey }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PolicySignatureError);
      expect((err as InputError).exitCode).toBe(2);
      expect((err as Error).message).toMatch(message);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('evaluate --public-key reads the file once: a file swapped for another after the check is not the one that runs', async () => {
    const publicKey = join(keys, 'public.pem');
    const swapped = join(root, 'swapped', 'learner.policy.json');
    mkdirSync(dirname(swapped), { recursive: true });
    cpSync(signedPath, swapped);
    // A valid, re-hashed, unsigned policy that bids otherwise: accepted without a key, refused with one.
    const { signature: _signature, ...doc } = JSON.parse(readFileSync(signedPath, 'utf8')) as PolicyFile;
    const d = { ...doc, params: { ...doc.params, q: (doc.params.q as number[]).map((x) => -x) } };
    const tampered = JSON.stringify({ ...d, sha256: policyChecksum(d) });
    let calls = 0;
    // Swapped at the first progress report: after the check, while replication 0 runs and before replication 1 builds its bidders.
    const summary = await evaluateCommand({ policy: swapped, config: otherConfig, out: join(root, 'eval-swap'), workers: 1, publicKey, onProgress: () => void (calls++ === 0 && writeFileSync(swapped, tampered)) });
    expect(calls).toBeGreaterThan(1);
    expect(readFileSync(swapped, 'utf8')).toBe(tampered);
    const genuine = await evaluateCommand({ policy: signedPath, config: otherConfig, out: join(root, 'eval-genuine'), workers: 1, publicKey });
    expect(summary.bidders).toEqual(genuine.bidders);
    // The swapped-in file does bid otherwise (so a second read would have shown), and is refused with the key.
    const replaced = await evaluateCommand({ policy: swapped, config: otherConfig, out: join(root, 'eval-tampered'), workers: 1 });
    expect(replaced.bidders.learner).not.toEqual(genuine.bidders.learner);
    await expect(evaluateCommand({ policy: swapped, config: otherConfig, out: join(root, 'eval-refused'), workers: 1, publicKey })).rejects.toThrow(/unsigned/);
  });

  it('the verified bytes reach replication threads too: the run never opens the path', async () => {
    const bytes = readFileSync(signedPath);
    const ghost = join(root, 'never-written', 'learner.policy.json');
    const market = JSON.parse(readFileSync(otherConfig, 'utf8')) as { bidders: object[] };
    const withPolicy = (path: string) => resolveConfig({ ...market, bidders: [{ ...market.bidders[0], agent: { kind: 'policy', path } }, ...market.bidders.slice(1)] });
    const cfg = withPolicy(ghost);
    const ref = withPolicy(signedPath);
    const want = await runExperiment(ref, { outDir: join(root, 'threads-ref'), quiet: true, workers: 1 });
    useSentInputs({ strict: false, inputs: new Map([[ghost, { bytes: new Uint8Array(bytes) }]]) });
    try {
      const got = await runExperiment(cfg, { outDir: join(root, 'threads-sent'), quiet: true, workers: 2 });
      expect(got.bidders).toEqual(want.bidders);
    } finally {
      useSentInputs(null);
    }
    expect(existsSync(ghost)).toBe(false);
    await expect(runExperiment(cfg, { outDir: join(root, 'threads-none'), quiet: true, workers: 1 })).rejects.toThrow(/ENOENT/);
  });

  it('through the command line: exit 2, one line on stderr, nothing written', () => {
    const BIN = join(__dirname, '..', '..', 'bin', 'bidgym.mjs');
    const bidgym = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const out = join(root, 'cli-refused');
    const r = bidgym('evaluate', '--policy', signedPath, '--config', otherConfig, '--out', out, '--public-key', join(other, 'public.pem'), '--quiet');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^bidgym: .*learner\.policy\.json: signed by another key — .*\n$/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
    const k = bidgym('keygen', '--out', keys);
    expect(k.status).toBe(2);
    expect(k.stderr).toMatch(/^bidgym: --out: .*private\.pem exists; keygen never overwrites a key .*\n$/);
    expect(readdirSync(keys).sort()).toEqual(['private.pem', 'public.pem']);
  });
});
