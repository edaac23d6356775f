/**
 * Every kind of policy a policy file can hold, in one table: for each kind the
 * schema of its `params` (types, ranges, and the consistency of its parts:
 * Q-table size = states × multipliers, network shapes = features → multipliers,
 * …), the features and action mapping it declares, and how to rebuild the frozen
 * policy from its parameters. Writing, reading, describing and building a policy
 * all go through {@link POLICY_KINDS}; there is no other switch over kinds.
 *
 * The ranges are those of the agents' own config schemas where those declare one
 * (multipliers 0…100, shading factor 0…100, pacing gain 0…100, hidden widths
 * ≤ 1024, at most 4 hidden layers) and otherwise generous caps that only keep out
 * numbers no training run produces ({@link POLICY_LIMITS}).
 */
import { z } from 'zod';
import { OBS_FEATURES, OBS_SIZE, type ObsFeature } from '../env/observation.js';
import { ConstantPolicy, RandomPolicy, ShadedPolicy, TruthfulPolicy } from './baselines.js';
import type { Policy } from './core.js';
import type { EncoderSpec } from './features.js';
import { LinearArmPolicy, NetworkPolicy, TablePolicy } from './frozen.js';
import { PacingPolicy } from './pacing-agent.js';

/** The bounds a policy file's numbers must keep (besides being finite). */
export const POLICY_LIMITS = {
  /** Largest bid multiplier on the value (as the learners' config schema). */
  multiplier: 100,
  /** Most multipliers (actions) of a learner. */
  actions: 256,
  /** Largest fixed bid (constant, random), currency units. */
  bid: 1e6,
  /** Largest pacing multiplier μ of the pacing baseline. */
  pacingMultiplier: 1e6,
  /** Largest |Q-value| or |θ| (rewards are in units of the mean value acted on). */
  score: 1e9,
  /** Largest |network weight|. */
  weight: 1e6,
  /** Largest |divideBy|, |clipLow|, |clipHigh| of a feature's normalisation, and |grid bound|. */
  scale: 1e9,
  /** Most buckets per feature of a Q-table's state grid, and most states in all. */
  bucketsPerFeature: 1000,
  states: 1_000_000,
  /** Largest hidden layer, most hidden layers (as the learners' config schema). */
  hiddenWidth: 1024,
  hiddenLayers: 4,
  /** Largest log λ₀ of a budget pacer, and its gain (as the config schema). */
  logLambda0: 50,
  pacingGain: 100,
} as const;

/** One observation feature a policy reads, as its file declares it. */
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
  /** Unit of the bid (per-auction policies), or of the bid factor α (step-level policies: bid = α × pValue). */
  unit: 'currency' | 'currency per conversion';
  /** The bidding rule in words. */
  rule: string;
  /** Bid multipliers on the value (learners): the first actions. */
  multipliers?: number[];
  /** Bid levels, currency units (learners with levels): the actions after the multipliers. */
  levels?: number[];
}

const L = POLICY_LIMITS;
const featureNames = OBS_FEATURES.map((f) => f.name) as [ObsFeature, ...ObsFeature[]];
const specOf = (name: string) => OBS_FEATURES.find((f) => f.name === name);
const bounded = (limit: number) => z.number().min(-limit).max(limit);

const encoderSchema = z
  .object({
    features: z
      .array(
        z
          .object({
            name: z.enum(featureNames),
            unit: z.string(),
            divideBy: z.number().gt(0).max(L.scale),
            clipLow: bounded(L.scale),
            clipHigh: bounded(L.scale),
          })
          .strict()
          .refine((f) => f.unit === specOf(f.name)!.unit, { message: 'unit is not the unit of this observation feature', path: ['unit'] })
          .refine((f) => f.clipLow < f.clipHigh, { message: 'expected clipLow < clipHigh', path: ['clipHigh'] }),
      )
      .min(1)
      .max(OBS_SIZE)
      .refine((fs) => new Set(fs.map((f) => f.name)).size === fs.length, { message: 'a feature is listed twice' }),
  })
  .strict();

const multipliersSchema = z
  .array(z.number().min(0).max(L.multiplier))
  .min(2)
  .max(L.actions)
  .refine((m) => m.every((x, i) => i === 0 || x > m[i - 1]!), { message: 'expected increasing multipliers' });

