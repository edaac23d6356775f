/**
 * bidgym's per-auction learners (`q-learning`, `dqn`, `reinforce`,
 * `actor-critic`) as step-level auto-bidders, through one adapter: the learner
 * classes themselves (agents/q-learning.ts, dqn.ts, reinforce.ts,
 * actor-critic.ts, with their shared agents/learner/ code) choose one action per
 * decision step; the adapter turns the step into what they know — an
 * observation, a bid, a transition — and back.
 *
 * **Action.** The learner's multipliers are factors α / cpa (by default 25
 * log-spaced from 0.1 to 4); the observation's `value` is 1, so the learner's
 * bid m × 1 is the factor, and the step bids α = m × cpa times each pValue.
 *
 * **CPA-aware reward: Lagrangian** (not score-shaped). The step's reward is
 *
 *   r = [(1 + μ) ê − (μ + ν) c / cpa] / ((1 + μ) V) = (ê − κ c / cpa) / V
 *
 * with ê the step's expected conversions (Σ pValue of exposed wins), c its
 * cost, V its offered volume (Σ pValue of its opportunities: a reward per unit
 * of traffic, whatever the hour), μ ≥ 0 the multiplier on the CPA constraint
 * (cost ≤ cpa × conversions) and ν ≥ 0 the one on the budget. It is the
 * Lagrangian of "maximise conversions subject to both constraints" split over
 * the steps (divided by 1 + μ, which changes no step's best factor and keeps
 * the rewards' size the same whatever the multipliers): given (μ, ν) the steps are separate one-step problems, so the
 * learners learn myopically (discount 0: no bootstrapping), and the best
 * factor depends on the multipliers only through the *dual price* of a unit of
 * cost in conversions, κ = (μ + ν) / (1 + μ) (maximise ê − κ c / cpa). κ is
 * therefore a state feature (`dualPrice`, always first), so what a learner
 * learns stays right while the multipliers move. The score-shaped reward (the
 * change of the episode's score, what the datasets and `bidgym/AutoBidding-v0`
 * use) is not used: its penalty falls on whole episodes, so a learner would
 * have to learn 48-step credit assignment from a few dozen training episodes.
 *
 * **Multipliers.** Both move after every step, multiplicatively (they stay
 * positive and scale-free), as `lagrangian`'s μ does:
 * μ ← μ · exp(η · clip(cost so far / (cpa × expected conversions so far) − 1, ±1)),
 * ν ← ν · exp(η · clip(spent share / elapsed share − 1, ±1)), each kept in
 * [`muMin`, `muMax`]. They are **adapted across episodes**: each episode starts
 * from the mean of the values the last `muAverage` training episodes ended
 * with (evaluation: of the training episodes), so the start of the day carries
 * what the previous days taught, and the within-episode steps correct the rest.
 *
 * **State.** `dualPrice` = (log10 κ + 2) / 4 clipped to [0, 1] (κ from 0.01 to
 * 100), then the chosen `features` of env/autobid/state.ts: shares as they are,
 * ratios halved and capped at 1 ([0, 2] onto [0, 1]; a CPA ratio of 1 is 0.5).
 * The per-auction learners read named observation features (env/observation.ts),
 * so the adapter carries the step features in the observation's
 * fraction-valued slots, in order: pctr, pcvr, historyFill, coldStart,
 * budgetLeft, timeLeft (at most 6 features; the step-level policy file
 * declares the step features and this mapping).
 *
 * Training (learning on) explores as each learner does, from the bidder's own
 * stream; evaluation plays the learner's frozen greedy policy (its `policy()`,
 * the object a per-auction policy file holds), which is also what the
 * step-level policy file rebuilds: the run's evaluation and `bidgym evaluate`
 * play the same code.
 */
