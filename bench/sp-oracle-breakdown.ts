/**
 * Where the CPU of the whole `bidgym run experiments/configs/auctiongym-sp-oracle.yaml`
 * goes (issue 10: 50× less CPU than AuctionGym's SP_Oracle needs ≈ 1.25–1.5 CPU s for
 * all of it, report included).
 *
 *   npx tsx bench/sp-oracle-breakdown.ts [--quick] [--rounds N]
 *
 * Runs the compiled package (dist/, `npm run build` first) in plain `node`
 * children, N rounds (default 3; 1 with --quick), and prints the median of each row:
 *
 *  - `node -e 0`, and the whole run with and without the report (bash's `times`,
 *    user + sys of the child);
 *  - loading the run's code (what the bin imports for `run`: experiments/run-fast-cached.js,
 *    the CommonJS bundle with its code cache, or without it experiments/run-fast.js and
 *    its chunks), measured inside a child around the import;
 *  - the phases of the simulation, each measured inside one child with
 *    `process.cpuUsage()` around it, on the same market the run builds (its
 *    modules are dist/'s unbundled ones, the same code): the config, the market's
 *    set-up (catalogue, attention table, the 10,000 training users), the 9
 *    training episodes (540,000 auctions), the evaluation users (a twin
 *    population of 10,000), their warm-up (540,000 auctions in which nobody bids)
 *    and the evaluation episode (60,000 auctions). Bids are the agents' own
 *    (truthful: nothing learns, so the loop is the runner's);
 *  - the report alone: `writeReport` on the run folder in a fresh child, vega's
 *    loading included.
 *
 * The rest of the whole run (hindsight figures, summary, CSV and policy files,
 * the evaluation recorder) is what is left of the `--no-report` run after node's
 * start, the bundle and the phases. CPU time is what one core spends; the
 * machine's load (printed) still moves it by 10–30 % through shared caches.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const at = args.indexOf('--rounds');
const rounds = at >= 0 ? Number(args[at + 1]) : args.includes('--quick') ? 1 : 3;
const dist = join(root, 'dist');
const bin = join(dist, 'bin', 'bidgym.js');
if (!existsSync(bin)) {
  console.error('bench/sp-oracle-breakdown: dist/bin/bidgym.js is missing; run `npm run build` first');
  process.exit(2);
}
const config = join(root, 'experiments', 'configs', 'auctiongym-sp-oracle.yaml');
const url = (p: string) => JSON.stringify(pathToFileURL(join(dist, p)).href);

/** CPU seconds (user + sys) of `argv` run by bash, from bash's `times`. */
function times(argv: string[], cwd: string): number {
  const quoted = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = spawnSync('bash', ['-c', `${quoted} >/dev/null 2>&1 || exit 1; times`], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`failed: ${argv.join(' ')}`);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  const secs = (t: string) => {
    const m = /^(\d+)m([\d.]+)s$/.exec(t);
    return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  };
  const [user, sys] = last.split(/\s+/).map(secs) as [number, number];
  return user + sys;
}