const pacerSchema = z
  .object({ logLambda0: z.number().min(-L.logLambda0).max(L.logLambda0), gain: z.number().min(0).max(L.pacingGain), minLogLambda: z.number().min(-L.logLambda0).max(0).optional(), rule: z.literal('ratio').optional(), pacedLevels: z.literal(true).optional() })
  .strict()
  .refine((p) => p.logLambda0 >= (p.minLogLambda ?? 0), { message: 'expected logLambda0 ≥ minLogLambda (0 when absent)', path: ['logLambda0'] })
  .nullable();

/** Bid levels of a learner, currency units (absent: none): the actions after the multipliers. */
const levelsSchema = z
  .array(z.number().gt(0).max(L.bid))
  .max(L.actions)
  .refine((m) => m.every((x, i) => i === 0 || x > m[i - 1]!), { message: 'expected increasing bid levels' })
  .optional();
/** Number of actions of a learner's parameters: its multipliers, then its bid levels. */
const actionsOf = (p: { multipliers: number[]; levels?: number[] | undefined }) => p.multipliers.length + (p.levels?.length ?? 0);

const gridSchema = z
  .object({
    buckets: z.array(z.number().int().min(1).max(L.bucketsPerFeature)),
    low: z.array(bounded(L.scale)),
    high: z.array(bounded(L.scale)),
  })
  .strict();

const networkSchema = z
  .object({
    sizes: z.array(z.number().int().min(1).max(L.hiddenWidth)).min(2).max(L.hiddenLayers + 2),
    activation: z.enum(['relu', 'tanh']),
    w: z.array(z.array(bounded(L.weight))),
    b: z.array(z.array(bounded(L.weight))),
  })
  .strict();

type Ctx = { addIssue(issue: { code: 'custom'; path: (string | number)[]; message: string }): void };
const issue = (ctx: Ctx, path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });

const tableSchema = z
  .object({ encoder: encoderSchema, grid: gridSchema, multipliers: multipliersSchema, levels: levelsSchema, q: z.array(bounded(L.score)), pacer: pacerSchema })
  .strict()
  .superRefine((p, ctx) => {
    const k = p.encoder.features.length;
    for (const f of ['buckets', 'low', 'high'] as const) if (p.grid[f].length !== k) return issue(ctx, ['grid', f], `expected ${k} entries (one per encoded feature), got ${p.grid[f].length}`);
    for (let i = 0; i < k; i++) if (!(p.grid.high[i]! > p.grid.low[i]!)) return issue(ctx, ['grid', 'high', i], `expected high > low, got [${p.grid.low[i]}, ${p.grid.high[i]}]`);
    const states = p.grid.buckets.reduce((a, b) => a * b, 1);
    if (states > L.states) return issue(ctx, ['grid', 'buckets'], `${states} states, over the cap of ${L.states}`);
    const want = states * actionsOf(p);
    if (p.q.length !== want) issue(ctx, ['q'], `expected ${states} states × ${actionsOf(p)} actions = ${want} values, got ${p.q.length}`);
  });

const networkParamsSchema = z
  .object({ encoder: encoderSchema, multipliers: multipliersSchema, levels: levelsSchema, network: networkSchema, pacer: pacerSchema })
  .strict()
  .superRefine((p, ctx) => {
    const { sizes, w, b } = p.network;
    if (sizes[0] !== p.encoder.features.length) return issue(ctx, ['network', 'sizes', 0], `expected ${p.encoder.features.length} inputs (one per encoded feature), got ${sizes[0]}`);
    if (sizes[sizes.length - 1] !== actionsOf(p)) return issue(ctx, ['network', 'sizes', sizes.length - 1], `expected ${actionsOf(p)} outputs (one per action), got ${sizes[sizes.length - 1]}`);
    const layers = sizes.length - 1;
    if (w.length !== layers || b.length !== layers) return issue(ctx, ['network'], `expected ${layers} weight and ${layers} bias arrays, got ${w.length} and ${b.length}`);
    for (let l = 0; l < layers; l++) {
      if (w[l]!.length !== sizes[l]! * sizes[l + 1]!) return issue(ctx, ['network', 'w', l], `expected ${sizes[l]! * sizes[l + 1]!} numbers, got ${w[l]!.length}`);
      if (b[l]!.length !== sizes[l + 1]!) return issue(ctx, ['network', 'b', l], `expected ${sizes[l + 1]} numbers, got ${b[l]!.length}`);
    }
  });

