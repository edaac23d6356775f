/**
 * A hash of the code that runs: queue sweeps and workers compare it, so that a
 * worker whose code differs (an edited file, another checkout) refuses the
 * sweep's trials even when `package.json` says the same version.
 *
 * It covers `package.json` and every source or built file (`.ts`, `.mts`, `.js`,
 * `.mjs`, `.cjs`) of the package folder, by relative path and content, leaving
 * out dependencies, tests, benchmarks, docs and run folders. Computed once per
 * process (a few milliseconds for this package).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folders of the package that are not code that runs. */
const SKIP = new Set(['node_modules', 'test', 'bench', 'docs', 'runs', 'coverage', 'shared', 'models-cache']);
const CODE = /\.(ts|mts|js|mjs|cjs)$/;

let cached: string | null = null;

/** Files hashed by {@link codeHash}: relative `/`-separated paths, sorted. */
export function codeFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!SKIP.has(e.name)) walk(join(dir, e.name), r);
      } else if (e.isFile() && (CODE.test(e.name) || r === 'package.json') && !/\.(test|spec)\.[a-z]+$/.test(e.name) && !e.name.endsWith('.d.ts')) {
        out.push(r);
      }
    }
  };
  walk(root, '');
  return out.sort();
}

/**
 * The SHA-256 (hex, first 16 characters) of this package's code.
 *
 * @param root package folder (default: the one holding this file's folder)
 */
export function codeHash(root: string = fileURLToPath(new URL('..', import.meta.url))): string {
  if (cached !== null && arguments.length === 0) return cached;
  const h = createHash('sha256');
  for (const f of codeFiles(root)) h.update(`${f}\0`).update(readFileSync(join(root, f))).update('\0');
  const sum = h.digest('hex').slice(0, 16);
  if (arguments.length === 0) cached = sum;
  return sum;
}
