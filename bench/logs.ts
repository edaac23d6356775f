/**
 * Reproduces the small-scale table of Cai et al. (WSDM 2017) on iPinYou
 * campaign 2997, and times it:
 *
 *   npx tsx bench/logs.ts [--data DIR] [--runs 3] [--quick]
 *
 * DIR defaults to ../shared/data/ipinyou-2997 from the project's root (the
 * data is not part of the project). For every budget level c0 of
 * lin-bid-b0.json the four methods replay the whole test log (N = 1000,
 * B = floor(cost_train / imp_train × c0 × N), bids capped at 300, a tie wins)
 * and the hindsight optimum is computed. At c0 = 1/32 the published figures
 * are checked: Lin-Bid and Mcpc exactly, RLB and SS-MDP within one click with
 * impressions and cost within 1%; the process exits 1 when they are not met.
 *
 * Timings (best of --runs, each from a cold table cache; wall clock, so the
 * machine's load is printed with them):
 * 1. the whole reproduction at c0 = 1/32: read log and statistics, build the
 *    value table, replay all four methods;
 * 2. the value table alone at every c0 (c0 = 1/2: B = 31,508), fast and
 *    (at 1/32, 1/16) the plain formula, with the largest difference between them;
 * 3. the table at c0 = 1/2 read back from the on-disk cache.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LinBidBidder } from '../agents/log/lin-bid.js';
import { McpcBidder } from '../agents/log/mcpc.js';
import { RlbBidder, rlbInputs } from '../agents/log/rlb.js';
import { buildRlbTable, buildRlbTablePlain, clearRlbTableCache, rlbTable } from '../agents/log/rlb-table.js';
import { SsMdpBidder } from '../agents/log/ss-mdp.js';
import { readLog, readLogInfo } from '../env/log/format.js';
import { episodeBudget, hindsightClicks, replay, type LogBidder, type ReplayResult } from '../env/log/replay.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : def;
};
const quick = args.includes('--quick');
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const data = resolve(root, opt('data', '../shared/data/ipinyou-2997'));
const runs = Number(opt('runs', quick ? '1' : '3'));
const N = 1000;
const MAX_BID = 300;

const logPath = join(data, 'test.theta.txt');
const infoPath = join(data, 'info.json');
const b0s = JSON.parse(readFileSync(join(data, 'lin-bid-b0.json'), 'utf8')) as Record<string, number>;

/** Result, wall-clock ms, CPU ms (user + system of the process: what the run cost on a busy machine). */
function time<T>(f: () => T): [T, number, number] {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = f();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return [r, wall, (c.user + c.system) / 1000];
}
/** The run with the least CPU time of n. */
function best<T>(n: number, f: () => T): [T, number, number] {
  let out: [T, number, number] | null = null;
  for (let i = 0; i < n; i++) {
    const r = time(f);
    if (!out || r[2] < out[2]) out = r;
  }
  return out!;
}
const ms = (wall: number, cpu: number) => `${fmt(wall)} ms (cpu ${fmt(cpu)})`;
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((x, i) => (i === 0 ? x.padEnd(w[i]!) : x.padStart(w[i]!))).join(' | ')} |`;
  return [line(head), `| ${w.map((n, i) => (i === 0 ? '-'.repeat(n) : '-'.repeat(n - 1) + ':')).join(' | ')} |`, ...rows.map(line)].join('\n');
}

/** The whole reproduction at one c0, from the files. */
function reproduce(c0: number): { results: Record<string, ReplayResult>; hindsight: number; budget: number } {
  const log = readLog(logPath, 'rlb');
  const info = readLogInfo(infoPath);
  const budget = episodeBudget({ c0 }, info, N);
  const protocol = { horizon: N, budget, maxBid: MAX_BID };
  const b0 = b0s[String(c0)];
  if (b0 === undefined) throw new Error(`no b0 for c0 = ${c0} in lin-bid-b0.json`);
  const bidders: Record<string, LogBidder> = {
    'SS-MDP': new SsMdpBidder(info, N, budget, MAX_BID),
    Mcpc: new McpcBidder(info, MAX_BID),
    'Lin-Bid': new LinBidBidder(b0, info, MAX_BID),
    RLB: new RlbBidder(info, N, budget, MAX_BID),
  };
  const results: Record<string, ReplayResult> = {};
  for (const [name, b] of Object.entries(bidders)) results[name] = replay(log, b, protocol);
  const hindsight = Array.from(hindsightClicks(log, protocol)).reduce((a, b) => a + b, 0);
  return { results, hindsight, budget };
}

console.log(`# bench/logs.ts — ${new Date().toISOString()}`);
console.log(`machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, node ${process.version}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log(`data: ${data}\n`);

// ---- the table at every c0 ----
const c0s = Object.keys(b0s).map(Number).sort((a, b) => a - b);
let failed = false;
const published: Record<string, [number, number, number]> = {
  'SS-MDP': [80, 40395, 306637],
  Mcpc: [48, 14752, 307751],
  'Lin-Bid': [71, 32208, 203610],
  RLB: [78, 39680, 304375],
};
for (const c0 of quick ? [1 / 32] : c0s) {
  clearRlbTableCache();
  const { results, hindsight, budget } = reproduce(c0);
  console.log(`## c0 = ${c0} (B = ${fmt(budget)}, b0 = ${b0s[String(c0)]}), hindsight ${hindsight} clicks\n`);
  const rows = Object.entries(results).map(([name, r]) => {
    const row = [name, String(r.clicks), fmt(r.impressions), fmt(r.cost), `${(100 * r.winRate).toFixed(2)}%`, (r.clicks / hindsight).toFixed(3)];
    if (c0 === 1 / 32) {
      const [clk, imp, cost] = published[name]!;
      const exact = name === 'Mcpc' || name === 'Lin-Bid';
      const ok = exact ? r.clicks === clk && r.impressions === imp && r.cost === cost : Math.abs(r.clicks - clk) <= 1 && Math.abs(r.impressions - imp) <= 0.01 * imp && Math.abs(r.cost - cost) <= 0.01 * cost;
      if (!ok) failed = true;
      row.push(`${clk} / ${fmt(imp)} / ${fmt(cost)}`, ok ? (r.clicks === clk && r.impressions === imp && r.cost === cost ? 'exact' : 'ok') : 'MISMATCH');
    }
    return row;
  });
  const head = ['method', 'clicks', 'impressions', 'cost', 'win rate', 'vs hindsight'];
  if (c0 === 1 / 32) head.push('published', 'check');
  console.log(`${table(head, rows)}\n`);
}