const linearSchema = z
  .object({ encoder: encoderSchema, degree: z.union([z.literal(1), z.literal(2), z.literal(3)]), multipliers: multipliersSchema, levels: levelsSchema, theta: z.array(z.array(bounded(L.score))), pacer: pacerSchema })
  .strict()
  .superRefine((p, ctx) => {
    if (p.theta.length !== actionsOf(p)) return issue(ctx, ['theta'], `expected ${actionsOf(p)} rows (one per action), got ${p.theta.length}`);
    const n = 1 + p.encoder.features.length * p.degree;
    p.theta.forEach((t, a) => {
      if (t.length !== n) issue(ctx, ['theta', a], `expected ${n} coefficients, got ${t.length}`);
    });
  });

type TableParams = z.infer<typeof tableSchema>;
type NetworkParams = z.infer<typeof networkParamsSchema>;
type LinearParams = z.infer<typeof linearSchema>;
type LearnerParams = TableParams | NetworkParams | LinearParams;

/** What one kind of policy file holds and does. */
export interface PolicyKind<P = unknown> {
  /** Schema of `params`: types, ranges, consistency. */
  readonly params: z.ZodType<P>;
  /** The features it reads and its action mapping, as its file declares them. */
  describe(p: P): { features: PolicyFeature[]; action: PolicyAction };
  /** The frozen policy of (valid) parameters. */
  build(kind: string, p: P): Policy;
}

function rawFeature(name: ObsFeature): PolicyFeature {
  const f = specOf(name)!;
  return { name, unit: f.unit, low: f.low, high: Number.isFinite(f.high) ? f.high : null, normalisation: 'none', description: f.description };
}

const action = (rule: string): PolicyAction => ({ unit: 'currency', rule });

/** Features and action of a learner: its encoder's features (plus those its bid rule reads), bid = m × value [/ λ]. */
function describeLearner(scorer: string) {
  return (p: LearnerParams): { features: PolicyFeature[]; action: PolicyAction } => {
    const features: PolicyFeature[] = p.encoder.features.map((f) => ({
      ...rawFeature(f.name),
      normalisation: { divideBy: f.divideBy, clipLow: f.clipLow, clipHigh: f.clipHigh },
    }));
    const have = new Set(features.map((f) => f.name));
    const paced = p.pacer !== null;
    const needed: ObsFeature[] = paced ? ['value', 'budgetLeft', 'timeLeft'] : ['value'];
    for (const n of needed) if (!have.has(n)) features.push(rawFeature(n));
    return {
      features,
      action: {
        unit: 'currency',
        rule: paced
          ? `${p.pacer!.pacedLevels ? 'bid = b(a, value) / λ' : "bid = b(a, v') / λ₀"}, v' = value × λ₀ / λ, log λ = max(minLogLambda (0 if absent), logLambda0 + gain × ${p.pacer!.rule === 'ratio' ? 'ln((timeLeft + 0.01) / (budgetLeft + 0.01))' : '(timeLeft − budgetLeft)'}), λ₀ = exp(logLambda0); b(a, v) = multipliers[a] × v, or for the actions after the multipliers min(levels[a − multipliers], v); a = the action with ${scorer} on v'`
          : `bid = multipliers[a] × value, or for the actions after the multipliers min(levels[a − multipliers], value); a = the action with ${scorer}`,
        multipliers: p.multipliers,
        ...(p.levels ? { levels: p.levels } : {}),
      },
    };
  };
}

const kind = <P>(k: PolicyKind<P>): PolicyKind<P> => k;
const noParams = z.object({}).strict();

const table = kind<TableParams>({
  params: tableSchema,
  describe: describeLearner('the best Q-value of the state'),
  build: (k, p) => new TablePolicy(k, p.encoder as EncoderSpec, p.grid, p.multipliers, Float64Array.from(p.q), p.pacer, p.levels ?? []),
});
const network = kind<NetworkParams>({
  params: networkParamsSchema,
  describe: describeLearner('the best network output'),
  build: (k, p) => new NetworkPolicy(k, p.encoder as EncoderSpec, p.multipliers, p.network, p.pacer, p.levels ?? []),
});
const linear = kind<LinearParams>({
  params: linearSchema,
  describe: describeLearner('the best θ_a · [1, x, x², …]'),
  build: (k, p) => new LinearArmPolicy(k, p.encoder as EncoderSpec, p.degree, p.multipliers, p.theta, p.pacer, p.levels ?? []),
});

