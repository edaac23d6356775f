import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from '../../experiments/config.js';
import { removeStaleTemps, writeFileAtomic, writeJsonAtomic } from '../../files/atomic.js';
import { runExperiment } from '../../experiments/runner.js';
import { expandSweep, runSweep, runTrial, sweepCsv, SweepError, type SweepTable } from '../../experiments/sweep/index.js';

const REPO = resolve(import.meta.dirname, '../..');
const root = mkdtempSync(join(tmpdir(), 'bidgym-sweep-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A tiny market: each trial is a fraction of a second of simulation. */
const base = {
  name: 'sweep-test',
  seed: 11,
  replications: 2,
  episodes: 2,
  evalEpisodes: 1,
  auctionsPerEpisode: 300,
  users: { count: 150, topics: 4, historyLength: 3, items: 40 },
  exchange: { mechanism: 'second-price' },
  bidders: [
    { id: 'a', agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 2 } },
    { id: 'b', agent: { kind: 'shaded', factor: 0.8 }, value: { kind: 'per-click', amount: 2 }, budget: 3 },
  ],
};
const sweepConfig = { ...base, sweep: { 'exchange.reservePrice': [0, 0.02, 0.05] }, sweepBaseline: 0 };

/** Catches the error `fn` throws. */
function caught(fn: () => unknown): Error & { path?: string } {
  try {
    fn();
  } catch (e) {
    return e as Error & { path?: string };
  }
  throw new Error('expected an error');
}

/** Every file under `dir` (relative paths), skipping `skip`. */
function files(dir: string, skip: (rel: string) => boolean = () => false): string[] {
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
function expectSameSweep(a: string, b: string): void {
  const fa = files(a);
  expect(files(b)).toEqual(fa);
  for (const f of fa) {
    if (f.endsWith('meta.json')) continue;
    expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f))), f).toBe(true);
  }
}

