/**
 * Whether a `run` command line is one of the plain forms the bin runs without
 * yargs (experiments/run-fast.ts): `run CONFIG` with any of `--out DIR`,
 * `--quiet`, `--json`, `--report` / `--no-report`, `--workers N` (N a positive
 * integer) and `--force`, each at most once. Anything else — another flag,
 * `--out=DIR`, a value that starts with `-`, `--help`, a second positional, a
 * positional yargs would read otherwise (`true`, `false`, a number) — is not:
 * the bin hands it to yargs (experiments/cli.ts), which gives its usual answers.
 * No imports, so that the bin can ask before loading anything.
 */
import type { RunArgs } from './run-command.js';

const BOOLEANS: Record<string, [keyof RunArgs, boolean]> = {
  '--quiet': ['quiet', true],
  '--json': ['json', true],
  '--report': ['report', true],
  '--no-report': ['report', false],
  '--force': ['force', true],
};

/**
 * The options of a plain `run` command line (argv without `node` and the bin),
 * or null when it is not one (the bin then uses the full command line).
 */
export function parseRunArgs(argv: readonly string[]): RunArgs | null {
  if (argv[0] !== 'run' || argv.length < 2) return null;
  const a: RunArgs = { config: '', quiet: false, json: false, report: true, force: false };
  const seen = new Set<string>();
  let config: string | undefined;
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-')) {
      // yargs would read 'true' / 'false' after a flag as its value, and parse a number-like positional as a number.
      if (config !== undefined || arg === '' || arg === 'true' || arg === 'false' || !Number.isNaN(Number(arg))) return null;
      config = arg;
      continue;
    }
    const key = arg === '--no-report' ? '--report' : arg;
    if (seen.has(key)) return null;
    seen.add(key);
    const flag = BOOLEANS[arg];
    if (flag) {
      (a[flag[0]] as boolean) = flag[1];
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined || value === '' || value.startsWith('-')) return null;
    if (arg === '--out') a.out = value;
    else if (arg === '--workers' && /^[1-9][0-9]{0,8}$/.test(value)) a.workers = Number(value);
    else return null;
    i++;
  }
  if (config === undefined) return null;
  a.config = config;
  return a;
}
