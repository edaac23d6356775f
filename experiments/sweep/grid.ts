/**
 * The grid of a sweep: a config's `sweep:` block maps dotted config paths to
 * lists of values; every combination (a grid point) is one trial.
 *
 * ```yaml
 * sweep:
 *   exchange.reservePrice: [0, 0.25, 0.5]
 *   bidders.0.agent.kind: [truthful, shaded]   # numeric segments index lists
 * sweepBaseline: 0                              # grid point the others are tested against
 * ```
 *
 * Paths are checked against the config schema by one walker over zod's
 * schema nodes ({@link walkSchema}): the per-auction schema, or a step-level
 * config's (`steps > 1`, experiments/autobid-config.ts) for a step-level sweep. Setting a `kind` drops the fields of that
 * object the new kind does not accept (the shaded agent's `factor` when the
 * point is truthful); to give each kind its own settings, sweep the whole object
 * (`bidders.0.agent: [{ kind: …, … }, …]`).
 */
import { createHash } from 'node:crypto';
import { InputError } from '../../env/errors.js';
import { canonicalJson } from '../../env/canonical-json.js';
import { ConfigError, resolveConfig, type ResolvedConfig } from '../config.js';
import { compileObjective, ObjectiveError } from '../objective.js';
import { configSchema } from '../schema.js';
import { autoBidConfigSchema, isAutoBidConfig, resolveAutoBidConfig, type ResolvedAutoBidConfig } from '../autobid-config.js';

/** A sweep that cannot run as asked (exit code 2 in the CLI). */
export class SweepError extends InputError {}

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

/** Parsed `sweep:` block: paths, their values, baseline. */
export interface SweepSpec {
  keys: string[];
  segments: string[][];
  values: unknown[][];
  baseline: number | null;
  size: number;
}

// ───────────────────────────── the schema walker ─────────────────────────────

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

/**
 * Walks the config schema along a dotted path: the schema nodes a value at
 * `segments` can be, or (`nodes` empty) what stops the walk, e.g.
 * `exchange has no field "reserve" — expected one of mechanism, …`.
 */
export function walkSchema(segments: string[], root: unknown = configSchema): { nodes: ZodLike[]; problem: string | null } {
  let nodes: ZodLike[] = alternatives(root as ZodLike);
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
      if (isList) return { nodes: [], problem: `${at} is a list: expected an index (0, 1, …) — got "${seg}"` };
      if (keys.size === 0) return { nodes: [], problem: `${at} has no fields — cannot go on to "${seg}"` };
      return { nodes: [], problem: `${at} has no field "${seg}" — expected one of ${[...keys].join(', ')}` };
    }
    nodes = next;
  }
  return { nodes, problem: null };
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
  for (const n of walkSchema(parentPath, schemaOf(config)).nodes) {
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

// ───────────────────────────── the sweep block ─────────────────────────────

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks that a list index on the way to a swept path exists in the user's config: a sweep overrides entries, it cannot invent bidders. */
function checkIndexes(raw: Record<string, unknown>, segs: string[], path: string): void {
  const outOfRange = (list: unknown[], upTo: number, j: string | number) =>
    new ConfigError(path, `${segs.slice(0, upTo).join('.')} has ${list.length} entr${list.length === 1 ? 'y' : 'ies'} — index ${j} is out of range`);
  let v: unknown = raw;
  for (let i = 0; i < segs.length - 1 && v !== undefined; i++) {
    const seg = segs[i]!;
    if (Array.isArray(v)) {
      if (Number(seg) >= v.length) throw outOfRange(v, i, Number(seg));
      v = v[Number(seg)];
    } else v = isPlainObject(v) ? v[seg] : undefined;
  }
  if (Array.isArray(v) && Number(segs[segs.length - 1]) >= v.length) throw outOfRange(v, segs.length - 1, segs[segs.length - 1]!);
}

/** Most grid points a sweep may have (each is a trial folder and a row of the table). */
export const MAX_GRID_POINTS = 100_000;

/** Path segments that would reach an object's prototype instead of a config field. */
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);

