/**
 * Step-level auto-bidding policies as policy files: the same versioned,
 * checksummed and optionally signed document as per-auction policies
 * (agents/policy-format.ts: `schemaVersion`, `kind`, `features`, `action`,
 * `params`, `provenance`, `sha256`, `signature`), with `"level": "step"`.
 *
 * ```json
 * { "schemaVersion": 1, "level": "step", "kind": "iql",
 *   "features": [{ "name": "timeLeft", "unit": "share", "low": 0, "high": 1, "normalisation": "none", … }, …],
 *   "action": { "unit": "currency per conversion", "rule": "α = cpa × …; bid α × pValue on every opportunity of the step" },
 *   "params": { … the bidder's arguments, learnt state or network … },
 *   "provenance": { "configHash": "…", "seed": 42, "bidder": "iql", "replication": 0, "training": { … } },
 *   "sha256": "…" }
 * ```
 *
 * Every kind of step-level agent has a policy: `abid`, `pid`, `online-lp`
 * (their arguments: they adapt within an episode but learn nothing across
 * episodes), `lagrangian` (its arguments and learnt state), `bc` and `iql`
 * (the frozen network and its normalisation). A bidder with exploration
 * noise has `noise` in its params.
 * {@link STEP_POLICIES} is the one table of kinds: params schema with ranges,
 * declared features and action, and how to rebuild the bidder.
 *
 * `bidgym run` writes replication 0's policy of every bidder of a step-level
 * config to `policies/<bidder>.json`; `bidgym export` verifies and signs it;
 * `bidgym evaluate --config STEPS.yaml` plays it (`agent: { kind: policy, path }`
 * in a step-level config does the same); {@link loadAutoBidPolicy} loads it in
 * a program. The per-auction `loadPolicy` refuses a step-level file and this
 * loader a per-auction one, each saying which to use.
 */
import { z } from 'zod';
import type { AutoBidContext, AutoBidder, StepFeedback, StepObservation } from '../../env/autobid/core.js';
import type { Rng } from '../../env/rng.js';
import { FEATURE_CAP, STATE_FEATURE_INFO, STATE_FEATURES, STATE_SIZE } from '../../env/autobid/state.js';
import { MIN_FACTOR, type OfflinePolicyParams } from '../../env/autobid/policy-format.js';
import { checkDocument, policyChecksum, PolicyError, POLICY_SCHEMA_VERSION, type PolicyAction, type PolicyFeature, type PolicyFile, type PolicyRegistry, type Provenance } from '../policy-format.js';
import { parsePolicyText, readPolicySource, verifiedKeyOf, writePolicyDocument, type LoadPolicyOptions } from '../policy-io.js';
import { Abid, abidSchema } from './abid.js';
import { LagrangianBandit, lagrangianSchema, type LagrangianState } from './lagrangian.js';
import { NoisyBidder } from './noisy.js';
import { OfflinePolicy } from './offline/policy.js';
import { OnlineLp, onlineLpSchema } from './online-lp.js';
import { PidCpa, pidSchema } from './pid.js';
import { CARRIER_SLOTS, StepLearner, STEP_LEARNER_KINDS, STEP_LEARNER_SCHEMAS, type StepDuals, type StepLearnerArgs } from './step-learner.js';
import { POLICY_KINDS } from '../policy-kinds.js';
import type { Policy } from '../core.js';

/** Bounds of the numbers of a step-level policy file (besides being finite). */
const LIMITS = { weight: 1e6, stat: 1e15, mu: 1e6, factor: 100, noise: 10, width: 1024, layers: 6, steps: 100_000 } as const;

/** A state feature as a policy file declares it. */
function stateFeature(name: (typeof STATE_FEATURES)[number]): PolicyFeature {
  const info = STATE_FEATURE_INFO[name];
  return { name, unit: info.unit, low: 0, high: info.unit === 'share' ? 1 : FEATURE_CAP, normalisation: 'none', description: info.description };
}

const action = (rule: string, noise: number | undefined): PolicyAction => ({
  unit: 'currency per conversion',
  rule: `${rule}${noise ? `; α × exp(${noise} · N(0,1)) per step (exploration noise)` : ''}; bid α × pValue on every opportunity of the step`,
});

