/**
 * Bidder objectives written as mathjs expressions over per-auction figures,
 * e.g. `"value - spend"` or `"clicks - 0.5 * spend"`.
 *
 * Expressions run in a restricted, number-only mathjs instance, following the
 * mathjs security guide (https://mathjs.org/docs/expressions/security.html):
 * `import`, `createUnit`, `evaluate`, `parse`, `simplify`, `derivative`,
 * `compile`, `resolve` and `reviver` are replaced by functions that throw. On top
 * of that the parsed tree is checked against an allow-list before compiling: only
 * constants, the per-auction variables, arithmetic, comparison and logical
 * operators, `a ? b : c`, parentheses and a short list of elementwise math
 * functions. Assignments, function definitions, property access, indexing,
 * matrices, objects and blocks are refused, so an expression can read its scope
 * but never change it or reach anything else.
 */
import { createRequire } from 'node:module';
import type { MathNode } from 'mathjs/number';
import { InputError } from '../env/errors.js';

/** The per-auction figures an objective can use (all numbers; `won` is 0 or 1). */
export interface ObjectiveScope {
  /** True expected value won in this auction, currency units (0 when lost). */
  value: number;
  /** Payment in this auction, currency units. */
  spend: number;
  /** Realised clicks (0 or 1). */
  clicks: number;
  /** Realised conversions. */
  conversions: number;
  /** 1 when a slot was won, else 0. */
  won: number;
}

/** A compiled objective: per-auction figures → reward (a finite number). */
export type Objective = (scope: Readonly<ObjectiveScope>) => number;

/** The variables an objective can use, in the order error messages list them. */
export const OBJECTIVE_VARIABLES: readonly (keyof ObjectiveScope)[] = ['value', 'spend', 'clicks', 'conversions', 'won'];

/** Functions an objective may call. */
export const OBJECTIVE_FUNCTIONS: readonly string[] = [
  'abs', 'min', 'max', 'sqrt', 'cbrt', 'exp', 'expm1', 'log', 'log1p', 'log2', 'log10',
  'pow', 'square', 'floor', 'ceil', 'round', 'fix', 'sign', 'mod',
];

/** Named constants an objective may use. */
const CONSTANTS = new Set(['pi', 'e']);

/** Operator functions an objective may use (mathjs names behind + - * / ^ % < == and or not …). */
const OPERATORS = new Set([
  'add', 'subtract', 'multiply', 'divide', 'unaryMinus', 'unaryPlus', 'pow', 'mod',
  'larger', 'largerEq', 'smaller', 'smallerEq', 'equal', 'unequal', 'and', 'or', 'not', 'xor',
]);

/** Longest expression accepted, characters. */
const MAX_LENGTH = 1000;

/** A bad objective expression; `path` names the config field it came from. */
export class ObjectiveError extends InputError {
  /** Config path of the field, e.g. `bidders[0].objective`. */
  readonly path: string;

  /** @param path config field path @param message what is wrong (without the path) */
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.path = path;
  }
}

/**
 * mathjs, loaded on the first expression (it costs most of a CPU second to
 * load, and most configs have no objective expression). Loaded synchronously
 * through its CommonJS build, so that compileObjective stays synchronous.
 */
let mathjs: { parse: (expr: string) => MathNode; compile: (expr: string) => { evaluate: (scope: Map<string, number>) => unknown } } | null = null;

function math(): NonNullable<typeof mathjs> {
  if (mathjs) return mathjs;
  const { all, create } = createRequire(import.meta.url)('mathjs/number') as typeof import('mathjs/number');
  const m = create(all);
  const compile = m.compile;
  const parse = m.parse;
  const refuse = (name: string) => () => {
    throw new Error(`function ${name} is disabled in objective expressions`);
  };
  m.import(
    Object.fromEntries(
      ['import', 'createUnit', 'evaluate', 'parse', 'simplify', 'derivative', 'compile', 'resolve', 'reviver'].map((n) => [n, refuse(n)]),
    ),
    { override: true },
  );
  mathjs = { parse: (e) => parse(e), compile: (e) => compile(e) as ReturnType<NonNullable<typeof mathjs>['compile']> };
  return mathjs;
}

