import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText, resolveConfig } from '../../experiments/config.js';
import { isAutoBidConfig, resolveAutoBidConfig } from '../../experiments/autobid-config.js';
import { generatedFiles } from '../../experiments/json-schema.js';
import { expandSweep } from '../../experiments/sweep/index.js';

const root = join(__dirname, '..', '..');
const dir = join(root, 'experiments', 'configs');

describe('shipped configs', () => {
  const files = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f));
  it('include the quickstart', () => expect(files).toContain('quickstart.yaml'));
  it.each(files)('%s is documented at its top, valid, and every sweep point is valid', (f) => {
    const text = readFileSync(join(dir, f), 'utf8');
    expect(text.startsWith('#')).toBe(true);
    const raw = parseConfigText(text, f) as { sweep?: unknown; name: string };
    expect(raw.name).toBe(f.replace(/\.(ya?ml|json)$/, ''));
    if (isAutoBidConfig(raw)) {
      resolveAutoBidConfig(raw); // step-level (steps > 1): its own schema
      return;
    }
    resolveConfig(raw);
    if (raw.sweep) for (const p of expandSweep(raw)) resolveConfig(p.config);
  });
});

describe('generated files', () => {
  it('experiments/config.schema.json and docs/config-reference.md are up to date (npx bidgym schema)', () => {
    for (const [rel, text] of Object.entries(generatedFiles())) expect(readFileSync(join(root, rel), 'utf8'), rel).toBe(text);
  });
  // `npm test` builds dist/ first; the compiled bin must check (and write) the checkout's files, not files under dist/.
  it.skipIf(!existsSync(join(root, 'dist', 'bin', 'bidgym.js')))('the compiled bin\'s `schema --check` checks the checkout\'s files', () => {
    const r = spawnSync(process.execPath, [join(root, 'dist', 'bin', 'bidgym.js'), 'schema', '--check'], { cwd: root, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const rel of Object.keys(generatedFiles())) expect(existsSync(join(root, 'dist', rel)), `dist/${rel}`).toBe(false);
  });
});
