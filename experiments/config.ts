/**
 * Loading, validating and resolving experiment configs (YAML or JSON).
 *
 * A config error names the field and what was expected:
 *   bidders[0].agent.kind: expected one of truthful, shaded, … — got "q-learnin"
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { canonicalJson } from '../env/canonical-json.js';
import { InputError } from '../env/errors.js';
import type { MarketSpec, UsersSpec } from '../env/market.js';
import type { AgentSpec } from './agent-schema.js';
import { compileObjective, ObjectiveError } from './objective.js';
import { LOG_METHOD_KINDS } from './log-replication.js';
import type { LogConfig } from './log-schema.js';
import { configSchema, exchangeSchema, MAX_BIDDERS, usersSchema, type AllocatorSpec, type ParsedConfig } from './schema.js';

/** A bad config: `path` is the dotted field (`bidders[1].agent.kind`), the message says what was expected. */
export class ConfigError extends InputError {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(path ? `${path}: ${detail}` : detail);
  }
}

/** A bidder after `copies` were expanded. */
export interface ResolvedBidder {
  id: string;
  /** The bidder entry this one came from (index into the user's `bidders`). */
  source: number;
  agent: AgentSpec;
  /** What an impression is worth; null only in a log market without a value (the objective is clicks). */
  value: NonNullable<ParsedConfig['bidders'][number]['value']> | null;
  /** Budget per episode, currency units; null for none or for a `{ c0 }` budget (log markets: see budgetC0). */
  budget: number | null;
  /** A log market's budget as the paper's c0 (turned into an amount from the log's training statistics at run time); absent otherwise (so that other configs resolve, and hash, as before). */
  budgetC0?: number;
  objective: string | null;
  allocator: AllocatorSpec | null;
  /** Targets the summary scores the bidder against (cpa: and roi:); absent without them (so other configs resolve, and hash, as before). */
  targets?: { cpa?: number; roi?: number };
}

/** The config with defaults filled, copies expanded and derived values added. */
export interface ResolvedConfig {
  name: string;
  seed: number;
  replications: number;
  episodes: number;
  evalEpisodes: number;
  auctionsPerEpisode: number;
  users: z.output<typeof usersSchema> | null;
  interestModel: NonNullable<ParsedConfig['interestModel']>;
  exchange: {
    mechanism: NonNullable<ParsedConfig['exchange']>['mechanism'];
    slots: number;
    slotWeights: number[];
    reservePrice: number;
    publisherShare: number;
    participantsPerAuction: number | null;
    publishers: number;
    allocator: 'best' | 'random';
    /** Present only when given. */
    exposure?: number[];
  };
  bidders: ResolvedBidder[];
  /** A log market (the `log:` block; `baseDir` is the config file's folder, which relative log paths start from); absent for a simulated market. */
  /** Exponent β of the score's penalties (bidders with cpa: or roi:); absent for the default 2. */
  beta?: number;
  log?: LogConfig & { baseDir: string | null };
}

/** Formats a zod path as `bidders[0].agent.kind`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${String(p)}` : String(p);
  return s;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = raw;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p as string];
  }
  return v;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v) + (v.length > 40 ? ` (${v.length} characters)` : '');
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'an object' : String(v);
}

/** Turns the first zod issue into a ConfigError naming the field, what was expected and what was given. */
function issueToError(issue: z.core.$ZodIssue, raw: unknown): ConfigError {
  const path = formatPath(issue.path);
  const got = valueAt(raw, issue.path);
  switch (issue.code) {
    case 'invalid_union': {
      const opts = (issue as { options?: unknown[] }).options;
      if (opts) return new ConfigError(path, `expected one of ${opts.join(', ')} — got ${describe(got)}`);
      const inner = (issue as { errors?: z.core.$ZodIssue[][] }).errors?.find((e) => e.length > 0);
      if (inner && inner[0]) return issueToError({ ...inner[0], path: [...issue.path, ...inner[0].path] }, raw);
      return new ConfigError(path, `${issue.message} — got ${describe(got)}`);
    }
    case 'invalid_value':
      return new ConfigError(path, `expected one of ${issue.values.map((v) => String(v)).join(', ')} — got ${describe(got)}`);
    case 'unrecognized_keys':
      return new ConfigError(path, `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`);
    case 'invalid_type':
      if (got === undefined) return new ConfigError(path, `required (expected ${issue.expected})`);
      return new ConfigError(path, `expected ${issue.expected} — got ${describe(got)}`);
    case 'too_small':
    case 'too_big': {
      const bound = (issue as { minimum?: unknown; maximum?: unknown }).minimum ?? (issue as { maximum?: unknown }).maximum;
      const what = Array.isArray(got) ? 'a list of' : issue.origin === 'string' ? 'a string of length' : 'a number';
      const rel = issue.code === 'too_small' ? ((issue as { inclusive?: boolean }).inclusive ? '≥' : '>') : (issue as { inclusive?: boolean }).inclusive ? '≤' : '<';
      return new ConfigError(path, `expected ${what} ${rel} ${String(bound)}${Array.isArray(got) ? ' entries' : ''} — got ${Array.isArray(got) ? got.length : describe(got)}`);
    }
    default:
      return new ConfigError(path, `${issue.message.replace(/^Invalid input: /, '')} — got ${describe(got)}`);
  }
}

