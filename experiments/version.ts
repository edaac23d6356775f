/**
 * bidgym's version, read once from package.json: `--version`, meta.json, the
 * provenance of policy files and the version stamp of queue jobs all use it.
 */
import { readFileSync } from 'node:fs';

function readVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  if (typeof pkg.version !== 'string') throw new Error('package.json has no version');
  return pkg.version;
}

/** bidgym's version (package.json `version`), e.g. `0.1.0`. */
export const BIDGYM_VERSION: string = readVersion();
