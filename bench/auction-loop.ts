/**
 * Auction-loop throughput and user memory.
 *
 *   npx tsx bench/auction-loop.ts [--quick]
 *
 * 1. AuctionGym SP_Oracle equivalent: 6 truthful bidders, true CTRs (oracle),
 *    2 eligible per auction, 12 ads each, 10k users: auctions/s of the bare loop
 *    (market.prepare + bids + market.clear, one core) and of the whole `bidgym run`.
 * 2. The plain private-value market (no users): auctions/s.
 * 3. Users: bytes per user and auctions/s at 10k, 1M and 10M users.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Market } from '../env/market.js';
import { OBS } from '../env/observation.js';
import { rng } from '../env/rng.js';
import { loadConfig, marketSpec, resolveConfig } from '../experiments/config.js';

const quick = process.argv.includes('--quick');
const root = join(import.meta.dirname, '..');

/** Auctions per CPU second of this thread (user + system): what one core does, whatever else the machine runs. */
function loop(m: Market, auctions: number): number {
  m.resetEpisode();
  const t0 = process.cpuUsage();
  for (let i = 0; i < auctions; i++) {
    if (m.done) m.resetEpisode();
    const n = m.prepare();
    for (let k = 0; k < n; k++) {
      const b = m.eligible[k]!;
      m.bids[b] = m.observations[b]![OBS.value]!;
    }
    m.clear();
  }
  const c = process.cpuUsage(t0);
  return auctions / ((c.user + c.system) / 1e6);
}

function fmt(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

const rows: string[][] = [];
const sp = loadConfig(join(root, 'experiments/configs/auctiongym-sp-oracle.yaml'));
{
  const m = new Market(marketSpec(sp), rng(1).stream('market'));
  loop(m, 200_000); // warm-up (JIT)
  const rate = loop(m, quick ? 600_000 : 3_000_000);
  rows.push(['SP_Oracle equivalent: auction loop (one core), auctions per CPU second', fmt(rate)]);
  // The whole run through the compiled bin when built (what users run), else the sources through tsx.
  const dist = join(root, 'dist/bin/bidgym.js');
  const bin = existsSync(dist) ? dist : join(root, 'bin/bidgym.mjs');
  const t0 = process.hrtime.bigint();
  execFileSync(process.execPath, [bin, 'run', join(root, 'experiments/configs/auctiongym-sp-oracle.yaml'), '--out', join(root, 'runs/bench-sp-oracle'), '--quiet', '--force']);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  rows.push([`SP_Oracle equivalent: whole \`bidgym run\` (${bin === dist ? 'dist' : 'tsx'}), 600,000 auctions, report included: wall s`, secs.toFixed(2)]);
}
{
  const pv = resolveConfig({
    name: 'pv',
    auctionsPerEpisode: 100_000,
    exchange: { mechanism: 'second-price' },
    bidders: [{ id: 'b', copies: 6, agent: { kind: 'truthful' }, value: { kind: 'uniform', low: 0, high: 1 } }],
  });
  const m = new Market(marketSpec(pv), rng(1).stream('market'));
  loop(m, 200_000);
  rows.push(['private values, 6 bidders, second price: auction loop', fmt(loop(m, quick ? 1_000_000 : 5_000_000))]);
}
const userRows: string[][] = [];
for (const count of quick ? [10_000, 1_000_000] : [10_000, 1_000_000, 10_000_000]) {
  const cfg = resolveConfig({ ...(sp as object), name: 'u', users: { ...sp.users!, count }, bidders: [{ id: 'bidder', copies: 6, agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 1 } }] } as never);
  const heap0 = process.memoryUsage().arrayBuffers;
  const t0 = process.hrtime.bigint();
  const m = new Market(marketSpec(cfg), rng(1).stream('market'));
  const build = Number(process.hrtime.bigint() - t0) / 1e9;
  const heap1 = process.memoryUsage().arrayBuffers;
  loop(m, 100_000);
  const rate = loop(m, 1_000_000);
  userRows.push([fmt(count), m.population!.bytesPerUser().toFixed(0), ((heap1 - heap0) / count).toFixed(0), build.toFixed(2), fmt(rate)]);
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(`Machine: ${cpu}, ${cpus().length} cores, Node ${process.version}, load average ${loadavg()[0]!.toFixed(2)}. Date: ${new Date().toISOString().slice(0, 10)}\n`);
console.log('| workload | auctions/s (or seconds) |\n|---|---|');
for (const r of rows) console.log(`| ${r[0]} | ${r[1]} |`);
console.log('\n| users | bytes/user (typed arrays) | bytes/user (measured arrayBuffers) | build (s) | auctions/s |\n|---|---|---|---|---|');
for (const r of userRows) console.log(`| ${r.join(' | ')} |`);
