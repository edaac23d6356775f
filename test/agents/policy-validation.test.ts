/**
 * Semantic validation of policy files (with or without a key): each check
 * refuses a document whose checksum was recomputed after the edit, so that
 * only the check under test can catch it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../env/errors.js';
import { DEFAULT_MAX_POLICY_BYTES, loadPolicy, policyChecksum, PolicyError, POLICY_LIMITS, type PolicyFile } from '../../agents/policy.js';
import { OBS, OBS_SIZE, observationFrom } from '../../env/observation.js';
import { linearDocument, networkDocument, provenance, rehashed, tableDocument } from './policy-fixtures.js';
import { PacingPolicy } from '../../agents/pacing-agent.js';
import { policyDocument } from '../../agents/policy-io.js';

type Edit = (d: PolicyFile & Record<string, unknown>) => void;
const p = (d: PolicyFile) => d.params as Record<string, any>;

/** Refused with a PolicyError (an InputError, exit code 2) whose one-line message matches. */
function refused(doc: unknown, message: RegExp): void {
  let err: unknown;
  try {
    loadPolicy(typeof doc === 'string' ? doc : (doc as object));
  } catch (e) {
    err = e;
  }
  expect(err, `expected a refusal matching ${message}`).toBeInstanceOf(PolicyError);
  expect(err).toBeInstanceOf(InputError);
  expect((err as InputError).exitCode).toBe(2);
  expect((err as Error).message).toMatch(message);
  expect((err as Error).message).not.toMatch(/\n/);
}