/** Validates the `sweep:` block of a raw config (paths exist, lists non-empty, no overlaps). @throws ConfigError */
export function parseSweep(raw: unknown): SweepSpec {
  if (!isPlainObject(raw)) throw new ConfigError('', 'expected a config object');
  const sweep = raw.sweep;
  if (!isPlainObject(sweep) || Object.keys(sweep).length === 0) {
    throw new ConfigError('sweep', 'expected a sweep: block mapping config paths to lists of values, e.g. { "exchange.reservePrice": [0, 0.25] }');
  }
  const keys = Object.keys(sweep);
  const segments: string[][] = [];
  const values: unknown[][] = [];
  for (const k of keys) {
    const path = `sweep["${k.length > 80 ? `${k.slice(0, 80)}…` : k}"]`;
    const segs = k.split('.');
    if (segs.some((s) => s === '')) throw new ConfigError(path, 'expected a dotted config path like exchange.reservePrice');
    if (segs.some((s) => !/^[A-Za-z0-9_]+$/.test(s) || FORBIDDEN_SEGMENTS.has(s))) throw new ConfigError(path, 'expected a dotted config path of field names and list indexes, like bidders.0.budget');
    if (segs[0] === 'sweep' || segs[0] === 'sweepBaseline') throw new ConfigError(path, 'a sweep cannot sweep its own settings');
    const { problem } = walkSchema(segs, schemaOf(raw));
    if (problem !== null) throw new ConfigError(path, `no such config field: ${problem}`);
    checkIndexes(raw, segs, path);
    const list = sweep[k];
    if (!Array.isArray(list) || list.length === 0) throw new ConfigError(path, 'expected a non-empty list of values');
    for (const prev of keys.slice(0, keys.indexOf(k))) {
      if (k.startsWith(`${prev}.`) || prev.startsWith(`${k}.`)) throw new ConfigError(path, `overlaps with sweep["${prev}"]: sweep one or the other`);
    }
    segments.push(segs);
    values.push(list);
  }
  const size = values.reduce((n, l) => n * l.length, 1);
  if (size > MAX_GRID_POINTS) {
    throw new ConfigError('sweep', `${size.toLocaleString('en-US')} grid points (${values.map((l) => l.length).join(' × ')}) is more than the ${MAX_GRID_POINTS.toLocaleString('en-US')} a sweep may have; sweep fewer values at once`);
  }
  const b = raw.sweepBaseline;
  if (b !== undefined && (typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b >= size)) {
    throw new ConfigError('sweepBaseline', `expected a grid point index in 0…${size - 1} — got ${JSON.stringify(b)}`);
  }
  return { keys, segments, values, baseline: typeof b === 'number' ? b : null, size };
}

// ───────────────────────────── grid points ─────────────────────────────

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
export function valueText(v: unknown): string {
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
export function pointOf(raw: Record<string, unknown>, spec: SweepSpec, index: number): GridPoint {
  const params: Record<string, unknown> = {};
  let rest = index;
  const choice = new Array<number>(spec.keys.length);
  for (let i = spec.keys.length - 1; i >= 0; i--) {
    const n = spec.values[i]!.length;
    choice[i] = rest % n;
    rest = Math.floor(rest / n);
  }
  // The config without its sweep block, copied (copying the block too would make a sweep of n points cost n² copies of its values).
  const { sweep: _sweep, sweepBaseline: _baseline, ...unswept } = raw;
  const config = structuredClone(unswept);
  spec.keys.forEach((k, i) => {
    const v = spec.values[i]![choice[i]!];
    params[k] = v;
    setPath(config, spec.segments[i]!, v);
    if (spec.segments[i]![spec.segments[i]!.length - 1] === 'kind') pruneForKind(config, spec.segments[i]!, v);
  });
  const width = String(spec.size - 1).length;
  return { index, id: `${String(index).padStart(width, '0')}-${slug(spec, params)}`, params, config };
}

/**
 * The schema a sweep's paths are checked against: a step-level config's
 * (experiments/autobid-config.ts) when the config has `steps > 1`, else the
 * per-auction one. A sweep stays on one level: a step-level config cannot
 * sweep `steps` down to 1 (that point is refused as its config is).
 */
function schemaOf(raw: unknown): unknown {
  return isAutoBidConfig(raw) ? autoBidConfigSchema : configSchema;
}

/** True when a sweep config's grid points are step-level configs (`steps > 1`: experiments/autobid-run.ts runs them). */
export function isAutoBidSweep(raw: unknown): boolean {
  return isAutoBidConfig(raw);
}

const pointWhere = (p: GridPoint) => `(in sweep grid point ${p.index}: ${Object.entries(p.params).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(', ')})`;

/** Resolves a step-level grid point's config; an error names the field and the point. */
export function resolveAutoBidPoint(p: GridPoint): ResolvedAutoBidConfig {
  if (!isAutoBidConfig(p.config)) throw new ConfigError('steps', `expected steps > 1 at every grid point of a step-level sweep, got ${JSON.stringify(p.config.steps)} ${pointWhere(p)}`);
  try {
    return resolveAutoBidConfig(p.config);
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`${e.message} ${pointWhere(p)}`);
    throw e;
  }
}

/** Resolves a grid point's config and compiles its objectives; an error names the field and the point. */
export function resolvePoint(p: GridPoint): ResolvedConfig {
  const where = () => pointWhere(p);
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
    if (isAutoBidConfig(raw)) resolveAutoBidPoint(p);
    else resolvePoint(p);
    points.push(p);
  }
  return points;
}

/** Hash of a raw sweep config (first 12 hex digits of sha256 of its canonical JSON). */
export function sweepHash(raw: unknown): string {
  return createHash('sha256').update(canonicalJson(raw)).digest('hex').slice(0, 12);
}