/**
 * Refuses more than {@link MAX_BIDDERS} bidders in all, copies included, before
 * they are expanded (copies: 1e8 took minutes and gigabytes to expand; 2^32 was
 * a RangeError). @throws ConfigError naming the entry that goes past it
 */
export function checkBidderCount(bidders: readonly { copies: number }[]): void {
  let total = 0;
  bidders.forEach((b, i) => {
    total += b.copies;
    if (total > MAX_BIDDERS) throw new ConfigError(`bidders[${i}].copies`, `${countOf(total)} bidders in all (copies included) is more than the ${countOf(MAX_BIDDERS)} a market may have`);
  });
}

const countOf = (n: number) => (Number.isSafeInteger(n) ? String(n).replace(/\B(?=(\d{3})+$)/g, ',') : String(n));

/** Default slot weights: 1, d, d², … (d = 0.75 unless `users.positionDecay` sets it). */
export function defaultSlotWeights(slots: number, decay = 0.75): number[] {
  return Array.from({ length: slots }, (_, j) => Math.pow(decay, j));
}

/**
 * Validates a raw config object and resolves it: defaults, expanded copies,
 * derived slot weights, cross-field checks. @throws ConfigError
 */
export function resolveConfig(raw: unknown): ResolvedConfig {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw issueToError(parsed.error.issues[0]!, raw);
  const c = parsed.data;
  const isLog = c.log !== undefined;
  if (isLog) {
    if (c.exchange) throw new ConfigError('exchange', 'a log market has no exchange: the logged prices are the market (remove exchange:, or remove log:)');
    if (c.users) throw new ConfigError('users', 'a log market has no simulated users (remove users:, or remove log:)');
    if (c.interestModel) throw new ConfigError('interestModel', 'a log market has its own predicted CTRs (remove interestModel:)');
  } else if (!c.exchange) throw new ConfigError('exchange', 'required (expected object) — every simulated market needs exchange: { mechanism } (or give a log: block to replay a bid log)');
  // A log market's protocol: the winner pays the logged price (the highest competing bid), one slot.
  const ex = c.exchange ?? exchangeSchema.parse({ mechanism: 'second-price' });
  // One position effect: users click slot j with probability CTR × slotWeights[j],
  // so users.positionDecay can only set the default weights, never add a second effect.
  const decay = c.users?.positionDecay;
  if (decay !== undefined && ex.slotWeights) throw new ConfigError('users.positionDecay', 'exchange.slotWeights is the position effect (click probability, value and price of every slot); give one of the two, not both');
  const slotWeights = ex.slotWeights ?? defaultSlotWeights(ex.slots, decay);
  if (slotWeights.length !== ex.slots) throw new ConfigError('exchange.slotWeights', `expected ${ex.slots} weights (one per slot) — got ${slotWeights.length}`);
  if (ex.exposure) {
    if (ex.exposure.length !== ex.slots) throw new ConfigError('exchange.exposure', `expected ${ex.slots} probabilities (one per slot) — got ${ex.exposure.length}`);
    for (let j = 1; j < ex.exposure.length; j++) if (ex.exposure[j]! > ex.exposure[j - 1]!) throw new ConfigError(`exchange.exposure[${j}]`, `expected probabilities that do not increase down the page — got ${ex.exposure[j]} after ${ex.exposure[j - 1]}`);
  }
  if (slotWeights[0] !== 1) throw new ConfigError('exchange.slotWeights[0]', `expected 1 (the top slot's weight) — got ${slotWeights[0]}`);
  for (let j = 1; j < slotWeights.length; j++) {
    if (slotWeights[j]! > slotWeights[j - 1]!) throw new ConfigError(`exchange.slotWeights[${j}]`, `expected weights that do not increase down the page — got ${slotWeights[j]} after ${slotWeights[j - 1]}`);
  }
  if (ex.mechanism === 'second-price' && ex.slots > 1) throw new ConfigError('exchange.mechanism', 'second-price sells one slot; use gsp or vcg for several slots');
  if (ex.mechanism === 'first-price' && ex.slots > 1) {
    // First price over several slots is the generalised first price auction: allowed.
  }
  checkBidderCount(c.bidders);
  const bidders: ResolvedBidder[] = [];
  const seen = new Map<string, string>();
  c.bidders.forEach((b, i) => {
    if (b.objective !== undefined) {
      try {
        compileObjective(b.objective, `bidders[${i}].objective`);
      } catch (e) {
        if (e instanceof ObjectiveError) throw new ConfigError(e.path, e.message.startsWith(`${e.path}: `) ? e.message.slice(e.path.length + 2) : e.message);
        throw e;
      }
    }
    const ids = b.copies === 1 ? [b.id] : Array.from({ length: b.copies }, (_, k) => `${b.id}-${k + 1}`);
    const logKind = (LOG_METHOD_KINDS as readonly string[]).includes(b.agent.kind);
    const c0 = typeof b.budget === 'object' ? b.budget.c0 : null;
    const targets = b.cpa !== undefined || b.roi !== undefined ? { targets: { ...(b.cpa !== undefined ? { cpa: b.cpa } : {}), ...(b.roi !== undefined ? { roi: b.roi } : {}) } } : {};
    if (isLog) {
      if (b.value && b.value.kind !== 'per-click') throw new ConfigError(`bidders[${i}].value.kind`, `a log market values clicks: use { kind: per-click, amount } or omit value — got "${b.value.kind}"`);
      if (b.allocator) throw new ConfigError(`bidders[${i}].allocator`, 'a log market shows no ads to choose from (remove allocator:)');
      if (b.objective !== undefined) throw new ConfigError(`bidders[${i}].objective`, 'a log market counts clicks; objective expressions are for simulated markets (remove objective:)');
    } else {
      if (logKind) throw new ConfigError(`bidders[${i}].agent.kind`, `"${b.agent.kind}" replays a bid log: it needs a log: block (docs/logs.md)`);
      if (c0 !== null) throw new ConfigError(`bidders[${i}].budget`, '{ c0 } is a share of a log\'s training mean price: it needs a log: block (docs/logs.md); give an amount');
      if (!b.value) throw new ConfigError(`bidders[${i}].value`, 'required (expected object) — what an impression is worth: { kind: per-click | per-conversion, amount } or { kind: uniform, low, high }');
    }
    for (const id of ids) {
      if (seen.has(id)) throw new ConfigError(`bidders[${i}].id`, `duplicate bidder id "${id}" (also ${seen.get(id)})`);
      seen.set(id, `bidders[${i}]`);
      if (!b.value) {
        bidders.push({ id, source: i, agent: b.agent, value: null, budget: typeof b.budget === 'number' ? b.budget : null, ...(c0 !== null ? { budgetC0: c0 } : {}), objective: null, allocator: null, ...targets });
        continue;
      }
      if (!c.users && !isLog && b.value.kind !== 'uniform') {
        throw new ConfigError(`bidders[${i}].value.kind`, `"${b.value.kind}" needs users (add a users: block) — without users use { kind: uniform, low, high }`);
      }
      if (b.allocator && !c.users) throw new ConfigError(`bidders[${i}].allocator`, 'a learning allocator chooses among ads and needs users (add a users: block)');
      if (b.allocator && b.value.kind === 'uniform') throw new ConfigError(`bidders[${i}].allocator`, 'a bidder with a uniform private value shows no ad; use per-click or per-conversion values');
      bidders.push({ id, source: i, agent: b.agent, value: b.value, budget: typeof b.budget === 'number' ? b.budget : null, ...(c0 !== null ? { budgetC0: c0 } : {}), objective: b.objective ?? null, allocator: b.allocator ?? null, ...targets });
    }
  });
  const p = ex.participantsPerAuction ?? null;
  if (p !== null && p > bidders.length) throw new ConfigError('exchange.participantsPerAuction', `expected at most the number of bidders (${bidders.length}) — got ${p}`);
  const interestModel = c.interestModel ?? ({ kind: 'oracle' } as NonNullable<ParsedConfig['interestModel']>);
  if (interestModel.kind !== 'oracle' && !c.users) throw new ConfigError('interestModel.kind', `"${interestModel.kind}" needs users (add a users: block)`);
  return {
    name: c.name,
    seed: c.seed,
    replications: c.replications,
    episodes: c.episodes,
    evalEpisodes: c.evalEpisodes,
    auctionsPerEpisode: c.auctionsPerEpisode,
    users: c.users ?? null,
    interestModel,
    exchange: {
      mechanism: ex.mechanism,
      slots: ex.slots,
      slotWeights,
      reservePrice: ex.reservePrice,
      publisherShare: ex.publisherShare,
      participantsPerAuction: p,
      publishers: ex.publishers,
      allocator: ex.allocator,
      ...(ex.exposure ? { exposure: ex.exposure } : {}),
    },
    bidders,
    ...(c.log ? { log: { ...c.log, baseDir: null } } : {}),
    ...(c.beta !== undefined ? { beta: c.beta } : {}),
  };
}

