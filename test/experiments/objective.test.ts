import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileObjective, ObjectiveError, type ObjectiveScope } from '../../experiments/objective.js';

const PATH = 'bidders[1].objective';
const figures = (o: Partial<ObjectiveScope> = {}): ObjectiveScope => ({ value: 0, spend: 0, clicks: 0, conversions: 0, won: 0, ...o });

/** Asserts `fn` throws an ObjectiveError naming PATH and matching `pattern`. */
function expectObjectiveError(fn: () => unknown, pattern: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ObjectiveError);
  expect((caught as ObjectiveError).path).toBe(PATH);
  expect((caught as ObjectiveError).exitCode).toBe(2);
  expect((caught as ObjectiveError).message.startsWith(`${PATH}: `)).toBe(true);
  expect((caught as ObjectiveError).message).toMatch(pattern);
}

describe('compileObjective', () => {
  it('evaluates the quasi-linear utility value − spend', () => {
    const f = compileObjective('value - spend', PATH);
    expect(f(figures({ value: 1.25, spend: 0.5 }))).toBe(0.75);
  });

  it('evaluates clicks − 0.5 · spend, functions and conditionals', () => {
    expect(compileObjective('clicks - 0.5 * spend', PATH)(figures({ clicks: 1, spend: 0.4 }))).toBeCloseTo(0.8, 15);
    expect(compileObjective('max(value - spend, 0) + log1p(conversions)', PATH)(figures({ value: 1, spend: 3, conversions: Math.E - 1 }))).toBeCloseTo(1, 15);
    expect(compileObjective('won ? value : -0.1', PATH)(figures({ won: 0, value: 5 }))).toBe(-0.1);
    expect(compileObjective('2 * pi * won', PATH)(figures({ won: 1 }))).toBeCloseTo(2 * Math.PI, 15);
  });

  it('agrees with the same formula written in TypeScript (property)', () => {
    const f = compileObjective('value - spend + 0.25 * clicks - conversions ^ 2', PATH);
    fc.assert(
      fc.property(
        fc.record({
          value: fc.double({ min: 0, max: 100, noNaN: true }),
          spend: fc.double({ min: 0, max: 100, noNaN: true }),
          clicks: fc.integer({ min: 0, max: 1 }),
          conversions: fc.integer({ min: 0, max: 3 }),
          won: fc.integer({ min: 0, max: 1 }),
        }),
        (s) => {
          expect(f(s)).toBeCloseTo(s.value - s.spend + 0.25 * s.clicks - s.conversions ** 2, 10);
        },
      ),
      { seed: 3, numRuns: 200 },
    );
  });

  it('reports syntax errors and unknown symbols with the field path', () => {
    expectObjectiveError(() => compileObjective('value -', PATH), /cannot parse/);
    expectObjectiveError(() => compileObjective('value - spnd', PATH), /unknown symbol "spnd" — expected one of value, spend, clicks, conversions, won/);
    expectObjectiveError(() => compileObjective('', PATH), /non-empty expression/);
    expectObjectiveError(() => compileObjective('hypot(value, spend)', PATH), /function hypot\(\) is not allowed/);
  });

  it('refuses the functions the mathjs security guide disables', () => {
    for (const expr of [
      'import({x: 1})',
      'createUnit("foo")',
      'evaluate("1+1")',
      'parse("1")',
      'simplify("x")',
      'derivative("x^2", "x")',
      'compile("1")',
      'resolve("x")',
      'reviver()',
    ]) {
      expectObjectiveError(() => compileObjective(expr, PATH), /not allowed/);
    }
  });

  it('refuses assignments, definitions, property access, matrices and blocks', () => {
    expectObjectiveError(() => compileObjective('value = 3', PATH), /assignment expressions are not allowed/);
    expectObjectiveError(() => compileObjective('f(x) = x', PATH), /functionassignment expressions are not allowed/);
    expectObjectiveError(() => compileObjective('value.constructor', PATH), /not allowed/);
    expectObjectiveError(() => compileObjective('[value, spend]', PATH), /array expressions are not allowed/);
    expectObjectiveError(() => compileObjective('value; spend', PATH), /block expressions are not allowed/);
    expectObjectiveError(() => compileObjective('max', PATH), /unknown symbol "max"/);
  });

  it('refuses a non-number result, and a NaN or infinite one on a sample auction, at compile time; a non-finite one at run time', () => {
    expectObjectiveError(() => compileObjective('value > spend', PATH), /must evaluate to a number, got boolean/);
    // 0 / 0 on a lost auction: refused before any work, not at the first auction
    expectObjectiveError(() => compileObjective('value / spend', PATH), /gives NaN for value=0, spend=0, clicks=0, conversions=0, won=0 \(a lost auction\); it must be a finite number/);
    expectObjectiveError(() => compileObjective('log(spend)', PATH), /gives -Infinity .* \(a lost auction\)/);
    const f = compileObjective('1 / (spend - 0.3)', PATH);
    expect(f(figures({ spend: 0.8 }))).toBeCloseTo(2, 12);
    expectObjectiveError(() => f(figures({ value: 1, spend: 0.3 })), /gave Infinity for value=1, spend=0.3/);
  });
});
