/**
 * The policy file: a versioned, self-describing, checksummed JSON document that
 * a strategy team can evaluate on its own market config (`bidgym evaluate`) or
 * call from its own code with {@link loadPolicy}, without any training code.
 *
 * ```json
 * { "schemaVersion": 1,
 *   "kind": "q-learning",
 *   "features": [{ "name": "value", "unit": "currency", "low": 0, "high": null,
 *                  "normalisation": { "divideBy": 2, "clipLow": 0, "clipHigh": 4 } }, …],
 *   "action": { "unit": "currency", "rule": "…", "multipliers": [0, 0.1, …] },
 *   "params": { … Q-table, network weights, … },
 *   "provenance": { "configHash": "…", "seed": 42, "bidder": "learner", "training": { … } },
 *   "sha256": "…" }
 * ```
 *
 * `sha256` is the hex SHA-256 of the canonical JSON (keys sorted at every
 * level, no whitespace) of the document without its `sha256` field; a `high`
 * of null means unbounded. Numbers are written by `JSON.stringify`, which
 * round-trips doubles exactly, so a loaded policy bids exactly as the trained one.
 *
 * This is the one file of agents/ that reads and writes files: policy files are
 * the way out of the simulator for people who do not run it.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { OBS, OBS_FEATURES, OBS_SIZE, observationFrom, type ObsFeature } from '../env/observation.js';
import type { Rng } from '../env/rng.js';
import { ConstantPolicy, RandomPolicy, ShadedPolicy, TruthfulPolicy } from './baselines.js';
import type { PacerParams } from './budget.js';
import type { Agent, Observation, Policy, PolicyParams, Transition } from './core.js';
import type { EncoderSpec, StateGridSpec } from './features.js';
import { LinearArmPolicy, NetworkPolicy, TablePolicy } from './frozen.js';
import { checkMlpWeights, type MlpWeights } from './nn.js';
import { PacingPolicy } from './pacing.js';

/** The policy-file schema version this code writes and reads. */
export const POLICY_SCHEMA_VERSION = 1;

/** A policy file that cannot be used: bad checksum, unknown version, malformed, or features that do not fit. */
export class PolicyError extends Error {
  /** CLI exit status for this error (usage error). */
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'PolicyError';
  }
}

/** One observation feature a policy reads. */
export interface PolicyFeature {
  name: string;
  unit: string;
  low: number;
  /** Upper bound; null = unbounded. */
  high: number | null;
  /** How the policy scales the raw feature, or "none" when it uses it as it is. */
  normalisation: 'none' | { divideBy: number; clipLow: number; clipHigh: number };
  description: string;
}

/** How a policy turns its scores into a bid. */
export interface PolicyAction {
  /** Unit of the bid. */
  unit: 'currency';
  /** The bidding rule in words. */
  rule: string;
  /** Per action, its multiplier on the value (learners; 0 for a bid level). */
  multipliers?: number[];
  /** Per action, the bid it adds in currency (learners with bid levels; 0 for a multiplier). */
  offsets?: number[];
}

/** Where a policy came from. */
export interface Provenance {
  /** Hash of the resolved config it was trained under. */
  configHash: string;
  /** Root seed of that run. */
  seed: number;
  /** Bidder id it was trained as. */
  bidder: string;
  /** Replication whose policy this is. */
  replication?: number;
  /** Training figures (episodes, auctions, utility per auction, …). */
  training: Record<string, number | string | boolean | null>;
  /** bidgym version that wrote it. */
  bidgym?: string;
}

/** The policy file as a JSON object. */
export interface PolicyFile {
  schemaVersion: number;
  kind: string;
  features: PolicyFeature[];
  action: PolicyAction;
  params: PolicyParams;
  provenance: Provenance;
  sha256: string;
}