import { z } from 'zod';
import type { AutoBidContext, AutoBidder, StepFeedback, StepObservation } from '../../env/autobid/core.js';
import { S, STATE_FEATURE_INFO, STATE_FEATURES } from '../../env/autobid/state.js';
import { OBS, OBS_SIZE, type ObsFeature } from '../../env/observation.js';
import type { Rng } from '../../env/rng.js';
import type { Agent, AgentContext, Policy, Transition } from '../core.js';
import { QLearningAgent, qLearningSchema } from '../q-learning.js';
import { DqnAgent, dqnSchema } from '../dqn.js';
import { ReinforceAgent, reinforceSchema } from '../reinforce.js';
import { ActorCriticAgent, actorCriticSchema } from '../actor-critic.js';

/** The learner kinds that play the step-level problem through the adapter. */
export const STEP_LEARNER_KINDS = ['q-learning', 'dqn', 'reinforce', 'actor-critic'] as const;
export type StepLearnerKind = (typeof STEP_LEARNER_KINDS)[number];

/** State features a step-level learner may read besides `dualPrice`. */
const stepFeatureNames = STATE_FEATURES as unknown as [(typeof STATE_FEATURES)[number], ...(typeof STATE_FEATURES)[number][]];

/** Observation slots that carry the step features, in order (all fraction-valued: read as they are, clipped to [0, 1]). */
export const CARRIER_SLOTS: readonly ObsFeature[] = ['pctr', 'pcvr', 'historyFill', 'coldStart', 'budgetLeft', 'timeLeft'];

/** Most states of a step-level Q-table (a policy file's limit, agents/policy-kinds.ts). */
const MAX_STATES = 1_000_000;

/** Range of log10 κ that `dualPrice` maps onto [0, 1]. */
const LOG_KAPPA_LOW = -2;
const LOG_KAPPA_HIGH = 2;

/** `n` factors log-spaced from `lo` to `hi`, rounded to 1e-6. */
export function logGrid(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.round(lo * Math.exp((Math.log(hi / lo) * i) / (n - 1)) * 1e6) / 1e6);
}

/** The per-auction fields that have no meaning at the step level (the adapter sets them). */
const dropped = { features: true, pacing: true, pacingGain: true, bidLevels: true, priceLevels: true, scaleSample: true, counterfactual: true, minLambda: true, multipliers: true, discount: true } as const;

/** Fields every step-level learner adds to its learner's own. */
const stepFields = {
  multipliers: z
    .array(z.number().gt(0).max(100))
    .min(2)
    .max(256)
    .default(logGrid(0.1, 4, 25))
    .refine((m) => m.every((x, i) => i === 0 || x > m[i - 1]!), { message: 'expected increasing factors' })
    .describe('actions: factors α / cpa (the step bids α × pValue), increasing'),
  features: z
    .array(z.enum(stepFeatureNames))
    .max(CARRIER_SLOTS.length)
    .refine((f) => new Set(f).size === f.length, { message: 'expected each feature at most once' })
    .default([])
    .describe(`state features read besides dualPrice (env/autobid/state.ts; shares as they are, ratios halved and capped at 1), at most ${CARRIER_SLOTS.length}`),
  dualRate: z.number().positive().max(10).default(0.05).describe('step size η of the multiplicative updates of μ (CPA) and ν (budget) after each step (0.05: at most a factor e^2.4 ≈ 11 over 48 steps)'),
  muInit: z.number().positive().default(1).describe('μ and ν at the first training episode'),
  muMin: z.number().positive().default(1e-3).describe('smallest μ and ν'),
  muMax: z.number().positive().default(1e3).describe('largest μ and ν'),
  muAverage: z.number().int().min(1).default(5).describe('each episode starts from the mean of the multipliers the last this many training episodes ended with'),
};

const checkMu = <T extends { muMin: number; muInit: number; muMax: number }>(a: T) => a.muMin <= a.muInit && a.muInit <= a.muMax;
const muIssue = { message: 'expected muMin ≤ muInit ≤ muMax', path: ['muInit'] };

