/**
 * Output folders on a disk that cannot take the run: a read-only file system
 * (refused in one line, exit 2, before any work) and a disk that fills up while
 * the finished run is written (one line, exit 2, nothing of the run left in the
 * folder, the computed summary printed on stdout).
 *
 * Real file systems, not mocks: each case mounts a small tmpfs (read-only, or of
 * a few pages) in a private mount namespace of its own (`unshare -rm`, which
 * needs no root where user namespaces are enabled). Root's permission bits do
 * not stop root from writing, so a chmod'ed folder would prove nothing when the
 * tests run as root (CI does); a read-only mount stops everyone. Where
 * `unshare`/`mount` are unavailable the cases are skipped, and the injected
 * ENOSPC below (a real one: writing to /dev/full) still checks the error path.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DiskWriteError, diskWriteError, isDiskError, runFolderDiskError } from '../../experiments/out-dir.js';

const repo = join(import.meta.dirname, '..', '..');
const bin = join(repo, 'bin', 'bidgym.mjs');
const root = mkdtempSync(join(tmpdir(), 'bidgym-disk-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const TINY = `name: tiny
seed: 1
replications: 2
episodes: 1
evalEpisodes: 1
auctionsPerEpisode: 2000
exchange: { mechanism: second-price }
bidders:
  - { id: learner, agent: { kind: q-learning }, value: { kind: uniform } }
  - { id: rival, agent: { kind: truthful }, value: { kind: uniform } }
`;
const config = join(root, 'tiny.yaml');
writeFileSync(config, TINY);

/** Whether this machine lets us mount a tmpfs in a private namespace (and why not). */
function probeMounts(): string | null {
  const dir = join(root, 'probe');
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('unshare', ['-rm', 'sh', '-c', `mount -t tmpfs -o size=4k tmpfs '${dir}'`], { encoding: 'utf8' });
  if (r.error) return `unshare is not available (${r.error.message})`;
  return r.status === 0 ? null : `cannot mount a tmpfs in a private namespace here (${(r.stderr || '').trim()})`;
}
const noMounts = probeMounts();
if (noMounts) console.warn(`disk-errors: real read-only and full disks skipped: ${noMounts}`);

/** Runs `bidgym run` with `--out <tmpfs>/run` on a fresh tmpfs mounted with `opts`, then lists what the tmpfs holds. */
function runOnTmpfs(name: string, opts: string): { code: number | null; out: string; err: string; left: string[] } {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const script = [
    `mount -t tmpfs -o ${opts} tmpfs '${dir}' || exit 99`,
    `'${process.execPath}' '${bin}' run '${config}' --out '${dir}/run' --quiet --json --no-report`,
    'rc=$?',
    `ls -A '${dir}' > '${root}/${name}.left'`,
    'exit $rc',
  ].join('; ');
  const r = spawnSync('unshare', ['-rm', 'sh', '-c', script], { cwd: repo, encoding: 'utf8', timeout: 120_000 });
  const left = existsSync(join(root, `${name}.left`)) ? spawnSync('cat', [join(root, `${name}.left`)], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean) : ['(not listed)'];
  return { code: r.status, out: r.stdout, err: r.stderr, left };
}

describe('--out on a disk that cannot take the run', () => {
  it.skipIf(noMounts !== null)('a read-only file system: one line, exit 2, before any work', () => {
    const r = runOnTmpfs('ro', 'ro,size=64k');
    expect(r.code, r.err).toBe(2);
    const lines = r.err.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/--out .*run: cannot write there \(EROFS: read-only file system\)/);
    expect(r.out).toBe('');
    expect(r.left).toEqual([]);
  });

  it.skipIf(noMounts !== null)('a disk that fills while the run is written: one line, exit 2, nothing half-written, the summary on stdout', () => {
    // Room for the lock and the probe, not for the run's files.
    const r = runOnTmpfs('full', 'size=12k');
    expect(r.code, r.err).toBe(2);
    const lines = r.err.trim().split('\n');
    expect(lines, r.err).toHaveLength(1);
    expect(lines[0]).toMatch(/--out .*run: the disk failed while writing the run folder \(ENOSPC: no space left on the device\); nothing of the run was left there; the summary is printed on stdout/);
    // Nothing half-written: no run folder, no staged copy, no lock.
    expect(r.left).toEqual([]);
    // Nothing computed lost: the summary, as summary.json would have held it.
    const summary = JSON.parse(r.out) as { name: string; replications: number; bidders: Record<string, { utilityPerAuction: { values: number[] } }> };
    expect(summary.name).toBe('tiny');
    expect(summary.bidders.learner!.utilityPerAuction.values).toHaveLength(2);
  });
});

describe('the disk-error path with a real ENOSPC (/dev/full)', () => {
  it.skipIf(!existsSync('/dev/full'))('turns a failed write into one line that keeps the summary, and passes other errors through', () => {
    let enospc: unknown;
    try {
      writeFileSync('/dev/full', 'x'.repeat(1 << 16));
    } catch (e) {
      enospc = e;
    }
    expect((enospc as NodeJS.ErrnoException).code).toBe('ENOSPC');
    expect(isDiskError(enospc)).toBe(true);
    const summary = { name: 's', bidders: {} };
    const wrapped = diskWriteError(enospc, summary);
    expect(wrapped).toBeInstanceOf(DiskWriteError);
    let printed = '';
    const line = runFolderDiskError(wrapped as DiskWriteError, 'runs/x', (t) => (printed += t));
    expect(line.exitCode).toBe(2);
    expect(line.message).toBe('--out runs/x: the disk failed while writing the run folder (ENOSPC: no space left on the device); nothing of the run was left there; the summary is printed on stdout');
    expect(line.message).not.toContain('\n');
    expect(JSON.parse(printed)).toEqual(summary);
    const bug = new TypeError('a bug');
    expect(diskWriteError(bug, summary)).toBe(bug);
    expect(readdirSync(root).some((n) => n.startsWith('.tmp-'))).toBe(false);
  });
});