/** `params` = the agent's arguments without `kind`, optionally with `noise` (and, for learners, their learnt state). */
function argsParams<A>(kind: string, schema: z.ZodType<A>, extra: Record<string, z.ZodType<unknown>> = {}): z.ZodType<{ args: A; noise?: number } & Record<string, unknown>> {
  return z.unknown().transform((raw, ctx) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      ctx.addIssue({ code: 'custom', message: 'expected an object' });
      return z.NEVER;
    }
    const { noise, ...rest } = raw as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, s] of Object.entries(extra)) {
      const r = s.safeParse(rest[k]);
      if (!r.success) {
        const i = r.error.issues[0]!;
        ctx.addIssue({ code: 'custom', message: i.message, path: [k, ...(i.path as (string | number)[])] });
        return z.NEVER;
      }
      out[k] = r.data;
      delete rest[k];
    }
    if ('kind' in rest) {
      ctx.addIssue({ code: 'custom', message: 'the kind is the document\'s kind field, not a parameter', path: ['kind'] });
      return z.NEVER;
    }
    if (noise !== undefined && !(typeof noise === 'number' && noise >= 0 && noise <= LIMITS.noise)) {
      ctx.addIssue({ code: 'custom', message: `expected a number in [0, ${LIMITS.noise}]`, path: ['noise'] });
      return z.NEVER;
    }
    const r = schema.safeParse({ ...rest, kind });
    if (!r.success) {
      const i = r.error.issues[0]!;
      ctx.addIssue({ code: 'custom', message: i.message, path: i.path as (string | number)[] });
      return z.NEVER;
    }
    return { ...out, args: r.data, ...(noise === undefined ? {} : { noise: noise as number }) };
  });
}

const withNoise = (b: AutoBidder, noise: number | undefined): AutoBidder => (noise ? new NoisyBidder(b, noise) : b);

const finite = (lo: number, hi: number) => z.number().min(lo).max(hi);
const lagrangianStateSchema = z
  .object({
    factors: z.array(finite(0, LIMITS.factor)).max(400),
    volume: z.array(finite(0, LIMITS.stat)).max(400),
    conversions: z.array(finite(0, LIMITS.stat)).max(400),
    cost: z.array(finite(0, LIMITS.stat)).max(400),
    stepVolume: z.array(finite(0, LIMITS.stat)).max(LIMITS.steps),
    episodes: z.number().int().min(0).max(1e9),
    mu: finite(0, LIMITS.mu),
    muEval: finite(0, LIMITS.mu),
  })
  .strict();

const mlpSchema = z
  .object({
    sizes: z.array(z.number().int().min(1).max(LIMITS.width)).min(2).max(LIMITS.layers + 2),
    activation: z.enum(['relu', 'tanh']),
    w: z.array(z.array(finite(-LIMITS.weight, LIMITS.weight))),
    b: z.array(z.array(finite(-LIMITS.weight, LIMITS.weight))),
  })
  .strict();
const stateVector = (lo: number, hi: number) => z.array(finite(lo, hi)).length(STATE_SIZE);
const offlineParamsSchema: z.ZodType<OfflinePolicyParams> = z
  .object({
    features: z.array(z.string()).refine((f) => f.join(',') === STATE_FEATURES.join(','), { message: `expected the state features of this bidgym, in order: ${STATE_FEATURES.join(', ')}` }),
    norm: z
      .object({
        stateMean: stateVector(-LIMITS.stat, LIMITS.stat),
        stateStd: z.array(z.number().gt(0).max(LIMITS.stat)).length(STATE_SIZE),
        actionMean: finite(-50, 50),
        actionStd: z.number().gt(0).max(50),
        actionMin: z.number().min(0).max(LIMITS.factor),
        actionMax: z.number().min(0).max(LIMITS.factor),
        rewardScale: z.number().gt(0).max(LIMITS.stat),
      })
      .strict()
      .refine((n) => n.actionMin <= n.actionMax, { message: 'expected actionMin ≤ actionMax', path: ['actionMin'] }),
    network: mlpSchema.refine((n) => n.sizes[0] === STATE_SIZE && n.sizes[n.sizes.length - 1] === 1, { message: `expected ${STATE_SIZE} inputs and 1 output`, path: ['sizes'] }),
    maxFactor: z.number().gt(0).max(LIMITS.factor),
  })
  .strict();
