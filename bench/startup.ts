/**
 * Start-up time of the `bidgym` command, against `node -e 0`, measured in the
 * same run (interleaved rounds, so load on the machine hits every command alike).
 *
 *   npx tsx bench/startup.ts [--quick] [--runs N] [--hyperfine]
 *
 * Commands: `node -e 0`; the compiled bin (dist/bin/bidgym.js, `npm run build`
 * first) with `--version`, `--help` and `validate experiments/configs/quickstart.yaml`;
 * and, for comparison, the source-tree launcher through tsx (bin/bidgym.mjs,
 * what the bin was before the package was compiled). Prints median and min wall
 * time of each and its ratio to `node -e 0` (target: --version and validate
 * within 4×). With --hyperfine (and hyperfine installed) hyperfine measures instead.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : quick ? 5 : 15;
const dist = join(root, 'dist', 'bin', 'bidgym.js');
if (!existsSync(dist)) {
  console.error('bench/startup: dist/bin/bidgym.js is missing; run `npm run build` first');
  process.exit(2);
}
const node = process.execPath;
const config = 'experiments/configs/quickstart.yaml';
const commands: { name: string; argv: string[]; target?: number }[] = [
  { name: 'node -e 0', argv: [node, '-e', '0'] },
  { name: 'bidgym --version', argv: [node, dist, '--version'], target: 4 },
  { name: 'bidgym --help', argv: [node, dist, '--help'] },
  { name: 'bidgym validate quickstart', argv: [node, dist, 'validate', config], target: 4 },
  { name: 'tsx launcher --help (before)', argv: [node, join(root, 'bin', 'bidgym.mjs'), '--help'] },
  { name: 'tsx launcher validate (before)', argv: [node, join(root, 'bin', 'bidgym.mjs'), 'validate', config] },
];

function once(argv: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return s;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const load0 = loadavg()[0]!;
console.log(`# bidgym start-up (${new Date().toISOString().slice(0, 10)}, ${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}, node ${process.version}, load ${load0.toFixed(2)})`);

if (args.includes('--hyperfine')) {
  const hf = spawnSync('hyperfine', ['--version']);
  if (hf.status !== 0) {
    console.error('bench/startup: hyperfine is not installed (apt-get install -y hyperfine)');
    process.exit(2);
  }
  const q = (a: string[]) => a.map((x) => (/[^\w./=-]/.test(x) ? `'${x}'` : x)).join(' ');
  spawnSync('hyperfine', ['-N', '--warmup', '2', '--runs', String(runs), ...commands.flatMap((c) => ['-n', c.name, q(c.argv)])], { cwd: root, stdio: 'inherit' });
  process.exit(0);
}

for (const c of commands) once(c.argv); // warm the file cache
const times = commands.map(() => [] as number[]);
for (let r = 0; r < runs; r++) commands.forEach((c, i) => times[i]!.push(once(c.argv)));
const base = median(times[0]!);
console.log('');
console.log(`| command | median s | min s | × node -e 0 | target |`);
console.log(`|---|---:|---:|---:|---|`);
commands.forEach((c, i) => {
  const m = median(times[i]!);
  const ratio = m / base;
  const verdict = c.target === undefined ? '' : ratio <= c.target ? `≤ ${c.target}× ✓` : `≤ ${c.target}× ✗`;
  console.log(`| ${c.name} | ${m.toFixed(3)} | ${Math.min(...times[i]!).toFixed(3)} | ${ratio.toFixed(1)} | ${verdict} |`);
});
console.log(`\n${runs} interleaved rounds; load average ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`);