/** The linear bandits: polynomial contexts (θ per arm), or one-hot value buckets (a table of each arm's mean reward per bucket, with `grid`). */
const linearOrTable = kind<LinearParams | TableParams>({
  // One schema or the other by the presence of `grid` (a union would report only "Invalid input").
  params: z.unknown().transform((p, ctx): LinearParams | TableParams => {
    const r = (p !== null && typeof p === 'object' && 'grid' in p ? tableSchema : linearSchema).safeParse(p);
    if (r.success) return r.data;
    for (const i of r.error.issues) ctx.addIssue({ ...i } as Parameters<typeof ctx.addIssue>[0]);
    return z.NEVER;
  }),
  describe: (p) => ('grid' in p ? describeLearner("the best posterior mean of the state's bucket")(p) : linear.describe(p)),
  build: (k, p) => ('grid' in p ? table.build(k, p) : linear.build(k, p)),
});

/** Every policy kind, by the `kind` field of its file. */
export const POLICY_KINDS: Readonly<Record<string, PolicyKind<never>>> = {
  truthful: kind({ params: noParams, describe: () => ({ features: [rawFeature('value')], action: action('bid = value') }), build: () => new TruthfulPolicy() }),
  shaded: kind({
    params: z.object({ factor: z.number().min(0).max(L.multiplier) }).strict(),
    describe: (p) => ({ features: [rawFeature('value')], action: action(`bid = ${String(p.factor)} × value`) }),
    build: (_k, p) => new ShadedPolicy(p.factor),
  }),
  constant: kind({
    params: z.object({ amount: z.number().min(0).max(L.bid) }).strict(),
    describe: (p) => ({ features: [], action: action(`bid = ${String(p.amount)}`) }),
    build: (_k, p) => new ConstantPolicy(p.amount),
  }),
  random: kind({
    params: z
      .object({ low: z.number().min(0).max(L.bid), high: z.number().min(0).max(L.bid), seed: z.string().max(1000) })
      .strict()
      .refine((p) => p.low <= p.high, { message: 'expected low ≤ high', path: ['low'] }),
    describe: (p) => ({ features: [], action: action(`bid ~ uniform [${String(p.low)}, ${String(p.high)}) from a seeded stream`) }),
    build: (_k, p) => new RandomPolicy(p.low, p.high, p.seed),
  }),
  pacing: kind({
    params: z
      .object({
        rate: z.number().gt(0).max(L.pacingMultiplier).optional(),
        rule: z.literal('ratio').optional(),
        gain: z.number().gt(0).max(L.pacingGain).optional(),
        maxMultiplier: z.number().gt(0).max(L.pacingMultiplier),
        minMultiplier: z.number().gt(-1).max(0).optional(),
        horizon: z.number().int().min(1).max(1e12),
        initialMultiplier: z.number().gt(-1).max(L.pacingMultiplier).optional(),
      })
      .strict()
      .refine((p) => (p.rule === 'ratio' ? p.gain !== undefined && p.rate === undefined : p.rate !== undefined && p.gain === undefined), { message: 'expected gain with rule "ratio", rate without a rule (the difference rule), not both', path: ['rule'] })
      .refine((p) => (p.initialMultiplier ?? 0) >= (p.minMultiplier ?? 0), { message: 'expected initialMultiplier ≥ minMultiplier (0 when absent)', path: ['initialMultiplier'] })
      .refine((p) => (p.initialMultiplier ?? 0) <= p.maxMultiplier, { message: 'expected initialMultiplier ≤ maxMultiplier', path: ['initialMultiplier'] }),
    describe: () => ({
      features: (['value', 'budgetLeft', 'timeLeft'] as const).map(rawFeature),
      action: action('bid = value / (1 + μ); μ moves with the gap between budget spent and time elapsed since the last call (rule ratio: log(1 + μ) by gain × (share of the remaining budget spent − share of the remaining time elapsed); no rule: the difference rule, μ by rate × √horizon × (share of budget spent − share of time elapsed), bids ≤ value) (stateful; restarts when timeLeft rises)'),
    }),
    build: (_k, p) => new PacingPolicy({ ...(p.rule === 'ratio' ? { rule: 'ratio' as const, gain: p.gain } : { rule: 'difference' as const, rate: p.rate }), maxMultiplier: p.maxMultiplier, ...(p.minMultiplier !== undefined ? { minMultiplier: p.minMultiplier } : {}) }, p.horizon, p.initialMultiplier ?? 0),
  }),
  'q-learning': table,
  dqn: network,
  reinforce: network,
  'actor-critic': network,
  linucb: linearOrTable,
  thompson: linearOrTable,
} as unknown as Record<string, PolicyKind<never>>;

/** The kinds, for messages. */
export const POLICY_KIND_NAMES: readonly string[] = Object.keys(POLICY_KINDS);