describe('policy files: semantic validation', () => {
  const table = tableDocument();
  const net = networkDocument();
  const lin = linearDocument();

  it('the fixtures themselves load and bid', () => {
    const o = new Float64Array(OBS_SIZE);
    o[OBS.value] = 1;
    o[OBS.budgetLeft] = 0.5;
    o[OBS.timeLeft] = 0.5;
    for (const d of [table, net, lin]) {
      const b = loadPolicy(d).bid(o);
      expect(Number.isFinite(b) && b >= 0 && b <= 1.5).toBe(true);
    }
  });

  const cases: [string, PolicyFile, Edit, RegExp][] = [
    // The action mapping must be what the parameters say.
    ['params.multipliers × 60 while action.multipliers still says 0…1.5', table, (d) => (p(d).multipliers = p(d).multipliers.map((m: number) => m * 60)), /action\.multipliers does not match its parameters: expected \[0,6,12,.*got \[0,0\.1,0\.2/],
    ['both multiplier lists × 100 (above the schema cap of 100)', table, (d) => { p(d).multipliers = p(d).multipliers.map((m: number) => m * 100); d.action.multipliers = p(d).multipliers; }, /params\.multipliers\[\d+\]: Too big.*100/],
    ['multipliers of 1e300', table, (d) => { p(d).multipliers = p(d).multipliers.map((_: number, i: number) => i * 1e300); d.action.multipliers = p(d).multipliers; }, /params\.multipliers\[1\]: Too big/],
    ['a negative multiplier', net, (d) => { p(d).multipliers[0] = -0.5; d.action.multipliers = p(d).multipliers; }, /params\.multipliers\[0\]: Too small/],
    ['multipliers not increasing', net, (d) => { p(d).multipliers[3] = p(d).multipliers[2]; d.action.multipliers = p(d).multipliers; }, /params\.multipliers: expected increasing multipliers/],
    ['divideBy a string', net, (d) => (p(d).encoder.features[0].divideBy = 'x'), /params\.encoder\.features\[0\]\.divideBy: .*expected number/],
    ['divideBy zero', net, (d) => (p(d).encoder.features[0].divideBy = 0), /params\.encoder\.features\[0\]\.divideBy: Too small/],
    ['an encoder feature that does not exist', net, (d) => (p(d).encoder.features[0].name = 'temperature'), /params\.encoder\.features\[0\]\.name: Invalid option/],
    ['an encoder feature in another unit', net, (d) => (p(d).encoder.features[0].unit = 'euros'), /params\.encoder\.features\[0\]\.unit: unit is not the unit/],
    ['clipLow ≥ clipHigh', net, (d) => (p(d).encoder.features[0].clipHigh = -1), /params\.encoder\.features\[0\]\.clipHigh: expected clipLow < clipHigh/],
    ['a declared normalisation other than the encoder’s', net, (d) => ((d.features[0]!.normalisation as { divideBy: number }).divideBy = 7), /features\[0\] \("value"\) does not match its parameters/],
    ['an action rule other than the parameters’', net, (d) => (d.action.rule = 'bid = 1.5 × value'), /action\.rule does not match its parameters/],
    ['a Q-table one value short', table, (d) => p(d).q.pop(), /params\.q: expected 200 states × 16 actions = 3200 values, got 3199/],
    ['a Q-value beyond the cap', table, (d) => (p(d).q[5] = POLICY_LIMITS.score * 10), /params\.q\[5\]: Too big/],
    ['a grid with fewer buckets than features', table, (d) => p(d).grid.buckets.pop(), /params\.grid\.buckets: expected 3 entries/],
    ['a grid of more states than the cap', table, (d) => (p(d).grid.buckets = [1000, 1000, 5]), /params\.grid\.buckets: 5000000 states, over the cap/],
    ['network inputs other than the features', net, (d) => (p(d).network.sizes[0] = 2), /params\.network\.sizes\[0\]: expected 1 inputs/],
    ['network outputs other than the multipliers', net, (d) => (p(d).network.sizes[2] = 15), /params\.network\.sizes\[2\]: expected 16 outputs/],
    ['a weight matrix of the wrong shape', net, (d) => p(d).network.w[1].pop(), /params\.network\.w\[1\]: expected 128 numbers, got 127/],
    ['an unknown activation', net, (d) => (p(d).network.activation = 'sigmoid'), /params\.network\.activation/],
    ['a hidden layer wider than the schema allows', net, (d) => (p(d).network.sizes[1] = 5000), /params\.network\.sizes\[1\]: Too big/],
    ['θ with a row too few', lin, (d) => p(d).theta.pop(), /params\.theta: expected 4 rows/],
    ['θ rows of the wrong length', lin, (d) => p(d).theta[2].push(0), /params\.theta\[2\]: expected 5 coefficients, got 6/],
    ['a degree other than 1, 2 or 3', lin, (d) => (p(d).degree = 4), /params\.degree/],
    ['a log λ₀ below its floor (0 without minLogLambda)', table, (d) => (p(d).pacer.logLambda0 = -1), /params\.pacer\.logLambda0: expected logLambda0 ≥ minLogLambda/],
    ['a pacing gain above the schema cap', table, (d) => (p(d).pacer.gain = 1e6), /params\.pacer\.gain: Too big/],
    ['pacedLevels other than true', table, (d) => (p(d).pacer.pacedLevels = false), /params\.pacer\.pacedLevels/],
    ['an unknown parameter', lin, (d) => (p(d).backdoor = 1), /params: Unrecognized key.*backdoor/],
    ['a missing parameter', lin, (d) => delete p(d).theta, /params\.theta: .*expected array/],
    ['an unknown kind', lin, (d) => (d.kind = 'magic'), /kind: unknown policy kind "magic"/],
  ];

  for (const [name, doc, edit, message] of cases) it(`refuses ${name}`, () => refused(rehashed(doc, edit), message));

  it('pacing files: the ratio rule (rule + gain) and the difference rule of older files (rate, no rule) both load and bid from μ₀; rate and gain together are refused', () => {
    const ratio = policyDocument(new PacingPolicy({ rule: 'ratio', gain: 1, maxMultiplier: 20, minMultiplier: -0.2 }, 100, 0.5), provenance('p'));
    const diff = policyDocument(new PacingPolicy({ rule: 'difference', rate: 0.5, maxMultiplier: 20, minMultiplier: -0.2 }, 100, 0.5), provenance('p'));
    expect(p(ratio)).toMatchObject({ rule: 'ratio', gain: 1 });
    expect(p(diff).rule).toBeUndefined();
    for (const doc of [ratio, diff]) expect(loadPolicy(doc).bid(observationFrom({ value: 3, budgetLeft: 1, timeLeft: 0.9 }))).toBeCloseTo(2, 12);
    refused(rehashed(ratio, (d) => (p(d).rate = 0.5)), /params\.rule: expected gain with rule "ratio", rate without a rule/);
    refused(rehashed(diff, (d) => delete p(d).rate), /params\.rule: expected gain with rule "ratio", rate without a rule/);
  });

  it('refuses absurd baselines: a constant bid of 1e300, a shading factor of 1e9, random bids with low > high', () => {
    const base = (kind: string, params: Record<string, unknown>, rule: string, features: unknown[] = []) => {
      const d = { schemaVersion: 1, kind, features, action: { unit: 'currency', rule }, params, provenance: { configHash: 'x', seed: 1, bidder: 'b', training: {} } };
      return { ...d, sha256: policyChecksum(d) };
    };
    refused(base('constant', { amount: 1e300 }, 'bid = 1e+300'), /params\.amount: Too big/);
    refused(base('shaded', { factor: 1e9 }, 'bid = 1000000000 × value'), /params\.factor: Too big/);
    refused(base('random', { low: 2, high: 1, seed: 's' }, 'bid ~ uniform [2, 1) from a seeded stream'), /params\.low: expected low ≤ high/);
    expect(() => loadPolicy(base('constant', { amount: 0.5 }, 'bid = 0.5'))).not.toThrow();
  });

  it('refuses a number JSON reads as Infinity (1e400), naming where it is', () => {
    const text = JSON.stringify(net).replace('"b":[[', '"b":[[1e400,');
    refused(text, /params\.network\.b\[0\]\[0\]: expected a finite number, got Infinity/);
  });

  it('refuses __proto__, constructor and prototype keys anywhere, even when the checksum covers them', () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      // JSON.parse keeps "__proto__" as an own key; the checksum is recomputed over it, so only the key rule can refuse it.
      const raw = JSON.parse(JSON.stringify(lin).replace('"degree":', `"${key}":{"degree":1},"degree":`)) as Record<string, unknown>;
      expect(Object.keys(raw.params as object)).toContain(key);
      raw.sha256 = policyChecksum(raw);
      const text = JSON.stringify(raw);
      expect(text).toContain(`"${key}":{"degree":1}`);
      refused(text, new RegExp(`params: key "${key}" is not allowed`));
    }
  });

  it('hashes the whole parsed content: content under __proto__ changes the checksum', () => {
    const withProto = JSON.parse('{"a":1,"params":{"__proto__":{"x":1},"y":2}}') as object;
    const without = JSON.parse('{"a":1,"params":{"y":2}}') as object;
    expect(policyChecksum(withProto)).not.toBe(policyChecksum(without));
  });

  it('refuses an edit that is not re-hashed (the accident check), and accepts a re-hashed valid edit when no key is given', () => {
    const edited = JSON.parse(JSON.stringify(table)) as PolicyFile;
    (edited.params.q as number[])[0] = 0.123;
    refused(edited, /checksum mismatch/);
    // Without a key the checksum proves nothing about who wrote the file: a valid, re-hashed edit loads.
    expect(loadPolicy(rehashed(table, (d) => ((d.params.q as number[])[0] = 0.123))).kind).toBe('q-learning');
  });
});

