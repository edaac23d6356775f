import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDirs, removeStaleTemps, writeFileAtomic, writeJsonAtomic } from '../../../env/io/atomic.js';

const root = mkdtempSync(join(tmpdir(), 'bidgym-atomic-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('atomic writes', () => {
  it('writes whole files, replaces them, and cleans temporaries left by a killed writer', () => {
    const dir = join(root, 'w');
    writeJsonAtomic(join(dir, 'x.json'), { a: 1 });
    expect(readFileSync(join(dir, 'x.json'), 'utf8')).toBe('{\n  "a": 1\n}\n');
    writeFileAtomic(join(dir, 'x.json'), 'replaced');
    expect(readFileSync(join(dir, 'x.json'), 'utf8')).toBe('replaced');
    expect(readdirSync(dir)).toEqual(['x.json']);
    writeFileSync(join(dir, '.tmp-x.json-123-0'), 'half');
    expect(removeStaleTemps(dir)).toBe(1);
    expect(readdirSync(dir)).toEqual(['x.json']);
  });

  it('makeDirs makes the missing folders top down, returns the first, and fails where one cannot be made (recursive mkdir looped forever under /proc)', () => {
    const dir = join(root, 'm', 'a', 'b');
    expect(makeDirs(dir)).toBe(join(root, 'm'));
    expect(statSync(dir).isDirectory()).toBe(true);
    expect(makeDirs(dir)).toBeUndefined();
    writeFileSync(join(root, 'm', 'f'), 'x');
    expect(() => makeDirs(join(root, 'm', 'f', 'g'))).toThrow(/ENOTDIR|EEXIST/);
    if (existsSync('/proc/self')) {
      const t = Date.now();
      expect(() => makeDirs('/proc/bidgym-no-such/x')).toThrow(/ENOENT/);
      expect(Date.now() - t).toBeLessThan(5000);
    }
  });
});
