/**
 * The policy file format: a versioned, self-describing, checksummed (and
 * optionally signed) JSON document that a strategy team can evaluate on its own
 * market config (`bidgym evaluate`) or call from its own code with `loadPolicy`
 * (policy-io.ts), without any training code.
 *
 * ```json
 * { "schemaVersion": 1,
 *   "kind": "q-learning",
 *   "features": [{ "name": "value", "unit": "currency", "low": 0, "high": null,
 *                  "normalisation": { "divideBy": 2, "clipLow": 0, "clipHigh": 4 }, … }, …],
 *   "action": { "unit": "currency", "rule": "…", "multipliers": [0, 0.1, …] },
 *   "params": { … Q-table, network weights, … },
 *   "provenance": { "configHash": "…", "seed": 42, "bidder": "learner", "training": { … } },
 *   "sha256": "…",
 *   "signature": { "algorithm": "ed25519", "keyId": "…", "value": "…" } }
 * ```
 *
 * - `sha256` is the hex SHA-256 of the canonical JSON (keys sorted at every
 *   level, no whitespace) of the whole document without its `sha256` and
 *   `signature` fields. It detects accidents (a truncated copy, an edit by
 *   mistake); anyone can recompute it, so it proves nothing about who wrote the file.
 * - `signature` (optional; policy-signature.ts) is an Ed25519 signature of the
 *   canonical JSON of the document without its `signature` field, by the key
 *   whose fingerprint is `keyId`. Checked only when the reader gives a public key.
 * - Whatever the checksum and signature say, a document is only accepted when
 *   it is valid ({@link validateDocument}): every number finite and within the
 *   ranges of its kind's schema (policy-kinds.ts), its declared features and
 *   action exactly those its parameters imply, no `__proto__`, `constructor` or
 *   `prototype` keys anywhere.
 *
 * A `high` of null means unbounded. Numbers are written by `JSON.stringify`,
 * which round-trips doubles exactly, so a loaded policy bids exactly as the trained one.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../env/canonical-json.js';
import { InputError } from '../env/errors.js';
import { OBS_FEATURES } from '../env/observation.js';
import type { Policy, PolicyParams } from './core.js';
import { POLICY_KIND_NAMES, POLICY_KINDS, type PolicyAction, type PolicyFeature } from './policy-kinds.js';

export type { PolicyAction, PolicyFeature } from './policy-kinds.js';

/** The policy-file schema version this code writes and reads. */
export const POLICY_SCHEMA_VERSION = 1;

/** A policy file that cannot be used: unreadable, too large, malformed, out of range, bad checksum, unknown version, or features that do not fit (exit code 2). */
export class PolicyError extends InputError {}

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

/** An Ed25519 signature of a policy document (policy-signature.ts). */
export interface PolicySignature {
  algorithm: 'ed25519';
  /** SHA-256 (hex) of the signing key's public key (SPKI DER). */
  keyId: string;
  /** The signature, base64. */
  value: string;
}

/** The policy file as a JSON object. */
export interface PolicyFile {
  schemaVersion: number;
  /**
   * `"step"`: a step-level auto-bidding policy (one bid factor per decision
   * step, configs with `steps > 1`; agents/autobid/policy-file.ts). Absent: a
   * per-auction policy (a bid per auction), the only kind before step-level
   * policies existed.
   */
  level?: 'step';
  kind: string;
  features: PolicyFeature[];
  action: PolicyAction;
  params: PolicyParams;
  provenance: Provenance;
  sha256: string;
  signature?: PolicySignature;
}

/** JSON with object keys sorted at every level, no whitespace (env/canonical-json.ts). */
export { canonicalJson };

