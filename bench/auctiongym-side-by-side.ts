/**
 * bidgym against AuctionGym on AuctionGym's SP_Oracle workload, side by side in
 * one run: the CPU seconds (user + system, children included) of AuctionGym's
 * own `src/main.py config/SP_Oracle.json` (600,000 second-price auctions: 3 runs
 * × 20 iterations × 10,000 rounds, 6 truthful oracle bidders, 2 per auction, 12
 * items each) and of `bidgym run experiments/configs/auctiongym-sp-oracle.yaml`
 * (the same 600,000 auctions, report included), then the ratio.
 *
 *   npx tsx bench/auctiongym-side-by-side.ts --auctiongym DIR [--python PY] [--rounds N] [--against DIST]
 *
 * DIR is a checkout of the amzn/auction-gym repository on GitHub (not part of bidgym,
 * never copied into it; AUCTIONGYM_DIR works too). PY is a Python 3 with what its
 * main.py imports: numpy, scipy, pandas, matplotlib, seaborn, tqdm, torch, numba,
 * scikit-learn (default: the first of /usr/bin/python3 and python3 that has them;
 * on Debian 12: `apt-get install python3-torch python3-numba python3-seaborn
 * python3-pandas python3-matplotlib python3-tqdm python3-sklearn`).
 *
 * One shim, which changes nothing AuctionGym computes: AuctionGym pins numpy
 * 1.22, where `np.bool` was an alias of Python's `bool`; numpy 1.24 removed the
 * alias, and AuctionGym's Impression.py uses it in a dataclass annotation, so
 * this bench sets `numpy.bool = bool` before running main.py (through runpy, in a
 * scratch folder that receives AuctionGym's results/).
 *
 * bidgym runs the compiled bin (dist/, `npm run build` first) N times (default
 * 3; the table shows the median CPU time); AuctionGym once (about 2 minutes of
 * CPU). `--against DIST` also runs another build's bin (DIST/bin/bidgym.js, e.g.
 * the dist/ of a checkout of main) the same way, interleaved with this one's
 * round by round, so that old and new code meet the same load. CPU time is measured by bash's `times` around each command, so a loaded
 * machine inflates wall times but not much the CPU figures. When AuctionGym
 * cannot run here (no checkout, no Python with its imports) it says exactly why
 * and exits 0 (skipped, like bench/queue.ts without redis); exit 1 when its
 * main.py or bidgym's run fails.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const rounds = Number(opt('--rounds') ?? 3);
const agDir = opt('--auctiongym') ?? process.env.AUCTIONGYM_DIR;
const MODULES = ['numpy', 'scipy', 'pandas', 'matplotlib', 'seaborn', 'tqdm', 'torch', 'numba', 'sklearn'];

function cannot(reason: string): never {
  console.log(`bench/auctiongym-side-by-side: AuctionGym cannot run here: ${reason}; skipped`);
  process.exit(0);
}

/** Runs `argv` under bash and returns its wall and CPU seconds (user + system of the command and its children). */
function measure(argv: string[], cwd: string): { wall: number; user: number; sys: number; ok: boolean; tail: string } {
  const quoted = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const t0 = process.hrtime.bigint();
  // `times` prints the shell's own times, then its children's: "XmY.YYYs XmY.YYYs".
  const r = spawnSync('bash', ['-c', `${quoted} >"$LOG" 2>&1; rc=$?; times; exit $rc`], { cwd, encoding: 'utf8', env: { ...process.env, LOG: join(cwd, 'command.log') }, maxBuffer: 1 << 20 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const lines = r.stdout.trim().split('\n');
  const secs = (t: string) => {
    const m = /^(\d+)m([\d.]+)s$/.exec(t);
    return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  };
  const [user, sys] = (lines[lines.length - 1] ?? '').split(/\s+/).map(secs) as [number, number];
  const tail = spawnSync('tail', ['-n', '5', join(cwd, 'command.log')], { encoding: 'utf8' }).stdout;
  return { wall, user, sys, ok: r.status === 0, tail };
}

// ---- can AuctionGym run here? ----
if (!agDir) cannot('no checkout given (--auctiongym DIR or AUCTIONGYM_DIR; a clone of amzn/auction-gym)');
const agSrc = resolve(agDir, 'src');
const agConfig = resolve(agDir, 'config', 'SP_Oracle.json');
if (!existsSync(join(agSrc, 'main.py')) || !existsSync(agConfig)) cannot(`${agDir} is not a checkout of amzn/auction-gym (no src/main.py or config/SP_Oracle.json)`);
const pyCandidates = opt('--python') ? [opt('--python')!] : ['/usr/bin/python3', 'python3'];
let python: string | undefined;
const missing: string[] = [];
for (const py of pyCandidates) {
  const r = spawnSync(py, ['-c', `import importlib.util,sys; m=[n for n in ${JSON.stringify(MODULES)} if importlib.util.find_spec(n) is None]; print(','.join(m)); sys.exit(1 if m else 0)`], { encoding: 'utf8' });
  if (r.status === 0) {
    python = py;
    break;
  }
  missing.push(r.error ? `${py}: not found` : `${py} lacks ${r.stdout.trim()}`);
}
if (!python) cannot(`no Python with AuctionGym's imports (${missing.join('; ')})`);
const bin = join(root, 'dist', 'bin', 'bidgym.js');
if (!existsSync(bin)) {
  console.error('bench/auctiongym-side-by-side: dist/bin/bidgym.js is missing; run `npm run build` first');
  process.exit(2);
}

const load0 = loadavg()[0]!;
console.log(`# bidgym vs AuctionGym, SP_Oracle (${new Date().toISOString().slice(0, 16)} UTC, ${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}, node ${process.version}, load ${load0.toFixed(2)} at start)`);

// ---- bidgym: the whole run, report included ----
const spConfig = join(root, 'experiments', 'configs', 'auctiongym-sp-oracle.yaml');
const against = opt('--against');
const otherBin = against ? join(resolve(against), 'bin', 'bidgym.js') : null;
if (otherBin && !existsSync(otherBin)) {
  console.error(`bench/auctiongym-side-by-side: --against ${against}: no bin/bidgym.js there`);
  process.exit(2);
}
const bidgym: ReturnType<typeof measure>[] = [];
const bidgymNoReport: ReturnType<typeof measure>[] = [];
const other: ReturnType<typeof measure>[] = [];
const otherNoReport: ReturnType<typeof measure>[] = [];
for (let i = 0; i < rounds; i++) {
  const runs = [[bin, bidgym, []], [bin, bidgymNoReport, ['--no-report']]] as [string, ReturnType<typeof measure>[], string[]][];
  if (otherBin) runs.unshift([otherBin, other, []], [otherBin, otherNoReport, ['--no-report']]);
  for (const [which, list, extra] of runs) {
    const scratch = mkdtempSync(join(tmpdir(), 'bidgym-sbs-'));
    const m = measure([process.execPath, which, 'run', spConfig, '--out', join(scratch, 'run'), '--quiet', ...extra], scratch);
    rmSync(scratch, { recursive: true, force: true });
    if (!m.ok) throw new Error(`bidgym run (${which}) failed:\n${m.tail}`);
    list.push(m);
  }
}

// ---- AuctionGym: its own main.py on its own config ----
const agScratch = mkdtempSync(join(tmpdir(), 'auctiongym-sbs-'));
const shim = `import numpy, runpy, sys; numpy.bool = bool; sys.path.insert(0, ${JSON.stringify(agSrc)}); sys.argv = ['main.py', ${JSON.stringify(agConfig)}]; runpy.run_path(${JSON.stringify(join(agSrc, 'main.py'))}, run_name='__main__')`;
const ag = measure([python, '-c', shim], agScratch);
if (!ag.ok) {
  console.error(`bench/auctiongym-side-by-side: AuctionGym's main.py failed:\n${ag.tail}`);
  process.exit(1);
}
const load1 = loadavg()[0]!;
rmSync(agScratch, { recursive: true, force: true });

const cpu = (m: { user: number; sys: number }) => m.user + m.sys;
const med = (ms: ReturnType<typeof measure>[]) => [...ms].sort((a, b) => cpu(a) - cpu(b))[Math.floor(ms.length / 2)]!;
const b = med(bidgym);
const bn = med(bidgymNoReport);
console.log('\n| SP_Oracle workload, 600,000 auctions | wall s | CPU s (user + sys) | AuctionGym CPU ÷ this |');
console.log('|---|---:|---:|---:|');
console.log(`| AuctionGym \`python3 src/main.py config/SP_Oracle.json\` | ${ag.wall.toFixed(1)} | ${cpu(ag).toFixed(2)} | 1 |`);
console.log(`| bidgym \`run auctiongym-sp-oracle.yaml\` (report included; median of ${rounds}) | ${b.wall.toFixed(2)} | ${cpu(b).toFixed(2)} | ${(cpu(ag) / cpu(b)).toFixed(1)} |`);
console.log(`| bidgym, \`--no-report\` (median of ${rounds}) | ${bn.wall.toFixed(2)} | ${cpu(bn).toFixed(2)} | ${(cpu(ag) / cpu(bn)).toFixed(1)} |`);
if (otherBin) {
  const o = med(other);
  const on = med(otherNoReport);
  console.log(`| ${against} (report included; median of ${rounds}) | ${o.wall.toFixed(2)} | ${cpu(o).toFixed(2)} | ${(cpu(ag) / cpu(o)).toFixed(1)} |`);
  console.log(`| ${against}, \`--no-report\` (median of ${rounds}) | ${on.wall.toFixed(2)} | ${cpu(on).toFixed(2)} | ${(cpu(ag) / cpu(on)).toFixed(1)} |`);
  const list = (ms: ReturnType<typeof measure>[]) => ms.map((m) => cpu(m).toFixed(2)).join(', ');
  console.log(`\nevery round, CPU s: this ${list(bidgym)} (--no-report ${list(bidgymNoReport)}); ${against} ${list(other)} (--no-report ${list(otherNoReport)})`);
}
console.log(`\nload average ${load0.toFixed(2)} at start, ${load1.toFixed(2)} at the end; target: AuctionGym CPU ÷ bidgym CPU ≥ 50.`);
