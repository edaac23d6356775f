/**
 * The command line's promise for bad input: one line naming the field, exit
 * code 2, before any work, nothing written; and its output folders: a non-empty
 * --out refused unless --force (which replaces the folder whole), a lock against
 * a second writer, stale temporary folders removed, report keeping files it did
 * not make. Runs `main()` in-process (the compiled bin is covered by
 * test/package/).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../experiments/cli.js';

let root = '';
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'bidgym-cli-errors-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const TINY = `name: tiny
seed: 1
replications: 2
episodes: 1
evalEpisodes: 1
auctionsPerEpisode: 300
exchange: { mechanism: second-price }
bidders:
  - { id: learner, agent: { kind: q-learning }, value: { kind: uniform } }
  - { id: rival, agent: { kind: truthful }, value: { kind: uniform } }
`;

/** Runs the CLI; returns its exit code and what it wrote to stdout / stderr. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    const code = await main(argv);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/** A fresh folder holding `config.yaml` with `text`. */
function caseDir(name: string, text: string): { dir: string; file: string } {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'config.yaml');
  writeFileSync(file, text);
  return { dir, file };
}

/** Every file under `dir`, relative, sorted. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

const sub = (from: string, to: string) => TINY.replace(from, to);

/** `bidgym argv` is refused as bad input: exit 2, one line matching `why`, and `dir` left as it was (`before`). */
async function expectRefused(argv: string[], why: RegExp, dir: string, before: string[]): Promise<void> {
  const r = await cli(...argv);
  expect(r.code, `${argv.join(' ')}: ${r.err}`).toBe(2);
  expect(r.err.trim().split('\n')).toHaveLength(1);
  expect(r.err.trim()).toMatch(why);
  expect(tree(dir), argv.join(' ')).toEqual(before);
}