/** SHA-256 (hex) of a policy document's canonical JSON without its `sha256` and `signature` fields. */
export function policyChecksum(doc: object): string {
  const { sha256: _sum, signature: _sig, ...rest } = doc as Record<string, unknown>;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

/** Keys refused anywhere in a document: they reach object prototypes in some parsers and copies. */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
/** Deepest nesting of a valid document (network weights: params.network.w[l][i] is 5 deep). */
const MAX_DEPTH = 16;

/**
 * Checks the raw JSON tree: no forbidden keys, every number finite (JSON's
 * `1e400` parses to Infinity), nesting at most {@link MAX_DEPTH}. Iterative, so a
 * deeply nested document cannot overflow the stack.
 */
function checkTree(root: unknown, where: string): void {
  const stack: [unknown, string, number][] = [[root, '', 0]];
  while (stack.length > 0) {
    const [v, path, depth] = stack.pop()!;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new PolicyError(`${where}: ${path || 'document'}: expected a finite number, got ${v}`);
    } else if (v !== null && typeof v === 'object') {
      if (depth >= MAX_DEPTH) throw new PolicyError(`${where}: ${path}: nested deeper than ${MAX_DEPTH} levels`);
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`, depth + 1]);
      } else {
        for (const k of Object.keys(v)) {
          if (FORBIDDEN_KEYS.has(k)) throw new PolicyError(`${where}: ${path || 'document'}: key "${k}" is not allowed in a policy file`);
          stack.push([(v as Record<string, unknown>)[k], path ? `${path}.${k}` : k, depth + 1]);
        }
      }
    }
  }
}

const normalisationSchema = z.union([
  z.literal('none'),
  z.object({ divideBy: z.number().positive(), clipLow: z.number(), clipHigh: z.number() }).strict(),
]);
const featureSchema = z
  .object({ name: z.string(), unit: z.string(), low: z.number(), high: z.number().nullable(), normalisation: normalisationSchema, description: z.string() })
  .strict();
const signatureSchema = z
  .object({ algorithm: z.literal('ed25519'), keyId: z.string().regex(/^[0-9a-f]{64}$/), value: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'expected a base64 Ed25519 signature') })
  .strict();
const documentSchema = z
  .object({
    schemaVersion: z.number(),
    level: z.literal('step').optional(),
    kind: z.string().min(1),
    features: z.array(featureSchema).max(64),
    action: z.object({ unit: z.enum(['currency', 'currency per conversion']), rule: z.string(), multipliers: z.array(z.number()).optional(), levels: z.array(z.number()).optional() }).strict(),
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
    signature: signatureSchema.optional(),
  })
  .strict();

/** A value for a one-line message: its canonical JSON, cut at 100 characters. */
const short = (v: unknown): string => {
  const s = v === undefined ? 'no field' : canonicalJson(v);
  return s.length > 100 ? `${s.slice(0, 100)}…` : s;
};

/** `a.b[2].c` of a zod issue path. */
const pathOf = (prefix: string, path: readonly PropertyKey[]): string =>
  path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : `${s}${s ? '.' : ''}${String(p)}`), prefix);

/**
 * The kinds of one level of policy files (per-auction: POLICY_KINDS of
 * policy-kinds.ts; step-level: agents/autobid/policy-file.ts), with the
 * features a policy of that level may declare and what `build` returns.
 */
export interface PolicyRegistry<B> {
  /** `level` of the documents (undefined: per-auction, the field absent). */
  level: 'step' | undefined;
  /** What the level is called in messages. */
  what: string;
  kinds: Readonly<Record<string, { params: z.ZodType<unknown>; describe(p: never): { features: PolicyFeature[]; action: PolicyAction }; build(kind: string, p: never): B }>>;
  /** The features of this bidgym a document may name, with their units. */
  features: readonly { name: string; unit: string }[];
  /** What to say when a document of the other level is handed to this one. */
  otherLevel: string;
}

/** The per-auction policies (agents/policy-kinds.ts). */
export const AUCTION_POLICIES: PolicyRegistry<Policy> = {
  level: undefined,
  what: 'policy kind',
  kinds: POLICY_KINDS as PolicyRegistry<Policy>['kinds'],
  features: OBS_FEATURES,
  otherLevel: 'a step-level auto-bidding policy (level "step": one bid factor per decision step); load it with loadAutoBidPolicy, or evaluate it on a config with steps > 1',
};

/** The features and action mapping a policy of `kind` with `params` declares. @throws PolicyError for an unknown kind or invalid params */
export function describePolicy(kind: string, params: PolicyParams, where = 'policy', registry: PolicyRegistry<unknown> = AUCTION_POLICIES): { features: PolicyFeature[]; action: PolicyAction } {
  const spec = kindOf(registry, kind, where);
  return spec.describe(checkParams(spec, params, where) as never);
}

function kindOf<B>(registry: PolicyRegistry<B>, kind: string, where: string) {
  const spec = Object.hasOwn(registry.kinds, kind) ? registry.kinds[kind] : undefined;
  const names = registry === (AUCTION_POLICIES as unknown) ? POLICY_KIND_NAMES : Object.keys(registry.kinds);
  if (!spec) throw new PolicyError(`${where}: kind: unknown ${registry.what} "${kind}"; expected one of ${names.join(', ')}`);
  return spec;
}

function checkParams(spec: { params: z.ZodType<unknown> }, params: unknown, where: string): unknown {
  const r = spec!.params.safeParse(params);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new PolicyError(`${where}: ${pathOf('params', i.path)}: ${i.message}`);
  }
  return r.data;
}

/** A document that passed {@link validateDocument}, with its frozen policy. */
export interface ValidDocument {
  doc: PolicyFile;
  policy: Policy;
}

/**
 * Checks a parsed policy document, without its signature (policy-signature.ts
 * checks that): structure, version, checksum, every number finite and in range,
 * features and action those its parameters imply; and builds its policy.
 *
 * @param raw the parsed JSON
 * @param where the file name (or "policy"), to start each message with
 * @throws PolicyError naming the field at fault
 */
export function validateDocument(raw: unknown, where: string): ValidDocument {
  const { doc, built } = checkDocument(raw, where, AUCTION_POLICIES);
  return { doc, policy: built };
}

/**
 * {@link validateDocument} for the policies of `registry`'s level: the same
 * envelope, checksum and range checks; `built` is what the kind's `build`
 * returns. A document of the other level is refused, saying so.
 */
export function checkDocument<B>(raw: unknown, where: string, registry: PolicyRegistry<B>): { doc: PolicyFile; built: B } {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new PolicyError(`${where}: expected a JSON object`);
  checkTree(raw, where);
  const version = (raw as Record<string, unknown>).schemaVersion;
  if (version !== POLICY_SCHEMA_VERSION) {
    throw new PolicyError(`${where}: unknown schemaVersion ${JSON.stringify(version)}; this bidgym reads policy files of schemaVersion ${POLICY_SCHEMA_VERSION}`);
  }
  const parsed = documentSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new PolicyError(`${where}: ${pathOf('', i.path) || 'document'}: ${i.message}`);
  }
  const doc = parsed.data as PolicyFile;
  if (doc.level !== registry.level) throw new PolicyError(`${where}: ${doc.level === undefined ? 'a per-auction policy (no level field: a bid per auction); load it with loadPolicy, or evaluate it on a config without steps' : registry.otherLevel}`);
  // Over the raw tree, not zod's copy: what is hashed is everything the file holds.
  const sum = policyChecksum(raw);
  if (sum !== doc.sha256) {
    throw new PolicyError(`${where}: checksum mismatch — the file says sha256 ${doc.sha256.slice(0, 12)}… but its content hashes to ${sum.slice(0, 12)}…; it was changed after it was written`);
  }
  const kindWord = registry.level === 'step' ? 'a step-level state feature' : 'an observation feature';
  for (const f of doc.features) {
    const spec = registry.features.find((s) => s.name === f.name);
    if (!spec) throw new PolicyError(`${where}: feature "${f.name}" is not ${kindWord} of this bidgym (expected one of ${registry.features.map((s) => s.name).join(', ')})`);
    if (spec.unit !== f.unit) throw new PolicyError(`${where}: feature "${f.name}" is in ${f.unit}, but this bidgym's "${f.name}" is in ${spec.unit}`);
  }
  const kind = kindOf(registry, doc.kind, where);
  const params = checkParams(kind, doc.params, where);
  const declared = kind.describe(params as never);
  const want = declared.features.map((f) => f.name);
  const listed = doc.features.map((f) => f.name);
  if (want.join(',') !== listed.join(',')) throw new PolicyError(`${where}: features [${listed.join(', ')}] do not match what its parameters read [${want.join(', ')}]`);
  declared.features.forEach((f, i) => {
    if (canonicalJson(f) !== canonicalJson(doc.features[i])) throw new PolicyError(`${where}: features[${i}] ("${f.name}") does not match its parameters: expected ${short(f)}`);
  });
  for (const k of ['unit', 'rule', 'multipliers', 'levels'] as const) {
    if (canonicalJson(declared.action[k]) !== canonicalJson(doc.action[k])) {
      throw new PolicyError(`${where}: action.${k} does not match its parameters: expected ${short(declared.action[k])}, got ${short(doc.action[k])}`);
    }
  }
  let built: B;
  try {
    built = kind.build(doc.kind, params as never);
  } catch (e) {
    throw new PolicyError(`${where}: params: ${(e as Error).message}`);
  }
  return { doc, built };
}
