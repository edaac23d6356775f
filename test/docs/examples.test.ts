/**
 * Every ```ts / ```js example in README.md and docs/*.md runs (and type-checks)
 * as written, with `from 'bidgym'` pointing at this checkout's index.ts. The
 * examples run in a temporary working directory that holds what they name:
 * `experiments/configs/` (a link to the shipped configs), the run folder of
 * `bidgym run experiments/configs/quickstart.yaml --out runs/quickstart`, a key
 * pair (`bidgym keygen --out keys`) and `paced.signed.json` (`bidgym export
 * runs/quickstart --bidder paced --sign keys/private.pem`).
 * Examples that read REDIS_URL get a redis-server of their own.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FILES = ['README.md', ...readdirSync(join(REPO, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

interface Example {
  file: string;
  line: number;
  code: string;
}

/** The fenced code blocks tagged ts / typescript / js / javascript of a markdown file. */
function examples(file: string): Example[] {
  const lines = readFileSync(join(REPO, file), 'utf8').split('\n');
  const out: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```\s*(ts|typescript|js|javascript|mjs)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]!); i++) body.push(lines[i]!.slice(open[1]!.length));
    out.push({ file, line: start + 1, code: body.join('\n') });
  }
  return out;
}

const ALL = FILES.flatMap(examples);
const name = (e: Example) => `${e.file}:${e.line}`;
const moduleName = (e: Example) => `ex-${e.file.replace(/[^a-z0-9]+/gi, '-')}-${e.line}.ts`;
const hasRedis = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

let work = '';
let redis: ChildProcess | null = null;
let redisUrl = '';

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'bidgym-docs-'));
  writeFileSync(join(work, 'package.json'), '{ "type": "module", "private": true }\n');
  symlinkSync(join(REPO, 'node_modules'), join(work, 'node_modules'));
  mkdirSync(join(work, 'experiments'));
  symlinkSync(join(REPO, 'experiments', 'configs'), join(work, 'experiments', 'configs'));
  const run = spawnSync(
    process.execPath,
    [join(REPO, 'bin', 'bidgym.mjs'), 'run', 'experiments/configs/quickstart.yaml', '--out', 'runs/quickstart', '--quiet', '--no-report', '--workers', '1'],
    { cwd: work, encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`quickstart run for the examples failed: ${run.stderr}`);
  for (const args of [['keygen', '--out', 'keys'], ['export', 'runs/quickstart', '--bidder', 'paced', '--sign', 'keys/private.pem', '--out', 'paced.signed.json']]) {
    const r = spawnSync(process.execPath, [join(REPO, 'bin', 'bidgym.mjs'), ...args], { cwd: work, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`bidgym ${args[0]} for the examples failed: ${r.stderr}`);
  }
  const index = join(REPO, 'index.js');
  for (const e of ALL) writeFileSync(join(work, moduleName(e)), e.code.replace(/from '(bidgym)'/g, `from '${index}'`));
  if (hasRedis) {
    const port = await freePort();
    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    redisUrl = `redis://127.0.0.1:${port}`;
    for (let t = 0; t < 50; t++) {
      if (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG') break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}, 180_000);

afterAll(() => {
  redis?.kill('SIGTERM');
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('code examples in README.md and docs/', () => {
  it('finds them (README: the policy file and the library examples; docs: policies, allocators, sweeps, the queue)', () => {
    expect(ALL.filter((e) => e.file === 'README.md').length).toBeGreaterThanOrEqual(2);
    expect(ALL.length).toBeGreaterThanOrEqual(6);
    for (const e of ALL) expect(e.code, name(e)).toMatch(/\bimport\b/);
  });

  it('type-check as a strict consumer would write them', () => {
    writeFileSync(
      join(work, 'tsconfig.json'),
      JSON.stringify({ extends: join(REPO, 'tsconfig.json'), compilerOptions: { noEmit: true, typeRoots: [join(REPO, 'node_modules', '@types')] }, include: ALL.map(moduleName) }),
    );
    const r = spawnSync(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(work, 'tsconfig.json')], { cwd: work, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 180_000);

  for (const e of ALL) {
    const needsRedis = e.code.includes('REDIS_URL');
    it.skipIf(needsRedis && !hasRedis)(`${name(e)} runs${needsRedis ? ' (against a local redis-server)' : ''}`, () => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', moduleName(e)], {
        cwd: work,
        encoding: 'utf8',
        timeout: 170_000,
        env: { ...process.env, ...(needsRedis ? { REDIS_URL: redisUrl } : {}) },
      });
      expect(r.stderr, `${name(e)} wrote to stderr`).not.toMatch(/Error|error:/);
      expect(r.status, `${name(e)}: ${r.stderr}`).toBe(0);
      // a sweep example leaves its sweep folder behind
      const outDir = /outDir: '([^']+)'/.exec(e.code)?.[1];
      if (outDir) expect(existsSync(join(work, outDir, 'sweep.json')), `${outDir}/sweep.json`).toBe(true);
    }, 180_000);
  }
});
