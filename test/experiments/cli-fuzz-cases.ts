/**
 * The property-based fuzzer of the command line's input-error promise (shared
 * by test/experiments/cli-fuzz.test.ts and the long campaign
 * test/experiments/cli-fuzz-campaign.ts).
 *
 * Every shipped config (experiments/configs/*.yaml), shrunk so that a run takes
 * well under a second, is mutated (a field's type, extreme numbers, empty and
 * huge lists, duplicates, unknown keys, odd strings, deleted fields, swapped
 * sections, odd sweep blocks and objectives, files that do not exist or are of
 * the wrong kind, damaged YAML text) and put through the compiled bin
 * (dist/bin/bidgym.js, spawned, so that exit codes, stderr and hangs are
 * the real ones). The contract checked ({@link checkConfigCase}):
 *
 * - `validate` exits 0, or exits 2 with exactly one line on stderr (`bidgym: …`,
 *   no stack trace, at most 320 characters);
 * - when `validate` accepts, `run` (or `sweep` for a config with a sweep block)
 *   into a fresh --out exits 0 with a complete folder and a summary without
 *   NaN, or exits 2 with one line and nothing written at all;
 * - anything else (exit 1, a signal, a timeout, a stack trace, two lines, a
 *   partial folder) is a {@link Problem}.
 *
 * Command-line flags are fuzzed the same way ({@link flagCaseArb}): each command with
 * unknown flags, missing values, odd numbers, odd paths, and folders or files of
 * the wrong kind (a truncated or tampered summary.json or policy file).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'dist', 'bin', 'bidgym.js');
const CONFIGS = join(ROOT, 'experiments', 'configs');

/** Longest error line accepted (reportError cuts at 300 plus the prefix). */
export const MAX_LINE = 320;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

/** Sets `o[k] = v` as an own property, even for `__proto__`. */
function put(o: Obj, k: string, v: Json): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

function clone<T>(v: T): T {
  // JSON.parse creates `__proto__` as an own property; structuredClone would too, but NaN must survive: use a reviver-free copy.
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(clone) as T;
  const o: Obj = {};
  for (const [k, x] of Object.entries(v as Obj)) put(o, k, clone(x));
  return o as T;
}

/** A shipped config, shrunk: one replication, one training and one evaluation episode, a few hundred auctions, sixty users. */
export interface BaseConfig {
  name: string;
  raw: Obj;
}

/** Shrinks a shipped config so that a run takes well under a second (the fields the mutations act on stay). */
export function shrink(raw: Obj): Obj {
  const r = clone(raw);
  const stepLevel = typeof r.steps === 'number' && r.steps > 1;
  r.replications = 1;
  r.evalEpisodes = 1;
  if (stepLevel) {
    r.steps = 4;
    r.auctionsPerEpisode = 400;
    r.bidders = (r.bidders as Json[]).slice(0, 4);
    r.episodes = Math.min(Number(r.episodes ?? 0), 1);
  } else {
    r.episodes = Math.min(Number(r.episodes ?? 10), 1);
    r.auctionsPerEpisode = 200;
  }
  if (r.users && typeof r.users === 'object') r.users = { ...(r.users as Obj), count: 60, topics: 4, historyLength: 3, items: 40 };
  if (r.interestModel && typeof r.interestModel === 'object') {
    const im = r.interestModel as Obj;
    r.interestModel = im.kind === 'oracle' ? { ...im, logSize: 1000 } : { ...im, logSize: 1000, epochs: 1 };
  }
  if (r.sweep && typeof r.sweep === 'object') {
    const s: Obj = {};
    for (const [k, v] of Object.entries(r.sweep as Obj)) put(s, k, Array.isArray(v) ? v.slice(0, 2) : v);
    r.sweep = s;
    if (r.sweepBaseline !== undefined) r.sweepBaseline = 0;
  }
  if (r.log && typeof r.log === 'object') {
    const log = { ...(r.log as Obj) };
    for (const k of ['path', 'info', 'trainPath']) if (typeof log[k] === 'string') log[k] = resolve(CONFIGS, log[k] as string);
    r.log = log;
    r.episodes = 0;
  }
  return r;
}

/** Every shipped config, shrunk ({@link shrink}); a log market only when its data is there. */
export function baseConfigs(): BaseConfig[] {
  return readdirSync(CONFIGS)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ name: f.slice(0, -5), raw: shrink(parseYaml(readFileSync(join(CONFIGS, f), 'utf8')) as Obj) }))
    .filter((b) => {
      const log = b.raw.log as Obj | undefined;
      return !log || existsSync(log.path as string);
    });
}

// ---------------------------------------------------------------------------
// Mutations

/** Odd values a field may be set to. */
export const ODD_VALUES: Json[] = [
  0, -1, 1, 2, 0.5, 1.5, 1e308, -1e308, 5e-324, -5e-324, NaN, Infinity, -Infinity, 2 ** 53 + 1, 2 ** 31, 2 ** 32, 1e9, 1e15, -0, 1e-300,
  '', 'x', '1', 'NaN', ' ', 'a'.repeat(300), '../../etc/passwd', '\u0000', 'é✓😀', '__proto__', 'constructor', '-', '.', '\n\t', 'true', '1e308', '%s%n', '${x}',
  [], [0], [1, 2, 3], [null], ['x'], [[]], {}, { a: 1 }, { kind: 'x' }, { kind: 'truthful' }, null, true, false,
];

