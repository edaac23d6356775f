import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expandSweep } from '../../../experiments/sweep/grid.js';
import { runTrialPool, splitWorkers } from '../../../experiments/sweep/pool.js';
import { InputError } from '../../../env/errors.js';
import { base } from './fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'bidgym-pool-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('splitWorkers', () => {
  it('gives threads to trials first, the spare ones to replications inside them', () => {
    expect(splitWorkers(4, 10)).toEqual({ lanes: 4, replicationWorkers: 1 });
    expect(splitWorkers(4, 2)).toEqual({ lanes: 2, replicationWorkers: 2 });
    expect(splitWorkers(5, 2)).toEqual({ lanes: 2, replicationWorkers: 2 });
    expect(splitWorkers(8, 1)).toEqual({ lanes: 1, replicationWorkers: 8 });
    expect(splitWorkers(3, 0)).toEqual({ lanes: 1, replicationWorkers: 3 });
  });
});

describe('runTrialPool', () => {
  it('a trial that fails on bad input the checks before the sweep missed fails as bad input (one line, exit 2), not as an internal error', async () => {
    // bidgym sweep checks policy files first; runTrialPool alone does not, so the trial meets the unreadable file (the fuzzer's /proc/self/mem).
    const raw = { ...base, bidders: [{ ...base.bidders[0]!, agent: { kind: 'policy', path: '/proc/self/mem' } }, base.bidders[1]!], sweep: { seed: [1] } };
    const e = await runTrialPool(expandSweep(raw), { rawConfig: raw, outDir: join(root, 'bad-input'), workers: 1, report: false }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).toMatch(/^sweep trial 0-seed=1 failed \(finished trials are kept; .*\): .*\/proc\/self\/mem/);
  });

  it('runs every trial into its folder, reporting each as it finishes', async () => {
    const raw = { ...base, sweep: { seed: [1, 2] } };
    let done = 0;
    await runTrialPool(expandSweep(raw), { rawConfig: raw, outDir: join(root, 'ok'), workers: 2, report: false, onTrialDone: () => done++ });
    expect(done).toBe(2);
    expect(readdirSync(join(root, 'ok', 'trials')).sort()).toEqual(['0-seed=1', '1-seed=2']);
    expect(existsSync(join(root, 'ok', 'trials', '0-seed=1', 'report.html'))).toBe(false);
  });

  it('names the trial that failed and keeps no folder of it', async () => {
    // sqrt(spend - 0.1 * won) passes the config check (finite on its sample auctions) and is NaN in an auction the truthful bidder wins for under 0.1: the trial stops mid-run.
    const raw = { ...base, bidders: [{ ...base.bidders[0], objective: 'sqrt(spend - 0.1 * won)' }, base.bidders[1]], sweep: { seed: [3] } };
    const run = runTrialPool(expandSweep(raw), { rawConfig: raw, outDir: join(root, 'bad'), workers: 1, report: false });
    await expect(run).rejects.toThrow(/^sweep trial 0-seed=3 failed \(finished trials are kept; fix the cause and rerun with --resume\): bidders\[0\]\.objective/);
    expect(readdirSync(join(root, 'bad', 'trials')).filter((n) => !n.startsWith('.tmp-'))).toEqual([]);
  });
});
