import { describe, expect, it } from 'vitest';
import { InputError, isInputError } from '../../env/errors.js';
import { ConfigError } from '../../experiments/config.js';
import { ObjectiveError } from '../../experiments/objective.js';
import { QueueError } from '../../experiments/queue.js';
import { SweepError } from '../../experiments/sweep/grid.js';
import { PolicyError } from '../../agents/policy.js';
import { UsageError } from '../../experiments/cli.js';

describe('InputError', () => {
  it('is the one type of every bad-input error, each keeping its own name', () => {
    const errors = [new ConfigError('seed', 'expected a number'), new ObjectiveError('bidders[0].objective', 'bad'), new QueueError('q'), new SweepError('s'), new PolicyError('p'), new UsageError('u')];
    expect(errors.map((e) => e.name)).toEqual(['ConfigError', 'ObjectiveError', 'QueueError', 'SweepError', 'PolicyError', 'UsageError']);
    for (const e of errors) {
      expect(e).toBeInstanceOf(InputError);
      expect(isInputError(e)).toBe(true);
      expect(e.exitCode).toBe(2);
    }
    expect(new ConfigError('seed', 'expected a number').message).toBe('seed: expected a number');
  });

  it('is told apart by its type, not by a field', () => {
    expect(isInputError(new Error('bug'))).toBe(false);
    expect(isInputError({ exitCode: 2, message: 'looks like one' })).toBe(false);
    expect(isInputError(null)).toBe(false);
  });
});