/** Odd keys an object may get. */
const ODD_KEYS = ['foo', '__proto__', 'constructor', 'prototype', '', 'a.b', 'kind', 'toString', '0', 'é', ' name'];

/** Odd objective expressions. */
const ODD_OBJECTIVES = [
  'value / spend', 'log(spend)', 'sqrt(-1)', '1e308 * value * 1e308', 'value ^ 1e308', '0/0', 'clicks!', 'import("fs")', 'x = 1', 'value; spend',
  'f(x) = x', 'evaluate("1")', 'value +', ')', '"a"', '[1, 2]', 'spend > 0 ? 1 : "a"', 'value == value', 'true', 'matrix([1])', 'a'.repeat(5000), 'value ? : 1',
  'derivative("x^2", "x")', 'createUnit("foo")', '1 cm', 'i', 'e ^ 1000', 'factorial(200)', 'won * Infinity', 'conversions - NaN', '{a: 1}', 'value.a', 'spend[1]',
];

/** Odd file paths (relative ones start from the case folder). */
// Devices only through links in the case folder (a bug that wrote to such a path as root would replace the link, not /dev/null).
const ODD_PATHS = ['no-such-file.json', 'no-such-dir/', 'null-link', 'zero-link', '.', 'config.yaml', 'sub/', '', 'a'.repeat(300), '/proc/self/mem', 'fifo', '/proc/bidgym-no-such/x'];

/** The dotted paths of every value in `v` (objects and lists too), as segment lists. */
function pathsOf(v: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(v)) v.slice(0, 8).forEach((x, i) => pathsOf(x, [...at, i], out)); // a huge list: its first entries
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) pathsOf(x, [...at, k], out);
  return out;
}

function getAt(v: Json, path: (string | number)[]): Json | undefined {
  let x: Json | undefined = v;
  for (const p of path) {
    if (x === null || typeof x !== 'object') return undefined;
    x = (x as Record<string | number, Json>)[p];
  }
  return x;
}

function setAt(root: Obj, path: (string | number)[], v: Json | undefined): Obj {
  if (path.length === 0) return (v ?? {}) as Obj;
  const parent = getAt(root, path.slice(0, -1));
  const k = path[path.length - 1]!;
  if (parent === null || typeof parent !== 'object') return root;
  if (Array.isArray(parent)) {
    if (v === undefined) parent.splice(k as number, 1);
    else parent[k as number] = v;
  } else if (v === undefined) delete (parent as Obj)[k as string];
  else put(parent as Obj, k as string, v);
  return root;
}

/** One mutation: what it did (for the report) and the mutated config. */
export interface Mutated {
  what: string[];
  raw: Obj;
}

/** An odd value, sometimes derived from the one already there. */
function oddValue(old: Json | undefined) {
  const derived: fc.Arbitrary<Json>[] = [];
  if (typeof old === 'number') derived.push(fc.constantFrom<Json>(old * 1e6, -old, old + 0.5, old * 1e-9, Math.round(old) + 2 ** 53));
  if (typeof old === 'string') derived.push(fc.constantFrom<Json>(old.toUpperCase(), `${old}x`, ` ${old}`, old.repeat(50), [old]));
  if (Array.isArray(old)) derived.push(fc.constantFrom<Json>([...old, ...old], old.slice().reverse(), old.length ? [old[0]!] : [], Array(10_000).fill(old[0] ?? 0)));
  if (old !== null && typeof old === 'object' && !Array.isArray(old)) derived.push(fc.constant<Json>([old]), fc.constant<Json>(JSON.stringify(old)));
  return fc.oneof(fc.constantFrom(...ODD_VALUES), fc.double(), fc.integer(), fc.string({ maxLength: 12 }), ...derived);
}

/** Strings the configs' enums use: a kind swapped for another one is near-valid input that reaches the run. */
const KNOWN_STRINGS = [
  'truthful', 'shaded', 'constant', 'random', 'pacing', 'q-learning', 'dqn', 'reinforce', 'actor-critic', 'linucb', 'thompson', 'policy', 'lin-bid', 'mcpc', 'rlb', 'ss-mdp',
  'pid', 'online-lp', 'abid', 'lagrangian', 'bc', 'iql', 'first-price', 'second-price', 'gsp', 'vcg', 'per-click', 'per-conversion', 'uniform', 'oracle', 'attention',
  'logistic', 'mf', 'best', 'own', 'reference', 'auto', 'cached', 'tensor', 'cpu', 'csv', 'polynomial', 'buckets', 'value', 'budgetLeft', 'timeLeft', 'clicks', 'value - spend',
];