/** Largest config file read, bytes. */
export const MAX_CONFIG_BYTES = 10 * 1024 * 1024;
/** Deepest nesting of lists and maps accepted in a config. */
export const MAX_CONFIG_DEPTH = 64;
/** Most YAML aliases (`*name`) a config may use (a few are handy; thousands are an expansion bomb). */
const MAX_ALIASES = 100;

/** At most `n` characters of `s` for a message, on one line. */
export function excerpt(s: string, n = 60): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > n ? `${one.slice(0, n)}…` : one;
}

/** Depth of nested lists and maps of a parsed value (iterative: no stack overflow on deep input). */
function depthOf(v: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[v, 0]];
  while (stack.length > 0) {
    const [x, d] = stack.pop()!;
    if (x === null || typeof x !== 'object') continue;
    if (d + 1 > max) max = d + 1;
    if (max > MAX_CONFIG_DEPTH) return max;
    for (const c of Object.values(x as object)) stack.push([c, d + 1]);
  }
  return max;
}

/** Parses YAML or JSON text (by extension; YAML is a superset of JSON). @throws ConfigError */
export function parseConfigText(text: string, file = 'config'): unknown {
  let value: unknown;
  try {
    value = parseYaml(text, { uniqueKeys: true, maxAliasCount: MAX_ALIASES });
  } catch (e) {
    if (e instanceof RangeError || /call stack/i.test((e as Error).message)) throw new ConfigError('', `${file}: nested too deeply to read (at most ${MAX_CONFIG_DEPTH} levels)`);
    if (e instanceof YAMLParseError) {
      const where = e.linePos?.[0] ? ` (line ${e.linePos[0].line}, column ${e.linePos[0].col})` : '';
      throw new ConfigError('', `${file}: not valid YAML/JSON${where}: ${excerpt(e.message.split('\n')[0]!, 120)}`);
    }
    if (/alias/i.test((e as Error).message)) throw new ConfigError('', `${file}: uses YAML aliases more than ${MAX_ALIASES} times (an expansion bomb?)`);
    throw new ConfigError('', `${file}: cannot read it as YAML/JSON: ${excerpt((e as Error).message, 120)}`);
  }
  if (depthOf(value) > MAX_CONFIG_DEPTH) throw new ConfigError('', `${file}: nested more than ${MAX_CONFIG_DEPTH} levels deep`);
  return value;
}

