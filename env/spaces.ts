/**
 * Observation and action spaces, Gymnasium-style: `contains(x)` and `sample(rng)`.
 */
import type { Rng } from './rng.js';

/** A set of valid values. */
export interface Space<T> {
  readonly kind: 'box' | 'discrete' | 'dict' | 'batch';
  /** True when `x` is a valid member of the space. */
  contains(x: unknown): x is T;
  /** A random member drawn from `rng`. */
  sample(rng: Rng): T;
}

/** Arguments of {@link box}. */
export interface BoxArgs {
  /** Lower bound of each dimension (may be -Infinity). */
  low: readonly number[];
  /** Upper bound of each dimension (may be Infinity); same length as `low`. */
  high: readonly number[];
  /** Names of the dimensions, for humans and policy files. */
  names?: readonly string[];
}

/** A box of real vectors: `low[i] ≤ x[i] ≤ high[i]`. Values are `Float64Array`s. */
export class Box implements Space<Float64Array> {
  readonly kind = 'box' as const;
  readonly low: Float64Array;
  readonly high: Float64Array;
  readonly names: readonly string[];
  readonly shape: readonly [number];

  constructor(args: BoxArgs) {
    if (args.low.length !== args.high.length) throw new Error(`box: low has ${args.low.length} dims, high ${args.high.length}`);
    for (let i = 0; i < args.low.length; i++) {
      if (!(args.low[i]! <= args.high[i]!)) throw new Error(`box: low[${i}]=${args.low[i]} > high[${i}]=${args.high[i]}`);
    }
    this.low = Float64Array.from(args.low);
    this.high = Float64Array.from(args.high);
    this.names = args.names ?? args.low.map((_, i) => `x${i}`);
    this.shape = [this.low.length];
  }

  contains(x: unknown): x is Float64Array {
    if (!(x instanceof Float64Array) && !Array.isArray(x)) return false;
    const v = x as ArrayLike<number>;
    if (v.length !== this.low.length) return false;
    for (let i = 0; i < v.length; i++) {
      const xi = v[i]!;
      if (typeof xi !== 'number' || Number.isNaN(xi) || xi < this.low[i]! || xi > this.high[i]!) return false;
    }
    return true;
  }

  /** Uniform on bounded dimensions; exponential / normal tails on unbounded ones (as Gymnasium). */
  sample(rng: Rng): Float64Array {
    const out = new Float64Array(this.low.length);
    for (let i = 0; i < out.length; i++) {
      const lo = this.low[i]!;
      const hi = this.high[i]!;
      if (Number.isFinite(lo) && Number.isFinite(hi)) out[i] = lo === hi ? lo : rng.uniform(lo, hi);
      else if (Number.isFinite(lo)) out[i] = lo - Math.log(1 - rng.next());
      else if (Number.isFinite(hi)) out[i] = hi + Math.log(1 - rng.next());
      else out[i] = rng.normal();
    }
    return out;
  }
}

/** `box({ low, high })`. @example box({ low: [0], high: [10] }) */
export function box(args: BoxArgs): Box {
  return new Box(args);
}

/** Integers `0 … n-1`. */
export class Discrete implements Space<number> {
  readonly kind = 'discrete' as const;
  constructor(readonly n: number) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`discrete: n must be a positive integer, got ${n}`);
  }
  contains(x: unknown): x is number {
    return typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < this.n;
  }
  sample(rng: Rng): number {
    return rng.int(this.n);
  }
}

/** `discrete(n)`. @example discrete(11) */
export function discrete(n: number): Discrete {
  return new Discrete(n);
}

/** A record of named sub-spaces. */
export class Dict<T extends Record<string, unknown>> implements Space<T> {
  readonly kind = 'dict' as const;
  constructor(readonly spaces: { [K in keyof T]: Space<T[K]> }) {}
  contains(x: unknown): x is T {
    if (typeof x !== 'object' || x === null) return false;
    const keys = Object.keys(this.spaces);
    if (Object.keys(x).length !== keys.length) return false;
    return keys.every((k) => this.spaces[k as keyof T].contains((x as Record<string, unknown>)[k]));
  }
  sample(rng: Rng): T {
    const out: Record<string, unknown> = {};
    // Sorted keys: the draw order, hence the sample, does not depend on insertion order.
    for (const k of Object.keys(this.spaces).sort()) out[k] = this.spaces[k as keyof T].sample(rng);
    return out as T;
  }
}

/** `dict({ a: box(...), b: discrete(3) })`. */
export function dict<T extends Record<string, unknown>>(spaces: { [K in keyof T]: Space<T[K]> }): Dict<T> {
  return new Dict<T>(spaces);
}

/** `n` members of one space, one per copy of a vector env (Gymnasium's `batch_space`). Values are arrays of length `n`. */
export class Batch<T> implements Space<T[]> {
  readonly kind = 'batch' as const;
  constructor(
    readonly single: Space<T>,
    readonly n: number,
  ) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`batch: n must be a positive integer, got ${n}`);
  }
  contains(x: unknown): x is T[] {
    return Array.isArray(x) && x.length === this.n && x.every((v) => this.single.contains(v));
  }
  sample(rng: Rng): T[] {
    return Array.from({ length: this.n }, () => this.single.sample(rng));
  }
}

/** `batch(space, n)`. @example batch(box({ low: [0], high: [1] }), 4) */
export function batch<T>(single: Space<T>, n: number): Batch<T> {
  return new Batch(single, n);
}