/** A value of the same type as `old`, in a plausible range (near-valid input that reaches the run). */
function plausibleValue(old: Json | undefined): fc.Arbitrary<Json> {
  if (typeof old === 'number') {
    const m = Math.max(3, Math.abs(old) * 3);
    return Number.isInteger(old) ? fc.integer({ min: -1, max: Math.min(m, 1e6) }) : fc.oneof(fc.double({ min: 0, max: m, noNaN: true }), fc.constantFrom(0, 1, old / 10, old * 2));
  }
  if (typeof old === 'string') return fc.constantFrom(...KNOWN_STRINGS);
  if (typeof old === 'boolean') return fc.constant(!old);
  if (Array.isArray(old)) {
    const nums = old.filter((x): x is number => typeof x === 'number');
    if (nums.length === old.length && nums.length > 0) return fc.array(fc.double({ min: 0, max: Math.max(1, ...nums) * 2, noNaN: true }), { minLength: 0, maxLength: old.length + 2 });
    return fc.constant(old.slice(0, Math.max(1, old.length - 1)));
  }
  return oddValue(old);
}

/** Fields a config may add (optional ones the shipped configs leave out), with plausible values. */
const OPTIONAL_FIELDS: [(string | number)[], Json[]][] = [
  [['exchange', 'slots'], [1, 2, 3, 20]],
  [['exchange', 'participantsPerAuction'], [1, 2, 5]],
  [['exchange', 'reservePrice'], [0, 0.01, 1, 100]],
  [['exchange', 'exposure'], [[1], [1, 0.5], [0]]],
  [['exchange', 'slotWeights'], [[1], [1, 0.5], [1, 0.5, 0.25]]],
  [['exchange', 'publishers'], [1, 3]],
  [['exchange', 'allocator'], ['random']],
  [['users'], [{ count: 30, topics: 2, historyLength: 0, items: 5 }, { count: 1 }]],
  [['interestModel'], [{ kind: 'oracle', logSize: 0 }, { kind: 'logistic', logSize: 1000, epochs: 1 }, { kind: 'mf', logSize: 1000, epochs: 1, factors: 1 }]],
  [['beta'], [0, 1, 5]],
  [['bidders', 0, 'budget'], [0.001, 1, 1e6]],
  [['bidders', 0, 'cpa'], [0.001, 10]],
  [['bidders', 0, 'roi'], [0.5, 2]],
  [['bidders', 0, 'copies'], [2, 5]],
  [['bidders', 0, 'objective'], ['clicks', 'value - 2 * spend', 'conversions', 'won', '-spend', 'value * 0']],
  [['bidders', 0, 'allocator'], [{ kind: 'linucb' }, { kind: 'thompson' }]],
  [['bidders', 0, 'agent'], [{ kind: 'dqn' }, { kind: 'reinforce' }, { kind: 'actor-critic' }, { kind: 'thompson' }, { kind: 'constant', amount: 0 }, { kind: 'random', low: 0, high: 0 }, { kind: 'pacing' }, { kind: 'shaded', factor: 0 }, { kind: 'q-learning', multipliers: [0.5] }]],
  [['bidders', 1, 'value'], [{ kind: 'uniform', low: 0, high: 0 }, { kind: 'per-click', amount: 0 }, { kind: 'per-conversion', amount: 1 }]],
  [['sweepBaseline'], [0, 1]],
];

/** Paths of a config that take a file (these may be added where absent). */
const FILE_FIELDS = (raw: Obj): (string | number)[][] => {
  const out: (string | number)[][] = [['interestModel', 'path'], ['log', 'path'], ['log', 'info'], ['log', 'trainPath'], ['log', 'cacheDir']];
  const bidders = Array.isArray(raw.bidders) ? raw.bidders.slice(0, 8) : [];
  bidders.forEach((_, i) => out.push(['bidders', i, 'agent', 'path'], ['bidders', i, 'agent', 'dataset']));
  return out;
};

