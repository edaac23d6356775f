import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText, resolveConfig } from '../../experiments/config.js';
import { isAutoBidConfig, resolveAutoBidConfig } from '../../experiments/autobid-config.js';
import { runAutoBid } from '../../experiments/autobid-run.js';
import { loadAutoBidPolicy } from '../../agents/autobid/policy-file.js';
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

describe('autobid-learners.yaml: bidgym learners at the step level', () => {
  it('its q-learning seats play through the step-level adapter and write step-level policy files; the same seed gives the same summary', async () => {
    const raw = parseConfigText(readFileSync(join(dir, 'autobid-learners.yaml'), 'utf8'), 'autobid-learners.yaml') as Record<string, unknown>;
    const full = resolveAutoBidConfig(raw);
    const learners = full.bidders.filter((b) => b.agent.kind === 'q-learning').map((b) => b.id);
    expect(learners.length).toBeGreaterThan(0);
    expect(full.episodes).toBeGreaterThan(0);
    // The config itself with less of everything (the shipped run takes about 17 CPU-s).
    const small = resolveAutoBidConfig({ ...raw, replications: 1, episodes: 2, evalEpisodes: 1, auctionsPerEpisode: 4000 });
    const out = mkdtempSync(join(tmpdir(), 'autobid-learners-'));
    const a = await runAutoBid(small, { configDir: dir, outDir: join(out, 'a') });
    const b = await runAutoBid(small, { configDir: dir, outDir: join(out, 'b') });
    expect(readFileSync(join(out, 'b', 'summary.json'), 'utf8')).toBe(readFileSync(join(out, 'a', 'summary.json'), 'utf8'));
    for (const id of learners) {
      expect(a.summary.bidders[id]!.kind).toBe('q-learning');
      const doc = JSON.parse(readFileSync(join(out, 'a', 'policies', `${id}.json`), 'utf8'));
      expect(doc.level).toBe('step');
      expect(doc.params.policy.kind).toBe('q-learning');
      expect(doc.provenance.training.trainingEpisodes).toBe(2);
      expect(loadAutoBidPolicy(join(out, 'a', 'policies', `${id}.json`)).kind).toBe('q-learning');
    }
  }, 120_000);
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
