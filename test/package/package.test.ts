/**
 * The package as a user gets it: `npm pack` (which builds dist/ through
 * `prepare`), the tarball installed into a fresh project without dev
 * dependencies, imported from plain Node ESM, type-checked by a strict
 * TypeScript consumer, and its `bidgym` command run (worker threads included).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../experiments/report.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PKG = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { name: string; version: string };

/** The environment without what `npm test` adds about the bidgym checkout itself. */
const ENV = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^npm_(package|lifecycle)_|^npm_config_(prefix|global|local_prefix)$|^INIT_CWD$/i.test(k)),
) as NodeJS.ProcessEnv;

let root = '';
let project = '';
let packed: { filename: string; files: { path: string }[] } = { filename: '', files: [] };

function sh(cmd: string, args: string[], cwd: string, timeout = 300_000): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env: ENV, encoding: 'utf8', timeout, maxBuffer: 64 << 20 });
}

const TINY = `name: pkg-tiny
seed: 1
replications: 2
episodes: 1
evalEpisodes: 1
auctionsPerEpisode: 400
exchange: { mechanism: second-price }
bidders:
  - { id: learner, agent: { kind: q-learning }, value: { kind: uniform } }
  - { id: rival, agent: { kind: truthful }, value: { kind: uniform } }
`;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'bidgym-pack-'));
  const pack = sh('npm', ['pack', '--json', '--pack-destination', root], REPO);
  if (pack.status !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
  packed = (JSON.parse(pack.stdout) as (typeof packed)[])[0]!;
  project = join(root, 'consumer');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
  const install = sh('npm', ['install', '--prefer-offline', '--omit=dev', '--no-audit', '--no-fund', join(root, packed.filename)], project);
  if (install.status !== 0) throw new Error(`npm install of the tarball failed: ${install.stderr}`);
  writeFileSync(join(project, 'tiny.yaml'), TINY);
}, 600_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('ships the compiled package, its types, the worker entries and the configs; no tests, no TypeScript sources', () => {
    const paths = packed.files.map((f) => f.path);
    for (const p of ['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts', 'dist/bin/bidgym.js', 'dist/experiments/cli.js', 'dist/experiments/thread-entry.mjs', 'experiments/configs/quickstart.yaml']) {
      expect(paths, p).toContain(p);
    }
    expect(paths.filter((p) => /^(test|bench|scripts)\//.test(p) || /\.test\./.test(p))).toEqual([]);
    expect(paths.filter((p) => /\.(ts|mts)$/.test(p) && !/\.d\.m?ts$/.test(p))).toEqual([]);
  });

  it('installs without dev dependencies: no tsx, esbuild, typescript, vitest; no piscina', () => {
    for (const dep of ['tsx', 'esbuild', 'typescript', 'vitest', 'fast-check', 'piscina']) expect(existsSync(join(project, 'node_modules', dep)), dep).toBe(false);
    expect(existsSync(join(project, 'node_modules', 'bidgym', 'dist', 'index.js'))).toBe(true);
  });
});