describe('expandSweep', () => {
  it('crosses the lists in order, the last path varying fastest', () => {
    const points = expandSweep({ ...base, sweep: { 'exchange.reservePrice': [0, 0.5], 'bidders.1.agent.kind': ['truthful', 'shaded'] } });
    expect(points.map((p) => p.params)).toEqual([
      { 'exchange.reservePrice': 0, 'bidders.1.agent.kind': 'truthful' },
      { 'exchange.reservePrice': 0, 'bidders.1.agent.kind': 'shaded' },
      { 'exchange.reservePrice': 0.5, 'bidders.1.agent.kind': 'truthful' },
      { 'exchange.reservePrice': 0.5, 'bidders.1.agent.kind': 'shaded' },
    ]);
    expect(points.map((p) => p.id)).toEqual(['0-reservePrice=0_kind=truthful', '1-reservePrice=0_kind=shaded', '2-reservePrice=0.5_kind=truthful', '3-reservePrice=0.5_kind=shaded']);
    const p3 = points[3]!.config as typeof base & { sweep?: unknown };
    expect((p3.exchange as { reservePrice?: number }).reservePrice).toBe(0.5);
    expect(p3.bidders[1]!.agent).toEqual({ kind: 'shaded', factor: 0.8 });
    // Setting a kind drops the fields the new kind does not take (truthful has no factor).
    expect((points[0]!.config as typeof base).bidders[1]!.agent).toEqual({ kind: 'truthful' });
    expect(p3.bidders[0]).toEqual(base.bidders[0]);
    expect(p3.sweep).toBeUndefined();
    // The input config is not modified.
    expect((base.exchange as { reservePrice?: number }).reservePrice).toBeUndefined();
  });

  it('sets fields the config leaves to their defaults, and whole objects', () => {
    const points = expandSweep({ ...base, sweep: { 'exchange.slots': [1, 2], 'exchange.mechanism': ['gsp'], 'bidders.0.agent': [{ kind: 'constant', amount: 0.1 }] } });
    expect(points).toHaveLength(2);
    expect(resolveConfig(points[1]!.config).exchange.slots).toBe(2);
    expect(resolveConfig(points[1]!.config).bidders[0]!.agent).toEqual({ kind: 'constant', amount: 0.1 });
  });

  it('pads indexes so trial folders sort in grid order', () => {
    const points = expandSweep({ ...base, sweep: { seed: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] } });
    expect(points[0]!.id).toBe('00-seed=1');
    expect(points[10]!.id).toBe('10-seed=11');
  });

  it('names a path that is not in the config schema', () => {
    const e = caught(() => expandSweep({ ...base, sweep: { 'exchange.reservPrice': [0, 1] } }));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.path).toBe('sweep["exchange.reservPrice"]');
    expect(e.message).toMatch(/exchange has no field "reservPrice" — expected one of mechanism, slots, slotWeights, reservePrice/);
    expect(caught(() => expandSweep({ ...base, sweep: { 'bidders.first.id': ['x'] } })).message).toMatch(/bidders is a list: expected an index/);
    expect(caught(() => expandSweep({ ...base, sweep: { 'bidders.0.agent.colour': ['red'] } })).message).toMatch(/no field "colour"/);
  });

  it('names an index past the end of a list, an empty list, overlaps and a bad baseline', () => {
    const past = caught(() => expandSweep({ ...base, sweep: { 'bidders.2.agent.kind': ['truthful'] } }));
    expect(past.path).toBe('sweep["bidders.2.agent.kind"]');
    expect(past.message).toMatch(/bidders has 2 entries — index 2 is out of range/);
    expect(caught(() => expandSweep({ ...base, sweep: { seed: [] } })).message).toMatch(/sweep\["seed"\]: expected a non-empty list/);
    expect(caught(() => expandSweep({ ...base, sweep: { 'bidders.0.agent': [{ kind: 'truthful' }], 'bidders.0.agent.kind': ['shaded'] } })).message).toMatch(/overlaps with/);
    const b = caught(() => expandSweep({ ...base, sweep: { seed: [1, 2] }, sweepBaseline: 2 }));
    expect(b.path).toBe('sweepBaseline');
    expect(b.message).toMatch(/expected a grid point index in 0…1 — got 2/);
    expect(caught(() => expandSweep(base)).path).toBe('sweep');
  });

  it('validates every grid point and says which point is wrong', () => {
    const e = caught(() => expandSweep({ ...base, sweep: { 'exchange.reservePrice': [0, -1] } }));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.path).toBe('exchange.reservePrice');
    expect(e.message).toMatch(/in sweep grid point 1: exchange.reservePrice = -1/);
    const o = caught(() => expandSweep({ ...base, sweep: { 'bidders.1.objective': ['value - spend', 'value - spnd'] } }));
    expect(o).toBeInstanceOf(ConfigError);
    expect(o.path).toBe('bidders[1].objective');
    expect(o.message).toMatch(/unknown symbol "spnd".*\(in sweep grid point 1: bidders.1.objective = "value - spnd"\)/);
  });
});

describe('fsutil', () => {
  it('writes whole files, replaces them, and cleans temporaries left by a killed writer', () => {
    const dir = join(root, 'fsutil');
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
    expect(revenue).toContain('exchange.reservePrice');
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

  it('stops with the failing trial named when a trial throws', async () => {
    // value / spend is NaN (0 / 0) in any auction the bidder loses: the run stops with an ObjectiveError.
    const failing = { ...base, bidders: [base.bidders[0], { ...base.bidders[1], objective: 'value / spend' }], sweep: { seed: [1] } };
    await expect(runSweep(failing, { outDir: join(root, 'failing'), workers: 1 })).rejects.toThrow(/sweep trial 0-seed=1 failed.*bidders\[1\]\.objective: "value \/ spend" gave (NaN|Infinity)/s);
    expect(readdirSync(join(root, 'failing', 'trials')).filter((n) => !n.startsWith('.tmp-'))).toEqual([]);
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