/** JSON with object keys sorted at every level, no whitespace. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x) => {
    if (x && typeof x === 'object' && !Array.isArray(x)) {
      return Object.fromEntries(
        Object.keys(x)
          .sort()
          .map((k) => [k, (x as Record<string, unknown>)[k]]),
      );
    }
    return x;
  });
}

/** SHA-256 (hex) of a policy document's canonical JSON without its `sha256` field. */
export function policyChecksum(doc: Omit<PolicyFile, 'sha256'> | PolicyFile): string {
  const { sha256: _ignored, ...rest } = doc as PolicyFile;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

const featureSpec = (name: ObsFeature) => OBS_FEATURES.find((f) => f.name === name)!;

function rawFeature(name: ObsFeature): PolicyFeature {
  const f = featureSpec(name);
  return { name, unit: f.unit, low: f.low, high: Number.isFinite(f.high) ? f.high : null, normalisation: 'none', description: f.description };
}

/** The features and action mapping of a policy (what its file declares). */
export function describePolicy(kind: string, params: PolicyParams): { features: PolicyFeature[]; action: PolicyAction } {
  switch (kind) {
    case 'truthful':
      return { features: [rawFeature('value')], action: { unit: 'currency', rule: 'bid = value' } };
    case 'shaded':
      return { features: [rawFeature('value')], action: { unit: 'currency', rule: `bid = ${String(params.factor)} × value` } };
    case 'constant':
      return { features: [], action: { unit: 'currency', rule: `bid = ${String(params.amount)}` } };
    case 'random':
      return { features: [], action: { unit: 'currency', rule: `bid ~ uniform [${String(params.low)}, ${String(params.high)}) from a seeded stream` } };
    case 'pacing':
      return {
        features: (['value', 'budgetLeft', 'timeLeft'] as const).map(rawFeature),
        action: { unit: 'currency', rule: 'bid = value / (1 + μ); μ moves with the gap between budget spent and time elapsed since the last call (stateful; restarts when timeLeft rises)' },
      };
    default: {
      const encoder = params.encoder as EncoderSpec | undefined;
      if (!encoder || !Array.isArray(encoder.features)) throw new PolicyError(`params.encoder: a "${kind}" policy needs its feature encoder`);
      const features: PolicyFeature[] = encoder.features.map((f) => ({
        ...rawFeature(f.name),
        normalisation: { divideBy: f.divideBy, clipLow: f.clipLow, clipHigh: f.clipHigh },
      }));
      const have = new Set(features.map((f) => f.name));
      const paced = params.pacer !== null && params.pacer !== undefined;
      const needed: ObsFeature[] = paced ? ['value', 'budgetLeft', 'timeLeft'] : ['value'];
      for (const n of needed) if (!have.has(n)) features.push(rawFeature(n));
      const scorer = kind === 'q-learning' ? 'the best Q-value of the state' : kind === 'linucb' || kind === 'thompson' ? 'the best θ_a · [1, x, x², …]' : 'the best network output';
      return {
        features,
        action: {
          unit: 'currency',
          rule: paced
            ? `bid = (m × v' + offset) / λ₀, v' = value × λ₀ / λ, log λ = max(minLogLambda (0 if absent), logLambda0 + gain × (timeLeft − budgetLeft)), λ₀ = exp(logLambda0), (m, offset) = the action with ${scorer} on v'`
            : `bid = m × value + offset, (m, offset) = the action with ${scorer}`,
          multipliers: params.multipliers as number[],
          ...(params.offsets ? { offsets: params.offsets as number[] } : {}),
        },
      };
    }
  }
}

/**
 * The policy document of a frozen policy, checksum included.
 *
 * @param policy a frozen policy (`agent.policy()`)
 * @param provenance where it came from
 */
export function policyDocument(policy: Pick<Policy, 'kind' | 'params'>, provenance: Provenance): PolicyFile {
  const params = JSON.parse(JSON.stringify(policy.params())) as PolicyParams;
  const { features, action } = describePolicy(policy.kind, params);
  const doc: Omit<PolicyFile, 'sha256'> = { schemaVersion: POLICY_SCHEMA_VERSION, kind: policy.kind, features, action, params, provenance };
  // Build it again from the document, so that a file that cannot be loaded is never written.
  policyFromDocument({ ...doc, sha256: '' });
  return { ...doc, sha256: policyChecksum(doc) };
}

/**
 * Writes `policies/<bidder>.json`-style files: the policy document, atomically
 * (temporary file, then rename).
 *
 * @returns the document written
 * @example writePolicyFile('runs/x/policies/learner.json', agent.policy(), { configHash, seed, bidder: 'learner', training: {} })
 */
export function writePolicyFile(path: string, policy: Pick<Policy, 'kind' | 'params'>, provenance: Provenance): PolicyFile {
  const doc = policyDocument(policy, provenance);
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.tmp-${basename(path)}-${process.pid}`);
  writeFileSync(tmp, `${JSON.stringify(doc, null, 2)}\n`);
  renameSync(tmp, path);
  return doc;
}

// ---- reading ----

const normalisationSchema = z.union([
  z.literal('none'),
  z.object({ divideBy: z.number().positive(), clipLow: z.number(), clipHigh: z.number() }).strict(),
]);
const documentSchema = z
  .object({
    schemaVersion: z.number(),
    kind: z.string().min(1),
    features: z.array(
      z
        .object({ name: z.string(), unit: z.string(), low: z.number(), high: z.number().nullable(), normalisation: normalisationSchema, description: z.string() })
        .strict(),
    ),
    action: z.object({ unit: z.literal('currency'), rule: z.string(), multipliers: z.array(z.number()).optional(), offsets: z.array(z.number()).optional() }).strict(),
    params: z.record(z.string(), z.unknown()),
    provenance: z
      .object({
        configHash: z.string(),
        seed: z.number(),
        bidder: z.string(),
        replication: z.number().optional(),
        training: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
        bidgym: z.string().optional(),
      })
      .strict(),
    sha256: z.string(),
  })
  .strict();

const num = (v: unknown, field: string): number => {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new PolicyError(`params.${field}: expected a finite number, got ${JSON.stringify(v)}`);
  return v;
};
const numArray = (v: unknown, field: string): number[] => {
  if (!Array.isArray(v)) throw new PolicyError(`params.${field}: expected a list of numbers`);
  v.forEach((x, i) => num(x, `${field}[${i}]`));
  return v as number[];
};
const pacerOf = (v: unknown): PacerParams | null => {
  if (v === null || v === undefined) return null;
  const p = v as Record<string, unknown>;
  return { logLambda0: num(p.logLambda0, 'pacer.logLambda0'), gain: num(p.gain, 'pacer.gain'), ...(p.minLogLambda !== undefined ? { minLogLambda: num(p.minLogLambda, 'pacer.minLogLambda') } : {}) };
};

/** Bid levels of the actions, currency (absent in files without bid levels: none). */
const offsetsOf = (v: unknown): number[] | null => (v === null || v === undefined ? null : numArray(v, 'offsets'));

/** Rebuilds the frozen policy of a (structurally valid) document. @throws PolicyError */
function policyFromDocument(doc: PolicyFile): Policy {
  const p = doc.params;
  try {
    switch (doc.kind) {
      case 'truthful':
        return new TruthfulPolicy();
      case 'shaded':
        return new ShadedPolicy(num(p.factor, 'factor'));
      case 'constant':
        return new ConstantPolicy(num(p.amount, 'amount'));
      case 'random':
        if (typeof p.seed !== 'string') throw new PolicyError('params.seed: expected a string');
        return new RandomPolicy(num(p.low, 'low'), num(p.high, 'high'), p.seed);
      case 'pacing':
        return new PacingPolicy({ rate: num(p.rate, 'rate'), maxMultiplier: num(p.maxMultiplier, 'maxMultiplier'), ...(p.minMultiplier !== undefined ? { minMultiplier: num(p.minMultiplier, 'minMultiplier') } : {}) }, num(p.horizon, 'horizon'), p.initialMultiplier === undefined ? 0 : num(p.initialMultiplier, 'initialMultiplier'));
      case 'q-learning':
        return new TablePolicy(doc.kind, p.encoder as EncoderSpec, p.grid as StateGridSpec, numArray(p.multipliers, 'multipliers'), Float64Array.from(numArray(p.q, 'q')), pacerOf(p.pacer), offsetsOf(p.offsets));
      case 'dqn':
      case 'reinforce':
      case 'actor-critic':
        checkMlpWeights(p.network as MlpWeights, 'params.network');
        return new NetworkPolicy(doc.kind, p.encoder as EncoderSpec, numArray(p.multipliers, 'multipliers'), p.network as MlpWeights, pacerOf(p.pacer), offsetsOf(p.offsets));
      case 'linucb':
      case 'thompson': {
        if (p.degree !== 1 && p.degree !== 2 && p.degree !== 3) throw new PolicyError(`params.degree: expected 1, 2 or 3, got ${JSON.stringify(p.degree)}`);
        if (!Array.isArray(p.theta)) throw new PolicyError('params.theta: expected a list of coefficient lists');
        const theta = p.theta.map((t, i) => numArray(t, `theta[${i}]`));
        return new LinearArmPolicy(doc.kind, p.encoder as EncoderSpec, p.degree, numArray(p.multipliers, 'multipliers'), theta, pacerOf(p.pacer), offsetsOf(p.offsets));
      }
      default:
        throw new PolicyError(`kind: unknown policy kind "${doc.kind}"; expected one of truthful, shaded, constant, random, pacing, q-learning, dqn, reinforce, actor-critic, linucb, thompson`);
    }
  } catch (e) {
    if (e instanceof PolicyError) throw e;
    throw new PolicyError(`params: ${(e as Error).message}`);
  }
}

/** A policy loaded from a file: bids from an observation array or from named features. */
export interface LoadedPolicy {
  readonly kind: string;
  /** The verified document. */
  readonly file: PolicyFile;
  /** Names of the observation features the policy reads. */
  readonly featureNames: readonly string[];
  /**
   * The bid, currency units, for an observation: a `Float64Array` in the OBS
   * layout (env/observation.ts), or a record of named features (every feature
   * the policy reads must be present).
   */
  bid(observation: Float64Array | Readonly<Record<string, number>>): number;
  /** The frozen policy (the Policy interface of agents/core.ts). */
  readonly policy: Policy;
}

/**
 * Reads, verifies and loads a policy file.
 *
 * Refuses (PolicyError) a document that is not JSON, whose `schemaVersion` is
 * not {@link POLICY_SCHEMA_VERSION}, whose checksum does not match its content,
 * whose features are not this bidgym's observation features, or whose
 * parameters are malformed.
 *
 * @param source a file path, a JSON string, or the parsed document
 * @example loadPolicy('runs/x/policies/learner.json').bid({ value: 1.2, budgetLeft: 0.5, timeLeft: 0.5 })
 */
export function loadPolicy(source: string | object): LoadedPolicy {
  let raw: unknown = source;
  let where = 'policy';
  if (typeof source === 'string') {
    let text = source;
    if (!source.trimStart().startsWith('{')) {
      where = source;
      try {
        text = readFileSync(source, 'utf8');
      } catch (e) {
        throw new PolicyError(`cannot read policy file ${source}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    }
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new PolicyError(`${where}: not valid JSON (${(e as Error).message})`);
    }
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new PolicyError(`${where}: expected a JSON object`);
  const version = (raw as Record<string, unknown>).schemaVersion;
  if (version !== POLICY_SCHEMA_VERSION) {
    throw new PolicyError(`${where}: unknown schemaVersion ${JSON.stringify(version)}; this bidgym reads policy files of schemaVersion ${POLICY_SCHEMA_VERSION}`);
  }
  const parsed = documentSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PolicyError(`${where}: ${issue.path.join('.') || 'document'}: ${issue.message}`);
  }
  const doc = parsed.data as PolicyFile;
  const sum = policyChecksum(doc);
  if (sum !== doc.sha256) {
    throw new PolicyError(`${where}: checksum mismatch — the file says sha256 ${doc.sha256.slice(0, 12)}… but its content hashes to ${sum.slice(0, 12)}…; it was changed after it was written`);
  }
  for (const f of doc.features) {
    const spec = OBS_FEATURES.find((s) => s.name === f.name);
    if (!spec) throw new PolicyError(`${where}: feature "${f.name}" is not an observation feature of this bidgym (expected one of ${OBS_FEATURES.map((s) => s.name).join(', ')})`);
    if (spec.unit !== f.unit) throw new PolicyError(`${where}: feature "${f.name}" is in ${f.unit}, but this bidgym's "${f.name}" is in ${spec.unit}`);
  }
  const policy = policyFromDocument(doc);
  const declared = describePolicy(doc.kind, doc.params).features.map((f) => f.name);
  const listed = doc.features.map((f) => f.name);
  if (declared.join(',') !== listed.join(',')) {
    throw new PolicyError(`${where}: features [${listed.join(', ')}] do not match what its parameters read [${declared.join(', ')}]`);
  }
  const scratch = new Float64Array(OBS_SIZE);
  const defaults = observationFrom({});
  return {
    kind: doc.kind,
    file: doc,
    featureNames: listed,
    policy,
    bid(observation: Float64Array | Readonly<Record<string, number>>): number {
      if (observation instanceof Float64Array) {
        if (observation.length !== OBS_SIZE) throw new PolicyError(`bid: expected an observation of ${OBS_SIZE} features (OBS layout), got ${observation.length}`);
        return policy.bid(observation);
      }
      for (const name of listed) {
        const v = observation[name];
        if (typeof v !== 'number' || Number.isNaN(v)) throw new PolicyError(`bid: feature "${name}" is missing (the policy reads ${listed.join(', ')})`);
      }
      scratch.set(defaults);
      for (const name of listed) scratch[OBS[name as ObsFeature]] = observation[name]!;
      return policy.bid(scratch);
    },
  };
}

