/**
 * Auction-loop throughput and user memory.
 *
 *   npx tsx bench/auction-loop.ts [--quick] [--sources] [--rounds N] [--against DIST [--pairs P]]
 *
 * 1. AuctionGym SP_Oracle equivalent: 6 truthful bidders, true CTRs (oracle),
 *    2 eligible per auction, 12 ads each, 10k users: auctions per CPU second of
 *    the bare loop (market.prepare + bids + market.clear, one core) and the wall
 *    time of the whole `bidgym run`.
 * 2. The plain private-value market (no users): auctions per CPU second.
 * 3. Users: bytes per user and auctions per CPU second at 10k, 1M and 10M users.
 *
 * The loops run the compiled package (dist/, `npm run build`: what the bin runs)
 * in a plain `node` child, not this tsx process: code loaded through tsx's hooks
 * measures a few per cent slower. Without dist/ (or with --sources) they run the
 * TypeScript sources here. `--rounds N` repeats the SP_Oracle loop N times
 * (default 3) and prints every round: the rate moves with the machine's load.
 * `--against DIST` (another build's dist/, e.g. a checkout of main) first runs
 * only the SP_Oracle loop in P pairs of children (default 3), the other build's
 * and this one's alternating, and prints both rates side by side: old and new
 * code under the same load.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const quick = process.argv.includes('--quick');
const roundsAt = process.argv.indexOf('--rounds');
const rounds = roundsAt >= 0 ? Number(process.argv[roundsAt + 1]) : 3;
const root = join(import.meta.dirname, '..');
const distDir = join(root, 'dist');
const compiled = existsSync(join(distDir, 'env', 'market.js')) && !process.argv.includes('--sources');

/** The measurements, as a module that imports the library from `lib` (dist/ or the sources) and prints JSON. */
function measurements(lib: string, ext: string, onlySp = false): string {
  const at = (p: string) => JSON.stringify(pathToFileURL(join(lib, `${p}${ext}`)).href);
  return `
import { Market } from ${at('env/market')};
import { OBS } from ${at('env/observation')};
import { rng } from ${at('env/rng')};
import { loadConfig, marketSpec, resolveConfig } from ${at('experiments/config')};
const quick = ${quick};
/** Auctions per CPU second of this process (user + system): what one core does, whatever else the machine runs. */
function loop(m, auctions) {
  m.resetEpisode();
  const t0 = process.cpuUsage();
  for (let i = 0; i < auctions; i++) {
    if (m.done) m.resetEpisode();
    const n = m.prepare();
    for (let k = 0; k < n; k++) {
      const b = m.eligible[k];
      m.bids[b] = m.observations[b][OBS.value];
    }
    m.clear();
  }
  const c = process.cpuUsage(t0);
  return auctions / ((c.user + c.system) / 1e6);
}
const out = { sp: [], pv: 0, users: [] };
const sp = loadConfig(${JSON.stringify(join(root, 'experiments/configs/auctiongym-sp-oracle.yaml'))});
{
  const m = new Market(marketSpec(sp), rng(1).stream('market'));
  loop(m, 200000); // warm-up (JIT)
  for (let r = 0; r < ${rounds}; r++) out.sp.push(loop(m, quick ? 600000 : 3000000));
}
if (${onlySp}) {
  console.log(JSON.stringify(out));
  process.exit(0);
}
{
  const pv = resolveConfig({ name: 'pv', auctionsPerEpisode: 100000, exchange: { mechanism: 'second-price' }, bidders: [{ id: 'b', copies: 6, agent: { kind: 'truthful' }, value: { kind: 'uniform', low: 0, high: 1 } }] });
  const m = new Market(marketSpec(pv), rng(1).stream('market'));
  loop(m, 200000);
  out.pv = loop(m, quick ? 1000000 : 5000000);
}
for (const count of quick ? [10000, 1000000] : [10000, 1000000, 10000000]) {
  const cfg = resolveConfig({ ...sp, name: 'u', users: { ...sp.users, count }, bidders: [{ id: 'bidder', copies: 6, agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 1 } }] });
  const heap0 = process.memoryUsage().arrayBuffers;
  const t0 = process.hrtime.bigint();
  const m = new Market(marketSpec(cfg), rng(1).stream('market'));
  const build = Number(process.hrtime.bigint() - t0) / 1e9;
  const heap1 = process.memoryUsage().arrayBuffers;
  loop(m, 100000);
  const rate = loop(m, 1000000);
  out.users.push([count, m.population.bytesPerUser(), (heap1 - heap0) / count, build, rate]);
}
console.log(JSON.stringify(out));
`;
}

