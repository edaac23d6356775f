/**
 * Tabular Q-learning over bid multipliers (Watkins & Dayan, 1992).
 *
 * State: the observation's features (by default the value; plus the budget and
 * time left when a budget is learnt rather than paced) cut into buckets
 * (`StateGrid`, features.ts). Action: a multiplier m from a grid; the bid is
 * m × value (÷ λ(o) with a paced budget).
 *
 * Update (Sutton & Barto, 2nd ed., eq. 6.8):
 *   Q(s, a) ← Q(s, a) + α(s, a) · (target − Q(s, a))
 *   target  = r                          if the episode terminated (budget spent)
 *           = r + γ · max_a' Q(s', a')   otherwise, s' = the next auction's state
 * At the horizon (truncated, no next observation) it bootstraps from its
 * current state unless time is part of the state (learner/rules.ts).
 *
 * Schedules, per state so that they work for any number of episodes:
 * - learning rate α(s, a) = max(α_min, α_0 / (1 + n(s, a))^ω), a polynomial
 *   rate (Even-Dar & Mansour, "Learning Rates for Q-learning", 2003) with ω in
 *   (0.5, 1], floored so that the agent keeps tracking learning rivals;
 * - ε-greedy with ε(s) = max(ε_end, ε_start · h / (h + n(s))): the h-th visit
 *   of a state halves its exploration.
 *
 * Budgets: by default the budget is paced (learner/budget-pacer.ts: bids are divided by the
 * price of money λ(o) and the reward is the Lagrangian r − (λ − 1)·cost), which
 * decouples the auctions. With `pacing: false` the state gets the budget and
 * time left instead and the agent must learn when to spend from the bootstrapped
 * values alone (slower: see docs/agents.md).
 *
 * Discount "auto": γ = 1 when the budget is learnt from the state, else 0
 * (learner/rules.ts).
 */
import { z } from 'zod';
import { OBS } from '../env/observation.js';
import type { Rng } from '../env/rng.js';
import type { Agent, AgentContext, Observation, Policy, Transition } from './core.js';
import { argmax, defaultGrid, StateGrid, valueOf, type StateGridSpec } from './features.js';
import { TablePolicy } from './frozen.js';
import { discountField, learnerFields, type LearnerArgsOf } from './learner/args.js';
import { bootstrapFrom, resolveDiscount } from './learner/rules.js';
import { BidShaper } from './learner/shaper.js';

/** `q-learning`: tabular Q-learning over bid multipliers (config `bidders[i].agent`). */
export const qLearningSchema = z
  .object({
    kind: z.literal('q-learning'),
    ...learnerFields,
    valueBuckets: z.number().int().min(1).max(1000).default(8).describe('buckets of value-like features over [0, 1.5] × the value scale'),
    fractionBuckets: z.number().int().min(1).max(1000).default(5).describe('buckets of fraction features (budgetLeft, timeLeft) over [0, 1]'),
    discount: discountField('discount γ; auto = 1 when the budget is learnt from the state, else 0'),
    learningRate: z.number().gt(0).max(1).default(1).describe('α₀ of α(s, a) = max(α_min, α₀ / (1 + visits)^ω)'),
    learningRatePower: z.number().min(0).max(1).default(1).describe('ω of the learning-rate schedule (0 = constant; 1 = the sample mean of each state and action until the floor)'),
    minLearningRate: z.number().min(0).max(1).default(1e-4).describe('floor α_min of the learning rate (keeps tracking learning rivals over about 1/α_min visits)'),
    epsilonStart: z.number().min(0).max(1).default(1).describe('exploration rate ε at a state’s first visit'),
    epsilonEnd: z.number().min(0).max(1).default(0.02).describe('floor of ε'),
    epsilonHalfLife: z.number().positive().default(1000).describe('visits of a state after which its ε has halved (about 20 per action with the default 46 actions)'),
  })
  .strict();

/** Arguments of {@link QLearningAgent}: its config fields, defaults filled. */
export type QLearningArgs = LearnerArgsOf<z.output<typeof qLearningSchema>>;

/** Tabular Q-learning bidder. @example new QLearningAgent({ ...defaults }, ctx) */
export class QLearningAgent implements Agent {
  readonly kind = 'q-learning';
  training = true;
  readonly shaper: BidShaper;
  readonly grid: StateGrid;
  readonly discount: number;
  /** Q-values, states × actions. */
  readonly q: Float64Array;
  private readonly visitsSA: Float64Array;
  private readonly visitsS: Float64Array;
  private readonly alphas: Float64Array;
  private readonly alphaFloored: boolean;
  private readonly gridSpec: StateGridSpec;
  /** State and bid of the last act(): learn() on that observation reuses the state. */
  private lastState = -1;
  private lastBid = NaN;
  private lastValue = NaN;
  private lastTime = NaN;
  /** Counterfactual rewards of the last transition (BidShaper.counterfactual). */
  private readonly rAll: Float64Array;

