/**
 * Parameter sweeps: a config's `sweep:` block maps dotted config paths to lists of
 * values; every combination (a grid point) is one trial, a whole run with all its
 * replications, in its own folder `DIR/trials/<id>/`. Trials run in parallel, one
 * fresh worker thread per trial, and the sweep table (`sweep.json`, `sweep.csv`)
 * is built from the trial folders in grid order, so the results are identical for
 * any number of workers and any finishing order.
 *
 * Crash safety: a trial runs in `trials/.tmp-<id>-…/` and the whole folder is
 * renamed to `trials/<id>/` when the run has finished (an atomic rename), so a
 * trial folder exists only when complete. A sweep killed at any point (even
 * SIGKILL) leaves only `.tmp-*` folders behind; `resume` deletes them and runs
 * the trials that have no folder yet. Every file is written whole (fsutil.ts).
 *
 * ```yaml
 * sweep:
 *   exchange.reservePrice: [0, 0.25, 0.5]
 *   bidders.0.agent.kind: [truthful, shaded]   # numeric segments index lists
 * sweepBaseline: 0                              # grid point the others are tested against
 * ```
 *
 * Setting a `kind` drops the fields of that object the new kind does not accept
 * (the shaded agent's `factor` when the point is truthful); to give each kind its
 * own settings, sweep the whole object (`bidders.0.agent: [{ kind: …, … }, …]`).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { threadId, Worker } from 'node:worker_threads';
import { canonicalJson, ConfigError, resolveConfig, type ResolvedConfig } from './config.js';
import { fsyncDir, removeStaleTemps, TEMP_PREFIX, writeFileAtomic, writeJsonAtomic } from './fsutil.js';
import { compileObjective, ObjectiveError } from './objective.js';
import { runExperiment, type Summary } from './runner.js';
import { configSchema } from './schema.js';
import { welch, type Stat } from './stats.js';

/** One combination of swept values. */
export interface GridPoint {
  /** Position in the grid (the last swept path varies fastest). */
  index: number;
  /** Folder name under `trials/`: zero-padded index and the swept values, e.g. `03-reservePrice=0.5`. */
  id: string;
  /** Swept path → value at this point. */
  params: Record<string, unknown>;
  /** The raw config of this point (overrides applied, `sweep`/`sweepBaseline` removed). */
  config: Record<string, unknown>;
}

/** A figure of a grid point: the trial's statistic, plus Welch's p against the baseline point. */
export interface SweepFigure extends Stat {
  /** Two-sided p-value of Welch's t-test against the same figure at the baseline point (null when undefined). */
  p?: number | null;
}

/** One row of the sweep table. */
export interface SweepPoint {
  index: number;
  id: string;
  /** Trial folder relative to the sweep folder, e.g. `trials/03-reservePrice=0.5`. */
  dir: string;
  params: Record<string, unknown>;
  /** Hash of the trial's resolved config (as in its summary.json). */
  configHash: string;
  market: Record<string, SweepFigure>;
  bidders: Record<string, Record<string, SweepFigure>>;
}

/** sweep.json */
export interface SweepTable {
  name: string;
  /** Hash of the raw sweep config (sweep block included). */
  sweepHash: string;
  seed: number;
  replications: number;
  sweep: Record<string, unknown[]>;
  /** Index of the baseline grid point, or null. */
  baseline: number | null;
  points: SweepPoint[];
}

/** Options of {@link runSweep}. */
export interface SweepOptions {
  /** Sweep folder: `sweep-config.json`, `trials/`, `sweep.json`, `sweep.csv`, `report.html`. */
  outDir: string;
  /** Threads to use (default: all cores, `os.availableParallelism()`): trials run this many at once; with fewer trials left than that, each trial runs its replications in parallel with the spare threads. */
  workers?: number;
  /** Continue a sweep in `outDir`: keep finished trials, run the rest. */
  resume?: boolean;
  /** No console output (runSweep itself prints nothing; kept for symmetry with runExperiment). */
  quiet?: boolean;
  /** Called with (finished trials, all trials) at the start and after each trial. */
  onProgress?: (done: number, total: number) => void;
  /** Write report.html for the sweep and for each trial (default true). */
  report?: boolean;
  /** Also write PNG charts with the report. */
  png?: boolean;
}