/** Runs a module in a child and returns the JSON it prints last. */
function child(code: string): Record<string, number> {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`child failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number>;
}

const CPU = 'const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1e6; };';

// What the bin imports for \`run\`: run-fast-cached.js (the CommonJS bundle with its code cache) where the build made it.
const runModule = existsSync(join(dist, 'experiments', 'run-fast-cached.js')) ? 'experiments/run-fast-cached.js' : 'experiments/run-fast.js';
const bundleChild = `${CPU}
const t0 = cpu();
await import(${url(runModule)});
console.log(JSON.stringify({ bundle: cpu() - t0 }));`;

const phasesChild = `${CPU}
const { loadConfig } = await import(${url('experiments/config.js')});
const { setUp } = await import(${url('experiments/replication.js')});
const out = {};
let t = cpu();
const lap = (name) => { const n = cpu(); out[name] = n - t; t = n; };
const cfg = loadConfig(${JSON.stringify(config)});
lap('config');
const rep = await setUp(cfg, 0);
lap('setUp');
const { market, agents, explore } = rep;
const auction = () => {
  const n = market.prepare();
  for (let k = 0; k < n; k++) {
    const b = market.eligible[k];
    market.bids[b] = agents[b].act(market.observations[b], explore[b]);
  }
  market.clear();
};
for (let ep = 0; ep < cfg.episodes; ep++) {
  market.resetEpisode();
  while (!market.done) auction();
}
lap('training');
// The evaluation users are a twin of the training users; a throwaway twin costs what the real one does.
market.trainingPopulation.twin('evaluation');
lap('twin');
market.resetEpisode(0);
lap('twinAndWarmUp');
while (!market.done) auction();
lap('evaluation');
console.log(JSON.stringify(out));`;

const reportChild = (dir: string) => `${CPU}
const t0 = cpu();
const { writeReport } = await import(${url('experiments/report.js')});
await writeReport(${JSON.stringify(dir)});
console.log(JSON.stringify({ report: cpu() - t0 }));`;

const load0 = loadavg()[0]!;
console.log(`# bidgym run auctiongym-sp-oracle.yaml: where the CPU goes (${new Date().toISOString().slice(0, 16)} UTC, ${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}, node ${process.version}, load ${load0.toFixed(2)} at start)`);
const rows: Record<string, number[]> = {};
const add = (k: string, v: number) => (rows[k] ??= []).push(v);
for (let i = 0; i < rounds; i++) {
  const scratch = mkdtempSync(join(tmpdir(), 'bidgym-breakdown-'));
  add('node', times([process.execPath, '-e', '0'], scratch));
  add('whole', times([process.execPath, bin, 'run', config, '--out', join(scratch, 'run'), '--quiet'], scratch));
  add('wholeNoReport', times([process.execPath, bin, 'run', config, '--out', join(scratch, 'run2'), '--quiet', '--no-report'], scratch));
  add('bundle', child(bundleChild).bundle!);
  for (const [k, v] of Object.entries(child(phasesChild))) add(k, v);
  add('reportAlone', child(reportChild(join(scratch, 'run2'))).report!);
  rmSync(scratch, { recursive: true, force: true });
}
const med = (k: string) => {
  const v = [...rows[k]!].sort((a, b) => a - b);
  return v[Math.floor(v.length / 2)]!;
};
const warmUp = med('twinAndWarmUp') - med('twin');
const phases = med('config') + med('setUp') + med('training') + med('twinAndWarmUp') + med('evaluation');
const rest = med('wholeNoReport') - med('node') - med('bundle') - phases;
const f = (x: number) => x.toFixed(3);
console.log(`\n| part of the whole run (median of ${rounds}) | CPU s |`);
console.log('|---|---:|');
console.log(`| node's own start (\`node -e 0\`) | ${f(med('node'))} |`);
console.log(`| loading the run's code (${runModule.slice(12)}: compile, zod schemas) | ${f(med('bundle'))} |`);
console.log(`| config (read, parse, validate) | ${f(med('config'))} |`);
console.log(`| set-up: catalogue, attention table, 10,000 training users | ${f(med('setUp'))} |`);
console.log(`| training: 9 episodes, 540,000 auctions | ${f(med('training'))} |`);
console.log(`| evaluation users: a twin population of 10,000 | ${f(med('twin'))} |`);
console.log(`| their warm-up: 540,000 auctions in which nobody bids | ${f(warmUp)} |`);
console.log(`| evaluation episode: 60,000 auctions | ${f(med('evaluation'))} |`);
console.log(`| the rest: recorder, hindsight, summary, files (\`--no-report\` run less the rows above) | ${f(rest)} |`);
console.log(`| **whole run, \`--no-report\`** | **${f(med('wholeNoReport'))}** |`);
console.log(`| report (whole run less \`--no-report\`) | ${f(med('whole') - med('wholeNoReport'))} |`);
console.log(`| report alone in a fresh process (\`writeReport\`, vega's loading included) | ${f(med('reportAlone'))} |`);
console.log(`| **whole run, report included** | **${f(med('whole'))}** |`);
const list = (k: string) => rows[k]!.map(f).join(', ');
console.log(`\nevery round: whole ${list('whole')}; --no-report ${list('wholeNoReport')}; training ${list('training')}; twin + warm-up ${list('twinAndWarmUp')}`);
console.log(`load average ${load0.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at the end.`);