  constructor(readonly args: QLearningArgs, ctx: AgentContext) {
    this.shaper = new BidShaper(args, ctx);
    this.rAll = new Float64Array(this.shaper.actions);
    this.gridSpec = defaultGrid(this.shaper.encoderSpec, args.valueBuckets, args.fractionBuckets);
    this.grid = new StateGrid(this.gridSpec);
    this.discount = resolveDiscount(args.discount, this.shaper.budgetInState);
    const n = this.grid.size * this.shaper.actions;
    this.q = new Float64Array(n);
    this.visitsSA = new Float64Array(n);
    this.visitsS = new Float64Array(this.grid.size);
    // The learning-rate schedule, tabulated up to where it reaches its floor (at most 4096 visits).
    const table: number[] = [];
    for (let v = 0; v < 4096; v++) {
      const alpha = this.alphaAfter(v);
      table.push(alpha);
      if (alpha === args.minLearningRate) break;
    }
    this.alphas = Float64Array.from(table);
    this.alphaFloored = table[table.length - 1] === args.minLearningRate;
  }

  /** α for visit counts past the precomputed table. */
  private alphaAfter(visits: number): number {
    const { learningRate, learningRatePower, minLearningRate } = this.args;
    return Math.max(minLearningRate, learningRate / (1 + visits) ** learningRatePower);
  }

  /** State index of an observation. */
  state(o: Observation): number {
    return this.grid.index(this.shaper.encode(o));
  }

  /** Exploration rate at state s. */
  epsilon(s: number): number {
    const { epsilonStart, epsilonEnd, epsilonHalfLife } = this.args;
    return Math.max(epsilonEnd, (epsilonStart * epsilonHalfLife) / (epsilonHalfLife + this.visitsS[s]!));
  }

  act(o: Observation, rng: Rng): number {
    // Warming up (learner.ts): a random action until the learner has measured its value scale.
    const w = this.shaper.warmupAction(rng, this.training);
    if (w !== null) return this.shaper.bid(o, w, true);
    const s = this.state(o);
    const n = this.shaper.actions;
    let a: number;
    if (this.training && rng.next() < this.epsilon(s)) a = rng.int(n);
    else a = argmax(this.q, s * n, n);
    const bid = this.shaper.bid(o, a, this.training);
    this.lastState = s;
    this.lastBid = bid;
    this.lastValue = o[OBS.value]!;
    this.lastTime = o[OBS.timeLeft]!;
    return bid;
  }

  learn(t: Transition): void {
    if (this.shaper.skipWarmup(t)) return;
    if (!this.training) return;
    // With a zero value every multiplier bids 0: the action is unknown and irrelevant.
    if (!(valueOf(t.observation) > 0)) return;
    const n = this.shaper.actions;
    const o = t.observation;
    const same = t.action === this.lastBid && o[OBS.value] === this.lastValue && o[OBS.timeLeft] === this.lastTime;
    const s = same ? this.lastState : this.state(o);
    let boot = 0;
    const from = bootstrapFrom(t, this.discount, this.shaper.timeAware);
    if (from !== 'none') {
      const s2 = from === 'next' ? this.state(t.nextObservation!) : s;
      boot = this.discount * this.q[s2 * n + argmax(this.q, s2 * n, n)]!;
    }
    // Full information (learner/shaper.ts): every action's reward is known, and the
    // next state does not depend on the action (counterfactuals only where auctions are independent).
    if (this.shaper.counterfactual(t, this.rAll)) {
      for (let a = 0; a < n; a++) this.update(s, a, this.rAll[a]! + boot);
    } else {
      this.update(s, this.shaper.actionOf(t.observation, t.action), this.shaper.reward(t) + boot);
    }
    this.visitsS[s]!++;
  }

  /** Q(s, a) ← Q(s, a) + α(s, a) · (target − Q(s, a)). */
  private update(s: number, a: number, target: number): void {
    const i = s * this.shaper.actions + a;
    const visits = this.visitsSA[i]!;
    const alpha = visits < this.alphas.length ? this.alphas[visits]! : this.alphaFloored ? this.args.minLearningRate : this.alphaAfter(visits);
    this.q[i]! += alpha * (target - this.q[i]!);
    this.visitsSA[i]!++;
  }

  endEpisode(): void {
    this.shaper.endEpisode(this.training);
  }

  policy(): Policy {
    return new TablePolicy(this.kind, this.shaper.encoderSpec, this.gridSpec, this.shaper.multipliers, Float64Array.from(this.q), this.shaper.pacerParams(), this.shaper.levelBids);
  }
}
