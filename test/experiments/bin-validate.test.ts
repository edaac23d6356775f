/**
 * The bin answers `validate FILE` and `validate FILE --json` without yargs (a
 * fast path in bin/bidgym.ts): the same output, errors and exit codes as the
 * full command line, which still handles every other form.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..');
const root = mkdtempSync(join(tmpdir(), 'bidgym-bin-validate-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs bin/bidgym.ts (through tsx) and the full CLI (bin/bidgym.mjs) with the same arguments. */
function both(...args: string[]): { fast: ReturnType<typeof spawnSync>; full: ReturnType<typeof spawnSync> } {
  const opts = { cwd: repo, encoding: 'utf8' as const, timeout: 60_000 };
  return {
    fast: spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'bin', 'bidgym.ts'), ...args], opts),
    full: spawnSync(process.execPath, [join(repo, 'bin', 'bidgym.mjs'), ...args], opts),
  };
}

describe('bidgym validate through the bin', () => {
  const bad = join(root, 'bad.yaml');
  writeFileSync(bad, 'name: bad\nexchange: { mechanism: third-price }\nbidders: []\n');

  it('prints what the full command line prints, for a valid config, --json, a bad config and a missing file', () => {
    for (const args of [
      ['validate', 'experiments/configs/quickstart.yaml'],
      ['validate', 'experiments/configs/reserve-sweep.yaml', '--json'],
      ['validate', bad],
      ['validate', join(root, 'missing.yaml')],
    ]) {
      const { fast, full } = both(...args);
      expect(fast.status, args.join(' ')).toBe(full.status);
      expect(fast.stdout, args.join(' ')).toBe(full.stdout);
      expect(fast.stderr, args.join(' ')).toBe(full.stderr);
    }
    const { fast } = both('validate', bad);
    expect(fast.status).toBe(2);
    expect(String(fast.stderr).trim().split('\n')).toHaveLength(1);
  });

  it('leaves other forms to the full command line (help, unknown options)', () => {
    const { fast } = both('validate', 'experiments/configs/quickstart.yaml', '--nope');
    expect(fast.status).toBe(2);
    expect(String(fast.stderr)).toMatch(/nope/);
    const help = both('validate', '--help').fast;
    expect(help.status).toBe(0);
    expect(String(help.stdout)).toContain('validate <config>');
  });
});
