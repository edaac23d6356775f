/**
 * Sweeps of step-level configs (steps > 1): the grid is checked against the
 * step-level schema, each trial is a step-level run (its summary the same as
 * runAutoBid of the point's config), the sweep table is the same bytes for 1
 * and 2 workers and through a Redis queue (the datasets travel with the jobs),
 * files are named from the config's folder, and bad input is refused before
 * anything is written.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { resolveAutoBidConfig } from '../../experiments/autobid-config.js';
import { logAutoBid, runAutoBid } from '../../experiments/autobid-run.js';
import { main } from '../../experiments/cli.js';
import { ConfigError } from '../../experiments/config.js';
import { InputError } from '../../env/errors.js';
import { expandSweep, runSweep, sweepText } from '../../experiments/sweep/index.js';
import { resolveAutoBidPoint } from '../../experiments/sweep/grid.js';
import { checkRedis, parseQueueUrl, queueSweep } from '../../experiments/queue.js';
import { runWorker } from '../../experiments/worker.js';
import { freePort } from '../helpers.js';

const HAS_REDIS = spawnSync('redis-server', ['--version']).status === 0;

const market = {
  seed: 9,
  replications: 2,
  evalEpisodes: 1,
  steps: 12,
  auctionsPerEpisode: 4000,
  exchange: { mechanism: 'gsp', slots: 3, exposure: [1, 0.8, 0.6], reservePrice: 0.01 },
};
const rivals = [{ id: 'rival', copies: 3, agent: { kind: 'abid' }, budget: 1e6, cpa: 70, category: 2 }];

async function quietly<T>(f: () => Promise<T>): Promise<T> {
  const w = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const e = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return await f();
  } finally {
    w.mockRestore();
    e.mockRestore();
  }
}

describe('sweeps of step-level configs', () => {
  let dir: string;
  let raw: Record<string, unknown>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'autobid-sweep-'));
    const behaviour = resolveAutoBidConfig({ name: 'behaviour', ...market, bidders: [{ id: 'pid', agent: { kind: 'pid' }, budget: 300, cpa: 60, noise: 0.3 }, ...rivals] });
    await logAutoBid(behaviour, { configDir: dir, bidders: ['pid'], episodes: 3, transitions: join(dir, 'pid.jsonl') });
    raw = {
      name: 'cpa-sweep',
      ...market,
      bidders: [
        { id: 'pid', agent: { kind: 'pid' }, budget: 300, cpa: 60 },
        { id: 'bc', agent: { kind: 'bc', dataset: 'pid.jsonl', steps: 30 }, budget: 300, cpa: 60 },
        ...rivals,
      ],
      sweep: { 'bidders.0.cpa': [40, 80], 'bidders.0.agent.kind': ['pid', 'online-lp'] },
      sweepBaseline: 0,
    };
    writeFileSync(join(dir, 'sweep.yaml'), stringify(raw));
  }, 120_000);

  it('runs every grid point as a step-level trial, the same bytes for 1 and 2 workers', async () => {
    const one = await runSweep(raw, { outDir: join(dir, 'w1'), workers: 1, configDir: dir });
    await runSweep(raw, { outDir: join(dir, 'w2'), workers: 2, configDir: dir });
    expect(readFileSync(join(dir, 'w2', 'sweep.json'), 'utf8')).toBe(readFileSync(join(dir, 'w1', 'sweep.json'), 'utf8'));
    expect(readFileSync(join(dir, 'w2', 'sweep.csv'), 'utf8')).toBe(readFileSync(join(dir, 'w1', 'sweep.csv'), 'utf8'));
    expect(one.points).toHaveLength(4);
    expect(one.steps).toBe(12);
    // report.html: per grid point each bidder's score and CPA / target, charts of the figures; the same bytes for 1 and 2 workers; the trials write none.
    const html = readFileSync(join(dir, 'w1', 'report.html'), 'utf8');
    expect(readFileSync(join(dir, 'w2', 'report.html'), 'utf8')).toBe(html);
    expect(html).toContain('pid: score');
    expect(html).toContain('bc: CPA / target');
    expect(html).not.toContain('utility per auction');
    expect(html).toContain('12 decision steps per episode');
    expect((html.match(/<tr><th>\d/g) ?? []).length).toBe(4);
    expect(existsSync(join(dir, 'w1', 'charts', 'sweep-bidders-score.svg'))).toBe(true);
    expect(html).toContain('id="sweep-bidders-cpaRatio"');
    // Each trial is the step-level run of its point's config (datasets named from the config's folder).
    const points = expandSweep(raw);
    for (const p of points) {
      const trial = JSON.parse(readFileSync(join(dir, 'w1', 'trials', p.id, 'summary.json'), 'utf8'));
      const direct = await runAutoBid(resolveAutoBidPoint(p), { configDir: dir });
      expect(trial).toEqual(JSON.parse(JSON.stringify(direct.summary)));
      const row = one.points[p.index]!;
      expect(row.bidders.pid!.score!.values).toEqual(direct.summary.bidders.pid!.score.values);
      expect(row.bidders.pid!.cpaRatio!.mean).toBe(direct.summary.bidders.pid!.cpaRatio.mean);
      expect(Object.keys(row.bidders.pid!)).not.toContain('kind');
      expect(existsSync(join(dir, 'w1', 'trials', p.id, 'policies', 'bc.json'))).toBe(true);
      expect(existsSync(join(dir, 'w1', 'trials', p.id, 'report.html'))).toBe(false);
    }
    // The swept CPA target moves the swept bidder's realised CPA, and the p-values are against point 0.
    expect(one.points[2]!.bidders.pid!.cost!.mean).not.toBe(one.points[0]!.bidders.pid!.cost!.mean);
    expect(one.points[1]!.bidders.pid!.score!.p).toBeTypeOf('number');
    const csv = readFileSync(join(dir, 'w1', 'sweep.csv'), 'utf8');
    expect(csv.split('\n')[0]).toContain('bidders.pid.score.mean');
    expect(sweepText(one)).toContain('pid score');
  }, 300_000);

  it('refuses bad input before anything is written, naming the field', async () => {
    expect(() => expandSweep({ ...raw, sweep: { 'bidders.0.cpaa': [1] } })).toThrow(ConfigError);
    expect(() => expandSweep({ ...raw, sweep: { 'bidders.0.cpaa': [1] } })).toThrow(/no such config field: bidders.0 has no field "cpaa"/);
    expect(() => expandSweep({ ...raw, sweep: { 'bidders.0.cpa': [-1] } })).toThrow(InputError);
    expect(() => expandSweep({ ...raw, sweep: { 'bidders.0.cpa': [-1] } })).toThrow(/bidders\[0\]\.cpa.*in sweep grid point 0/);
    expect(() => expandSweep({ ...raw, sweep: { steps: [1] } })).toThrow(/steps/);
    const missing = { ...raw, bidders: [{ id: 'bc', agent: { kind: 'bc', dataset: 'nope.jsonl' }, budget: 300, cpa: 60 }, ...rivals], sweep: { 'bidders.0.cpa': [40] } };
    writeFileSync(join(dir, 'missing.yaml'), stringify(missing));
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await quietly(() => main(['sweep', join(dir, 'missing.yaml'), '--out', join(dir, 'never'), '--quiet']))).toBe(2);
      expect(await quietly(() => main(['sweep', join(dir, 'missing.yaml'), '--out', join(dir, 'never'), '--queue', 'redis://127.0.0.1:1', '--quiet']))).toBe(2);
      expect(await quietly(() => main(['run', join(dir, 'sweep.yaml'), '--out', join(dir, 'never'), '--quiet']))).toBe(2);
    } finally {
      err.mockRestore();
    }
    expect(existsSync(join(dir, 'never'))).toBe(false);
    expect(await quietly(() => main(['validate', join(dir, 'sweep.yaml')]))).toBe(0);
  });

  it.skipIf(!HAS_REDIS)('through a Redis queue: the datasets travel with the jobs, the same sweep.json as the local sweep', async () => {
    const port = await freePort();
    const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    try {
      const url = `redis://127.0.0.1:${port}`;
      const deadline = Date.now() + 10_000;
      for (;;) {
        try {
          await checkRedis(parseQueueUrl(url), 500);
          break;
        } catch (e) {
          if (Date.now() > deadline) throw e;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      const stop = new AbortController();
      // The worker's own folder is elsewhere: it never opens the config's folder (strict sent inputs).
      const worker = runWorker({ queue: url, queueKey: 'steps', signal: stop.signal, log: () => {}, workDir: join(dir, 'worker'), secret: null, quiet: true });
      try {
        const table = await queueSweep(raw, { queue: url, queueKey: 'steps', secret: null, outDir: join(dir, 'queued'), configDir: dir, quiet: true });
        expect(table.points).toHaveLength(4);
      } finally {
        stop.abort();
        await worker;
      }
      expect(readFileSync(join(dir, 'queued', 'sweep.json'), 'utf8')).toBe(readFileSync(join(dir, 'w1', 'sweep.json'), 'utf8'));
      for (const p of expandSweep(raw)) {
        expect(readFileSync(join(dir, 'queued', 'trials', p.id, 'summary.json'), 'utf8')).toBe(readFileSync(join(dir, 'w1', 'trials', p.id, 'summary.json'), 'utf8'));
        expect(readFileSync(join(dir, 'queued', 'trials', p.id, 'policies', 'bc.json'), 'utf8')).toBe(readFileSync(join(dir, 'w1', 'trials', p.id, 'policies', 'bc.json'), 'utf8'));
      }
    } finally {
      server.kill('SIGKILL');
    }
  }, 300_000);

  it('the CLI sweeps from the config file\'s folder', async () => {
    const code = await quietly(() => main(['sweep', join(dir, 'sweep.yaml'), '--out', join(dir, 'cli'), '--workers', '2', '--quiet']));
    expect(code).toBe(0);
    expect(readFileSync(join(dir, 'cli', 'sweep.json'), 'utf8')).toBe(readFileSync(join(dir, 'w1', 'sweep.json'), 'utf8'));
  }, 300_000);
});
