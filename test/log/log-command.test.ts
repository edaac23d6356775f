import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../env/errors.js';
import { readLog } from '../../env/log/format.js';
import { loadConfig } from '../../experiments/config.js';
import { logCommand } from '../../experiments/log-commands.js';
import { runExperiment } from '../../experiments/runner.js';

const dir = mkdtempSync(join(tmpdir(), 'bidgym-log-cmd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const market = {
  name: 'tiny-market',
  seed: 5,
  replications: 2,
  episodes: 1,
  evalEpisodes: 2,
  auctionsPerEpisode: 3000,
  users: { count: 500, topics: 8, items: 100 },
  exchange: { mechanism: 'second-price', reservePrice: 0.001 },
  bidders: [
    { id: 'me', agent: { kind: 'pacing' }, value: { kind: 'per-click', amount: 2 }, budget: 10 },
    { id: 'rival', copies: 2, agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 2 } },
  ],
};
writeFileSync(join(dir, 'market.json'), JSON.stringify(market));

describe('bidgym log', () => {
  it('writes the auctions a bidder faced, and a log market replays them', async () => {
    const r = await logCommand({ config: join(dir, 'market.json'), bidder: 'me', out: join(dir, 'me.csv'), priceScale: 1000 });
    expect(r.auctions).toBe(2 * 3000); // every evaluation auction (out of budget too)
    const log = readLog(join(dir, 'me.csv'), 'csv');
    expect(log.length).toBe(6000);
    expect(log.timestamp![0]).toBe(0);
    expect(log.timestamp![5999]).toBe(5999);
    for (let i = 0; i < log.length; i++) {
      expect(Number.isInteger(log.price[i]!)).toBe(true);
      expect(log.price[i]).toBeGreaterThanOrEqual(1); // the reserve, 0.001 × 1000
    }
    expect(r.clicks).toBeGreaterThan(0);
    // another replication gives another draw: a training log
    await logCommand({ config: join(dir, 'market.json'), bidder: 'me', out: join(dir, 'train.csv'), replication: 1, priceScale: 1000 });
    expect(Array.from(readLog(join(dir, 'train.csv'), 'csv').price.subarray(0, 50))).not.toEqual(Array.from(log.price.subarray(0, 50)));
    const replayCfg = {
      name: 'replay-tiny',
      seed: 1,
      replications: 1,
      episodes: 5,
      auctionsPerEpisode: 500,
      log: { format: 'csv', path: 'me.csv', trainPath: 'train.csv', maxPrice: 300 },
      bidders: [
        { id: 'lin', agent: { kind: 'lin-bid' }, budget: { c0: 0.125 } },
        { id: 'rlb', agent: { kind: 'rlb' }, budget: { c0: 0.125 } },
        { id: 'pacing', agent: { kind: 'pacing' }, budget: { c0: 0.125 } },
      ],
    };
    writeFileSync(join(dir, 'replay.json'), JSON.stringify(replayCfg));
    const s = await runExperiment(loadConfig(join(dir, 'replay.json')), { outDir: join(dir, 'run'), quiet: true, workers: 1 });
    for (const id of ['lin', 'rlb', 'pacing']) {
      expect(s.bidders[id]!.totalClicks!.mean).toBeGreaterThan(0);
      expect(s.bidders[id]!.totalClicks!.mean).toBeLessThanOrEqual(s.bidders[id]!.hindsightClicks!.mean);
    }
    expect(s.bidders.lin!.b0).toBeDefined();
  });

  it('refuses a bidder not in the config and a log config', async () => {
    writeFileSync(join(dir, 'replay2.json'), JSON.stringify({ name: 'r', log: { path: 'me.csv', format: 'csv' }, bidders: [{ id: 'lin', agent: { kind: 'mcpc' } }] }));
    await expect(logCommand({ config: join(dir, 'market.json'), bidder: 'nobody', out: join(dir, 'x.csv') })).rejects.toThrow(InputError);
    await expect(logCommand({ config: join(dir, 'market.json'), bidder: 'nobody', out: join(dir, 'x.csv') })).rejects.toThrow(/--bidder: no bidder "nobody"/);
    await expect(logCommand({ config: join(dir, 'replay2.json'), bidder: 'lin', out: join(dir, 'x.csv') })).rejects.toThrow(/replays a log already/);
  });
});
