/**
 * Named trainable parameters of a network, initialised from our own seeded stream.
 *
 * Initial values are drawn in JavaScript from an {@link Rng} (Glorot-uniform
 * matrices, zero or given biases), not by tfjs initialisers, so the same seed gives
 * the same initial weights on every backend. Parameters are tfjs variables created
 * without names (tfjs names must be unique per process); our names are what
 * model.json records.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../env/rng.js';

/** One named parameter. */
export interface Param {
  readonly name: string;
  readonly shape: readonly number[];
  readonly variable: tf.Variable;
}

/** Glorot-uniform values for a `fanIn × fanOut` matrix: U(±√(6 / (fanIn + fanOut))). */
export function glorotUniform(rng: Rng, fanIn: number, fanOut: number): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const v = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < v.length; i++) v[i] = (2 * rng.next() - 1) * limit;
  return v;
}

/** An ordered set of named parameters. */
export class ParamSet {
  private readonly list: Param[] = [];
  private readonly byName = new Map<string, Param>();

  /** Adds a parameter with the given initial values (copied). */
  add(name: string, shape: readonly number[], values: Float32Array): tf.Variable {
    if (this.byName.has(name)) throw new Error(`parameter "${name}" defined twice`);
    const size = shape.reduce((a, b) => a * b, 1);
    if (values.length !== size) throw new Error(`parameter "${name}": ${values.length} values for shape [${shape.join(', ')}]`);
    const init = tf.tensor(values, shape as number[], 'float32');
    const variable = tf.variable(init, true);
    init.dispose();
    const p: Param = { name, shape: [...shape], variable };
    this.list.push(p);
    this.byName.set(name, p);
    return variable;
  }

  /** A Glorot-uniform `rows × cols` matrix drawn from `rng`. */
  matrix(name: string, rows: number, cols: number, rng: Rng): tf.Variable {
    return this.add(name, [rows, cols], glorotUniform(rng, rows, cols));
  }

  /** A vector filled with `value` (biases). */
  vector(name: string, size: number, value = 0): tf.Variable {
    return this.add(name, [size], new Float32Array(size).fill(value));
  }

  /** The variable of parameter `name`. */
  get(name: string): tf.Variable {
    const p = this.byName.get(name);
    if (!p) throw new Error(`no parameter "${name}"`);
    return p.variable;
  }

  /** Parameters in definition order. */
  get params(): readonly Param[] {
    return this.list;
  }

  /** The tfjs variables, for an optimizer's var list. */
  variables(): tf.Variable[] {
    return this.list.map((p) => p.variable);
  }

  /** Current values of every parameter, copied out of tfjs. */
  snapshot(): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const p of this.list) out.set(p.name, p.variable.dataSync() as Float32Array);
    return out;
  }

  /** Sets every parameter from `values` (same names and sizes; all required). */
  restore(values: ReadonlyMap<string, Float32Array>): void {
    for (const p of this.list) {
      const v = values.get(p.name);
      if (!v) throw new Error(`weights: parameter "${p.name}" is missing`);
      if (v.length !== p.variable.size) throw new Error(`weights: parameter "${p.name}" has ${v.length} values, expected ${p.variable.size}`);
      const t = tf.tensor(v, p.shape as number[], 'float32');
      p.variable.assign(t);
      t.dispose();
    }
  }

  /** Frees the variables. */
  dispose(): void {
    for (const p of this.list) p.variable.dispose();
  }
}