/**
 * The step-level schemas: each learner's own fields (its learning rule's
 * arguments), without those the adapter sets, plus {@link stepFields}; the
 * defaults that count transitions are for a training run of a few thousand
 * steps (tens of episodes × 48), not millions of auctions.
 */
export const stepQLearningSchema = qLearningSchema
  .omit({ ...dropped, valueBuckets: true })
  .extend({
    ...stepFields,
    fractionBuckets: z.number().int().min(1).max(1000).default(16).describe('buckets of each state feature over [0, 1] (dualPrice: a quarter decade of κ each)'),
    epsilonStart: z.number().min(0).max(1).default(0.3).describe('exploration rate ε at a state’s first visit (a step is a 48th of a day of budget: fully random first visits would spend it at random)'),
    epsilonHalfLife: z.number().positive().default(25).describe('visits of a state after which its ε has halved'),
  })
  .refine(checkMu, muIssue)
  .refine((a) => a.fractionBuckets ** (1 + a.features.length) <= MAX_STATES, { message: `expected at most ${MAX_STATES} states, fractionBuckets^(1 + features read): use fewer features or buckets`, path: ['features'] });
export const stepDqnSchema = dqnSchema
  .omit(dropped)
  .extend({
    ...stepFields,
    trainEvery: z.number().int().min(1).default(1).describe('steps stored between gradient steps'),
    warmup: z.number().int().min(0).default(64).describe('steps in the buffer before learning starts'),
    targetUpdate: z.number().int().min(1).default(50).describe('gradient steps between target-network copies'),
    epsilonStart: z.number().min(0).max(1).default(0.3).describe('initial exploration rate (as q-learning’s step-level default)'),
    epsilonDecay: z.number().int().min(1).default(500).describe('steps over which ε decays linearly'),
    learningRateHalfLife: z.number().min(0).default(2000).describe('steps learnt from after which the Adam step size has halved; 0 = constant'),
    refitHead: z.boolean().default(false).describe('at the end of every training episode, replace the output layer by its least-squares fit on the replay buffer (the per-auction default is auto, on with full information and no budget; off here, where the adapter learns from the played action alone)'),
  })
  .refine(checkMu, muIssue);
export const stepReinforceSchema = reinforceSchema
  .omit(dropped)
  .extend({ ...stepFields, batchSize: z.number().int().min(1).default(16).describe('steps per policy-gradient step') })
  .refine(checkMu, muIssue);
export const stepActorCriticSchema = actorCriticSchema
  .omit(dropped)
  .extend({
    ...stepFields,
    batchSize: z.number().int().min(1).default(8).describe('steps per update'),
    learningRateHalfLife: z.number().min(0).default(2000).describe('steps learnt from after which the Adam step sizes have halved; 0 = constant'),
  })
  .refine(checkMu, muIssue);

export type StepLearnerArgs =
  | z.output<typeof stepQLearningSchema>
  | z.output<typeof stepDqnSchema>
  | z.output<typeof stepReinforceSchema>
  | z.output<typeof stepActorCriticSchema>;

/** The step-level schema of each learner kind. */
export const STEP_LEARNER_SCHEMAS = { 'q-learning': stepQLearningSchema, dqn: stepDqnSchema, reinforce: stepReinforceSchema, 'actor-critic': stepActorCriticSchema } as const;

/** The multipliers the adapter tracks (plain data: what the policy file keeps). */
export interface StepDuals {
  /** Start of the next episode: μ (CPA) and ν (budget). */
  mu: number;
  nu: number;
}

