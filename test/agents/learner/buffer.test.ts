/** Stored transitions (agents/learner/buffer.ts): encoded features, action, reward and what the target bootstraps from. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { learnerFields } from '../../../agents/learner/args.js';
import { TransitionBuffer } from '../../../agents/learner/buffer.js';
import { BidShaper } from '../../../agents/learner/shaper.js';
import { observationFrom } from '../../../env/observation.js';
import { agentCtx, transition } from '../../helpers.js';

describe('TransitionBuffer', () => {
  const shaper = new BidShaper(z.object(learnerFields).parse({ multipliers: [0, 0.5, 1], features: ['value', 'budgetLeft'] }), agentCtx({ valueScale: 2 }));

  it('stores the encoded observation, the action, the scaled reward and the next observation', () => {
    const buf = new TransitionBuffer(4, 2);
    buf.store(1, transition({ value: 1, budgetLeft: 0.3 }, 0.5, 0.4, { nextObservation: observationFrom({ value: 3, budgetLeft: 0.2 }) }), shaper, 0.9, false);
    expect(Array.from(buf.row(buf.x, 1, new Float64Array(2)))).toEqual([0.5, 0.3]);
    expect(Array.from(buf.row(buf.x2, 1, new Float64Array(2)))).toEqual([1.5, 0.2]);
    expect([buf.a[1], buf.r[1], buf.boot[1]]).toEqual([1, 0.2, 1]);
    expect(buf.boot[0]).toBe(0);
  });

  it('at the horizon bootstraps from the observation itself; after a termination not at all', () => {
    const buf = new TransitionBuffer(2, 2);
    buf.store(0, transition({ value: 1, budgetLeft: 0.3 }, 1, 0, { nextObservation: null, truncated: true }), shaper, 0.9, false);
    expect(Array.from(buf.row(buf.x2, 0, new Float64Array(2)))).toEqual([0.5, 0.3]);
    expect(buf.boot[0]).toBe(1);
    buf.store(1, transition({ value: 1, budgetLeft: 0.3 }, 1, 0, { terminated: true }), shaper, 0.9, false);
    expect(buf.boot[1]).toBe(0);
  });
});