/** Result of {@link runTrial}. */
export interface TrialResult {
  index: number;
  /** Absolute or outDir-based path of the trial folder. */
  dir: string;
  /** True when the trial was already complete and nothing ran. */
  skipped: boolean;
}

/** A sweep that cannot run as asked (exit code 2 in the CLI). */
export class SweepError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'SweepError';
  }
}

const TRIALS = 'trials';

// ───────────────────────────── expansion ─────────────────────────────

/** zod's internal definition of a schema node (zod 4: `schema._zod.def`). */
interface ZodDef {
  type: string;
  shape?: Record<string, ZodLike>;
  element?: ZodLike;
  innerType?: ZodLike;
  options?: ZodLike[];
  valueType?: ZodLike;
  in?: ZodLike;
}
interface ZodLike {
  _zod: { def: ZodDef };
}

/** The schema nodes a value at `s` can be, through optional/default/union wrappers. */
function alternatives(s: ZodLike): ZodLike[] {
  const d = s._zod.def;
  switch (d.type) {
    case 'optional':
    case 'default':
    case 'prefault':
    case 'nullable':
    case 'readonly':
    case 'catch':
      return alternatives(d.innerType!);
    case 'pipe':
      return alternatives(d.in!);
    case 'union':
      return d.options!.flatMap(alternatives);
    default:
      return [s];
  }
}

/** The schema nodes a value at `segments` can be (empty when the path is not in the schema). */
function schemasAt(segments: string[]): ZodLike[] {
  let nodes: ZodLike[] = alternatives(configSchema as unknown as ZodLike);
  for (const seg of segments) {
    const next: ZodLike[] = [];
    for (const n of nodes) {
      const d = n._zod.def;
      if (d.type === 'object' && d.shape![seg]) next.push(...alternatives(d.shape![seg]!));
      else if (d.type === 'array' && /^\d+$/.test(seg)) next.push(...alternatives(d.element!));
      else if (d.type === 'record') next.push(...alternatives(d.valueType!));
    }
    nodes = next;
  }
  return nodes;
}

/**
 * After a sweep sets a `kind` (the discriminator of agents, values, interest
 * models), drops the fields of that object the new kind does not accept, so
 * `bidders.0.agent.kind: [shaded, truthful]` works when the config gives `factor`
 * for shaded. Leaves the object alone when the kind is unknown (validation then
 * names it).
 */
function pruneForKind(config: Record<string, unknown>, segments: string[], kind: unknown): void {
  const parentPath = segments.slice(0, -1);
  const accepted = new Set<string>();
  for (const n of schemasAt(parentPath)) {
    const d = n._zod.def;
    const lit = d.type === 'object' ? (d.shape!.kind?._zod.def as { type: string; values?: unknown[] } | undefined) : undefined;
    if (lit?.type === 'literal' && lit.values?.includes(kind)) for (const k of Object.keys(d.shape!)) accepted.add(k);
  }
  if (accepted.size === 0) return;
  let obj: unknown = config;
  for (const seg of parentPath) obj = Array.isArray(obj) ? obj[Number(seg)] : (obj as Record<string, unknown>)[seg];
  if (!isPlainObject(obj)) return;
  for (const k of Object.keys(obj)) if (!accepted.has(k)) delete obj[k];
}

/** Checks a dotted path against the config schema; returns null when it exists, else what is wrong. */
function schemaProblem(segments: string[]): string | null {
  let nodes: ZodLike[] = alternatives(configSchema as unknown as ZodLike);
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const next: ZodLike[] = [];
    const keys = new Set<string>();
    let isList = false;
    for (const n of nodes) {
      const d = n._zod.def;
      if (d.type === 'object') {
        for (const k of Object.keys(d.shape!)) keys.add(k);
        if (d.shape![seg]) next.push(...alternatives(d.shape![seg]!));
      } else if (d.type === 'array') {
        isList = true;
        if (/^\d+$/.test(seg)) next.push(...alternatives(d.element!));
      } else if (d.type === 'record') {
        next.push(...alternatives(d.valueType!));
      }
    }
    if (next.length === 0) {
      const at = segments.slice(0, i).join('.') || 'the config';
      if (isList) return `${at} is a list: expected an index (0, 1, …) — got "${seg}"`;
      if (keys.size === 0) return `${at} has no fields — cannot go on to "${seg}"`;
      return `${at} has no field "${seg}" — expected one of ${[...keys].join(', ')}`;
    }
    nodes = next;
  }
  return null;
}