/** Checks a parsed tree against the allow-list; returns a description of the first violation or null. */
function disallowed(root: MathNode, variables: ReadonlySet<string>, functions: ReadonlySet<string>): string | null {
  let problem: string | null = null;
  root.traverse((node, _path, parent) => {
    if (problem !== null) return;
    switch (node.type) {
      case 'ConstantNode':
      case 'ParenthesisNode':
      case 'ConditionalNode':
        return;
      case 'OperatorNode': {
        const fn = (node as unknown as { fn: string; op: string }).fn;
        if (!OPERATORS.has(fn)) problem = `operator "${(node as unknown as { op: string }).op}" is not allowed`;
        return;
      }
      case 'FunctionNode': {
        const fnNode = (node as unknown as { fn: MathNode }).fn;
        const name = fnNode.type === 'SymbolNode' ? (fnNode as unknown as { name: string }).name : null;
        if (name === null || !functions.has(name)) {
          problem = `function ${name ?? '(expression)'}() is not allowed — expected one of ${[...functions].join(', ')}`;
        }
        return;
      }
      case 'SymbolNode': {
        const name = (node as unknown as { name: string }).name;
        // The callee symbol of an allowed function call was checked above.
        if (parent?.type === 'FunctionNode' && (parent as unknown as { fn: MathNode }).fn === node) return;
        if (!variables.has(name) && !CONSTANTS.has(name)) {
          problem = `unknown symbol "${name}" — expected one of ${[...variables].join(', ')} (or the constants pi, e)`;
        }
        return;
      }
      default:
        problem = `${node.type.replace(/Node$/, '').toLowerCase()} expressions are not allowed (only arithmetic on ${[...variables].join(', ')})`;
    }
  });
  return problem;
}

/**
 * Compiles a bidder objective.
 *
 * @param expr mathjs expression over {@link OBJECTIVE_VARIABLES}, e.g. `"clicks - 0.5 * spend"`
 * @param fieldPath config path reported in errors, e.g. `bidders[0].objective`
 * @returns a function from per-auction figures to a finite reward; it throws an
 *   {@link ObjectiveError} if the expression yields NaN or ±Infinity for some figures
 * @throws {ObjectiveError} on a syntax error, an unknown symbol, a refused construct or a non-number result
 * @example
 * const reward = compileObjective('value - spend', 'bidders[0].objective');
 * reward({ value: 1.2, spend: 0.7, clicks: 1, conversions: 0, won: 1 }); // 0.5
 */
export function compileObjective(expr: string, fieldPath: string): Objective {
  if (typeof expr !== 'string' || expr.trim() === '') throw new ObjectiveError(fieldPath, 'expected a non-empty expression string');
  if (expr.length > MAX_LENGTH) throw new ObjectiveError(fieldPath, `expression longer than ${MAX_LENGTH} characters`);
  let tree: MathNode;
  try {
    tree = math().parse(expr);
  } catch (err) {
    throw new ObjectiveError(fieldPath, `cannot parse "${expr}": ${(err as Error).message}`);
  }
  const problem = disallowed(tree, new Set(OBJECTIVE_VARIABLES), new Set(OBJECTIVE_FUNCTIONS));
  if (problem !== null) throw new ObjectiveError(fieldPath, `in "${expr}": ${problem}`);
  const code = math().compile(tree.toString());

  // One scope map reused across calls: the allow-list forbids assignment, so evaluation cannot write to it.
  const scope = new Map<string, number>();
  const evaluate = (s: Readonly<ObjectiveScope>): unknown => {
    for (const name of OBJECTIVE_VARIABLES) scope.set(name, s[name]);
    try {
      return code.evaluate(scope);
    } catch (err) {
      throw new ObjectiveError(fieldPath, `"${expr}" failed: ${(err as Error).message}`);
    }
  };

  // Probe on sample auctions (a win with a click and a conversion, a win without,
  // a lost auction: all zeros) so that a non-number or a NaN / infinite result is
  // a config error before any work, not a failure at the first auction.
  const samples: ObjectiveScope[] = [
    { value: 1, spend: 0.5, clicks: 1, conversions: 1, won: 1 },
    { value: 0.2, spend: 0.1, clicks: 0, conversions: 0, won: 1 },
    { value: 0, spend: 0, clicks: 0, conversions: 0, won: 0 },
  ];
  for (const sample of samples) {
    const probe = evaluate(sample);
    if (typeof probe !== 'number') {
      throw new ObjectiveError(fieldPath, `"${expr}" must evaluate to a number, got ${typeof probe} (${String(probe)})`);
    }
    if (!Number.isFinite(probe)) {
      const figures = OBJECTIVE_VARIABLES.map((n) => `${n}=${sample[n]}`).join(', ');
      throw new ObjectiveError(fieldPath, `"${expr}" gives ${String(probe)} for ${figures}${sample.won ? '' : ' (a lost auction)'}; it must be a finite number for every auction`);
    }
  }

  return (s) => {
    const r = evaluate(s);
    if (typeof r !== 'number' || !Number.isFinite(r)) {
      const figures = OBJECTIVE_VARIABLES.map((n) => `${n}=${s[n]}`).join(', ');
      throw new ObjectiveError(fieldPath, `"${expr}" gave ${String(r)} for ${figures}; expected a finite number`);
    }
    return r;
  };
}
