#!/usr/bin/env node
// The `bidgym` command: loads the TypeScript CLI through tsx's ESM loader, so the
// checkout runs as it is (no build step) after `npm install`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../experiments/cli.ts');
process.exitCode = await main(process.argv.slice(2));