/** Parsed `sweep:` block: paths, their values, baseline. */
interface SweepSpec {
  keys: string[];
  segments: string[][];
  values: unknown[][];
  baseline: number | null;
  size: number;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates the `sweep:` block of a raw config (paths exist, lists non-empty, no overlaps). @throws ConfigError */
function parseSweep(raw: unknown): SweepSpec {
  if (!isPlainObject(raw)) throw new ConfigError('', 'expected a config object');
  const sweep = raw.sweep;
  if (!isPlainObject(sweep) || Object.keys(sweep).length === 0) {
    throw new ConfigError('sweep', 'expected a sweep: block mapping config paths to lists of values, e.g. { "exchange.reservePrice": [0, 0.25] }');
  }
  const keys = Object.keys(sweep);
  const segments: string[][] = [];
  const values: unknown[][] = [];
  for (const k of keys) {
    const path = `sweep["${k}"]`;
    const segs = k.split('.');
    if (segs.some((s) => s === '')) throw new ConfigError(path, 'expected a dotted config path like exchange.reservePrice');
    if (segs[0] === 'sweep' || segs[0] === 'sweepBaseline') throw new ConfigError(path, 'a sweep cannot sweep its own settings');
    const problem = schemaProblem(segs);
    if (problem !== null) throw new ConfigError(path, `no such config field: ${problem}`);
    // A list element must exist in the user's config: the sweep overrides it, it cannot invent bidders.
    let v: unknown = raw;
    for (let i = 0; i < segs.length - 1 && v !== undefined; i++) {
      const seg = segs[i]!;
      if (Array.isArray(v)) {
        const j = Number(seg);
        if (j >= v.length) throw new ConfigError(path, `${segs.slice(0, i).join('.')} has ${v.length} entr${v.length === 1 ? 'y' : 'ies'} — index ${j} is out of range`);
        v = v[j];
      } else v = isPlainObject(v) ? v[seg] : undefined;
    }
    if (Array.isArray(v) && Number(segs[segs.length - 1]) >= v.length) {
      throw new ConfigError(path, `${segs.slice(0, -1).join('.')} has ${v.length} entr${v.length === 1 ? 'y' : 'ies'} — index ${segs[segs.length - 1]} is out of range`);
    }
    const list = sweep[k];
    if (!Array.isArray(list) || list.length === 0) throw new ConfigError(path, 'expected a non-empty list of values');
    for (const prev of keys.slice(0, keys.indexOf(k))) {
      if (k.startsWith(`${prev}.`) || prev.startsWith(`${k}.`)) throw new ConfigError(path, `overlaps with sweep["${prev}"]: sweep one or the other`);
    }
    segments.push(segs);
    values.push(list);
  }
  const size = values.reduce((n, l) => n * l.length, 1);
  const b = raw.sweepBaseline;
  if (b !== undefined && (typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b >= size)) {
    throw new ConfigError('sweepBaseline', `expected a grid point index in 0…${size - 1} — got ${JSON.stringify(b)}`);
  }
  return { keys, segments, values, baseline: typeof b === 'number' ? b : null, size };
}

/** Sets `value` at `segments` inside `obj`, creating missing objects on the way. */
function setPath(obj: Record<string, unknown>, segments: string[], value: unknown): void {
  let v: Record<string, unknown> | unknown[] = obj;
  for (let i = 0; i < segments.length - 1; i++) {
    const seg = segments[i]!;
    const key = Array.isArray(v) ? Number(seg) : seg;
    let child = (v as Record<string | number, unknown>)[key];
    if (child === undefined || child === null) {
      child = {};
      (v as Record<string | number, unknown>)[key] = child;
    }
    v = child as Record<string, unknown>;
  }
  const last = segments[segments.length - 1]!;
  (v as Record<string | number, unknown>)[Array.isArray(v) ? Number(last) : last] = structuredClone(value);
}

/** Short text of a swept value for folder names and labels. */
function valueText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (isPlainObject(v) && typeof v.kind === 'string') return v.kind;
  return JSON.stringify(v);
}

