#!/usr/bin/env node
// The `bidgym` command (compiled to dist/bin/bidgym.js, the package's bin).
// `--version`, the plain forms of `validate` (`validate FILE`, `validate FILE --json`)
// and of `run` (experiments/run-args.ts) answer without loading the CLI (yargs and
// every command); everything else loads it.
import { readFileSync } from 'node:fs';
import { parseRunArgs } from '../experiments/run-args.js';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  process.stdout.write(`${pkg.version}\n`);
} else if (argv[0] === 'validate' && argv[1] !== undefined && !argv[1].startsWith('-') && (argv.length === 2 || (argv.length === 3 && argv[2] === '--json'))) {
  const { runValidate } = await import('../experiments/validate-fast.js');
  process.exitCode = await runValidate(argv[1], argv.length === 3);
} else if (argv[0] === 'run' && parseRunArgs(argv)) {
  const { runRun } = await import('../experiments/run-fast.js');
  process.exitCode = await runRun(parseRunArgs(argv)!);
} else {
  const { main } = await import('../experiments/cli.js');
  process.exitCode = await main(argv);
}
