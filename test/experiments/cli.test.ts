import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(__dirname, '..', '..', 'bin', 'bidgym.mjs');
const bidgym = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

const tiny = `name: tiny
seed: 7
replications: 2
episodes: 1
evalEpisodes: 1
auctionsPerEpisode: 2000
users: { count: 500, items: 200 }
exchange: { mechanism: gsp, slots: 2, participantsPerAuction: 3 }
bidders:
  - { id: a, agent: { kind: truthful }, value: { kind: per-click, amount: 2 }, budget: 5 }
  - { id: b, copies: 3, agent: { kind: shaded, factor: 0.8 }, value: { kind: per-click, amount: 1.5 } }
`;

describe('bidgym CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bidgym-cli-'));
  const cfg = join(dir, 'tiny.yaml');
  writeFileSync(cfg, tiny);

  it('run writes the run folder exactly in --out; the same config and seed give a byte-identical summary.json, whatever the number of workers', () => {
    const r1 = bidgym('run', cfg, '--out', join(dir, 'r1'), '--quiet', '--workers', '1');
    expect(r1.stderr).toBe('');
    expect(r1.status).toBe(0);
    for (const f of ['resolved-config.json', 'summary.json', 'episodes.csv', 'samples.csv', 'meta.json', 'policies/a.json', 'policies/b-3.json', 'report.html']) {
      expect(existsSync(join(dir, 'r1', f)), f).toBe(true);
    }
    const r2 = bidgym('run', cfg, '--out', join(dir, 'r2'), '--json', '--workers', '2');
    expect(r2.status).toBe(0);
    const s1 = readFileSync(join(dir, 'r1', 'summary.json'), 'utf8');
    expect(readFileSync(join(dir, 'r2', 'summary.json'), 'utf8')).toBe(s1);
    const summary = JSON.parse(s1);
    expect(JSON.parse(r2.stdout)).toEqual(summary);
    expect(summary.bidders.a.utilityPerAuction.values).toHaveLength(2);
    expect(summary.bidders.a.competitiveRatio.mean).toBeGreaterThan(0);
    expect(Object.keys(summary.market)).toEqual(expect.arrayContaining(['revenuePerAuction', 'welfarePerAuction', 'publisherPayoutPerAuction', 'exchangeFeePerAuction']));
    for (const f of ['episodes.csv', 'samples.csv', 'policies/a.json']) expect(readFileSync(join(dir, 'r2', f), 'utf8'), f).toBe(readFileSync(join(dir, 'r1', f), 'utf8'));
    const rows = readFileSync(join(dir, 'r1', 'episodes.csv'), 'utf8').trim().split('\n');
    expect(rows).toHaveLength(1 + 2 * 2 * 4);
  });

  it('a bad config exits 2 with the field named, no stack trace, and writes nothing', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, tiny.replace('kind: shaded', 'kind: shadded'));
    const r = bidgym('run', bad, '--out', join(dir, 'bad-run'));
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(/^bidgym: bidders\[1\]\.agent\.kind: expected one of .* — got "shadded"$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'bad-run'))).toBe(false);
  });

  it('validate: exit 0 on a good config, 2 on a missing file or broken YAML', () => {
    expect(bidgym('validate', cfg).status).toBe(0);
    const missing = bidgym('validate', join(dir, 'nope.yaml'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/cannot read config file/);
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'name: [x\n');
    const b = bidgym('validate', broken);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/not valid YAML/);
  });

  it('unknown commands and options exit 2', () => {
    expect(bidgym('rn', cfg).status).toBe(2);
    expect(bidgym('run', cfg, '--bogus').status).toBe(2);
  });

  it('--help lists the commands', () => {
    const r = bidgym('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/run <config>/);
    expect(r.stdout).toMatch(/validate <config>/);
  });
});