/** One mutation step applied to a config (mutates a copy). */
function stepArb(raw: Obj): fc.Arbitrary<Mutated> {
  const paths = pathsOf(raw).filter((p) => p.length > 0);
  if (paths.length === 0) paths.push(['name']);
  const pick = fc.constantFrom(...paths);
  const objects = [[], ...paths].filter((p) => {
    const v = p.length ? getAt(raw, p) : raw;
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  });
  const lists = paths.filter((p) => Array.isArray(getAt(raw, p)) && (getAt(raw, p) as Json[]).length > 0);
  const keys = Object.keys(raw).length ? Object.keys(raw) : ['name'];
  const dotted = (p: (string | number)[]) => p.join('.');
  return fc.oneof(
    // 1. a field set to an odd value (a type change, an extreme number, an odd string, …)
    { weight: 6, arbitrary: pick.chain((p) => oddValue(getAt(raw, p)).map((v) => ({ what: [`${dotted(p)} = ${short(v)}`], raw: setAt(clone(raw), p, v) }))) },
    // 1b. a field set to a plausible value of its type, or an optional field added
    { weight: 4, arbitrary: pick.chain((p) => plausibleValue(getAt(raw, p)).map((v) => ({ what: [`${dotted(p)} = ${short(v)}`], raw: setAt(clone(raw), p, v) }))) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(...OPTIONAL_FIELDS).chain(([p, vals]) =>
        fc.constantFrom(...vals).map((v) => {
          const r = clone(raw);
          if (getAt(r, p.slice(0, -1)) !== null && typeof getAt(r, p.slice(0, -1)) === 'object') setAt(r, p, clone(v));
          return { what: [`${dotted(p)} = ${short(v)}`], raw: r };
        }),
      ),
    },
    // 2. a field deleted
    { weight: 2, arbitrary: pick.map((p) => ({ what: [`delete ${dotted(p)}`], raw: setAt(clone(raw), p, undefined) })) },
    // 3. an unknown key
    {
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom(...objects), fc.constantFrom(...ODD_KEYS), oddValue(undefined)).map(([p, k, v]) => {
        const r = clone(raw);
        const o = (p.length ? getAt(r, p) : r) as Obj;
        put(o, k, v);
        return { what: [`add ${dotted([...p, k])} = ${short(v)}`], raw: r };
      }),
    },
    // 4. a list entry duplicated, or the list made huge
    {
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom(...(lists.length ? lists : [['bidders']])), fc.constantFrom(2, 2, 3, 3, 50, 1000, 100_000)).map(([p, n]) => {
        const r = clone(raw);
        const list = Array.isArray(getAt(r, p)) && (getAt(r, p) as Json[]).length ? (getAt(r, p) as Json[]) : [1];
        const copies = n === 2 ? [...list, clone(list[0]!)] : Array.from({ length: n }, (_, i) => clone(list[i % list.length]!));
        return { what: [`${dotted(p)}: ${copies.length} entries`], raw: setAt(r, p, copies) };
      }),
    },
    // 5. two sections swapped
    {
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom(...keys), fc.constantFrom('users', 'exchange', 'bidders', 'interestModel', 'log', 'sweep', 'values', 'name')).map(([a, b]) => {
        const r = clone(raw);
        const va = r[a];
        const vb = r[b];
        setAt(r, [a], vb);
        setAt(r, [b], va);
        return { what: [`swap ${a} and ${b}`], raw: r };
      }),
    },
    // 6. a sweep block with odd keys or values
    {
      weight: 2,
      arbitrary: fc.tuple(
        fc.oneof(pick.map(dotted), fc.constantFrom('nope', 'bidders.99.id', 'bidders.-1.id', '__proto__.x', 'constructor.prototype', '', '.', 'a..b', 'sweep', 'sweepBaseline', 'bidders', 'name', 'seed', 'steps', 'bidders.0')),
        fc.oneof(fc.array(oddValue(undefined), { minLength: 0, maxLength: 3 }), fc.constantFrom<Json>(1, 'x', null, {}, Array(1000).fill(1))),
        fc.option(fc.oneof(fc.constantFrom<Json>(0, 1, 5, -1, 0.5, 1e308, 'x', null)), { nil: undefined }),
      ).map(([k, vals, baseline]) => {
        const r = clone(raw);
        const s: Obj = r.sweep && typeof r.sweep === 'object' && !Array.isArray(r.sweep) ? (r.sweep as Obj) : {};
        put(s, k, vals);
        r.sweep = s;
        if (baseline !== undefined) r.sweepBaseline = baseline;
        return { what: [`sweep["${k}"] = ${short(vals)}${baseline !== undefined ? `, sweepBaseline = ${short(baseline)}` : ''}`], raw: r };
      }),
    },
    // 7. an objective with odd content
    {
      weight: 1,
      arbitrary: fc.tuple(fc.nat({ max: Math.min(7, Math.max(0, (Array.isArray(raw.bidders) ? raw.bidders.length : 1) - 1)) }), fc.oneof(fc.constantFrom(...ODD_OBJECTIVES), fc.string({ maxLength: 20 }))).map(([i, e]) => ({
        what: [`bidders[${i}].objective = ${short(e)}`],
        raw: setAt(clone(raw), ['bidders', i, 'objective'], e),
      })),
    },
    // 8. a file that does not exist, or of the wrong kind
    {
      weight: 2,
      arbitrary: fc.tuple(fc.constantFrom(...FILE_FIELDS(raw)), fc.constantFrom(...ODD_PATHS), fc.boolean()).map(([p, f, policy]) => {
        const r = clone(raw);
        if (p[0] === 'bidders' && p[3] === 'path' && policy) setAt(r, p.slice(0, 3), { kind: 'policy', path: f });
        else if (p[0] === 'interestModel' && (!r.interestModel || typeof r.interestModel !== 'object')) r.interestModel = { kind: 'attention', path: f };
        else setAt(r, p, f);
        return { what: [`${dotted(p)} = ${short(f)}`], raw: r };
      }),
    },
  );
}

