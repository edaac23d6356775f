/**
 * A long fuzzing campaign of the command line's input-error promise
 * (test/experiments/cli-fuzz-cases.ts): mutated shipped configs through
 * validate and run/sweep, and odd command lines, against the compiled bin.
 *
 *   npm run build && npx tsx test/experiments/cli-fuzz-campaign.ts --runs 500 --seed 1 [--flags 200] [--only quickstart]
 *
 * Prints every broken promise (the case, what it did, stderr) and a tally;
 * exits 1 when any was found. Not a test file (vitest runs *.test.ts only).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { baseConfigs, checkConfigCase, checkFlagCase, configCaseArb, flagCaseArb, flagFixtures, short, type Problem } from './cli-fuzz-cases.js';

const args = process.argv.slice(2);
const opt = (name: string, d: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : d;
};
const runs = Number(opt('runs', '100'));
const flagRuns = Number(opt('flags', String(Math.ceil(runs / 4))));
const seed = Number(opt('seed', '1'));
const only = opt('only', '');
const keep = args.includes('--keep');

const root = mkdtempSync(join(tmpdir(), 'bidgym-fuzz-'));
const bases = baseConfigs().filter((b) => !only || only.split(',').includes(b.name));
let found = 0;
const tally: Record<string, number> = {};
const report = (kind: string, what: string, problems: Problem[], extra = '') => {
  found++;
  process.stdout.write(`\n### ${kind}: ${what}\n${extra}`);
  for (const p of problems) process.stdout.write(`  ${p.command}: ${p.problem}\n${p.stderr ? `    stderr: ${p.stderr.trim().split('\n').slice(0, 6).join('\n            ')}\n` : ''}`);
};

const t0 = Date.now();
const cases = fc.sample(configCaseArb(bases), { numRuns: runs, seed });
cases.forEach((c, i) => {
  const dir = join(root, `c${i}`);
  const r = checkConfigCase(c.text, { dir });
  const outcome = `validate ${r.validate.status}${r.run ? `, ${r.run.argv[0]} ${r.run.timedOut ? 'timeout' : r.run.status}` : ''}`;
  tally[outcome] = (tally[outcome] ?? 0) + 1;
  if (r.slow) process.stdout.write(`\n(slow, killed after ${r.run!.ms} ms: config case ${i}: ${c.base} ${c.what.join('; ')})\n`);
  if (r.problems.length) report(`config case ${i}`, `${c.base} [${c.form.kind}${c.form.kind === 'damaged' ? ` ${c.form.how}` : ''}] ${c.what.join('; ')}`, r.problems, `  (folder ${dir}; validate ${r.validate.ms} ms${r.run ? `, ${r.run.argv[0]} ${r.run.ms} ms` : ''})\n  validate stderr: ${short(r.validate.stderr.trim())}\n`);
  else if (!keep) rmSync(dir, { recursive: true, force: true });
  if ((i + 1) % 50 === 0) process.stderr.write(`${i + 1}/${runs} config cases, ${found} problems, ${Math.round((Date.now() - t0) / 1000)} s\n`);
});

if (flagRuns > 0) {
  const fx = flagFixtures(join(root, 'fixtures'));
  const flagCases = fc.sample(flagCaseArb, { numRuns: flagRuns, seed });
  flagCases.forEach((c, i) => {
    const dir = join(root, `f${i}`);
    const { ran, problems } = checkFlagCase(c, fx, dir);
    const outcome = `${c.argv[0]} ${ran.timedOut ? 'timeout' : ran.status}`;
    tally[outcome] = (tally[outcome] ?? 0) + 1;
    if (problems.length) report(`flag case ${i}`, c.argv.map((a) => short(a)).join(' '), problems);
    else if (!keep) rmSync(dir, { recursive: true, force: true });
  });
}

process.stdout.write(`\n${runs} config cases, ${flagRuns} flag cases (seed ${seed}), ${found} with problems, ${Math.round((Date.now() - t0) / 1000)} s\n`);
for (const [k, n] of Object.entries(tally).sort()) process.stdout.write(`  ${k}: ${n}\n`);
if (found === 0 && !keep) rmSync(root, { recursive: true, force: true });
else process.stdout.write(`cases kept in ${root}\n`);
process.exitCode = found ? 1 : 0;