/** The learner's per-auction arguments: its own fields, and what the adapter fixes. */
function learnerArgs(a: StepLearnerArgs): Record<string, unknown> {
  const { features, dualRate: _d, muInit: _i, muMin: _mn, muMax: _mx, muAverage: _a, kind: _k, ...own } = a as StepLearnerArgs & Record<string, unknown>;
  return {
    ...own,
    features: CARRIER_SLOTS.slice(0, 1 + (features as unknown[]).length),
    pacing: false,
    pacingGain: 1,
    bidLevels: [],
    priceLevels: [],
    scaleSample: 0,
    counterfactual: false,
    discount: 0,
  };
}

/** Builds the per-auction learner of a step-level spec. */
export function makeInnerLearner(a: StepLearnerArgs, rng: Rng): Agent {
  // No budget (the adapter's ν prices it), one "auction" per step, value 1: the multiplier is the factor α / cpa.
  const ctx: AgentContext = { id: 'step', budget: null, auctionsPerEpisode: 48, mechanism: 'gsp', slots: 1, valueScale: 1, rng };
  const args = learnerArgs(a) as never;
  switch (a.kind) {
    case 'q-learning':
      return new QLearningAgent(args, ctx);
    case 'dqn':
      return new DqnAgent(args, ctx);
    case 'reinforce':
      return new ReinforceAgent(args, ctx);
    case 'actor-critic':
      return new ActorCriticAgent(args, ctx);
  }
}

const clip01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);

/** `dualPrice` of the multipliers: (log10 κ + 2) / 4 in [0, 1], κ = (μ + ν) / (1 + μ). */
export function dualPriceFeature(mu: number, nu: number): number {
  return clip01((Math.log10((mu + nu) / (1 + mu)) - LOG_KAPPA_LOW) / (LOG_KAPPA_HIGH - LOG_KAPPA_LOW));
}

/**
 * A step-level learner: the adapter around one of bidgym's per-auction learners
 * (training), or around its frozen policy (evaluation, and a policy file).
 */
export class StepLearner implements AutoBidder {
  readonly kind: StepLearnerKind;
  private readonly featureIdx: number[];
  private readonly ratio: boolean[];
  private readonly obs = new Float64Array(OBS_SIZE);
  private learning: boolean;
  private frozen: Policy | null;
  /** Multipliers now, and where the next episode starts. */
  private mu: number;
  private nu: number;
  private start: StepDuals;
  /** (μ, ν) at the end of each training episode (the last `muAverage`). */
  private history: StepDuals[] = [];
  /** The step being played: its observation copy, bid and multipliers. */
  private lastObs = new Float64Array(OBS_SIZE);
  private lastBid = 0;
  private lastMu = 0;
  private lastNu = 0;
  private trainingSteps = 0;

  /**
   * @param inner the learner (training) — or null with `policy` (a frozen policy, from a file)
   * @param duals the multipliers' start (a trained policy's); default muInit for both
   */
  constructor(
    readonly args: StepLearnerArgs,
    private readonly inner: Agent | null,
    policy: Policy | null = null,
    duals?: StepDuals,
  ) {
    this.kind = args.kind;
    this.featureIdx = args.features.map((f) => S[f]);
    this.ratio = args.features.map((f) => STATE_FEATURE_INFO[f].unit === 'ratio');
    this.frozen = policy;
    this.learning = inner !== null && policy === null;
    this.start = duals ? { ...duals } : { mu: args.muInit, nu: args.muInit };
    this.mu = this.start.mu;
    this.nu = this.start.nu;
    if (!inner && !policy) throw new RangeError('StepLearner: needs a learner or a frozen policy');
  }

  setLearning(on: boolean): void {
    if (!this.inner) return; // a frozen policy never learns
    if (this.learning && !on) {
      this.frozen = this.inner.policy();
      if (this.history.length > 0) this.start = this.meanHistory();
    }
    this.learning = on;
    this.inner.training = on;
  }

  private meanHistory(): StepDuals {
    const n = this.history.length;
    return { mu: this.history.reduce((s, d) => s + d.mu, 0) / n, nu: this.history.reduce((s, d) => s + d.nu, 0) / n };
  }

