import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../experiments/config.js';
import { runExperiment } from '../../../experiments/runner.js';
import { expandSweep, runSweep, runTrial, sweepCsv, SweepError, type SweepTable } from '../../../experiments/sweep/index.js';
import { base, expectSameSweep, files, sweepConfig } from './fixtures.js';

const REPO = resolve(import.meta.dirname, '../../..');
const root = mkdtempSync(join(tmpdir(), 'bidgym-sweep-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('runSweep', () => {
  const serial = join(root, 'serial');
  const parallel = join(root, 'parallel');
  let table: SweepTable;

  beforeAll(async () => {
    table = await runSweep(sweepConfig, { outDir: serial, workers: 1, quiet: true });
  });

  it('writes one finished trial folder per grid point, the table and the report', () => {
    expect(readdirSync(join(serial, 'trials'))).toEqual(['0-reservePrice=0', '1-reservePrice=0.02', '2-reservePrice=0.05']);
    for (const p of table.points) expect(existsSync(join(serial, p.dir, 'summary.json'))).toBe(true);
    expect(table.points.map((p) => p.params['exchange.reservePrice'])).toEqual([0, 0.02, 0.05]);
    expect(JSON.parse(readFileSync(join(serial, 'sweep.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(table)));
    // Welch p against point 0, and none for point 0 itself.
    expect(table.points[0]!.market.revenuePerAuction!.p).toBeUndefined();
    expect(typeof table.points[2]!.market.revenuePerAuction!.p).toBe('number');
    const csv = readFileSync(join(serial, 'sweep.csv'), 'utf8');
    expect(csv).toBe(sweepCsv(table));
    const [header, ...rows] = csv.trim().split('\n');
    expect(header!.startsWith('index,trial,exchange.reservePrice,market.revenuePerAuction.mean,market.revenuePerAuction.ci95lo,market.revenuePerAuction.ci95hi,market.revenuePerAuction.p')).toBe(true);
    expect(header).toContain('bidders.b.competitiveRatio.mean');
    expect(rows).toHaveLength(3);
    const html = readFileSync(join(serial, 'report.html'), 'utf8');
    expect(html).toContain('bidgym sweep: sweep-test');
    const revenue = readFileSync(join(serial, 'charts', 'sweep-market-revenuePerAuction.svg'), 'utf8');
    // Axes in words with units, not the config path.
    expect(revenue).toContain('>reserve price (currency)<');
    expect(revenue).toContain('>revenue (currency per auction)<');
    expect(revenue).not.toContain('>exchange.reservePrice<');
    const utility = readFileSync(join(serial, 'charts', 'sweep-bidders-utilityPerAuction.svg'), 'utf8');
    expect(utility).toContain('>a<');
    expect(utility).toContain('>b<');
  });

  it('gives a trial the same summary as a plain run of that grid point', async () => {
    const point = expandSweep(sweepConfig)[1]!;
    const dir = join(root, 'plain');
    await runExperiment(resolveConfig(point.config), { outDir: dir, quiet: true });
    expect(readFileSync(join(dir, 'summary.json')).equals(readFileSync(join(serial, 'trials', point.id, 'summary.json')))).toBe(true);
  });

  it('gives byte-identical results with 2 workers', async () => {
    await runSweep(sweepConfig, { outDir: parallel, workers: 2, quiet: true });
    expectSameSweep(serial, parallel);
  });

  it('refuses a folder that holds a sweep unless resuming, and a resume with another config', async () => {
    await expect(runSweep(sweepConfig, { outDir: serial, workers: 1 })).rejects.toThrow(/already holds a sweep: pass --resume/);
    await expect(runSweep({ ...sweepConfig, seed: 12 }, { outDir: serial, workers: 1, resume: true })).rejects.toThrow(/started with a different config/);
    await expect(runSweep(sweepConfig, { outDir: join(root, 'w0'), workers: 0 })).rejects.toBeInstanceOf(SweepError);
  });

  it('resumes a sweep killed with SIGKILL after its first trial to the same bytes', async () => {
    const dir = join(root, 'killed');
    const cfgFile = join(root, 'killed-config.json');
    writeFileSync(cfgFile, JSON.stringify(sweepConfig));
    const driver = join(root, 'driver.mts'); // .mts: an ES module wherever it lies
    writeFileSync(
      driver,
      `import { readFileSync } from 'node:fs';\n` +
        `const { runSweep } = await import(${JSON.stringify(pathToFileURL(join(REPO, 'experiments/sweep/index.ts')).href)});\n` +
        `await runSweep(JSON.parse(readFileSync(process.argv[2], 'utf8')), { outDir: process.argv[3], workers: 1, quiet: true });\n`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', driver, cfgFile, dir], { cwd: REPO, stdio: 'ignore' });
    let running = true;
    const exited = new Promise<NodeJS.Signals | null>((res) =>
      child.once('exit', (_code, signal) => {
        running = false;
        res(signal);
      }),
    );
    // Kill as soon as the first trial folder is published.
    const finished = () => (existsSync(join(dir, 'trials')) ? readdirSync(join(dir, 'trials')).filter((n) => !n.startsWith('.tmp-')) : []);
    const deadline = Date.now() + 90_000;
    while (running && finished().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(finished()).toEqual(['0-reservePrice=0']);
    expect(existsSync(join(dir, 'sweep.json'))).toBe(false);
    // No half-written file: every JSON file outside temporary folders parses.
    for (const f of files(dir, (rel) => rel.split('/').some((s) => s.startsWith('.tmp-')))) {
      if (f.endsWith('.json')) expect(() => JSON.parse(readFileSync(join(dir, f), 'utf8')), f).not.toThrow();
    }

    await runSweep(sweepConfig, { outDir: dir, workers: 2, resume: true, quiet: true });
    expect(readdirSync(join(dir, 'trials')).some((n) => n.startsWith('.tmp-'))).toBe(false);
    expectSameSweep(serial, dir);
  });

  it('runs one trial on its own, and skips a finished one', async () => {
    const dir = join(root, 'single');
    mkdirSync(dir);
    // Replications in 2 threads inside the trial: same bytes as the sweep's trial (1 thread).
    const first = await runTrial(sweepConfig, 2, dir, { replicationWorkers: 2 });
    expect(first).toEqual({ index: 2, dir: join(dir, 'trials', '2-reservePrice=0.05'), skipped: false });
    expect(readFileSync(join(first.dir, 'summary.json')).equals(readFileSync(join(serial, 'trials', '2-reservePrice=0.05', 'summary.json')))).toBe(true);
    expect((await runTrial(sweepConfig, 2, dir)).skipped).toBe(true);
    await expect(runTrial(sweepConfig, 3, dir)).rejects.toThrow(/outside the grid \(0…2\)/);
  });
});

describe('runSweep with a failing trial', () => {
  it('stops with the failing trial named when a trial throws', async () => {
    // sqrt(spend - 0.1 * won) is finite on the sample auctions the config check tries, NaN in an auction the truthful bidder wins for under 0.1: the run stops with an ObjectiveError.
    const failing = { ...base, bidders: [{ ...base.bidders[0], objective: 'sqrt(spend - 0.1 * won)' }, base.bidders[1]], sweep: { seed: [1] } };
    await expect(runSweep(failing, { outDir: join(root, 'failing'), workers: 1 })).rejects.toThrow(/sweep trial 0-seed=1 failed.*bidders\[0\]\.objective: "sqrt\(spend - 0\.1 \* won\)" gave NaN/s);
    expect(readdirSync(join(root, 'failing', 'trials')).filter((n) => !n.startsWith('.tmp-'))).toEqual([]);
  });
});
