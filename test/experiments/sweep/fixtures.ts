/** Shared fixtures of the sweep and queue tests: a tiny market, a 3-point sweep over it, and folder comparisons. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'vitest';
import { tinyMarket } from '../../helpers.js';

/** The tiny market of test/helpers.ts: each trial is a fraction of a second of simulation. */
export const base = tinyMarket({ name: 'sweep-test' });
export const sweepConfig = { ...base, sweep: { 'exchange.reservePrice': [0, 0.02, 0.05] }, sweepBaseline: 0 };

/** Catches the error `fn` throws. */
export function caught(fn: () => unknown): Error & { path?: string } {
  try {
    fn();
  } catch (e) {
    return e as Error & { path?: string };
  }
  throw new Error('expected an error');
}

/** Every file under `dir` (relative paths), skipping `skip`. */
export function files(dir: string, skip: (rel: string) => boolean = () => false): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const rel = relative(dir, p);
      if (skip(rel)) continue;
      if (statSync(p).isDirectory()) walk(p);
      else out.push(rel);
    }
  };
  walk(dir);
  return out;
}

/** Asserts two sweep folders hold the same files with the same bytes (meta.json holds timings: its presence only). */
export function expectSameSweep(a: string, b: string): void {
  const fa = files(a);
  expect(files(b)).toEqual(fa);
  for (const f of fa) {
    if (f.endsWith('meta.json')) continue;
    expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f))), f).toBe(true);
  }
}
