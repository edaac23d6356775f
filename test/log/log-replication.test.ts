import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LinBidBidder, tuneLinBid } from '../../agents/log/lin-bid.js';
import { McpcBidder } from '../../agents/log/mcpc.js';
import { RlbBidder } from '../../agents/log/rlb.js';
import { InputError } from '../../env/errors.js';
import { infoFromLog, writeLog, writeLogInfo } from '../../env/log/format.js';
import { lognormalPricePdf, sampleLog } from '../../env/log/generate.js';
import { episodeBudget, hindsightClicks, replay } from '../../env/log/replay.js';
import { rng } from '../../env/rng.js';
import { createAgent } from '../../experiments/agent-registry.js';
import { agentSchema } from '../../experiments/agent-schema.js';
import { runLogReplication, type LogRunConfig, type LogSpec } from '../../experiments/log-replication.js';

const dir = mkdtempSync(join(tmpdir(), 'bidgym-log-rep-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const world = { pricePdf: lognormalPricePdf(50, 0.8, 300), meanCtr: 0.005, ctrSpread: 1, priceCorrelation: 0.2 };
const train = sampleLog(world, 30_000, rng(1).stream('train'));
const test = sampleLog(world, 20_500, rng(1).stream('test'));
const info = infoFromLog(train, 300);
mkdirSync(join(dir, 'data'));
mkdirSync(join(dir, 'configs'));
writeLog(join(dir, 'data', 'test.txt'), test, 'rlb');
writeLog(join(dir, 'data', 'train.csv'), train, 'csv');
writeLog(join(dir, 'data', 'test.csv'), test, 'csv');
writeLogInfo(join(dir, 'data', 'info.json'), info);
const baseDir = join(dir, 'configs');

const spec = (over: Partial<LogSpec> = {}): LogSpec => ({ format: 'rlb', path: '../data/test.txt', info: '../data/info.json', trainPath: null, maxPrice: null, integerBids: true, ctrSpread: 1, cacheDir: null, ...over });
const bidder = (id: string, agent: LogRunConfig['bidders'][number]['agent'], c0: number | null = 1 / 16, source = 0) => ({ id, source, agent, budget: null, budgetC0: c0, valuePerClick: null });
const makeAgent = (cfg: LogRunConfig) => (i: number, budget: number | null, valueScale: number, init: ReturnType<typeof rng>) =>
  createAgent(agentSchema.parse(cfg.bidders[i]!.agent), { id: cfg.bidders[i]!.id, budget, auctionsPerEpisode: cfg.auctionsPerEpisode, mechanism: 'second-price', slots: 1, valueScale, rng: init });
const run = (cfg: LogRunConfig, r = 0) => runLogReplication(cfg, r, rng(cfg.seed), makeAgent(cfg));

describe('log replication', () => {
  const N = 500;
  const B = episodeBudget({ c0: 1 / 16 }, info, N);
  const p = { horizon: N, budget: B, maxBid: 300 };

  it('gives each paper method its replay, with hindsight and competitive ratio; paths from the config file', () => {
    const cfg: LogRunConfig = { seed: 1, episodes: 0, auctionsPerEpisode: N, log: spec(), baseDir, bidders: [bidder('lin', { kind: 'lin-bid', b0: 30 }), bidder('mcpc', { kind: 'mcpc' }), bidder('rlb', { kind: 'rlb' })] };
    const res = run(cfg);
    const h = Array.from(hindsightClicks(test, p)).reduce((a, b) => a + b, 0);
    for (const [id, bid] of [
      ['lin', new LinBidBidder(30, info, 300)],
      ['mcpc', new McpcBidder(info, 300)],
      ['rlb', new RlbBidder(info, N, B, 300)],
    ] as const) {
      const direct = replay(test, bid, p);
      const f = res.bidders[id]!;
      expect([f.totalClicks, f.totalImpressions, f.totalCost, f.winRate]).toEqual([direct.clicks, direct.impressions, direct.cost, direct.winRate]);
      expect(f.hindsightClicks).toBe(h);
      expect(f.competitiveRatio).toBeCloseTo(direct.clicks / h, 12);
      expect(f.budgetSpent).toBeLessThanOrEqual(1);
    }
    expect(res.episodeRows.filter((r) => r.includes(',rlb,'))).toHaveLength(Math.ceil(test.length / N));
    expect(res.market.auctions).toBe(test.length);
  });

  it('tunes Lin-Bid on the training log when b0 is not given', () => {
    const cfg: LogRunConfig = { seed: 1, episodes: 0, auctionsPerEpisode: N, log: spec({ format: 'csv', path: '../data/test.csv', info: null, trainPath: '../data/train.csv' }), baseDir, bidders: [bidder('lin', { kind: 'lin-bid' })] };
    const res = run(cfg);
    const t = tuneLinBid(train, info, p);
    expect(res.bidders.lin!.b0).toBe(t.b0);
    expect(res.bidders.lin!.totalClicks).toBe(replay(test, new LinBidBidder(t.b0, info, 300), p).clicks);
  });

  it('trains bidgym agents in the fitted world, deterministically per replication', () => {
    const cfg: LogRunConfig = { seed: 3, episodes: 30, auctionsPerEpisode: N, log: spec(), baseDir, bidders: [bidder('q', { kind: 'q-learning' })] };
    const a = run(cfg, 0).bidders.q!;
    expect(run(cfg, 0).bidders.q).toEqual(a);
    expect(a.totalClicks).toBeGreaterThan(0);
    expect(a.budgetSpent).toBeLessThanOrEqual(1);
  });

  it('bad inputs are one-line input errors naming the field or the file', () => {
    const base: LogRunConfig = { seed: 1, episodes: 0, auctionsPerEpisode: N, log: spec(), baseDir, bidders: [bidder('mcpc', { kind: 'mcpc' })] };
    expect(() => run({ ...base, log: spec({ path: '../data/missing.txt' }) })).toThrow(/missing\.txt: cannot read the log/);
    writeFileSync(join(dir, 'data', 'bad.txt'), '0 5 0.1\n0 x 0.1\n');
    expect(() => run({ ...base, log: spec({ path: '../data/bad.txt' }) })).toThrow(/bad\.txt:2: price "x" is not a number/);
    const noInfo = { ...base, log: spec({ info: null }) };
    expect(() => run(noInfo)).toThrow(InputError);
    expect(() => run(noInfo)).toThrow(/budget: \{ c0 \} needs the log's training statistics/);
    expect(() => run({ ...noInfo, bidders: [{ ...bidder('rlb', { kind: 'rlb' }, null, 2), budget: 100 }] })).toThrow(/^bidders\[2\]\.agent\.kind: rlb needs the log's training statistics/);
  });
});
