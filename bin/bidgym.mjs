#!/usr/bin/env node
// Runs the TypeScript sources of a checkout through tsx (a dev dependency), no
// build needed: for development and the tests of the CLI. The package's `bidgym`
// command is the compiled dist/bin/bidgym.js (`npm run build`, run by `prepare`).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../experiments/cli.ts');
process.exitCode = await main(process.argv.slice(2));