  reset(_ctx: AutoBidContext): void {
    this.mu = this.start.mu;
    this.nu = this.start.nu;
  }

  /** The learner's observation of a step (see the file comment for the slots). */
  private observation(o: StepObservation, out: Float64Array): Float64Array {
    out.fill(0);
    out[OBS.value] = 1;
    out[OBS.pctr] = 1;
    out[OBS.pcvr] = 1;
    out[OBS.budgetLeft] = 1;
    out[OBS.timeLeft] = 1;
    out[OBS[CARRIER_SLOTS[0]!]] = dualPriceFeature(this.mu, this.nu);
    for (let k = 0; k < this.featureIdx.length; k++) {
      const x = o.state[this.featureIdx[k]!]!;
      out[OBS[CARRIER_SLOTS[k + 1]!]] = clip01(this.ratio[k] ? x / 2 : x);
    }
    return out;
  }

  factor(o: StepObservation, rng: Rng): number {
    const x = this.observation(o, this.obs);
    const m = this.learning ? this.inner!.act(x, rng) : this.frozen!.bid(x);
    this.lastObs.set(x);
    this.lastBid = m;
    this.lastMu = this.mu;
    this.lastNu = this.nu;
    return m * o.ctx.cpa;
  }

  observe(f: StepFeedback, o: StepObservation): void {
    let volume = 0;
    let conv = 0;
    let cost = 0;
    let wins = 0;
    let conversions = 0;
    for (let j = 0; j < f.n; j++) {
      volume += f.pValue[j]!;
      cost += f.cost[j]!;
      if (f.exposed[j]! > 0) conv += f.pValue[j]!;
      if (f.slot[j]! > 0) wins++;
      conversions += f.conversion[j]!;
    }
    const target = o.ctx.cpa;
    if (this.learning && volume > 0) {
      const mu = this.lastMu;
      const nu = this.lastNu;
      // The Lagrangian over (1 + μ): the same best factor, rewards of the same size whatever the multipliers.
      const reward = (conv - (((mu + nu) / (1 + mu)) * cost) / target) / volume;
      const t: Transition = {
        observation: this.lastObs,
        action: this.lastBid,
        reward,
        nextObservation: null,
        terminated: true,
        truncated: false,
        info: { won: wins > 0, slot: wins > 0 ? 0 : -1, cost: cost / (target * volume), value: conv / volume, clicks: 0, conversions, competingBid: 0 },
      };
      this.inner!.learn(t);
      this.trainingSteps++;
    }
    // Dual steps on the episode's running constraints (expected conversions: the less noisy count).
    const a = this.args;
    const step = (x: number, g: number) => Math.min(a.muMax, Math.max(a.muMin, x * Math.exp(a.dualRate * Math.max(-1, Math.min(1, g)))));
    const totCost = o.totals.cost + cost;
    const totConv = o.totals.expectedConversions + conv;
    if (totCost > 0) this.mu = step(this.mu, totConv > 0 ? totCost / (target * totConv) - 1 : 1);
    const elapsed = (o.t + 1) / o.ctx.steps;
    this.nu = step(this.nu, totCost / o.ctx.budget / elapsed - 1);
  }

  endEpisode(_last: StepObservation): void {
    if (!this.learning) return;
    this.inner!.endEpisode();
    this.history.push({ mu: this.mu, nu: this.nu });
    if (this.history.length > this.args.muAverage) this.history.shift();
    this.start = this.meanHistory();
  }

  /** The multipliers the next episode starts from. */
  duals(): StepDuals {
    return { ...this.start };
  }

  /** The greedy policy now: the frozen one, or the learner's current one. */
  policy(): Policy {
    return this.frozen ?? this.inner!.policy();
  }

  params(): Record<string, unknown> {
    const p = this.policy();
    return { ...this.args, duals: this.duals(), policy: { kind: p.kind, params: p.params() } };
  }
}