/** 1–3 mutation steps. */
export function mutatedArb(base: BaseConfig): fc.Arbitrary<Mutated> {
  const one = (m: Mutated) => stepArb(m.raw).map((n) => ({ what: [...m.what, ...n.what], raw: n.raw }));
  return stepArb(base.raw).chain((m) => fc.oneof({ weight: 4, arbitrary: fc.constant(m) }, { weight: 2, arbitrary: one(m) }, { weight: 1, arbitrary: one(m).chain(one) }));
}

/** How a mutated config is written: YAML, JSON, or YAML text damaged afterwards. */
export type TextForm = { kind: 'yaml' } | { kind: 'json' } | { kind: 'damaged'; how: 'truncate' | 'byte' | 'dup-line' | 'tab' | 'bom' | 'anchor'; at: number };

export const textFormArb: fc.Arbitrary<TextForm> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<TextForm>({ kind: 'yaml' }) },
  { weight: 2, arbitrary: fc.constant<TextForm>({ kind: 'json' }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('damaged' as const), how: fc.constantFrom('truncate', 'byte', 'dup-line', 'tab', 'bom', 'anchor') as fc.Arbitrary<'truncate'>, at: fc.double({ min: 0, max: 1, noNaN: true }) }) },
);

/** The file text of a config in a form. */
export function configText(raw: Obj, form: TextForm): string {
  if (form.kind === 'json') return JSON.stringify(raw, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
  const text = stringifyYaml(raw, { lineWidth: 0 });
  if (form.kind === 'yaml') return text;
  const i = Math.floor(form.at * text.length);
  const lines = text.split('\n');
  const l = Math.floor(form.at * lines.length);
  switch (form.how) {
    case 'truncate':
      return text.slice(0, i);
    case 'byte':
      return `${text.slice(0, i)}\u0000\u00ff{[&*!|>%@\`${text.slice(i)}`;
    case 'dup-line':
      return [...lines.slice(0, l + 1), lines[l] ?? '', ...lines.slice(l + 1)].join('\n');
    case 'tab':
      return [...lines.slice(0, l), `\t${lines[l] ?? ''}`, ...lines.slice(l + 1)].join('\n');
    case 'bom':
      return `\ufeff${text}`;
    case 'anchor':
      return [...lines.slice(0, l), `${lines[l] ?? ''} &a`, ...lines.slice(l + 1), 'extra: *a', 'more: *nope'].join('\n');
  }
}

/** A short description of a value for the report. */
export function short(v: unknown): string {
  let s: string;
  if (typeof v === 'number') s = Object.is(v, -0) ? '-0' : String(v);
  else if (v === undefined) s = 'undefined';
  else s = JSON.stringify(v, (_, x) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x)) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}…(${s.length})` : s;
}

// ---------------------------------------------------------------------------
// Running the bin and checking the contract

/** What one spawned command did. */
export interface Ran {
  argv: string[];
  status: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

/** Runs the compiled bin in `cwd`, killed after `timeoutMs`. */
export function bidgym(argv: string[], cwd: string, timeoutMs: number): Ran {
  const t = Date.now();
  const r = spawnSync(process.execPath, [BIN, ...argv], { cwd, encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 << 20, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
  return { argv, status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', timedOut: (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT', ms: Date.now() - t };
}

/** A broken promise: which command, what was wrong, what it printed. */
export interface Problem {
  command: string;
  problem: string;
  stderr: string;
}

/** Every file and folder under `dir` (relative, sorted), with sizes of files; [] when `dir` is absent. */
export function tree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[])
    .map((f) => {
      try {
        const st = lstatSync(join(dir, f));
        return st.isFile() ? `${f} ${st.size}` : st.isSymbolicLink() ? `${f} -> link` : f;
      } catch {
        return f;
      }
    })
    .sort();
}

/** The problems of a refusal: exit 2 and exactly one short line, no stack trace. */
export function refusalProblems(r: Ran): string[] {
  const p: string[] = [];
  if (r.timedOut) return [`did not finish within the time limit (${r.ms} ms)`];
  if (r.status !== 2) p.push(`exit ${r.status ?? r.signal}, expected 0 or 2`);
  const lines = r.stderr.replace(/\n$/, '').split('\n');
  if (lines.length !== 1) p.push(`${lines.length} lines on stderr`);
  if (!/^bidgym: /.test(r.stderr)) p.push('stderr does not start with "bidgym: "');
  if (/\n\s+at |internal error|Error:|TypeError|RangeError/.test(r.stderr)) p.push('a stack trace or an internal error');
  if (lines[0]!.length > MAX_LINE) p.push(`a line of ${lines[0]!.length} characters`);
  return p;
}

/** Paths in a JSON value holding null where a number is expected, or NaN/Infinity text. */
function badNumbers(text: string): string[] {
  const out: string[] = [];
  if (/\bNaN\b|\bInfinity\b/.test(text)) out.push('NaN or Infinity in the text');
  return out;
}

/** The odd files configs and flags may name, in `dir`: links to /dev/null and /dev/zero, a FIFO, a folder. */
function oddFiles(dir: string): void {
  symlinkSync('/dev/null', join(dir, 'null-link'));
  symlinkSync('/dev/zero', join(dir, 'zero-link'));
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  mkdirSync(join(dir, 'sub'));
}

/** Options of a check. */
export interface CheckOptions {
  /** Folder of the case (fresh, empty). */
  dir: string;
  validateMs?: number;
  runMs?: number;
  /** Largest sweep run (a bigger one is only validated). */
  maxSweepPoints?: number;
}

/** What a config case did. */
export interface CaseResult {
  validate: Ran;
  run?: Ran;
  problems: Problem[];
  /** The run or sweep validate accepted ran past its time limit (killed). */
  slow?: boolean;
}

/**
 * Writes `text` as the case's config and checks the contract: validate, then
 * run (or sweep) when validate accepts.
 */
export function checkConfigCase(text: string, opts: CheckOptions): CaseResult {
  const { dir } = opts;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'config.yaml');
  writeFileSync(file, text);
  oddFiles(dir);
  const problems: Problem[] = [];
  const before = tree(dir);
  const v = bidgym(['validate', 'config.yaml'], dir, opts.validateMs ?? 30_000);
  const res: CaseResult = { validate: v, problems };
  if (v.status === 0 && !v.timedOut) {
    if (v.stderr !== '') problems.push({ command: 'validate', problem: 'accepted, but wrote to stderr', stderr: v.stderr });
    if (tree(dir).join('\n') !== before.join('\n')) problems.push({ command: 'validate', problem: 'wrote files', stderr: '' });
  } else {
    for (const p of refusalProblems(v)) problems.push({ command: 'validate', problem: p, stderr: v.stderr.slice(0, 2000) });
    return res;
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch {
    raw = null;
  }
  const sweep = raw !== null && typeof raw === 'object' && 'sweep' in raw;
  // A big sweep validate accepted is legitimate work (minutes of it): not run here.
  const points = /sweep of (\d+) grid points/.exec(v.stdout);
  if (points && Number(points[1]) > (opts.maxSweepPoints ?? 8)) return res;
  const out = join(dir, 'out');
  const argv = sweep ? ['sweep', 'config.yaml', '--out', 'out', '--quiet', '--workers', '1'] : ['run', 'config.yaml', '--out', 'out', '--quiet', '--workers', '1', '--no-report'];
  const r = bidgym(argv, dir, opts.runMs ?? 60_000);
  res.run = r;
  const cmd = argv[0]!;
  if (r.status === 0 && !r.timedOut) {
    const main = join(out, sweep ? 'sweep.json' : 'summary.json');
    if (!existsSync(main)) problems.push({ command: cmd, problem: `exit 0 without ${sweep ? 'sweep.json' : 'summary.json'}`, stderr: r.stderr.slice(0, 2000) });
    else {
      const t = readFileSync(main, 'utf8');
      try {
        JSON.parse(t);
      } catch (e) {
        problems.push({ command: cmd, problem: `unreadable ${main}: ${(e as Error).message}`, stderr: '' });
      }
      for (const b of badNumbers(t)) problems.push({ command: cmd, problem: b, stderr: '' });
    }
    if (readdirSync(dir).some((f) => f.startsWith('.'))) problems.push({ command: cmd, problem: `left ${readdirSync(dir).filter((f) => f.startsWith('.')).join(', ')} beside --out`, stderr: '' });
  } else if (r.timedOut) {
    // Legitimate work can be long (an interest model trained with its defaults): noted, not a broken promise.
    res.slow = true;
  } else {
    for (const p of refusalProblems(r)) problems.push({ command: cmd, problem: `after validate accepted: ${p}`, stderr: r.stderr.slice(0, 2000) });
    const now = tree(dir);
    if (now.join('\n') !== before.join('\n')) problems.push({ command: cmd, problem: `refused, but left files: ${now.filter((f) => !before.includes(f)).slice(0, 5).join(', ')}`, stderr: '' });
  }
  return res;
}

/** A config case: a base, its mutation, the text form. */
export interface ConfigCase {
  base: string;
  what: string[];
  form: TextForm;
  text: string;
}

/** Config cases over every shipped config. */
export function configCaseArb(bases: BaseConfig[] = baseConfigs()): fc.Arbitrary<ConfigCase> {
  return fc.constantFrom(...bases).chain((b) =>
    fc.tuple(mutatedArb(b), textFormArb).map(([m, form]) => ({ base: b.name, what: m.what, form, text: configText(m.raw, form) })),
  );
}

// ---------------------------------------------------------------------------
// Command-line flags

/** A folder of fixtures for the flag cases: a finished tiny run, its damaged copies, odd files. */
export interface FlagFixtures {
  dir: string;
  config: string;
  sweepConfig: string;
  run: string;
  policy: string;
}

const TINY = `name: tiny
seed: 1
replications: 1
episodes: 1
evalEpisodes: 1
auctionsPerEpisode: 200
exchange: { mechanism: second-price }
bidders:
  - { id: learner, agent: { kind: q-learning }, value: { kind: uniform } }
  - { id: rival, agent: { kind: truthful }, value: { kind: uniform } }
