/**
 * `pid`: a PID controller on the CPA, with a budget guard.
 *
 * The controlled variable is log α. Each step the CPA loop measures the error
 * e = log(target / CPA so far) — positive when the advertiser is buying
 * conversions below target and can afford to bid higher — and sets
 *
 *   log α_cpa = log(target) + kp · e + ki · Σ e + kd · (e − e_prev)
 *
 * (the integral clamped to ±`windup`). The CPA so far is cost / conversions,
 * with conversions the expected ones (Σ pValue of the exposed wins) by default,
 * or the realised ones (`measure: realised`), which are noisier with few
 * conversions. A second PI loop keeps the budget on an even trajectory: its
 * error is b = log(share of budget left / share of time left) — positive when
 * spending is behind — and log α_budget = log(target) + kpBudget · b +
 * kiBudget · Σ b. The bid factor is min(α_cpa, α_budget): the budget binds when
 * the target would overspend it. Each integral only accumulates while its loop
 * binds or its error is negative (anti-windup), and is clamped to ±`windup`.
 */
import { z } from 'zod';
import type { AutoBidContext, AutoBidder, StepFeedback, StepObservation } from '../../env/autobid/core.js';
import { S } from '../../env/autobid/state.js';

/** Arguments of `pid`. */
export const pidSchema = z
  .object({
    kind: z.literal('pid'),
    kp: z.number().min(0).default(1).describe('proportional gain on e = log(target / CPA so far)'),
    ki: z.number().min(0).default(0.3).describe('integral gain (per step) on e'),
    kd: z.number().min(0).default(0).describe('derivative gain on the change of e'),
    windup: z.number().positive().default(3).describe('clamp of the integral Σe'),
    kpBudget: z.number().min(0).default(1).describe('proportional gain on b = log(share of budget left / share of time left)'),
    kiBudget: z.number().min(0).default(0.2).describe('integral gain (per step) on b'),
    measure: z.enum(['expected', 'realised']).default('expected').describe('conversions the CPA is measured with: expected (Σ pValue of exposed wins) or realised'),
    maxFactor: z.number().positive().default(10).describe('largest α, as a multiple of the target'),
  })
  .strict();
export type PidArgs = z.infer<typeof pidSchema>;

export class PidCpa implements AutoBidder {
  readonly kind = 'pid';
  private logCpa = 0;
  private logBudget = 0;
  private integral = 0;
  private integralBudget = 0;
  private prevError = 0;
  private started = false;

  constructor(readonly args: PidArgs = pidSchema.parse({ kind: 'pid' })) {}

  reset(ctx: AutoBidContext): void {
    this.logCpa = Math.log(ctx.cpa);
    this.logBudget = Math.log(ctx.cpa);
    this.integral = 0;
    this.integralBudget = 0;
    this.prevError = 0;
    this.started = false;
  }

  factor(o: StepObservation): number {
    const a = this.args;
    const target = o.ctx.cpa;
    const tot = o.totals;
    if (o.t > 0) {
      const conv = a.measure === 'expected' ? tot.expectedConversions : tot.conversions;
      // No cost yet: nothing bought, push up as if the CPA were half the target.
      const cpa = tot.cost > 0 ? tot.cost / Math.max(conv, 1e-9) : target / 2;
      const e = Math.max(-3, Math.min(3, Math.log(target / cpa)));
      const b = Math.max(-3, Math.min(3, Math.log(Math.max(o.state[S.budgetLeft]!, 1e-6) / o.state[S.timeLeft]!)));
      const cpaBinds = this.logCpa <= this.logBudget;
      if (cpaBinds || e < 0) this.integral = clamp(this.integral + e, a.windup);
      if (!cpaBinds || b < 0) this.integralBudget = clamp(this.integralBudget + b, a.windup);
      const d = this.started ? e - this.prevError : 0;
      this.prevError = e;
      this.started = true;
      this.logCpa = Math.log(target) + a.kp * e + a.ki * this.integral + a.kd * d;
      this.logBudget = Math.log(target) + a.kpBudget * b + a.kiBudget * this.integralBudget;
    }
    const alpha = Math.exp(Math.min(this.logCpa, this.logBudget));
    return Math.min(alpha, a.maxFactor * target);
  }

  observe(_f: StepFeedback): void {}

  params(): Record<string, unknown> {
    return { ...this.args };
  }
}

const clamp = (x: number, w: number): number => Math.max(-w, Math.min(w, x));