/** The folder-name part of a grid point: `reservePrice=0.5_kind=shaded`. */
function slug(spec: SweepSpec, params: Record<string, unknown>): string {
  const s = spec.keys.map((k, i) => `${spec.segments[i]![spec.segments[i]!.length - 1]}=${valueText(params[k])}`).join('_');
  return s.replace(/[^A-Za-z0-9._=-]+/g, '-').slice(0, 80);
}

/** Grid point `index` of a parsed sweep (mixed-radix decode; the last path varies fastest). */
function pointOf(raw: Record<string, unknown>, spec: SweepSpec, index: number): GridPoint {
  const params: Record<string, unknown> = {};
  let rest = index;
  const choice = new Array<number>(spec.keys.length);
  for (let i = spec.keys.length - 1; i >= 0; i--) {
    const n = spec.values[i]!.length;
    choice[i] = rest % n;
    rest = Math.floor(rest / n);
  }
  const config = structuredClone(raw);
  delete config.sweep;
  delete config.sweepBaseline;
  spec.keys.forEach((k, i) => {
    const v = spec.values[i]![choice[i]!];
    params[k] = v;
    setPath(config, spec.segments[i]!, v);
    if (spec.segments[i]![spec.segments[i]!.length - 1] === 'kind') pruneForKind(config, spec.segments[i]!, v);
  });
  const width = String(spec.size - 1).length;
  return { index, id: `${String(index).padStart(width, '0')}-${slug(spec, params)}`, params, config };
}

/** Resolves a grid point's config and compiles its objectives; an error names the field and the point. */
function resolvePoint(p: GridPoint): ResolvedConfig {
  const where = () => `(in sweep grid point ${p.index}: ${Object.entries(p.params).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(', ')})`;
  try {
    const cfg = resolveConfig(p.config);
    // A bad objective expression is a config error: find it now, not in the middle of the sweep.
    for (const b of cfg.bidders) if (b.objective !== null) compileObjective(b.objective, `bidders[${b.source}].objective`);
    return cfg;
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(e.path, `${e.detail} ${where()}`);
    if (e instanceof ObjectiveError) throw new ConfigError(e.path, `${e.message.slice(e.path.length + 2)} ${where()}`);
    throw e;
  }
}

/**
 * Expands a raw config with a `sweep:` block into its grid points, and validates
 * every point's config (defaults and checks apply per point).
 *
 * @param raw the config object as read from YAML/JSON (not resolved)
 * @returns grid points in order (the last swept path varies fastest)
 * @throws {ConfigError} for a path not in the config schema, an index past the end of a list, an empty value list, a bad `sweepBaseline`, or a point whose config (or objective expression) is invalid
 * @example
 * expandSweep({ ...cfg, sweep: { 'exchange.reservePrice': [0, 0.5], 'bidders.0.agent.kind': ['truthful', 'shaded'] } })
 * // → 4 points: (0, truthful), (0, shaded), (0.5, truthful), (0.5, shaded)
 */
export function expandSweep(raw: unknown): GridPoint[] {
  const spec = parseSweep(raw);
  const points: GridPoint[] = [];
  for (let i = 0; i < spec.size; i++) {
    const p = pointOf(raw as Record<string, unknown>, spec, i);
    resolvePoint(p);
    points.push(p);
  }
  return points;
}

/** Hash of a raw sweep config (first 12 hex digits of sha256 of its canonical JSON). */
export function sweepHash(raw: unknown): string {
  return createHash('sha256').update(canonicalJson(raw)).digest('hex').slice(0, 12);
}

// ───────────────────────────── one trial ─────────────────────────────

/** True when `trials/<id>` holds a finished run. */
function trialDone(dir: string): boolean {
  return existsSync(join(dir, 'summary.json'));
}

/**
 * Runs grid point `pointIndex` of a sweep into `outDir/trials/<id>/`, unless that
 * folder already holds a finished run. Safe to call from several processes or
 * machines at once for the same sweep folder (e.g. a job queue): each runs in its
 * own temporary folder and the first to finish publishes it with an atomic rename.
 *
 * @param rawConfig the sweep config (with its `sweep:` block), as read from YAML/JSON
 * @param pointIndex grid point, 0 ≤ pointIndex < grid size
 * @param outDir sweep folder
 * @param opts `report: false` skips the trial's report.html (default: written);
 *   `replicationWorkers`: replications run at once inside the trial (default 1: the
 *   caller parallelises across trials). Results do not depend on either.
 * @throws {ConfigError} when the config or the point is invalid
 * @example await runTrial(readRawConfig('sweep.yaml'), 3, 'runs/reserve-sweep')
 */
