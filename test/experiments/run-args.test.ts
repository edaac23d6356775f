import { describe, expect, it } from 'vitest';
import { parseRunArgs } from '../../experiments/run-args.js';

// The bin runs these forms of `run` without yargs (experiments/run-fast.ts); every
// other form must come back null, so that yargs answers it as it always did.
describe('parseRunArgs: the plain forms of run', () => {
  const base = { quiet: false, json: false, report: true, force: false };
  it('parses the plain forms, in any order', () => {
    expect(parseRunArgs(['run', 'a.yaml'])).toEqual({ ...base, config: 'a.yaml' });
    expect(parseRunArgs(['run', 'a.yaml', '--out', 'runs/x', '--quiet', '--no-report', '--workers', '2', '--force'])).toEqual({
      config: 'a.yaml', out: 'runs/x', quiet: true, json: false, report: false, workers: 2, force: true,
    });
    expect(parseRunArgs(['run', '--json', '--report', 'a.yaml'])).toEqual({ ...base, json: true, config: 'a.yaml' });
    expect(parseRunArgs(['run', '--workers', '12', 'dir with space/a.yaml'])).toEqual({ ...base, workers: 12, config: 'dir with space/a.yaml' });
  });
  it('leaves everything else to yargs', () => {
    for (const argv of [
      ['run'],
      ['validate', 'a.yaml'],
      ['run', 'a.yaml', 'b.yaml'],
      ['run', '--out', 'x'],
      ['run', 'a.yaml', '--help'],
      ['run', 'a.yaml', '-h'],
      ['run', 'a.yaml', '--version'],
      ['run', 'a.yaml', '--out=x'],
      ['run', 'a.yaml', '--out'],
      ['run', 'a.yaml', '--out', ''],
      ['run', 'a.yaml', '--out', '--quiet'],
      ['run', 'a.yaml', '--quiet', '--quiet'],
      ['run', 'a.yaml', '--report', '--no-report'],
      ['run', 'a.yaml', '--no-quiet'],
      ['run', 'a.yaml', '--workers', '0'],
      ['run', 'a.yaml', '--workers', '1.5'],
      ['run', 'a.yaml', '--workers', '02'],
      ['run', 'a.yaml', '--workers', 'two'],
      ['run', 'a.yaml', '--workers', '-1'],
      ['run', 'a.yaml', '--quiet', 'false'],
      ['run', '--quiet', 'true'],
      ['run', '42'],
      ['run', ''],
      ['run', 'a.yaml', '--outdir', 'x'],
      ['run', 'a.yaml', '--', 'x'],
      ['run', 'a.yaml', '--constructor'],
    ]) {
      expect(parseRunArgs(argv), argv.join(' ')).toBeNull();
    }
  });
});
