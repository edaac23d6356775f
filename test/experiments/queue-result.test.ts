import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configHash, resolveConfig, type ResolvedConfig } from '../../experiments/config.js';
import { jobAuthentic, queueSecret, resultAuthentic, sealJob, sealResult } from '../../experiments/queue-auth.js';
import { checkTrialResult, ResultRefused } from '../../experiments/queue-result.js';
import { runExperiment } from '../../experiments/runner.js';

type File = { path: string; gzip: string; sha256: string };
const pack = (path: string, bytes: Buffer | string): File => {
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  return { path, gzip: gzipSync(b).toString('base64'), sha256: createHash('sha256').update(b).digest('hex') };
};

const root = mkdtempSync(join(tmpdir(), 'bidgym-result-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let cfg: ResolvedConfig;
let hash: string;
let files: File[];

beforeAll(async () => {
  cfg = resolveConfig({
    name: 'result-test',
    seed: 3,
    replications: 2,
    episodes: 1,
    evalEpisodes: 1,
    auctionsPerEpisode: 300,
    exchange: { mechanism: 'second-price' },
    bidders: [
      { id: 'a', agent: { kind: 'truthful' }, value: { kind: 'uniform', low: 0, high: 1 } },
      { id: 'b', agent: { kind: 'q-learning' }, value: { kind: 'uniform', low: 0, high: 1 } },
    ],
  });
  hash = configHash(cfg);
  const dir = join(root, 'run');
  await runExperiment(cfg, { outDir: dir, quiet: true, workers: 1 });
  files = [];
  const walk = (d: string, prefix: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p, `${prefix}${n}/`);
      else files.push(pack(`${prefix}${n}`, readFileSync(p)));
    }
  };
  walk(dir, '');
});

const refusedWith = (payload: unknown, message: RegExp) => {
  let err: unknown;
  try {
    checkTrialResult(payload, cfg, hash);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ResultRefused);
  expect((err as Error).message).toMatch(message);
};
const withFile = (path: string, edit: (text: string) => string) => ({ files: files.map((f) => (f.path === path ? pack(path, edit(gunzipText(f))) : f)) });
const gunzipText = (f: File) => gunzipSync(Buffer.from(f.gzip, 'base64')).toString('utf8');