/** What a market config offers the bidder a policy would replace. */
export interface BidderSetting {
  /** Bidder id (for messages). */
  id: string;
  /** The bidder's budget, or null. */
  budget: number | null;
  /** True when the market has users (pCTR and user features are meaningful). */
  users: boolean;
}

/** Features that only mean something in a market with users. */
const USER_FEATURES: ReadonlySet<string> = new Set(['pctr', 'pcvr', 'coldStart', 'historyFill', 'sessionDepth', 'fatigue']);

/**
 * Checks that a policy's features fit the bidder it would replace; throws a
 * PolicyError saying why not: it reads the budget left but the bidder has no
 * budget, or it reads user features in a market without users.
 */
export function checkPolicyFits(loaded: LoadedPolicy, bidder: BidderSetting): void {
  const names = new Set(loaded.featureNames);
  if (names.has('budgetLeft') && bidder.budget === null) {
    throw new PolicyError(`features do not match the config: the policy reads budgetLeft (it was trained with a budget) but bidder "${bidder.id}" has no budget`);
  }
  if (!bidder.users) {
    const userOnly = loaded.featureNames.filter((n) => USER_FEATURES.has(n));
    if (userOnly.length > 0) throw new PolicyError(`features do not match the config: the policy reads ${userOnly.join(', ')}, which need users, but the config has no users block`);
  }
}

/** A bidder that bids with a loaded policy and never learns (`agent: { kind: policy, path }`). */
export class PolicyAgent implements Agent {
  readonly kind = 'policy';
  training = false;
  constructor(readonly loaded: LoadedPolicy) {}
  act(o: Observation, _rng: Rng): number {
    return this.loaded.policy.bid(o);
  }
  learn(_t: Transition): void {}
  endEpisode(): void {}
  /** The loaded policy itself (its kind is the kind it was trained as). */
  policy(): Policy {
    return this.loaded.policy;
  }
}
