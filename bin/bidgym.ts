#!/usr/bin/env node
// The `bidgym` command (compiled to dist/bin/bidgym.js, the package's bin).
// `--version` answers without loading the CLI; everything else loads it.
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  process.stdout.write(`${pkg.version}\n`);
} else {
  const { main } = await import('../experiments/cli.js');
  process.exitCode = await main(argv);
}
