/**
 * The input-error promise under a property-based fuzzer (cases and contract in
 * cli-fuzz-cases.ts): mutated shipped configs through `validate` and, when it
 * accepts, `run` or `sweep`; odd command lines of every command. A fixed seed
 * and a bounded number of cases (about a minute of CPU); the long campaign is
 * `npx tsx test/experiments/cli-fuzz-campaign.ts --runs N --seed S`.
 *
 * Runs the compiled bin (dist/, which `npm test` builds first), so that exit
 * codes, stderr and hangs are the real ones; it refuses a dist/ older than the
 * sources.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseConfigs, BIN, checkConfigCase, checkFlagCase, configCaseArb, configText, flagCaseArb, flagFixtures, ROOT, type FlagFixtures } from './cli-fuzz-cases.js';

const SEED = 20261202;
const CONFIG_CASES = Number(process.env.BIDGYM_FUZZ_CASES ?? 70);
const FLAG_CASES = Number(process.env.BIDGYM_FUZZ_FLAG_CASES ?? 30);

let root = '';
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'bidgym-cli-fuzz-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Newest modification time of the TypeScript sources the bin is built from. */
function newestSource(): number {
  let t = 0;
  for (const d of ['bin', 'env', 'agents', 'models', 'experiments']) {
    for (const f of readdirSync(join(ROOT, d), { recursive: true, encoding: 'utf8' }) as string[]) if (f.endsWith('.ts')) t = Math.max(t, statSync(join(ROOT, d, f)).mtimeMs);
  }
  return t;
}

describe('the CLI fuzzer: bad input is one line and exit 2, before any work; accepted input runs', () => {
  it('dist/ is built from the current sources (npm run build)', () => {
    expect(statSync(BIN).mtimeMs, 'dist/bin/bidgym.js is older than the sources: run npm run build').toBeGreaterThanOrEqual(newestSource() - 1000);
  });

  it('every shipped config, shrunk, validates and runs (the fuzzer starts from working configs)', () => {
    const bases = baseConfigs();
    expect(bases.length).toBeGreaterThanOrEqual(11);
    for (const b of bases.filter((x) => !('sweep' in x.raw)).slice(0, 4)) {
      const r = checkConfigCase(configText(b.raw, { kind: 'yaml' }), { dir: join(root, `base-${b.name}`) });
      expect(r.problems, b.name).toEqual([]);
      expect(r.validate.status, `${b.name}: ${r.validate.stderr}`).toBe(0);
      expect(r.run?.status, `${b.name}: ${r.run?.stderr}`).toBe(0);
    }
  }, 120_000);

  it(`${CONFIG_CASES} mutated configs (seed ${SEED}): validate accepts or refuses in one line; what it accepts runs or is refused before writing`, () => {
    const cases = fc.sample(configCaseArb(), { numRuns: CONFIG_CASES, seed: SEED });
    const broken: string[] = [];
    let accepted = 0;
    cases.forEach((c, i) => {
      const r = checkConfigCase(c.text, { dir: join(root, `c${i}`), validateMs: 30_000, runMs: 30_000, maxSweepPoints: 2 });
      if (r.validate.status === 0) accepted++;
      if (r.problems.length) broken.push(`${c.base} [${c.form.kind}] ${c.what.join('; ')}: ${r.problems.map((p) => `${p.command}: ${p.problem} ${p.stderr.slice(0, 300)}`).join(' | ')}`);
    });
    expect(broken).toEqual([]);
    // The cases reach the run, not only the schema.
    expect(accepted).toBeGreaterThanOrEqual(Math.floor(CONFIG_CASES / 10));
  }, 600_000);

  let fx: FlagFixtures;
  it(`${FLAG_CASES} odd command lines (seed ${SEED}): exit 0, or exit 2 with one line and nothing written`, () => {
    fx = flagFixtures(join(root, 'fixtures'));
    const cases = fc.sample(flagCaseArb, { numRuns: FLAG_CASES, seed: SEED });
    const broken: string[] = [];
    cases.forEach((c, i) => {
      const { problems } = checkFlagCase(c, fx, join(root, `f${i}`), 30_000);
      if (problems.length) broken.push(`${c.argv.join(' ')}: ${problems.map((p) => `${p.problem} ${p.stderr.slice(0, 300)}`).join(' | ')}`);
    });
    expect(broken).toEqual([]);
  }, 600_000);

  it('the cases the fuzzer found stay fixed', () => {
    fx ??= flagFixtures(join(root, 'fixtures'));
    for (const argv of [
      ['keygen', '--out', '@out', '--out', '@out'],
      ['keygen', '--out', '@out', '--out'],
      ['evaluate', '--policy', '@policy', '--config', '@config', '--out', '@out', '--quiet', '--out=@out'],
    ]) {
      const { ran, problems } = checkFlagCase({ argv }, fx, join(root, `found-${argv.length}-${argv[0]}`), 30_000);
      expect(problems, argv.join(' ')).toEqual([]);
      expect(ran.stderr).toMatch(/^bidgym: --out: given 2 times/);
    }
    const tiny = (over: string) => `name: found\nreplications: 1\nepisodes: 0\nevalEpisodes: 1\nauctionsPerEpisode: 100\nexchange: { mechanism: second-price }\nbidders:\n  - { id: a, agent: { kind: truthful }, value: { kind: uniform } }\n${over}`;
    const step = (over: string) => `name: found\nreplications: 1\nevalEpisodes: 1\nsteps: 4\n${over}\nbidders:\n  - { id: a, agent: { kind: pid }, budget: 100, cpa: 10 }\n`;
    for (const [text, why] of [
      [tiny('  - { id: b, copies: 4294967296, agent: { kind: truthful }, value: { kind: uniform } }\n'), /^bidgym: bidders\[1\]\.copies: expected a number ≤ 10000/],
      [step('auctionsPerEpisode: 1000000000000'), /^bidgym: auctionsPerEpisode: .* per-step entries an array can hold/],
      [step('auctionsPerEpisode: 400\nusers: { count: 1000000000000 }'), /^bidgym: users\.count: /],
      [step('auctionsPerEpisode: 400').replace('id: a,', `id: ${'x'.repeat(250)},`), /^bidgym: bidders\[0\]\.id: at most 64 characters, got 250/],
    ] as [string, RegExp][]) {
      const r = checkConfigCase(text, { dir: join(root, `found-${why.source.slice(9, 30).replace(/[^a-z]/gi, '')}`) });
      expect(r.problems).toEqual([]);
      expect(r.validate.status).toBe(2);
      expect(r.validate.stderr).toMatch(why);
    }
  }, 120_000);
});