// ---- timings ----
console.log(`## timings (best of ${runs}, cold table cache; load average now ${loadavg().map((x) => x.toFixed(2)).join(' ')})\n`);
const [, whole, wholeCpu] = best(runs, () => {
  clearRlbTableCache();
  return reproduce(1 / 32);
});
const info = readLogInfo(infoPath);
const [, readMs, readCpu] = best(runs, () => readLog(logPath, 'rlb'));
const timingRows: string[][] = [];
for (const c0 of quick ? [1 / 32] : c0s) {
  const x = rlbInputs(info, N, episodeBudget({ c0 }, info, N), MAX_BID);
  const [fast, fastMs, fastCpu] = best(c0 >= 0.25 ? 1 : runs, () => buildRlbTable(x));
  let plainMs = '—';
  let diff = '—';
  if (c0 <= 1 / 16) {
    const [plain, pms, pcpu] = time(() => buildRlbTablePlain(x));
    let worst = 0;
    for (let i = 0; i < fast.values.length; i++) worst = Math.max(worst, Math.abs(fast.values[i]! - plain.values[i]!));
    plainMs = ms(pms, pcpu);
    diff = worst.toExponential(1);
  }
  timingRows.push([String(c0), fmt(x.budget), ms(fastMs, fastCpu), plainMs, diff]);
}
console.log(
  `whole reproduction at c0 = 1/32 (read log + info, table, 4 replays, hindsight): ${ms(whole, wholeCpu)}; the paper's Python: about 18 s, so ${(18000 / whole).toFixed(0)}× faster by the wall clock, ${(18000 / wholeCpu).toFixed(0)}× by CPU time`,
);
console.log(`reading the log (156,063 lines): ${ms(readMs, readCpu)}\n`);
console.log(`${table(['c0', 'B', 'value table (fast), wall (cpu)', 'plain formula', 'max |fast − plain|'], timingRows)}\n`);
if (!quick) {
  const dir = mkdtempSync(join(tmpdir(), 'bidgym-rlb-'));
  const x = rlbInputs(info, N, episodeBudget({ c0: 0.5 }, info, N), MAX_BID);
  clearRlbTableCache();
  rlbTable(x, { cacheDir: dir });
  clearRlbTableCache();
  const [, diskMs, diskCpu] = time(() => rlbTable(x, { cacheDir: dir }));
  console.log(`value table at c0 = 1/2 from the on-disk cache (${fmt((x.horizon * (x.budget + 1) * 8) / 2 ** 20)} MiB): ${ms(diskMs, diskCpu)}`);
  rmSync(dir, { recursive: true, force: true });
}
console.log(`load average at the end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
if (failed) {
  console.error('the published figures at c0 = 1/32 are NOT reproduced');
  process.exit(1);
}
