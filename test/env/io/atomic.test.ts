import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeStaleTemps, writeFileAtomic, writeJsonAtomic } from '../../../env/io/atomic.js';

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
});