describe('the installed package', () => {
  it('imports from plain Node ESM and runs: makeEnv + checkEnv on the three envs, runSweep (worker threads), writeReport (the same charts as the sources draw), loadPolicy', async () => {
    writeFileSync(
      join(project, 'use.mjs'),
      `import { checkEnv, loadPolicy, makeEnv, readRawConfig, runExperiment, resolveConfig, runSweep, writeReport } from 'bidgym';
import { existsSync } from 'node:fs';
const config = readRawConfig('node_modules/bidgym/experiments/configs/quickstart.yaml');
checkEnv(makeEnv('bidgym/Market-v0', { config }), 50);
checkEnv(makeEnv('bidgym/Bidding-v0', { config, learner: 'paced' }), 50);
const vec = makeEnv('bidgym/VectorBidding-v0', { config, learner: 'paced', num: 2 });
checkEnv(vec, 50);
const raw = readRawConfig('tiny.yaml');
const table = await runSweep({ ...raw, sweep: { 'exchange.reservePrice': [0, 0.2] } }, { outDir: 'sweep', workers: 2, quiet: true });
const report = await writeReport('sweep');
await runExperiment(resolveConfig(raw), { outDir: 'run', quiet: true, workers: 1 });
const bid = loadPolicy('run/policies/learner.json').bid({ value: 0.5 });
// The vendored vega bundle and the bundle of run's fast path, compiled with the code caches their build made (same Node, so V8 takes them).
const vegaCache = (await import('./node_modules/bidgym/dist/vendor/vega.js')).codeCacheUsed;
const runCache = (await import('./node_modules/bidgym/dist/experiments/run-fast-cached.js')).codeCacheUsed;
console.log(JSON.stringify({ points: table.points.length, report: existsSync(report), num: vec.num, bid: Number.isFinite(bid), vegaCache, runCache }));
`,
    );
    const r = sh(process.execPath, ['use.mjs'], project);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toEqual({ points: 2, report: true, num: 2, bid: true, vegaCache: true, runCache: true });
    // The bundled vega (CommonJS, code cache) draws the same charts as the vega and vega-lite packages the sources import.
    const again = join(root, 'sweep-from-sources');
    cpSync(join(project, 'sweep'), again, { recursive: true });
    rmSync(join(again, 'charts'), { recursive: true, force: true });
    await writeReport(again);
    const charts = readdirSync(join(project, 'sweep', 'charts')).filter((f) => f.endsWith('.svg'));
    expect(charts.length).toBeGreaterThan(0);
    for (const f of charts) expect(readFileSync(join(again, 'charts', f), 'utf8'), f).toBe(readFileSync(join(project, 'sweep', 'charts', f), 'utf8'));
  }, 300_000);

  it('type-checks a strict TypeScript consumer (strict, noUncheckedIndexedAccess, library types checked)', () => {
    writeFileSync(
      join(project, 'consumer.ts'),
      `import { checkEnv, loadPolicy, makeEnv, OBS, readRawConfig, runSweep, writeReport, type Summary, type SweepTable } from 'bidgym';
const config: unknown = readRawConfig('node_modules/bidgym/experiments/configs/quickstart.yaml');
const env = makeEnv('bidgym/Bidding-v0', { config, learner: 'paced' });
const { observation } = env.reset({ seed: 1 });
const value = observation[OBS.value];
const step = env.step([(value ?? 0) * 0.8]);
const reward: number = step.reward;
const won: boolean | undefined = step.info.won;
checkEnv(env);
const vec = makeEnv('bidgym/VectorBidding-v0', { config, num: 3 });
const first: Float64Array | undefined = vec.reset({ seed: 2 }).observations[0];
const copies: number = vec.num;
export async function sweep(raw: unknown): Promise<SweepTable> {
  const t = await runSweep(raw, { outDir: 'x', workers: 2 });
  const path: string = await writeReport('x', { png: false });
  return path ? t : t;
}
export const policyBid = (file: string): number => loadPolicy(file).bid({ value: 1 });
export type S = Summary;
void [reward, won, first, copies];
`,
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true,
          noUncheckedIndexedAccess: true, skipLibCheck: false, types: ['node'], typeRoots: [join(REPO, 'node_modules', '@types')],
        },
        include: ['consumer.ts'],
      }),
    );
    const r = sh(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], project);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 300_000);

  it('runs the installed bidgym command: --version, validate, run with worker threads (the fast path and the full command line alike), one-line exit 2 for a bad config', () => {
    const bin = join(project, 'node_modules', '.bin', 'bidgym');
    const version = sh(bin, ['--version'], project);
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toBe(PKG.version);

    const valid = sh(bin, ['validate', 'node_modules/bidgym/experiments/configs/quickstart.yaml'], project);
    expect(valid.stderr).toBe('');
    expect(valid.status).toBe(0);
    expect(valid.stdout).toMatch(/valid/);

    const run = sh(bin, ['run', 'tiny.yaml', '--out', 'bin-run', '--workers', '2', '--quiet'], project);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(existsSync(join(project, 'bin-run', 'summary.json'))).toBe(true);
    expect(existsSync(join(project, 'bin-run', 'report.html'))).toBe(true);

    // The plain forms of run take the bin's bundled fast path (dist/experiments/run-fast.cjs, one
    // script with its code cache, through run-fast-cached.js; no yargs); `--out=DIR` goes through the
    // full command line: the same folder and answers.
    const dist = join(project, 'node_modules', 'bidgym', 'dist');
    expect(readFileSync(join(dist, 'bin', 'bidgym.js'), 'utf8')).toContain("import('../experiments/run-fast-cached.js')");
    expect(readFileSync(join(dist, 'experiments', 'run-fast.cjs'), 'utf8')).not.toMatch(/require\(['"]\.\/run-command\.js['"]\)/);
    expect(readFileSync(join(dist, 'experiments', 'run-fast.js'), 'utf8')).not.toMatch(/from ['"]\.\/run-command\.js['"]/);
    const fastRun = sh(bin, ['run', 'tiny.yaml', '--out', 'run-fast', '--no-report'], project);
    const fullRun = sh(bin, ['run', 'tiny.yaml', '--out=run-full', '--no-report'], project);
    expect([fastRun.status, fastRun.stderr, fastRun.stdout.replaceAll('run-fast', 'X')]).toEqual([fullRun.status, fullRun.stderr, fullRun.stdout.replaceAll('run-full', 'X')]);
    expect(fastRun.status).toBe(0);
    expect(readFileSync(join(project, 'run-fast', 'summary.json'), 'utf8')).toBe(readFileSync(join(project, 'run-full', 'summary.json'), 'utf8'));
    for (const [file, out] of [['tiny.yaml', 'bin-run'], ['missing.yaml', 'x'], ['bad-run.yaml', 'x']]) {
      if (file === 'bad-run.yaml') writeFileSync(join(project, file), TINY.replace('second-price', 'sealed-envelope'));
      const fast = sh(bin, ['run', file, '--out', out!, '--quiet'], project);
      const full = sh(bin, ['run', file, `--out=${out}`, '--quiet'], project);
      expect([fast.status, fast.stdout, fast.stderr], file).toEqual([full.status, full.stdout, full.stderr]);
      expect(fast.status, file).toBe(2);
      expect(fast.stderr.trim().split('\n'), file).toHaveLength(1);
    }

    writeFileSync(join(project, 'bad.yaml'), TINY.replace('second-price', 'sealed-envelope'));
    const bad = sh(bin, ['validate', 'bad.yaml'], project);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/mechanism/);

    // The plain forms of validate take the bin's bundled fast path (dist/experiments/validate-fast.js
    // and its chunks); an option before the file (`validate --no-json FILE`, `validate --json FILE`)
    // goes through the full command line: the same answer.
    const fastPath = readFileSync(join(project, 'node_modules', 'bidgym', 'dist', 'experiments', 'validate-fast.js'), 'utf8');
    expect(fastPath).not.toMatch(/from ['"]\.\/validate-command\.js['"]/); // bundled, not the module-by-module compile
    const shipped = 'node_modules/bidgym/experiments/configs';
    for (const [file, ...flags] of [[`${shipped}/quickstart.yaml`], [`${shipped}/reserve-sweep.yaml`, '--json'], [`${shipped}/reserve-sweep.yaml`], [`${shipped}/auctionnet.yaml`], ['bad.yaml'], ['missing.yaml']] as [string, ...string[]][]) {
      const fast = sh(bin, ['validate', file, ...flags], project);
      const full = sh(bin, ['validate', flags.length ? '--json' : '--no-json', file], project);
      expect([fast.status, fast.stdout, fast.stderr], file).toEqual([full.status, full.stdout, full.stderr]);
    }
  }, 300_000);
});