describe('checkTrialResult', () => {
  it('accepts a real trial folder and returns its data files', () => {
    const out = checkTrialResult({ version: 'x', files }, cfg, hash);
    expect(out.map((f) => f.rel).sort()).toEqual(files.map((f) => f.path).filter((p) => /\.(json|csv)$/.test(p)).sort());
    expect(out.map((f) => f.rel)).toContain('summary.json');
  });

  it('drops a report (HTML from a worker is never taken) and refuses other kinds of files', () => {
    const out = checkTrialResult({ files: [...files, pack('report.html', '<script>alert(1)</script>'), pack('charts/x.svg', '<svg/>')] }, cfg, hash);
    expect(out.some((f) => f.rel.endsWith('.html') || f.rel.endsWith('.svg'))).toBe(false);
    refusedWith({ files: [...files, pack('run.sh', 'rm -rf /')] }, /run\.sh is not a data file/);
  });

  it('refuses paths out of the trial folder, hidden names and duplicates', () => {
    for (const p of ['../x.json', '/etc/x.json', 'a/../../x.json', '.tmp-a/summary.json', 'policies/.x.json']) refusedWith({ files: [...files, pack(p, '{}')] }, /refused file path/);
    refusedWith({ files: [...files, files[0]] }, /listed twice/);
  });

  it('caps the decoded size: a small compressed value that decodes to gigabytes is refused without decoding it all', () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024)); // 64 MiB of zeros, ~64 kB compressed
    expect(bomb.length).toBeLessThan(200_000);
    const payload = { files: [...files.filter((f) => f.path !== 'episodes.csv'), { path: 'episodes.csv', gzip: bomb.toString('base64'), sha256: '0'.repeat(64) }] };
    let err: unknown;
    try {
      checkTrialResult(payload, cfg, hash, 1024 * 1024);
    } catch (e) {
      err = e;
    }
    expect((err as Error).message).toMatch(/decode to more than the 1048576-byte cap/);
  });

  it('refuses a damaged file and a result without summary.json', () => {
    refusedWith({ files: files.map((f) => (f.path === 'episodes.csv' ? { ...f, sha256: '1'.repeat(64) } : f)) }, /episodes\.csv arrived damaged/);
    refusedWith({ files: files.filter((f) => f.path !== 'summary.json') }, /no summary\.json/);
    refusedWith({ files: 'all of them' }, /files: /);
  });

  it('refuses a forged summary: a changed mean, another config hash, a non-finite number, bidders of another trial', () => {
    refusedWith(withFile('summary.json', (t) => t.replace(/"revenuePerAuction": \{\s*"mean": [^,]+/, '"revenuePerAuction": { "mean": 123456.789')), /market\.revenuePerAuction: its mean and interval are not those of its values/);
    refusedWith(withFile('summary.json', (t) => t.replace(hash, 'ffffffffffff')), /config hash ffffffffffff, this trial's is/);
    refusedWith(withFile('summary.json', (t) => t.replace(/"values": \[\s*([-0-9.e]+)/, '"values": [1e999')), /not finite/);
    refusedWith(withFile('summary.json', (t) => t.replace('"a": {', '"z": {')), /bidders are not the trial’s bidders/);
    refusedWith(withFile('summary.json', () => '{"name": 1}'), /summary\.json: name: /);
  });

  it('refuses a resolved config other than the trial’s and an invalid policy file', () => {
    refusedWith(withFile('resolved-config.json', (t) => t.replace('"seed": 3', '"seed": 4')), /resolved-config\.json: not the trial’s resolved config/);
    refusedWith(withFile('policies/b.json', (t) => t.replace('"multipliers": [', '"multipliers": [-1, ')), /policies\/b\.json: /);
    refusedWith({ files: [...files, pack('policies/ghost.json', '{}')] }, /policies\/ghost\.json is not the policy of a bidder/);
  });
});

describe('queue HMAC', () => {
  const secret = Buffer.from('0123456789abcdef0123456789abcdef');
  const other = Buffer.from('fedcba9876543210fedcba9876543210');

  it('authenticates a job and a result for their job id only, and only with the same secret', () => {
    const job = sealJob(secret, 'h-1', { index: 1, rawConfig: { a: [1, 2] } });
    expect(jobAuthentic(secret, 'h-1', job)).toBe(true);
    expect(jobAuthentic(other, 'h-1', job)).toBe(false);
    expect(jobAuthentic(secret, 'h-2', job)).toBe(false);
    expect(jobAuthentic(secret, 'h-1', { ...job, index: 2 })).toBe(false);
    expect(jobAuthentic(secret, 'h-1', { index: 1, rawConfig: { a: [1, 2] } })).toBe(false);
    const result = sealResult(secret, 'h-1', { files: [] as File[] });
    expect(resultAuthentic(secret, 'h-1', result)).toBe(true);
    // A job's MAC is not a result's MAC, even over the same content.
    expect(resultAuthentic(secret, 'h-1', sealJob(secret, 'h-1', { files: [] }))).toBe(false);
    expect(resultAuthentic(secret, 'h-1', { ...result, files: [pack('x.json', '{}')] })).toBe(false);
  });

  it('reads the secret from a file or BIDGYM_QUEUE_SECRET, and refuses a short one', () => {
    expect(queueSecret(undefined, {})).toBeNull();
    expect(queueSecret(undefined, { BIDGYM_QUEUE_SECRET: 'x'.repeat(20) })?.toString()).toBe('x'.repeat(20));
    expect(() => queueSecret(undefined, { BIDGYM_QUEUE_SECRET: 'short' })).toThrow(/at least 16 characters/);
    const f = join(root, 'secret');
    writeFileSync(f, `${'y'.repeat(32)}\n`);
    expect(queueSecret(f, {})?.toString()).toBe('y'.repeat(32));
    expect(() => queueSecret('/dev/zero', {})).toThrow(/not a regular file/);
  });
});