export async function runTrial(
  rawConfig: unknown,
  pointIndex: number,
  outDir: string,
  opts: { report?: boolean; replicationWorkers?: number } = {},
): Promise<TrialResult> {
  const spec = parseSweep(rawConfig);
  if (!Number.isInteger(pointIndex) || pointIndex < 0 || pointIndex >= spec.size) {
    throw new SweepError(`runTrial: point index ${pointIndex} is outside the grid (0…${spec.size - 1})`);
  }
  const point = pointOf(rawConfig as Record<string, unknown>, spec, pointIndex);
  const cfg = resolvePoint(point);
  const trialsDir = join(outDir, TRIALS);
  const dir = join(trialsDir, point.id);
  if (trialDone(dir)) return { index: pointIndex, dir, skipped: true };
  mkdirSync(trialsDir, { recursive: true });
  const tmp = join(trialsDir, `${TEMP_PREFIX}${point.id}-${process.pid}-${threadId}`);
  rmSync(tmp, { recursive: true, force: true });
  await runExperiment(cfg, { outDir: tmp, quiet: true, workers: opts.replicationWorkers ?? 1 });
  if (opts.report !== false) {
    // The trial's own report (learning curves of this grid point), linked from the sweep report.
    const { writeReport } = await import('./report.js');
    await writeReport(tmp);
  }
  try {
    renameSync(tmp, dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
    // Someone else finished this trial first (a second worker or machine): keep theirs.
    if (trialDone(dir)) {
      rmSync(tmp, { recursive: true, force: true });
      return { index: pointIndex, dir, skipped: true };
    }
    // An unfinished folder under the final name cannot come from runTrial; replace it.
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  }
  fsyncDir(trialsDir);
  return { index: pointIndex, dir, skipped: false };
}

// ───────────────────────────── the sweep ─────────────────────────────

/** What `runSweep` sends to a trial worker (sweep-worker.ts). */
export interface TrialTask {
  rawConfig: unknown;
  index: number;
  outDir: string;
  /** Write the trial's report.html. */
  report: boolean;
  /** Replications the trial runs at once. */
  replicationWorkers: number;
}

/** Message a trial worker posts back. */
type WorkerReply = { ok: true; result: TrialResult } | { ok: false; error: string };

/** Runs one trial in a fresh worker thread (no module state shared with any other trial). */
function trialInWorker(task: TrialTask, started: Set<Worker>): Promise<TrialResult> {
  return new Promise((resolvePromise, reject) => {
    const worker = new Worker(new URL('./sweep-worker.mjs', import.meta.url), { workerData: task });
    started.add(worker);
    let reply: WorkerReply | null = null;
    worker.once('message', (m: WorkerReply) => {
      reply = m;
      void worker.terminate();
    });
    worker.once('error', (e) => {
      reply ??= { ok: false, error: e.stack ?? e.message };
    });
    worker.once('exit', (code) => {
      started.delete(worker);
      if (reply?.ok) resolvePromise(reply.result);
      else reject(new Error(reply ? reply.error : `the worker stopped with exit code ${code} before finishing`));
    });
  });
}

/** Reads a finished trial's summary.json. */
function readSummary(dir: string): Summary {
  return JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Summary;
}

/** Builds the sweep table from the trial folders, in grid order, with p-values against the baseline. */
export function buildSweepTable(rawConfig: unknown, outDir: string): SweepTable {
  const spec = parseSweep(rawConfig);
  const points: SweepPoint[] = [];
  const summaries: Summary[] = [];
  for (let i = 0; i < spec.size; i++) {
    const p = pointOf(rawConfig as Record<string, unknown>, spec, i);
    const dir = join(outDir, TRIALS, p.id);
    if (!trialDone(dir)) throw new SweepError(`sweep table: trial ${p.id} has not finished (no ${join(dir, 'summary.json')})`);
    const s = readSummary(dir);
    summaries.push(s);
    points.push({ index: i, id: p.id, dir: `${TRIALS}/${p.id}`, params: p.params, configHash: s.configHash, market: { ...s.market }, bidders: structuredClone(s.bidders) });
  }
  if (spec.baseline !== null) {
    const base = summaries[spec.baseline]!;
    for (const p of points) {
      if (p.index === spec.baseline) continue;
      for (const [k, fig] of Object.entries(p.market)) {
        const b = base.market[k];
        p.market[k] = { ...fig, p: b ? nullIfNaN(welch(fig.values, b.values).p) : null };
      }
      for (const [id, figs] of Object.entries(p.bidders)) {
        for (const [k, fig] of Object.entries(figs)) {
          const b = base.bidders[id]?.[k];
          figs[k] = { ...fig, p: b ? nullIfNaN(welch(fig.values, b.values).p) : null };
        }
      }
    }
  }
  const first = summaries[0]!;
  return {
    name: first.name,
    sweepHash: sweepHash(rawConfig),
    seed: first.seed,
    replications: first.replications,
    sweep: Object.fromEntries(spec.keys.map((k, i) => [k, spec.values[i]!])),
    baseline: spec.baseline,
    points,
  };
}

function nullIfNaN(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * sweep.csv: one row per grid point; the swept values, then for every figure
 * `<figure>.mean`, `.ci95lo`, `.ci95hi` (and `.p` against the baseline point when
 * there is one). Figures are `market.<name>` and `bidders.<id>.<name>`.
 */
export function sweepCsv(table: SweepTable): string {
  const figures: string[] = [];
  const seen = new Set<string>();
  const add = (f: string) => {
    if (!seen.has(f)) {
      seen.add(f);
      figures.push(f);
    }
  };
  for (const p of table.points) {
    for (const k of Object.keys(p.market)) add(`market.${k}`);
    for (const [id, figs] of Object.entries(p.bidders)) for (const k of Object.keys(figs)) add(`bidders.${id}.${k}`);
  }
  const withP = table.baseline !== null;
  const keys = Object.keys(table.sweep);
  const header = ['index', 'trial', ...keys, ...figures.flatMap((f) => [`${f}.mean`, `${f}.ci95lo`, `${f}.ci95hi`, ...(withP ? [`${f}.p`] : [])])];
  const lines = [header.map(csvField).join(',')];
  for (const p of table.points) {
    const cells: unknown[] = [p.index, p.id, ...keys.map((k) => p.params[k])];
    for (const f of figures) {
      const [scope, a, b] = f.split('.') as [string, string, string | undefined];
      const fig = scope === 'market' ? p.market[a] : p.bidders[a]?.[b!];
      cells.push(fig?.mean, fig?.ci95[0], fig?.ci95[1]);
      if (withP) cells.push(fig?.p);
    }
    lines.push(cells.map(csvField).join(','));
  }
  return lines.join('\n') + '\n';
}

/**
 * Gets `outDir` ready for a sweep and returns its trials folder. One sweep per
 * folder: resuming with another config would mix two experiments, so a folder
 * holding another sweep (or trials without its sweep-config.json) is refused.
 * Stale temporary trial folders of a killed sweep are removed.
 * @throws {SweepError} when the folder holds a sweep and `resume` is false, or another sweep
 */
export function prepareSweepDir(rawConfig: unknown, outDir: string, resume: boolean): string {
  const trialsDir = join(outDir, TRIALS);
  const configFile = join(outDir, 'sweep-config.json');
  if (existsSync(configFile)) {
    if (!resume) throw new SweepError(`${outDir} already holds a sweep: pass --resume to continue it, or choose another --out`);
    const before = JSON.parse(readFileSync(configFile, 'utf8')) as unknown;
    if (canonicalJson(before) !== canonicalJson(rawConfig)) {
      throw new SweepError(`--resume: ${outDir} was started with a different config (see its sweep-config.json); choose another --out`);
    }
  } else if (existsSync(trialsDir) && readdirSync(trialsDir).some((n) => !n.startsWith(TEMP_PREFIX))) {
    throw new SweepError(`${outDir} holds trials but no sweep-config.json: choose another --out`);
  } else {
    writeJsonAtomic(configFile, rawConfig);
  }
  mkdirSync(trialsDir, { recursive: true });
  // Left by a killed sweep; nothing else writes here while we run.
  removeStaleTemps(trialsDir);
  return trialsDir;
}

/**
 * Runs a sweep: every grid point as a trial in its own worker thread, `workers` at
 * a time, then writes `sweep.json`, `sweep.csv` and `report.html` into `outDir`.
 *
 * @param rawConfig config object with a `sweep:` block, as read from YAML/JSON
 * @param opts see {@link SweepOptions}
 * @returns the sweep table (as written to sweep.json)
 * @throws {ConfigError} for a bad config; {@link SweepError} when `outDir` holds another sweep; Error when a trial fails
 * @example
 * const table = await runSweep(readRawConfig('experiments/configs/reserve-sweep.yaml'), { outDir: 'runs/reserve', workers: 4 });
 */
export async function runSweep(rawConfig: unknown, opts: SweepOptions): Promise<SweepTable> {
  const points = expandSweep(rawConfig);
  const workers = opts.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) throw new SweepError(`--workers: expected a whole number ≥ 1 — got ${workers}`);
  const { outDir } = opts;
  const trialsDir = prepareSweepDir(rawConfig, outDir, opts.resume ?? false);

  const todo = points.filter((p) => !trialDone(join(trialsDir, p.id))).map((p) => p.index);
  let done = points.length - todo.length;
  opts.onProgress?.(done, points.length);

  // Cores go to trials first; when there are fewer trials than workers, the
  // spare cores run replications inside each trial (no nested oversubscription).
  const lanes = Math.min(workers, Math.max(1, todo.length));
  const replicationWorkers = Math.max(1, Math.floor(workers / lanes));
  const running = new Set<Worker>();
  let failure: Error | null = null;
  let next = 0;
  const lane = async (): Promise<void> => {
    while (failure === null && next < todo.length) {
      const index = todo[next++]!;
      try {
        await trialInWorker({ rawConfig, index, outDir, report: opts.report !== false, replicationWorkers }, running);
      } catch (e) {
        if (failure === null) failure = new Error(`sweep trial ${points[index]!.id} failed (finished trials are kept; fix the cause and rerun with --resume): ${(e as Error).message}`);
        // Stop the others: their temporary folders are removed on resume.
        for (const w of running) void w.terminate();
        return;
      }
      done++;
      opts.onProgress?.(done, points.length);
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  if (failure !== null) throw failure;

  const table = buildSweepTable(rawConfig, outDir);
  writeJsonAtomic(join(outDir, 'sweep.json'), table);
  writeFileAtomic(join(outDir, 'sweep.csv'), sweepCsv(table));
  if (opts.report !== false) {
    // Loaded here, not at the top: trial workers import this module and need no charting libraries.
    const { writeReport } = await import('./report.js');
    await writeReport(outDir, { png: opts.png ?? false });
  }
  return table;
}

/**
 * The sweep table as terminal text: one line per grid point with the swept values,
 * market revenue and welfare, and each bidder's utility per auction (mean ± CI
 * half-width, and p against the baseline point when set).
 */
export function sweepText(table: SweepTable): string {
  const f = (x: number) => (Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(1) : Math.abs(x) >= 1 ? x.toFixed(3) : x.toFixed(4)) : '–');
  const cell = (s: SweepFigure | undefined) => {
    if (!s) return '—';
    const p = s.p === undefined ? '' : s.p === null ? ' (p –)' : ` (p ${s.p < 0.001 ? '<0.001' : s.p.toFixed(3)})`;
    return `${f(s.mean)} ± ${f((s.ci95[1] - s.ci95[0]) / 2)}${p}`;
  };
  const keys = Object.keys(table.sweep);
  const bidders = [...new Set(table.points.flatMap((p) => Object.keys(p.bidders)))];
  const head = ['#', ...keys, 'revenue/auction', 'welfare/auction', ...bidders.map((b) => `${b} utility/auction`)];
  const rows = table.points.map((p) => [
    `${p.index}${p.index === table.baseline ? '*' : ''}`,
    ...keys.map((k) => valueText(p.params[k])),
    cell(p.market.revenuePerAuction),
    cell(p.market.welfarePerAuction),
    ...bidders.map((b) => cell(p.bidders[b]?.utilityPerAuction)),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((x, i) => (i <= keys.length ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ');
  const out = [
    `${table.name} sweep: ${table.points.length} grid points × ${table.replications} replication${table.replications === 1 ? '' : 's'} (mean ± 95% CI half-width${table.baseline !== null ? `; p: Welch vs point ${table.baseline}*` : ''})`,
    '',
    line(head),
    widths.map((w) => '─'.repeat(w)).join('  '),
    ...rows.map(line),
  ];
  return out.join('\n');
}