interface Measured {
  sp: number[];
  pv: number;
  users: [number, number, number, number, number][];
}
const againstAt = process.argv.indexOf('--against');
if (againstAt >= 0) {
  const other = process.argv[againstAt + 1] ?? '';
  if (!existsSync(join(other, 'env', 'market.js')) || !compiled) throw new Error(`bench/auction-loop: --against needs two builds (${other}/env/market.js and dist/, npm run build)`);
  const pairsAt = process.argv.indexOf('--pairs');
  const pairs = pairsAt >= 0 ? Number(process.argv[pairsAt + 1]) : 3;
  const child = (lib: string): number[] => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', measurements(lib, '.js', true)], { cwd: root, encoding: 'utf8', maxBuffer: 16 << 20 });
    if (r.status !== 0) throw new Error(`bench/auction-loop: the measuring child failed: ${r.stderr}`);
    return (JSON.parse(r.stdout.trim().split('\n').pop()!) as Measured).sp;
  };
  const fmtK = (xs: number[]) => xs.map((x) => Math.round(x).toLocaleString('en-US')).join(', ');
  console.log(`SP_Oracle loop, auctions per CPU second, ${rounds} rounds per child (load average ${loadavg()[0]!.toFixed(2)} at start)`);
  console.log(`| pair | ${other} | this dist/ |\n|---|---|---|`);
  for (let p = 0; p < pairs; p++) console.log(`| ${p + 1} | ${fmtK(child(other))} | ${fmtK(child(distDir))} |`);
  console.log(`load average ${loadavg()[0]!.toFixed(2)} at the end`);
  process.exit(0);
}
let measured: Measured;
if (compiled) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', measurements(distDir, '.js')], { cwd: root, encoding: 'utf8', maxBuffer: 16 << 20 });
  if (r.status !== 0) throw new Error(`bench/auction-loop: the measuring child failed: ${r.stderr}`);
  measured = JSON.parse(r.stdout.trim().split('\n').pop()!) as Measured;
} else {
  // The sources, through this process's tsx: the same module text, from a temporary file (it imports .ts files).
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'bidgym-bench-'));
  const file = join(dir, 'measure.mts');
  writeFileSync(file, measurements(root, '.ts'));
  const log = console.log;
  let text = '';
  console.log = (s: string) => (text = s);
  try {
    await import(pathToFileURL(file).href);
  } finally {
    console.log = log;
    rmSync(dir, { recursive: true, force: true });
  }
  measured = JSON.parse(text) as Measured;
}

function fmt(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

const rows: string[][] = [];
const spSorted = [...measured.sp].sort((x, y) => x - y);
rows.push([`SP_Oracle equivalent: auction loop (one core), auctions per CPU second (${compiled ? 'dist' : 'sources'}; median of ${measured.sp.length} rounds: ${measured.sp.map(fmt).join(', ')})`, fmt(spSorted[Math.floor(spSorted.length / 2)]!)]);
{
  // The whole run through the compiled bin when built (what users run), else the sources through tsx.
  const dist = join(root, 'dist/bin/bidgym.js');
  const bin = existsSync(dist) ? dist : join(root, 'bin/bidgym.mjs');
  const t0 = process.hrtime.bigint();
  execFileSync(process.execPath, [bin, 'run', join(root, 'experiments/configs/auctiongym-sp-oracle.yaml'), '--out', join(root, 'runs/bench-sp-oracle'), '--quiet', '--force']);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  rows.push([`SP_Oracle equivalent: whole \`bidgym run\` (${bin === dist ? 'dist' : 'tsx'}), 600,000 auctions, report included: wall s`, secs.toFixed(2)]);
}
rows.push(['private values, 6 bidders, second price: auction loop, auctions per CPU second', fmt(measured.pv)]);
const userRows = measured.users.map(([count, bytes, measuredBytes, build, rate]) => [fmt(count), bytes.toFixed(0), measuredBytes.toFixed(0), build.toFixed(2), fmt(rate)]);

const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(`Machine: ${cpu}, ${cpus().length} cores, Node ${process.version}, load average ${loadavg()[0]!.toFixed(2)}. Date: ${new Date().toISOString().slice(0, 10)}\n`);
console.log('| workload | auctions/s (or seconds) |\n|---|---|');
for (const r of rows) console.log(`| ${r[0]} | ${r[1]} |`);
console.log('\n| users | bytes/user (typed arrays) | bytes/user (measured arrayBuffers) | build (s) | auctions per CPU s |\n|---|---|---|---|---|');
for (const r of userRows) console.log(`| ${r.join(' | ')} |`);