const offlineParams = z.unknown().transform((raw, ctx) => {
  const { noise, ...rest } = (raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
  if (noise !== undefined && !(typeof noise === 'number' && noise >= 0 && noise <= LIMITS.noise)) {
    ctx.addIssue({ code: 'custom', message: `expected a number in [0, ${LIMITS.noise}]`, path: ['noise'] });
    return z.NEVER;
  }
  const r = offlineParamsSchema.safeParse(raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? rest : raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    ctx.addIssue({ code: 'custom', message: i.message, path: i.path as (string | number)[] });
    return z.NEVER;
  }
  return { p: r.data, ...(noise === undefined ? {} : { noise: noise as number }) };
});
type OfflineFileParams = { p: OfflinePolicyParams; noise?: number };

const dualsSchema = z.object({ mu: finite(0, LIMITS.mu), nu: finite(0, LIMITS.mu) }).strict();
/** The frozen per-auction policy a step-level learner plays: `{ kind, params }` as a per-auction policy file holds them (agents/policy-kinds.ts). */
const innerPolicySchema = z.object({ kind: z.string(), params: z.unknown() }).strict();
type LearnerFileParams = { args: StepLearnerArgs; duals: StepDuals; policy: { kind: string; params: unknown }; noise?: number };

/** The inner policy of a learner's file, checked against the per-auction kinds' schemas and the adapter's layout, and built. */
function innerPolicy(k: string, p: LearnerFileParams): Policy {
  if (p.policy.kind !== k) throw new PolicyError(`policy: params.policy.kind: expected "${k}", got "${p.policy.kind}"`);
  const spec = POLICY_KINDS[k]!;
  const r = spec.params.safeParse(p.policy.params);
  if (!r.success) throw new PolicyError(`policy: params.policy.params.${r.error.issues[0]!.path.join('.')}: ${r.error.issues[0]!.message}`);
  const q = r.data as { encoder: { features: { name: string }[] }; multipliers: number[]; pacer: unknown; levels?: number[] };
  const slots = CARRIER_SLOTS.slice(0, 1 + p.args.features.length).join(',');
  if (q.encoder.features.map((f) => f.name).join(',') !== slots) throw new PolicyError(`policy: params.policy.params.encoder.features: expected the adapter's slots [${slots}]`);
  if (q.multipliers.join(',') !== p.args.multipliers.join(',')) throw new PolicyError('policy: params.policy.params.multipliers: expected the factors of params.multipliers');
  if (q.pacer !== null || (q.levels ?? []).length > 0) throw new PolicyError('policy: params.policy.params: a step-level learner has no pacer and no bid levels');
  return spec.build(k, r.data as never);
}

const learnerKind = (k: (typeof STEP_LEARNER_KINDS)[number]) =>
  kind<LearnerFileParams>({
    params: argsParams(k, STEP_LEARNER_SCHEMAS[k] as unknown as z.ZodType<StepLearnerArgs>, { duals: dualsSchema, policy: innerPolicySchema }) as unknown as z.ZodType<LearnerFileParams>,
    describe: (p) => {
      const read = [...new Set(['timeLeft', 'budgetLeft', 'expectedCpaRatio', ...p.args.features])] as (typeof STATE_FEATURES)[number][];
      return {
        features: read.map(stateFeature),
        action: action(
          `α = cpa × the factor the frozen ${k} policy (params.policy) picks from [${p.args.multipliers.length} factors] on the observation (value 1; ${CARRIER_SLOTS.slice(0, 1 + p.args.features.length).join(', ')} = dualPrice${p.args.features.map((f) => `, ${f}`).join('')}), dualPrice = (log10((μ + ν) / (1 + μ)) + 2) / 4 with μ, ν from params.duals moved after each step by the running CPA and spend (rate ${p.args.dualRate})`,
          p.noise,
        ),
      };
    },
    build: (_k, p) => {
      const policy = innerPolicy(k, p); // checks the inner policy once
      return () => withNoise(new StepLearner(p.args, null, policy, p.duals), p.noise);
    },
  });

/** One kind of step-level policy file. */
export interface StepPolicyKind<P> {
  params: z.ZodType<P>;
  describe(p: P): { features: PolicyFeature[]; action: PolicyAction };
  /** A fresh bidder playing the policy (stateful kinds keep their within-episode state apart). */
  build(kind: string, p: P): () => AutoBidder;
}
const kind = <P>(k: StepPolicyKind<P>): StepPolicyKind<P> => k;

const offline = kind<OfflineFileParams>({
  params: offlineParams,
  describe: (p) => ({
    features: STATE_FEATURES.map(stateFeature),
    action: action(`α = cpa × clamp(exp(norm.actionMean + norm.actionStd × network((state − norm.stateMean) / norm.stateStd)), max(${MIN_FACTOR}, norm.actionMin), min(norm.actionMax, maxFactor))`, p.noise),
  }),
  build: (k, p) => {
    const policy = new OfflinePolicy(k as 'bc' | 'iql', p.p); // checks the network's shapes
    return () => withNoise(new OfflinePolicy(k as 'bc' | 'iql', policy.p), p.noise);
  },
});

/** Every step-level policy kind, by the `kind` field of its file. */
export const STEP_POLICY_KINDS: Readonly<Record<string, StepPolicyKind<never>>> = {
  abid: kind({
    params: argsParams('abid', abidSchema),
    describe: (p) => ({ features: [], action: action(`α = ${p.args.factor} × cpa at every step`, p.noise) }),
    build: (_k, p) => () => withNoise(new Abid(p.args), p.noise),
  }),
  pid: kind({
    params: argsParams('pid', pidSchema),
    describe: (p) => ({
      features: (['timeLeft', 'budgetLeft'] as const).map(stateFeature),
      action: action(`α = min(PID on log α with error log(target / CPA so far) (${p.args.measure} conversions), PI on log(budgetLeft / timeLeft)), at most ${p.args.maxFactor} × cpa`, p.noise),
    }),
    build: (_k, p) => () => withNoise(new PidCpa(p.args), p.noise),
  }),
  'online-lp': kind({
    params: argsParams('online-lp', onlineLpSchema),
    describe: (p) => ({ features: [], action: action(`α = the real CPA (least winning cost / pValue) where a greedy knapsack over a sample of ${p.args.sample} past opportunities per step stops on the budget left or the target CPA, at most ${p.args.maxFactor} × cpa`, p.noise) }),
    build: (_k, p) => () => withNoise(new OnlineLp(p.args), p.noise),
  }),
  lagrangian: kind({
    params: argsParams('lagrangian', lagrangianSchema, { state: lagrangianStateSchema }).refine((p) => (['factors', 'volume', 'conversions', 'cost'] as const).every((k) => (p.state as LagrangianState)[k].length === p.args.arms), {
      message: 'expected factors, volume, conversions and cost of one entry per arm',
      path: ['state'],
    }),
    describe: (p) => ({ features: [], action: action(`α = cpa × the factor of the arm maximising (1 + μ) ĉ − μ q̂ / cpa among those whose estimated cost fits the budget left (${p.args.arms} arms, μ from state.muEval${p.args.adapt ? ', dual steps within the episode' : ''})`, p.noise) }),
    build: (_k, p) => () => withNoise(new LagrangianBandit(p.args, structuredClone(p.state as LagrangianState)), p.noise),
  }),
  'q-learning': learnerKind('q-learning'),
  dqn: learnerKind('dqn'),
  reinforce: learnerKind('reinforce'),
  'actor-critic': learnerKind('actor-critic'),
  bc: offline,
  iql: offline,
} as unknown as Record<string, StepPolicyKind<never>>;

/** The step-level policies as a registry of agents/policy-format.ts. */
export const STEP_POLICIES: PolicyRegistry<() => AutoBidder> = {
  level: 'step',
  what: 'step-level policy kind',
  kinds: STEP_POLICY_KINDS as unknown as PolicyRegistry<() => AutoBidder>['kinds'],
  features: STATE_FEATURES.map((name) => ({ name, unit: STATE_FEATURE_INFO[name].unit })),
  otherLevel: 'a per-auction policy (no level field: a bid per auction); load it with loadPolicy, or evaluate it on a config without steps',
};

/** A step-level policy loaded from a file. */
export interface LoadedAutoBidPolicy {
  readonly kind: string;
  /** The verified document. */
  readonly file: PolicyFile;
  /** Names of the state features it declares. */
  readonly featureNames: readonly string[];
  /** Key id whose signature was verified, or null when no key was given. */
  readonly verifiedKey: string | null;
  /** A fresh auto-bidder playing the policy (frozen: it learns nothing across episodes). */
  bidder(): AutoBidder;
}

/**
 * Checks a parsed step-level policy document (agents/policy-format.ts's
 * checks, with the step-level kinds) and builds it.
 * @throws PolicyError naming the field at fault
 */
export function validateAutoBidDocument(raw: unknown, where: string): { doc: PolicyFile; bidder: () => AutoBidder } {
  const { doc, built } = checkDocument(raw, where, STEP_POLICIES);
  return { doc, bidder: built };
}

/**
 * The policy document of a step-level bidder: its `kind` and `params()`
 * (without `kind`), checksummed and validated as a reader would (a file that
 * cannot be loaded is never written).
 * @throws PolicyError when the bidder's parameters are out of the format's ranges
 */
export function autoBidPolicyDocument(bidder: Pick<AutoBidder, 'kind' | 'params'>, provenance: Provenance): PolicyFile {
  const { kind: _k, ...params } = JSON.parse(JSON.stringify(bidder.params())) as Record<string, unknown>;
  const spec = Object.hasOwn(STEP_POLICY_KINDS, bidder.kind) ? STEP_POLICY_KINDS[bidder.kind] : undefined;
  if (!spec) throw new PolicyError(`policy: kind: unknown step-level policy kind "${bidder.kind}"`);
  const r = spec.params.safeParse(params);
  if (!r.success) throw new PolicyError(`policy: params.${r.error.issues[0]!.path.join('.')}: ${r.error.issues[0]!.message}`);
  const { features, action: act } = spec.describe(r.data as never);
  const body: Omit<PolicyFile, 'sha256'> = { schemaVersion: POLICY_SCHEMA_VERSION, level: 'step', kind: bidder.kind, features, action: act, params, provenance };
  const doc = { ...body, sha256: policyChecksum(body) };
  validateAutoBidDocument(JSON.parse(JSON.stringify(doc)), 'policy');
  return doc;
}

/** Writes a step-level bidder's policy file (atomically). @returns the document written */
export function writeAutoBidPolicyFile(path: string, bidder: Pick<AutoBidder, 'kind' | 'params'>, provenance: Provenance): PolicyFile {
  const doc = autoBidPolicyDocument(bidder, provenance);
  writePolicyDocument(path, doc);
  return doc;
}

/** A loaded policy as a bidder: it plays, and never learns (the runner's setLearning does not reach it). */
class FrozenAutoBidder implements AutoBidder {
  readonly kind: string;
  constructor(private readonly inner: AutoBidder) {
    this.kind = inner.kind;
  }
  reset(ctx: AutoBidContext): void {
    this.inner.reset(ctx);
  }
  factor(o: StepObservation, rng: Rng): number {
    return this.inner.factor(o, rng);
  }
  observe(f: StepFeedback, o: StepObservation): void {
    this.inner.observe(f, o);
  }
  endEpisode(last: StepObservation): void {
    this.inner.endEpisode?.(last);
  }
  params(): Record<string, unknown> {
    return this.inner.params();
  }
}

function loaded(raw: unknown, where: string, opts: LoadPolicyOptions): LoadedAutoBidPolicy {
  const verifiedKey = verifiedKeyOf(raw, where, opts);
  const { doc, bidder } = validateAutoBidDocument(raw, where);
  return { kind: doc.kind, file: doc, featureNames: doc.features.map((f) => f.name), verifiedKey, bidder: () => new FrozenAutoBidder(bidder()) };
}

/**
 * Reads, verifies and loads a step-level policy file, as `loadPolicy` does a
 * per-auction one (size cap, regular files only, checksum, ranges; with
 * `publicKey`, the signature).
 *
 * @param source a file path, a JSON string, or the parsed document
 * @example const b = loadAutoBidPolicy('iql.json', { publicKey: 'keys/public.pem' }).bidder(); // an AutoBidder: reset, factor, observe
 */
export function loadAutoBidPolicy(source: string | object, opts: LoadPolicyOptions = {}): LoadedAutoBidPolicy {
  const { raw, where } = readPolicySource(source, opts);
  return loaded(raw, where, opts);
}

/** {@link loadAutoBidPolicy} of a file's text. */
export function loadAutoBidPolicyText(text: string, where: string, opts: LoadPolicyOptions = {}): LoadedAutoBidPolicy {
  return loaded(parsePolicyText(text, where, opts), where, opts);
}

/** True when a parsed document says it is a step-level policy. */
export function isStepPolicyDocument(raw: unknown): boolean {
  return raw !== null && typeof raw === 'object' && (raw as { level?: unknown }).level === 'step';
}
