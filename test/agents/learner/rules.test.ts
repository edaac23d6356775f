/** The shared learner rules (agents/learner/rules.ts): discount "auto" and bootstrapping at the horizon. */
import { describe, expect, it } from 'vitest';
import { bootstrapFrom, isTimeAware, resolveDiscount } from '../../../agents/learner/rules.js';
import { encoderSpec } from '../../../agents/features.js';
import { InputError } from '../../../env/errors.js';
import { transition } from '../../helpers.js';

describe('resolveDiscount', () => {
  it('"auto" is 1 when the budget is learnt from the state, else 0; numbers pass through', () => {
    expect(resolveDiscount('auto', true)).toBe(1);
    expect(resolveDiscount('auto', false)).toBe(0);
    expect(resolveDiscount(0.95, false)).toBe(0.95);
    expect(resolveDiscount(0, true)).toBe(0);
  });

  it('refuses a discount outside [0, 1] with an InputError naming the field', () => {
    for (const bad of [-0.1, 1.5, NaN]) {
      expect(() => resolveDiscount(bad, false)).toThrow(InputError);
      expect(() => resolveDiscount(bad, false)).toThrow(/^discount: expected a number in \[0, 1\] or "auto"/);
    }
  });
});

describe('bootstrapFrom', () => {
  const next = transition({ value: 1 }, 1, 0);
  const horizon = transition({ value: 1 }, 1, 0, { nextObservation: null, truncated: true });
  const spent = transition({ value: 1 }, 1, 0, { nextObservation: null, terminated: true });

  it('bootstraps from the next observation when there is one', () => {
    expect(bootstrapFrom(next, 0.9, false)).toBe('next');
    expect(bootstrapFrom(next, 0.9, true)).toBe('next');
  });

  it('at the horizon bootstraps from the current observation unless time is in the state', () => {
    expect(bootstrapFrom(horizon, 0.9, false)).toBe('self');
    expect(bootstrapFrom(horizon, 0.9, true)).toBe('none');
  });

  it('never bootstraps after a termination or with γ = 0', () => {
    expect(bootstrapFrom(spent, 0.9, false)).toBe('none');
    expect(bootstrapFrom({ ...next, terminated: true }, 0.9, false)).toBe('none');
    expect(bootstrapFrom(next, 0, false)).toBe('none');
    expect(bootstrapFrom(horizon, 0, false)).toBe('none');
  });

  it('knows a state is time-aware when it encodes timeLeft', () => {
    expect(isTimeAware(encoderSpec(['value', 'budgetLeft'], 1))).toBe(false);
    expect(isTimeAware(encoderSpec(['value', 'timeLeft'], 1))).toBe(true);
  });
});