`;

/** Builds the fixtures in `dir` (one tiny run). */
export function flagFixtures(dir: string): FlagFixtures {
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'tiny.yaml');
  writeFileSync(config, TINY);
  const sweepConfig = join(dir, 'tiny-sweep.yaml');
  writeFileSync(sweepConfig, `${TINY}sweep: { exchange.reservePrice: [0, 0.1] }\n`);
  const run = join(dir, 'run');
  const r = bidgym(['run', config, '--out', run, '--quiet', '--workers', '1'], dir, 60_000);
  if (r.status !== 0) throw new Error(`fixture run failed: ${r.stderr}`);
  const policy = join(run, 'policies', 'learner.json');
  // Damaged copies of the run: summary.json truncated, tampered, emptied; a policy file truncated and tampered.
  const summary = readFileSync(join(run, 'summary.json'), 'utf8');
  const pol = readFileSync(policy, 'utf8');
  const damaged: Record<string, (d: string) => void> = {
    'run-truncated': (d) => writeFileSync(join(d, 'summary.json'), summary.slice(0, summary.length >> 1)),
    'run-empty': (d) => writeFileSync(join(d, 'summary.json'), ''),
    'run-array': (d) => writeFileSync(join(d, 'summary.json'), '[1,2,3]'),
    'run-null': (d) => writeFileSync(join(d, 'summary.json'), 'null'),
    'run-tampered': (d) => writeFileSync(join(d, 'summary.json'), summary.replace(/"bidders": \{/, '"bidders": {"x": 5, ').replace(/[0-9]\.[0-9]+/g, '"x"')),
    'run-nobidders': (d) => writeFileSync(join(d, 'summary.json'), JSON.stringify({ ...JSON.parse(summary), bidders: null })),
    'run-policy-truncated': (d) => writeFileSync(join(d, 'policies', 'learner.json'), pol.slice(0, pol.length >> 1)),
    'run-policy-tampered': (d) => writeFileSync(join(d, 'policies', 'learner.json'), pol.replace(/"kind": "[a-z-]+"/, '"kind": "dqn"')),
    'run-policy-huge-number': (d) => writeFileSync(join(d, 'policies', 'learner.json'), pol.replace(/(-?[0-9]+\.[0-9]+)/, '1e999')),
    'run-no-policies': () => {},
  };
  for (const [name, damage] of Object.entries(damaged)) {
    const d = join(dir, name);
    copyTree(run, d);
    if (name === 'run-no-policies') for (const f of readdirSync(join(d, 'policies'))) writeFileSync(join(d, 'policies', f), '');
    damage(d);
  }
  oddFiles(dir);
  writeFileSync(join(dir, 'not-json.json'), 'hello');
  writeFileSync(join(dir, 'empty.json'), '');
  writeFileSync(join(dir, 'sweep.json'), '{"points": 5}');
  mkdirSync(join(dir, 'empty-dir'), { recursive: true });
  mkdirSync(join(dir, 'fake-sweep'), { recursive: true });
  writeFileSync(join(dir, 'fake-sweep', 'sweep.json'), '{"points": "x", "rows": 7}');
  return { dir, config, sweepConfig, run, policy };
}

function copyTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const f of readdirSync(from, { withFileTypes: true })) {
    const a = join(from, f.name);
    const b = join(to, f.name);
    if (f.isDirectory()) copyTree(a, b);
    else if (f.isSymbolicLink()) symlinkSync(readlinkSync(a), b);
    else if (f.isFIFO()) execFileSync('mkfifo', [b]);
    else copyFileSync(a, b);
  }
}

/** Odd values for a flag. */
const ODD_FLAG_VALUES = ['0', '-1', '1e9', 'abc', '', '1.5', 'NaN', 'Infinity', '-0', '0x10', '999999999999999999999', ' ', '--', '-', 'true', '1e308', '2'];

/** A flag case: a command line (paths name fixtures by `@name`) and a fresh output path `@out`. */
export interface FlagCase {
  argv: string[];
}

/** Paths for the flag cases (`@x` names a fixture). */
const PATH_ARGS = ['@config', '@sweepConfig', '@run', '@policy', '@out', '@dir/nope', '@dir/not-json.json', '@dir/empty.json', '@dir/empty-dir', '@dir/fake-sweep', '@dir/sweep.json', '@dir/null-link', '@dir/zero-link', '@dir/fifo', '/proc/self/mem', '/proc/bidgym-no-such/x', '', '@dir/run-truncated', '@dir/run-empty', '@dir/run-array', '@dir/run-null', '@dir/run-tampered', '@dir/run-nobidders', '@dir/run-policy-truncated/policies/learner.json', '@dir/run-policy-tampered/policies/learner.json', '@dir/run-policy-huge-number/policies/learner.json', '@dir/run-no-policies/policies/learner.json', '@dir/run-policy-truncated', '@dir/run-policy-tampered', '@dir/run-no-policies', '@config/x', 'a'.repeat(300)];

const COMMAND_FLAGS: Record<string, string[]> = {
  run: ['--out', '--workers', '--quiet', '--json', '--report', '--no-report', '--force'],
  sweep: ['--out', '--workers', '--resume', '--png', '--quiet', '--json', '--queue', '--queue-key', '--max-result-mb'],
  report: ['--png', '--baseline'],
  evaluate: ['--policy', '--config', '--out', '--bidder', '--workers', '--quiet', '--json', '--public-key', '--force', '--no-report'],
  export: ['--bidder', '--out', '--sign'],
  validate: ['--json'],
  'train-model': ['--out', '--quiet'],
  log: ['--bidder', '--out', '--format', '--replication', '--price-scale', '--episodes', '--auctionnet'],
  keygen: ['--out'],
};

/** The usual command lines, each then changed by one to three flag mutations. */
const BASE_LINES: string[][] = [
  ['run', '@config', '--out', '@out', '--quiet', '--workers', '1', '--no-report'],
  ['sweep', '@sweepConfig', '--out', '@out', '--quiet', '--workers', '1'],
  ['report', '@run'],
  ['evaluate', '--policy', '@policy', '--config', '@config', '--out', '@out', '--quiet', '--workers', '1', '--no-report'],
  ['export', '@run', '--bidder', 'learner', '--out', '@out'],
  ['validate', '@config'],
  ['log', '@config', '--bidder', 'learner', '--out', '@out'],
  ['keygen', '--out', '@out'],
];

export const flagCaseArb: fc.Arbitrary<FlagCase> = fc.constantFrom(...BASE_LINES).chain((line) => {
  const flags = COMMAND_FLAGS[line[0]!] ?? [];
  const edit = fc.oneof(
    // a flag's value replaced by an odd one (number-like or path)
    fc.tuple(fc.nat(), fc.oneof(fc.constantFrom(...ODD_FLAG_VALUES), fc.constantFrom(...PATH_ARGS))).map(([i, v]) => (a: string[]) => {
      const at = 1 + (i % Math.max(1, a.length - 1));
      const b = a.slice();
      b[at] = v;
      return b;
    }),
    // a flag added with an odd value (or none)
    fc.tuple(fc.constantFrom(...flags, '--nope', '--out=@out', '-x', '--workers=0', '--help', '--version', '--', '--no-json'), fc.option(fc.oneof(fc.constantFrom(...ODD_FLAG_VALUES), fc.constantFrom(...PATH_ARGS)), { nil: undefined })).map(([f, v]) => (a: string[]) => (v === undefined ? [...a, f] : [...a, f, v])),
    // an argument dropped
    fc.nat().map((i) => (a: string[]) => (a.length > 1 ? a.filter((_, j) => j !== 1 + (i % (a.length - 1))) : a)),
    // a flag repeated
    fc.nat().map((i) => (a: string[]) => {
      const at = 1 + (i % Math.max(1, a.length - 1));
      return [...a, ...a.slice(at, at + 2)];
    }),
  );
  return fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => ({ argv: edits.reduce((a, e) => e(a), line) }));
});

/** The fixtures of `fx`, copied to the fresh folder `dir` (a case may change its copy freely). */
export function copyFixtures(fx: FlagFixtures, dir: string): FlagFixtures {
  copyTree(fx.dir, dir);
  const at = (p: string) => join(dir, p.slice(fx.dir.length + 1));
  return { dir, config: at(fx.config), sweepConfig: at(fx.sweepConfig), run: at(fx.run), policy: at(fx.policy) };
}

/** The argv of a flag case with its fixtures filled in. */
export function flagArgv(c: FlagCase, fx: FlagFixtures, out: string): string[] {
  const names: Record<string, string> = { '@config': fx.config, '@sweepConfig': fx.sweepConfig, '@run': fx.run, '@policy': fx.policy, '@out': out, '@dir': fx.dir };
  return c.argv.map((a) => a.replace(/@(config|sweepConfig|run|policy|out|dir)\b/g, (m) => names[m]!));
}

/**
 * Checks a flag case on a fresh copy (in `dir`) of the fixtures `pristine`:
 * exit 0, or exit 2 with one line and nothing written or changed.
 */
export function checkFlagCase(c: FlagCase, pristine: FlagFixtures, dir: string, timeoutMs = 60_000): { ran: Ran; problems: Problem[] } {
  const fx = copyFixtures(pristine, dir);
  const out = join(dir, 'out');
  const argv = flagArgv(c, fx, out);
  const before = tree(fx.dir);
  const r = bidgym(argv, fx.dir, timeoutMs);
  const problems: Problem[] = [];
  const cmd = c.argv.join(' ').slice(0, 200);
  if (r.status !== 0 || r.timedOut) {
    for (const p of refusalProblems(r)) problems.push({ command: cmd, problem: p, stderr: r.stderr.slice(0, 2000) });
    const now = tree(fx.dir);
    const added = now.filter((f) => !before.includes(f));
    const removed = before.filter((f) => !now.includes(f));
    if (added.length || removed.length) problems.push({ command: cmd, problem: `refused, but changed files: +${added.slice(0, 4).join(', ')} -${removed.slice(0, 4).join(', ')}`, stderr: '' });
  }
  return { ran: r, problems };
}
