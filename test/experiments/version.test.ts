import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BIDGYM_VERSION } from '../../experiments/version.js';

describe('BIDGYM_VERSION', () => {
  it("is package.json's version", () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(BIDGYM_VERSION).toBe(pkg.version);
    expect(BIDGYM_VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });
});
