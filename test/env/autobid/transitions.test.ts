import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Abid } from '../../../agents/autobid/abid.js';
import { NoisyBidder } from '../../../agents/autobid/noisy.js';
import { PidCpa } from '../../../agents/autobid/pid.js';
import { runStepEpisode } from '../../../env/autobid/market.js';
import { cpaScore } from '../../../env/autobid/score.js';
import { STATE_SIZE } from '../../../env/autobid/state.js';
import { formatTransitions, parseTransitions, RecordingBidder, transitionsHeader, type StepTransition } from '../../../env/autobid/transitions.js';
import { InputError } from '../../../env/errors.js';
import { rng } from '../../../env/rng.js';
import { smallMarket } from './fixture.js';

// JSON has no -0: it is written as 0 (the one number that does not round-trip), so the generator leaves it out.
const num = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }).map((x) => (Object.is(x, -0) ? 0 : x));
const transition: fc.Arbitrary<StepTransition> = fc.record({
  episode: fc.nat(),
  bidder: fc.string({ minLength: 1, maxLength: 12 }),
  step: fc.nat(1000),
  state: fc.array(num, { minLength: STATE_SIZE, maxLength: STATE_SIZE }),
  action: num,
  reward: num,
  nextState: fc.array(num, { minLength: STATE_SIZE, maxLength: STATE_SIZE }),
  done: fc.boolean(),
  conversions: num,
  expectedConversions: num,
  cost: num,
  budget: fc.double({ noNaN: true, min: 1e-6, max: 1e9 }),
  cpa: fc.double({ noNaN: true, min: 1e-6, max: 1e6 }),
});

describe('transition datasets', () => {
  it('written and read back give identical transitions, and the same bytes again', () => {
    fc.assert(
      fc.property(fc.array(transition, { maxLength: 20 }), fc.double({ min: 0, max: 5, noNaN: true }), (ts, beta) => {
        const text = formatTransitions(ts, transitionsHeader(beta));
        const back = parseTransitions(text, 'mem');
        expect(back.transitions).toEqual(ts);
        expect(back.header.beta).toBe(beta);
        expect(formatTransitions(back.transitions, back.header)).toBe(text);
      }),
    );
  });

  it('records a played episode: rewards add up to the score, done only at the end', () => {
    const { spec, source } = smallMarket({ budget: 4000, cpa: 60, opportunities: 20_000 });
    const sink: StepTransition[] = [];
    const rec = new RecordingBidder(new NoisyBidder(new PidCpa(), 0.3), 'learner', sink);
    const res = runStepEpisode(spec, source, spec.advertisers.map((_, i) => (i === 0 ? rec : new Abid())), rng(4));
    const r = res[0]!;
    expect(sink.length).toBe(r.factors.length);
    expect(sink.map((t) => t.done)).toEqual(sink.map((_, k) => k === sink.length - 1));
    expect(sink.reduce((a, t) => a + t.reward, 0)).toBeCloseTo(cpaScore({ conversions: r.conversions, cost: r.cost, target: 60 }).score, 9);
    expect(sink.reduce((a, t) => a + t.conversions, 0)).toBe(r.conversions);
    sink.forEach((t, k) => {
      expect(t.action).toBeCloseTo(r.factors[k]! / 60, 12);
      if (k > 0) expect(sink[k - 1]!.nextState).toEqual(t.state);
    });
  });

  it('bad files are one-line InputErrors naming the line', () => {
    const good = formatTransitions([{ episode: 0, bidder: 'a', step: 0, state: Array(STATE_SIZE).fill(0), action: 1, reward: 0, nextState: Array(STATE_SIZE).fill(0), done: true, conversions: 0, expectedConversions: 0, cost: 0, budget: 1, cpa: 1 }]);
    const lines = good.split('\n');
    const bad = (text: string, re: RegExp) => {
      expect(() => parseTransitions(text, 'd.jsonl')).toThrow(InputError);
      expect(() => parseTransitions(text, 'd.jsonl')).toThrow(re);
    };
    bad('', /d.jsonl: empty file/);
    bad('{"format":"x"}\n', /d.jsonl:1: format/);
    bad(`${lines[0]}\n{oops\n`, /d.jsonl:2: not valid JSON/);
    bad(`${lines[0]}\n${lines[1]!.replace('"action":1', '"action":"1"')}\n`, /d.jsonl:2: action: expected a finite number/);
    bad(`${lines[0]}\n${lines[1]!.replace('"state":[0,', '"state":[')}\n`, /d.jsonl:2: state: expected 13/);
    bad(`${lines[0]}\n${lines[1]}\n${lines[1]!.replace('"done":true', '"done":1')}\n`, /d.jsonl:3: done/);
    expect(parseTransitions(good).transitions).toHaveLength(1);
  });
});