describe('policy files: what is read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bidgym-policy-read-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const doc = networkDocument();

  it('a size cap, checked before reading, configurable by option and by BIDGYM_MAX_POLICY_BYTES', () => {
    const path = join(dir, 'net.json');
    const text = `${JSON.stringify(doc, null, 2)}\n`;
    writeFileSync(path, text);
    const size = Buffer.byteLength(text);
    expect(loadPolicy(path, { maxBytes: size }).kind).toBe('dqn');
    expect(() => loadPolicy(path, { maxBytes: size - 1 })).toThrow(new RegExp(`net\\.json: ${size} bytes, over the ${size - 1}-byte cap on a policy file`));
    expect(() => loadPolicy(text, { maxBytes: 100 })).toThrow(/over the 100-byte cap/);
    const before = process.env.BIDGYM_MAX_POLICY_BYTES;
    try {
      process.env.BIDGYM_MAX_POLICY_BYTES = '500';
      expect(() => loadPolicy(path)).toThrow(/over the 500-byte cap/);
      process.env.BIDGYM_MAX_POLICY_BYTES = 'lots';
      expect(() => loadPolicy(path)).toThrow(/BIDGYM_MAX_POLICY_BYTES: expected a positive whole number/);
    } finally {
      if (before === undefined) delete process.env.BIDGYM_MAX_POLICY_BYTES;
      else process.env.BIDGYM_MAX_POLICY_BYTES = before;
    }
    // The default cap: a file of 8 MiB + 1 byte is refused before it is parsed (it would parse: it is valid JSON with padding).
    const big = join(dir, 'big.json');
    writeFileSync(big, text + ' '.repeat(DEFAULT_MAX_POLICY_BYTES + 1 - size));
    expect(() => loadPolicy(big)).toThrow(new RegExp(`${DEFAULT_MAX_POLICY_BYTES + 1} bytes, over the ${DEFAULT_MAX_POLICY_BYTES}-byte cap`));
  });

  it('only regular files: /dev/zero, a FIFO (without blocking) and a folder are refused', () => {
    expect(() => loadPolicy('/dev/zero')).toThrow(/\/dev\/zero: a character device; a policy file is read only from a regular file/);
    const fifo = join(dir, 'fifo.json');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect(() => loadPolicy(fifo)).toThrow(/fifo\.json: a FIFO; a policy file is read only from a regular file/);
    mkdirSync(join(dir, 'folder.json'));
    expect(() => loadPolicy(join(dir, 'folder.json'))).toThrow(/a folder; a policy file is read only from a regular file/);
    expect(() => loadPolicy(join(dir, 'missing.json'))).toThrow(/cannot read policy file .*ENOENT/);
  });
});