const BAD: [string, string, RegExp][] = [
  ['unknown mechanism', sub('second-price', 'sealed-envelope'), /exchange\.mechanism/],
  ['a bidder id of 250 characters', sub('id: learner', `id: ${'x'.repeat(250)}`), /bidders\[0\]\.id: at most 64 characters, got 250/],
  ['a bidder id __proto__', sub('id: learner', 'id: __proto__'), /bidders\[0\]\.id/],
  ['a bidder id constructor', sub('id: learner', 'id: constructor'), /bidders\[0\]\.id: "constructor" is reserved/],
  ['a name with a dot', sub('name: tiny', 'name: .tmp-x'), /^bidgym: name:/],
  ['auctionsPerEpisode 1e12', sub('auctionsPerEpisode: 300', 'auctionsPerEpisode: 1e12'), /auctionsPerEpisode: .* per-episode entries an array can hold/],
  ['episodes 1e9', sub('episodes: 1\n', 'episodes: 1000000000\n'), /episodes: .* more than the 7 days a run may take/],
  ['publishers 1e12', sub('{ mechanism: second-price }', '{ mechanism: second-price, publishers: 1000000000000 }'), /exchange\.publishers: the run needs about .* of memory/],
  ['an objective that is NaN on a lost auction', sub('{ id: rival, agent', '{ id: rival, objective: "value / spend", agent'), /bidders\[1\]\.objective: "value \/ spend" gives NaN .* \(a lost auction\)/],
  ['duplicate q-learning features', sub('agent: { kind: q-learning }', 'agent: { kind: q-learning, features: [value, value] }'), /bidders\[0\]\.agent\.features/],
  ['a constant bid of 1e308', sub('agent: { kind: truthful }', 'agent: { kind: constant, amount: 1e308 }'), /bidders\[1\]\.agent\.amount/],
  ['a click worth 1e308', `${TINY}users: { count: 100 }\n`.replace('{ id: rival, agent: { kind: truthful }, value: { kind: uniform } }', '{ id: rival, agent: { kind: truthful }, value: { kind: per-click, amount: 1e308 } }'), /bidders\[1\]\.value\.amount/],
  ['a private value up to 1e308', sub('{ id: rival, agent: { kind: truthful }, value: { kind: uniform } }', '{ id: rival, agent: { kind: truthful }, value: { kind: uniform, high: 1e308 } }'), /bidders\[1\]\.value\.high/],
  ['attentionSharpness 1e308', `${TINY}users: { count: 100, attentionSharpness: 1e308 }\n`, /users\.attentionSharpness/],
  ['a policy file that cannot be read (/proc/self/mem: validate accepted it; a trial of it failed, exit 1)', sub('agent: { kind: truthful }', 'agent: { kind: policy, path: /proc/self/mem }'), /^bidgym: bidders\[1\]\.agent\.path: cannot read policy file \/proc\/self\/mem: EIO/],
  ['a policy file that is not a policy (validate accepted it)', sub('agent: { kind: truthful }', 'agent: { kind: policy, path: /etc/hostname }'), /^bidgym: bidders\[1\]\.agent\.path: \/etc\/hostname: not valid JSON/],
  ['a DQN replay buffer of 1e12 transitions (validate accepted it; the run was a RangeError, exit 1)', sub('agent: { kind: q-learning }', 'agent: { kind: dqn, replaySize: 1e12 }'), /^bidgym: bidders\[0\]\.agent\.replaySize: a buffer of 1,000,000,000,000 transitions needs at least 24 TB of memory/],
  ['an actor-critic batch of 5e9 transitions for 3 copies', sub('{ id: learner, agent: { kind: q-learning }', '{ id: learner, copies: 3, agent: { kind: actor-critic, batchSize: 5000000000 }'), /^bidgym: bidders\[0\]\.agent\.batchSize: a buffer of 5,000,000,000 transitions for each of 3 copies needs at least/],
  ['a missing interest model folder', `${TINY}users: { count: 100 }\ninterestModel: { kind: attention, path: no-such-model }\n`, /interestModel\.path: no folder no-such-model/],
  ['a sweep key __proto__', `${TINY}sweep: { "__proto__.polluted": [1, 2] }\n`, /sweep\["__proto__\.polluted"\]/],
  ['a sweep of 1e6 grid points', `${TINY}sweep: { seed: [${Array.from({ length: 1000 }, (_, i) => i).join(',')}], exchange.reservePrice: [${Array.from({ length: 1000 }, (_, i) => i / 1000).join(',')}] }\n`, /sweep: 1,000,000 grid points .* more than the 100,000/],
  ['a sweep point the schema refuses', `${TINY}sweep: { exchange.reservePrice: [0, -1] }\n`, /reservePrice/],
  ['a YAML alias bomb', 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + 'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`).join('\n') + '\n', /aliases more than 100 times/],
  ['nesting 1,000 deep', `name: ${'['.repeat(1000)}${']'.repeat(1000)}\n`, /nested too deeply|nested more than 64 levels/],
  ['a 5,000-character value', `${TINY.replace('exchange: { mechanism: second-price }\n', '')}exchange: ${'y'.repeat(5000)}\n`, /exchange: expected object — got "y{40}…" \(5000 characters\)/],
];

describe('bad input: one line, exit 2, nothing written', () => {
  for (const [what, text, why] of BAD) {
    it(what, async () => {
      const { dir, file } = caseDir(what.replace(/[^a-z0-9]+/gi, '-'), text);
      const before = tree(dir);
      const commands = [['validate', file], ['run', file, '--out', join(dir, 'out'), '--quiet']];
      if (/sweep/.test(what)) commands.push(['sweep', file, '--out', join(dir, 'sweep-out'), '--quiet']);
      for (const argv of commands) {
        if (argv[0] === 'run' && /sweep/.test(what)) continue; // run refuses a sweep config anyway (tested below)
        const r = await cli(...argv);
        expect(r.code, `${argv[0]}: ${r.err}`).toBe(2);
        expect(r.err.trim().split('\n'), argv[0]).toHaveLength(1);
        expect(r.err, argv[0]).toMatch(why);
        expect(r.err.length).toBeLessThanOrEqual(320);
        expect(tree(dir), `${argv[0]} wrote nothing`).toEqual(before);
      }
    }, 60_000);
  }

  it('queue flags: a bad value, or a flag that needs --queue given without it, is one line, exit 2, nothing written', async () => {
    const { dir, file } = caseDir('queue-flags', `${TINY}sweep: { exchange.reservePrice: [0, 0.1] }\n`);
    writeFileSync(join(dir, 'short-secret'), 'abc\n');
    const before = tree(dir);
    const out = join(dir, 'out');
    const cases: [string[], RegExp][] = [
      [['--queue-key', 'k'], /^bidgym: --queue-key: only with --queue/],
      [['--max-job-inputs-mb', '8'], /^bidgym: --max-job-inputs-mb: only with --queue/],
      [['--tls-ca', file], /^bidgym: --tls-ca: only with --queue/],
      [['--queue', 'redis://127.0.0.1:1', '--workers', '2'], /^bidgym: --workers: not with --queue/],
      [['--queue', 'redis://127.0.0.1:1', '--max-job-inputs-mb', '0'], /^bidgym: --max-job-inputs-mb: expected a positive number of MiB, got 0/],
      [['--queue', 'redis://127.0.0.1:1', '--max-sweep-inputs-mb', 'lots'], /^bidgym: --max-sweep-inputs-mb: expected a positive number of MiB, got NaN/],
      [['--queue', 'redis://127.0.0.1:1', '--max-result-mb', '-1'], /^bidgym: --max-result-mb: expected a positive number of MiB/],
      [['--queue', 'http://127.0.0.1:1'], /^bidgym: --queue: expected a Redis URL .* got the scheme "http"/],
      [['--queue', 'redis://:hunter2@127.0.0.1:1/x'], /^bidgym: --queue: .*database number/],
      [['--queue', 'redis://127.0.0.1:1', '--queue-key', 'a:b'], /^bidgym: --queue-key: expected 1–64 letters/],
      [['--queue', 'redis://127.0.0.1:1', '--tls-ca', file], /^bidgym: --tls-ca: TLS files need a rediss:\/\/ URL/],
      [['--queue', 'rediss://127.0.0.1:1', '--tls-key', join(dir, 'no-key.pem')], /^bidgym: --tls-key: cannot read .*ENOENT/],
      [['--queue', 'redis://127.0.0.1:1', '--queue-secret-file', join(dir, 'short-secret')], /^bidgym: --queue-secret-file .*: the queue secret must be at least 16 characters/],
      [['--queue', 'redis://127.0.0.1:1'], /^bidgym: cannot reach Redis at 127\.0\.0\.1:1\/0: /],
    ];
    for (const [flags, why] of cases) {
      const r = await cli('sweep', file, '--out', out, '--quiet', ...flags);
      expect(r.code, `${flags.join(' ')}: ${r.err}`).toBe(2);
      expect(r.err.trim().split('\n'), flags.join(' ')).toHaveLength(1);
      expect(r.err, flags.join(' ')).toMatch(why);
      expect(r.err).not.toContain('hunter2');
      expect(tree(dir), `${flags.join(' ')} wrote nothing`).toEqual(before);
    }
    for (const [flags, why] of [
      [['--queue', 'redis://127.0.0.1:1', '--max-job-inputs-mb', '0'], /^bidgym: --max-job-inputs-mb: expected a positive number of MiB, got 0/],
      [['--queue', 'redis://127.0.0.1:1', '--trial-memory-mb', '0.5'], /^bidgym: --trial-memory-mb: expected a whole number ≥ 1/],
      [['--queue', 'redis://127.0.0.1:1/1234567'], /^bidgym: --queue: .*database number/],
      [['--queue', 'redis://127.0.0.1:1', '--tls-cert', file], /^bidgym: --tls-cert: TLS files need a rediss:\/\/ URL/],
      [['--queue', 'redis://127.0.0.1:1'], /^bidgym: cannot reach Redis at 127\.0\.0\.1:1\/0: /],
    ] as [string[], RegExp][]) {
      const r = await cli('worker', '--queue-key', 'k', '--work-dir', join(dir, 'wd'), '--quiet', ...flags);
      expect(r.code, `${flags.join(' ')}: ${r.err}`).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err, flags.join(' ')).toMatch(why);
      expect(existsSync(join(dir, 'wd')), `${flags.join(' ')}: no work folder`).toBe(false);
    }
  }, 60_000);

  it('a flag given twice is one line, exit 2, nothing written (yargs made it a list: keygen --out a --out b was a TypeError, exit 1); a list flag stays repeatable', async () => {
    const { dir, file } = caseDir('repeated-flags', TINY);
    const before = tree(dir);
    for (const [argv, why] of [
      [['keygen', '--out', join(dir, 'k1'), '--out', join(dir, 'k2')], /^bidgym: --out: given 2 times \(….*k1", ….*k2"\); give it once$/],
      [['keygen', '--out', join(dir, 'k1'), '--out'], /^bidgym: --out: given 2 times/],
      [['run', file, '--out', join(dir, 'o1'), '--out', join(dir, 'o2'), '--quiet'], /^bidgym: --out: given 2 times/],
      [['run', file, '--out', join(dir, 'o1'), '--workers', '1', '--workers', '2'], /^bidgym: --workers: given 2 times \(1, 2\)/],
      [['evaluate', '--policy', file, '--policy', file, '--config', file, '--out', join(dir, 'e')], /^bidgym: --policy: given 2 times/],
      [['export', dir, '--bidder', 'a', '--bidder', 'b'], /^bidgym: --bidder: given 2 times/],
      [['sweep', file, '--out', join(dir, 's'), '--out', join(dir, 's2')], /^bidgym: --out: given 2 times/],
      [['log', file, '--bidder', 'learner', '--bidder', 'rival', '--out', join(dir, 'l.csv')], /^bidgym: --bidder: a bid log records exactly one bidder — got 2$/],
    ] as [string[], RegExp][]) await expectRefused(argv, why, dir, before);
  });

  it('log checks the config as run does and its output files before any work (an --out at a folder, a device or under a file, and auctionsPerEpisode 1e12, were errors with a stack, exit 1, after the work)', async () => {
    const { dir, file } = caseDir('log-out', TINY);
    writeFileSync(join(dir, 'big.yaml'), sub('auctionsPerEpisode: 300', 'auctionsPerEpisode: 1e12'));
    const step = join(dir, 'step.yaml');
    writeFileSync(step, 'name: step\nsteps: 4\nreplications: 1\nevalEpisodes: 1\nauctionsPerEpisode: 400\nbidders:\n  - { id: a, agent: { kind: pid }, budget: 100, cpa: 10 }\n');
    mkdirSync(join(dir, 'a-folder'));
    const before = tree(dir);
    for (const [argv, why] of [
      [['log', file, '--bidder', 'learner', '--out', join(dir, 'a-folder')], /^bidgym: --out .*a-folder: is a folder, expected a file$/],
      [['log', file, '--bidder', 'learner', '--out', '/dev/full'], /^bidgym: --out \/dev\/full: not a regular file/],
      [['log', file, '--bidder', 'learner', '--out', join(file, 'x.csv')], /^bidgym: --out .*config\.yaml\/x\.csv: cannot create its folder \(ENOTDIR/],
      [['log', join(dir, 'big.yaml'), '--bidder', 'learner', '--out', join(dir, 'l.csv')], /^bidgym: auctionsPerEpisode: .* per-episode entries an array can hold/],
      [['log', step, '--out', join(dir, 'a-folder')], /^bidgym: --out .*a-folder: is a folder, expected a file$/],
      [['log', step, '--out', join(dir, 't.jsonl'), '--auctionnet', join(file, 'a.csv')], /^bidgym: --auctionnet .*: cannot create its folder/],
      [['log', step, '--out', join(dir, 't.jsonl'), '--auctionnet', join(dir, 't.jsonl')], /^bidgym: --auctionnet: the same file as --out/],
      [['log', step, '--out', join(dir, 't.jsonl'), '--episodes', '1000000000'], /^bidgym: --episodes: 1000000000 episodes × 4 steps × 1 bidders of transitions need about .* of memory/],
    ] as [string[], RegExp][]) await expectRefused(argv, why, dir, before);
    // A folder that does not exist yet is made when the log is written.
    const ok = await cli('log', file, '--bidder', 'learner', '--out', join(dir, 'new', 'l.csv'));
    expect(ok.code, ok.err).toBe(0);
    expect(readFileSync(join(dir, 'new', 'l.csv'), 'utf8')).toMatch(/^price,pctr,click/);
    expect(readdirSync(join(dir, 'new'))).toEqual(['l.csv']);
  }, 60_000);

  it('export and keygen check where they write: a folder, a device (export --out /dev/full replaced the device with a file), a link to one, a path under a file; --out under /proc is refused, not an endless mkdir', async () => {
    const { dir, file } = caseDir('out-files', TINY);
    const run = join(dir, 'run');
    expect((await cli('run', file, '--out', run, '--quiet', '--no-report', '--workers', '1')).code).toBe(0);
    mkdirSync(join(dir, 'a-folder'));
    execFileSync('ln', ['-s', '/dev/null', join(dir, 'null-link')]);
    const before = tree(dir);
    const cases: [string[], RegExp][] = [
      [['export', run, '--bidder', 'learner', '--out', join(dir, 'a-folder')], /^bidgym: --out .*a-folder: is a folder, expected a file$/],
      [['export', run, '--bidder', 'learner', '--out', '/dev/full'], /^bidgym: --out \/dev\/full: not a regular file/],
      [['export', run, '--bidder', 'learner', '--out', join(dir, 'null-link')], /^bidgym: --out .*null-link: not a regular file/],
      [['export', run, '--bidder', 'learner', '--out', join(file, 'x.json')], /^bidgym: --out .*: cannot create its folder \(ENOTDIR/],
      [['keygen', '--out', file], /^bidgym: --out .*config\.yaml: is a file, not a folder$/],
      [['keygen', '--out', '/dev/full'], /^bidgym: --out \/dev\/full: is a file, not a folder$/],
    ];
    if (existsSync('/proc/self')) {
      cases.push(
        [['keygen', '--out', '/proc/bidgym-no-such'], /^bidgym: --out \/proc\/bidgym-no-such: cannot create the folder \(ENOENT\)$/],
        [['run', file, '--out', '/proc/bidgym-no-such/run', '--quiet'], /^bidgym: --out \/proc\/bidgym-no-such\/run: cannot create its parent folder \(ENOENT/],
        [['evaluate', '--policy', join(run, 'policies', 'learner.json'), '--config', file, '--out', '/proc/bidgym-no-such/e', '--quiet'], /^bidgym: --out .*: cannot create its parent folder \(ENOENT/],
      );
    }
    for (const [argv, why] of cases) await expectRefused(argv, why, dir, before);
    expect(statSync('/dev/full').isCharacterDevice()).toBe(true);
    const ok = await cli('export', run, '--bidder', 'learner', '--out', join(dir, 'new', 'learner.json'));
    expect(ok.code, ok.err).toBe(0);
    expect(readdirSync(join(dir, 'new'))).toEqual(['learner.json']);
  }, 60_000);

  it("a sweep of a log market checks its logs before any work, locally and with --queue", async () => {
    const { dir } = caseDir('log-sweep', '');
    writeFileSync(join(dir, 'test.txt'), '0 50 0.001\n1 not-a-price 0.002\n');
    const cfg = {
      name: 'log-sweep',
      seed: 1,
      replications: 1,
      episodes: 0,
      auctionsPerEpisode: 100,
      log: { format: 'rlb', path: join(dir, 'test.txt') },
      bidders: [{ id: 'lin', agent: { kind: 'lin-bid', b0: 10 } }],
      sweep: { 'bidders.0.agent.b0': [10, 20] },
    };
    const file = join(dir, 'config.yaml');
    writeFileSync(file, JSON.stringify(cfg));
    const before = tree(dir);
    for (const extra of [[], ['--queue', 'redis://127.0.0.1:1']]) {
      const r = await cli('sweep', file, '--out', join(dir, 'out'), '--quiet', ...extra);
      expect(r.code, `${extra.join(' ')}: ${r.err}`).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(/test\.txt/);
      expect(r.err).not.toMatch(/cannot reach Redis/);
      expect(tree(dir)).toEqual(before);
    }
  });

  it('policy files for evaluate and export: a bad file, key, bidder or flag is one line, exit 2, nothing written', async () => {
    const { dir, file } = caseDir('policy-flags', TINY);
    const run = join(dir, 'run');
    expect((await cli('run', file, '--out', run, '--quiet', '--no-report', '--workers', '1')).code).toBe(0);
    const policy = join(run, 'policies', 'learner.json');
    execFileSync('mkfifo', [join(dir, 'fifo.json')]);
    const before = tree(dir);
    const out = join(dir, 'eval');
    const evaluate: [string[], RegExp][] = [
      [['--policy', '/dev/zero'], /^bidgym: .*\/dev\/zero: a character device; a policy file is read only from a regular file$/],
      [['--policy', join(dir, 'fifo.json')], /fifo\.json: a FIFO; a policy file is read only from a regular file$/],
      [['--policy', run], /run: a folder; a policy file is read only from a regular file$/],
      [['--policy', file], /config\.yaml: not valid JSON/],
      [['--policy', join(dir, 'nope.json')], /cannot read policy file .*nope\.json: ENOENT/],
      [['--policy', policy, '--bidder', 'nobody'], /--bidder: no bidder "nobody" in the config/],
      [['--policy', policy, '--workers', '0'], /--workers: expected a positive integer, got 0/],
      [['--policy', policy, '--public-key', join(dir, 'nope.pem')], /cannot read public key .*nope\.pem: ENOENT/],
      [['--policy', policy, '--public-key', file], /config\.yaml: not a PEM public key/],
    ];
    for (const [flags, why] of evaluate) {
      const r = await cli('evaluate', '--config', file, '--out', out, '--quiet', ...flags);
      expect(r.code, `${flags.join(' ')}: ${r.err}`).toBe(2);
      expect(r.err.trim().split('\n'), flags.join(' ')).toHaveLength(1);
      expect(r.err.trim(), flags.join(' ')).toMatch(why);
      expect(tree(dir), `${flags.join(' ')} wrote nothing`).toEqual(before);
    }
    const exported = join(dir, 'exported.json');
    for (const [flags, why] of [
      [['--bidder', 'nobody', '--out', exported], /nobody/],
      [['--bidder', 'learner', '--sign', policy, '--out', exported], /not a PEM private key/],
      [['--bidder', 'learner', '--sign', join(dir, 'nope.pem'), '--out', exported], /cannot read private key .*nope\.pem: ENOENT/],
      [['--bidder', 'learner', '--sign', policy], /--sign: needs --out/],
    ] as [string[], RegExp][]) {
      const r = await cli('export', run, ...flags);
      expect(r.code, `${flags.join(' ')}: ${r.err}`).toBe(2);
      expect(r.err.trim().split('\n'), flags.join(' ')).toHaveLength(1);
      expect(r.err.trim(), flags.join(' ')).toMatch(why);
      expect(tree(dir), `${flags.join(' ')} wrote nothing`).toEqual(before);
    }
  }, 60_000);

  it('a config that is a FIFO, /dev/zero, a folder or over 10 MB is refused without reading it', async () => {
    const { dir } = caseDir('special-files', TINY);
    execFileSync('mkfifo', [join(dir, 'fifo.yaml')]);
    writeFileSync(join(dir, 'big.yaml'), `name: big\n#${'a'.repeat(10 * 1024 * 1024)}\n`);
    for (const [path, why] of [
      [join(dir, 'fifo.yaml'), /not a regular file/],
      ['/dev/zero', /not a regular file/],
      [dir, /not a regular file/],
      [join(dir, 'big.yaml'), /more than the 10 MB a config may have/],
    ] as const) {
      const r = await cli('validate', path);
      expect(r.code, path).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(why);
    }
  });

  it('run on a config with a sweep: block is refused, with a pointer to sweep', async () => {
    const { dir, file } = caseDir('run-sweep', `${TINY}sweep: { exchange.reservePrice: [0, 0.1] }\n`);
    const r = await cli('run', file, '--out', join(dir, 'out'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/has a sweep: block, which run does not run; use bidgym sweep/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('--out at a file, or where no folder can be made, is refused before any work', async () => {
    const { dir, file } = caseDir('out-file', TINY);
    writeFileSync(join(dir, 'a-file'), 'x');
    let r = await cli('run', file, '--out', join(dir, 'a-file'), '--quiet');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--out .*a-file: is a file, not a folder/);
    r = await cli('run', file, '--out', join(dir, 'a-file', 'run'), '--quiet');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--out .*: cannot create its parent folder \((ENOTDIR|EEXIST)/);
    expect(tree(dir)).toEqual(['a-file', 'config.yaml']);
  });

  it('report on a damaged run or sweep folder is one line naming the file (a truncated summary.json was a SyntaxError with a stack, exit 1)', async () => {
    const { dir, file } = caseDir('report-damaged', TINY);
    const run = join(dir, 'run');
    expect((await cli('run', file, '--out', run, '--quiet', '--no-report', '--workers', '1')).code).toBe(0);
    const summary = readFileSync(join(run, 'summary.json'), 'utf8');
    for (const [text, why, extra] of [
      [summary.slice(0, summary.length >> 1), /^bidgym: report: .*summary\.json is not valid JSON/, []],
      [summary.slice(0, summary.length >> 1), /^bidgym: report: .*summary\.json is not valid JSON/, ['--baseline', 'rival']],
      ['[1, 2, 3]', /^bidgym: report: .*summary\.json is not a run summary bidgym wrote \(expected a JSON object\)$/, []],
      [JSON.stringify({ ...JSON.parse(summary), bidders: null }), /^bidgym: report: .*summary\.json is not a run summary bidgym wrote \(bidders: expected an object of bidders\)$/, []],
    ] as [string, RegExp, string[]][]) {
      writeFileSync(join(run, 'summary.json'), text);
      const before = tree(dir);
      const r = await cli('report', run, ...extra);
      expect(r.code, r.err).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err.trim()).toMatch(why);
      expect(tree(dir)).toEqual(before);
    }
    const sweep = join(dir, 'sweep');
    mkdirSync(sweep);
    writeFileSync(join(sweep, 'sweep.json'), JSON.stringify({ name: 'x', replications: 1, sweep: { seed: [1] }, points: 7 }));
    const r = await cli('report', sweep);
    expect(r.code, r.err).toBe(2);
    expect(r.err.trim()).toMatch(/^bidgym: report: .*sweep\.json is not a sweep table bidgym wrote \(points: expected a list of grid points\)$/);
  }, 60_000);

  it('report --baseline names a bidder of the run', async () => {
    const { dir, file } = caseDir('report-baseline', TINY);
    expect((await cli('run', file, '--out', join(dir, 'run'), '--quiet', '--no-report')).code).toBe(0);
    const r = await cli('report', join(dir, 'run'), '--baseline', 'nobody');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--baseline: no bidder "nobody" .*\(have learner, rival\)/);
    expect(existsSync(join(dir, 'run', 'report.html'))).toBe(false);
  }, 60_000);
});

describe('output folders: no silent mixing', () => {
  it('refuses a non-empty --out; --force replaces it whole', async () => {
    const { dir, file } = caseDir('force', TINY);
    const out = join(dir, 'out');
    expect((await cli('run', file, '--out', out, '--quiet', '--no-report')).code).toBe(0);
    writeFileSync(join(out, 'policies', 'stale.json'), '{}');
    const refused = await cli('run', file, '--out', out, '--quiet', '--no-report');
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/--out .*out: the folder is not empty .* add --force to replace it/);
    expect(existsSync(join(out, 'policies', 'stale.json'))).toBe(true);
    const forced = await cli('run', file, '--out', out, '--quiet', '--no-report', '--force');
    expect(forced.code).toBe(0);
    expect(existsSync(join(out, 'policies', 'stale.json'))).toBe(false); // replaced whole, not mixed
    expect(existsSync(join(out, 'summary.json'))).toBe(true);
    expect(readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]); // no lock, no temp folder left
  }, 60_000);

  it('a second writer is refused while the lock is held; a stale lock and stale temporary folders are cleaned up', async () => {
    const { dir, file } = caseDir('lock', TINY);
    const out = join(dir, 'out');
    writeFileSync(join(dir, '.out.lock'), `${process.ppid} ${(await import('node:os')).hostname()}\n`); // a live process holds it
    const locked = await cli('run', file, '--out', out, '--quiet', '--no-report');
    expect(locked.code).toBe(2);
    expect(locked.err).toMatch(new RegExp(`another bidgym \\(pid ${process.ppid}\\) is writing this folder`));
    expect(existsSync(out)).toBe(false);
    const sweepLocked = await cli('sweep', caseDir('lock-sweep', `${TINY}sweep: { exchange.reservePrice: [0, 0.1] }\n`).file, '--out', out, '--quiet');
    expect(sweepLocked.code).toBe(2);
    expect(sweepLocked.err).toMatch(/another bidgym .* is writing this folder/);

    writeFileSync(join(dir, '.out.lock'), '999999999 nowhere-but-here\n'.replace('nowhere-but-here', (await import('node:os')).hostname())); // its process is gone
    mkdirSync(join(dir, '.tmp-out-12345-abc'));
    writeFileSync(join(dir, '.tmp-out-12345-abc', 'summary.json'), '{}');
    const r = await cli('run', file, '--out', out, '--quiet', '--no-report');
    expect(r.code, r.err).toBe(0);
    expect(readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]);
    expect(existsSync(join(out, 'summary.json'))).toBe(true);
  }, 60_000);

  it('report leaves files it did not make alone; evaluate writes a report like run', async () => {
    const { dir, file } = caseDir('report-files', TINY);
    const run = join(dir, 'run');
    expect((await cli('run', file, '--out', run, '--quiet')).code).toBe(0);
    writeFileSync(join(run, 'charts', 'mine.png'), 'not made by bidgym');
    expect((await cli('report', run)).code).toBe(0);
    expect(readFileSync(join(run, 'charts', 'mine.png'), 'utf8')).toBe('not made by bidgym');
    const ev = await cli('evaluate', '--policy', join(run, 'policies', 'learner.json'), '--config', file, '--out', join(dir, 'eval'), '--quiet');
    expect(ev.code, ev.err).toBe(0);
    expect(existsSync(join(dir, 'eval', 'report.html'))).toBe(true);
    expect(existsSync(join(dir, 'eval', 'summary.json'))).toBe(true);
  }, 120_000);
});
