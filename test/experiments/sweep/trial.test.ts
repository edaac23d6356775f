import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { publishTrialDir, tempTrialDir, trialDone } from '../../../experiments/sweep/trial.js';

const root = mkdtempSync(join(tmpdir(), 'bidgym-trial-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A trial folder at `dir` holding `tag` (finished when `summary` is true). */
function trialFolder(dir: string, tag: string, summary = true): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'episodes.csv'), tag);
  if (summary) writeFileSync(join(dir, 'summary.json'), `{"tag":"${tag}"}`);
  return dir;
}

describe('publishing a trial folder', () => {
  it('names temporary folders uniquely, as temporary (.tmp-), next to the trials', () => {
    const a = tempTrialDir(root, '0-x');
    const b = tempTrialDir(root, '0-x');
    expect(a).not.toBe(b);
    expect(basename(a).startsWith('.tmp-0-x-')).toBe(true);
    expect(join(a, '..')).toBe(root);
  });

  it('renames a finished temporary folder to its final name', () => {
    const tmp = trialFolder(tempTrialDir(root, '1-a'), 'mine');
    const dir = join(root, '1-a');
    expect(publishTrialDir(tmp, dir)).toBe(true);
    expect(trialDone(dir)).toBe(true);
    expect(existsSync(tmp)).toBe(false);
  });

  it('keeps a trial someone else finished first, and drops its own copy', () => {
    const dir = trialFolder(join(root, '2-b'), 'theirs');
    const tmp = trialFolder(tempTrialDir(root, '2-b'), 'mine');
    expect(publishTrialDir(tmp, dir)).toBe(false);
    expect(readFileSync(join(dir, 'episodes.csv'), 'utf8')).toBe('theirs');
    expect(existsSync(tmp)).toBe(false);
  });

  it('replaces an unfinished folder under the final name', () => {
    const dir = trialFolder(join(root, '3-c'), 'half', false);
    const tmp = trialFolder(tempTrialDir(root, '3-c'), 'mine');
    expect(publishTrialDir(tmp, dir)).toBe(true);
    expect(readFileSync(join(dir, 'episodes.csv'), 'utf8')).toBe('mine');
    expect(readdirSync(root).filter((n) => n.startsWith('.tmp-3-c'))).toEqual([]);
  });
});