/**
 * Reads a config file's text: only a regular file (not a FIFO, a device or a
 * folder), at most {@link MAX_CONFIG_BYTES}. @throws ConfigError
 */
function readConfigFile(path: string): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO does not wait for a writer; it is then refused as not a regular file.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new ConfigError('', `cannot read config file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ConfigError('', `config file ${path}: not a regular file`);
    if (st.size > MAX_CONFIG_BYTES) throw new ConfigError('', `config file ${path}: ${(st.size / 1e6).toFixed(1)} MB, more than the ${MAX_CONFIG_BYTES / (1024 * 1024)} MB a config may have`);
    const buf = Buffer.alloc(st.size);
    let off = 0;
    while (off < st.size) {
      const n = readSync(fd, buf, off, st.size - off, off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Reads a raw config object from a YAML or JSON file. @throws ConfigError */
export function readRawConfig(path: string): unknown {
  return parseConfigText(readConfigFile(path), path);
}

/** Reads, validates and resolves a config file. @throws ConfigError */
export function loadConfig(path: string): ResolvedConfig {
  return loadConfigFrom(readRawConfig(path), path);
}

/**
 * {@link loadConfig} of a raw config already read from `path` (readRawConfig),
 * so that a caller that needs the raw object too parses the file once.
 * Does not modify `raw`. @throws ConfigError
 */
export function loadConfigFrom(raw: unknown, path: string): ResolvedConfig {
  const cfg = resolveConfig(raw);
  // A log market's relative paths start from the config file's folder.
  if (cfg.log) cfg.log.baseDir = dirname(resolve(path));
  return cfg;
}

/** First 12 hex digits of the sha256 of the resolved config's canonical JSON. */
export function configHash(cfg: ResolvedConfig): string {
  // Where the config file lies is not part of the experiment (a log's paths are hashed as written).
  const hashed = cfg.log ? { ...cfg, log: { ...cfg.log, baseDir: null } } : cfg;
  return createHash('sha256').update(canonicalJson(hashed)).digest('hex').slice(0, 12);
}

/** The market a resolved config describes. */
export function marketSpec(cfg: ResolvedConfig): MarketSpec {
  let users: UsersSpec | null = null;
  let trainingAttention: 'reference' | 'own' | undefined;
  if (cfg.users) {
    const { trainingAttention: t, ...u } = cfg.users;
    users = { ...u };
    trainingAttention = t;
  }
  return {
    mechanism: cfg.exchange.mechanism,
    slotWeights: cfg.exchange.slotWeights,
    reservePrice: cfg.exchange.reservePrice,
    publisherShare: cfg.exchange.publisherShare,
    participantsPerAuction: cfg.exchange.participantsPerAuction,
    publishers: cfg.exchange.publishers,
    auctionsPerEpisode: cfg.auctionsPerEpisode,
    bidders: cfg.bidders.map((b) => {
      if (!b.value) throw new Error(`internal error: bidder ${b.id} has no value (a log market has no simulated market)`);
      return { id: b.id, value: b.value, budget: b.budget };
    }),
    users,
    allocator: cfg.exchange.allocator,
    ...(cfg.exchange.exposure ? { exposure: cfg.exchange.exposure } : {}),
    // Evaluation users live as long before evaluation as the training users did.
    evaluationWarmup: cfg.episodes * cfg.auctionsPerEpisode,
    ...(trainingAttention ? { trainingAttention } : {}),
  };
}

/**
 * The rough upper bound of the bidders' values that learners normalise currency
 * features by (`AgentContext.valueScale`): the largest per-event value (a fifth
 * of it when users with a click model are simulated) or the top of a uniform
 * value range; at least 1e-9. Every place that builds an agent's context for a
 * config uses this, so an agent behaves the same wherever it is built.
 */
export function valueScale(cfg: ResolvedConfig): number {
  return Math.max(1e-9, ...cfg.bidders.map((b) => (!b.value ? 1e-9 : b.value.kind === 'uniform' ? b.value.high : b.value.amount * (cfg.users ? 0.2 : 1))));
}
