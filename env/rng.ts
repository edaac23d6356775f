/**
 * Seeded, named random streams.
 *
 * One root seed per experiment; every consumer (users, the exchange, each bidder)
 * takes its own stream by name, so adding a bidder does not change what the users
 * or the other bidders draw. Streams are `seedrandom`'s Alea generator keyed by the
 * path of names from the root (`"42/replication:0/users"`), which makes a stream a
 * pure function of (root seed, path): independent of creation order.
 */
import seedrandom from 'seedrandom';

/** A seeded random stream. Never shared between two consumers: split it instead. */
export class Rng {
  /** Path of names from the root seed; identifies the stream. */
  readonly key: string;
  private readonly prng: seedrandom.PRNG;

  /** @param key seed string; use {@link rng} for a root and {@link Rng.stream} for children. */
  constructor(key: string) {
    this.key = key;
    this.prng = seedrandom.alea(key);
  }

  /** An independent child stream named `name` (same name → same stream). */
  stream(name: string): Rng {
    return new Rng(`${this.key}/${name}`);
  }

  /** Uniform in [0, 1) with 32 bits of resolution (the fast path). */
  next(): number {
    return this.prng();
  }

  /** Uniform in [0, 1) with 53 bits of resolution. */
  double(): number {
    return this.prng.double();
  }

  /** Uniform in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.prng();
  }

  /** Uniform integer in [0, n). @param n positive integer */
  int(n: number): number {
    return Math.floor(this.prng() * n);
  }

  /** Standard normal draw (Box–Muller; one value per call, no cached spare, so draws stay aligned). */
  normal(): number {
    let u = this.prng();
    while (u === 0) u = this.prng();
    const v = this.prng();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Fills `out[0..n)` with standard normal draws (Box–Muller, both values of each pair used). */
  normals(out: Float64Array | Float32Array, n: number): void {
    for (let i = 0; i < n; i += 2) {
      let u = this.prng();
      while (u === 0) u = this.prng();
      const r = Math.sqrt(-2 * Math.log(u));
      const t = 2 * Math.PI * this.prng();
      out[i] = r * Math.cos(t);
      if (i + 1 < n) out[i + 1] = r * Math.sin(t);
    }
  }

  /** Bernoulli draw: true with probability p. */
  bernoulli(p: number): boolean {
    return this.prng() < p;
  }

  /** Geometric number of trials until the first success, ≥ 1, with mean `mean` (≥ 1). */
  geometric(mean: number): number {
    if (mean <= 1) return 1;
    const p = 1 / mean;
    let u = this.prng();
    while (u === 0) u = this.prng();
    return 1 + Math.floor(Math.log(u) / Math.log(1 - p));
  }

  /** A 32-bit unsigned integer (for seeding tfjs initialisers and the like). */
  uint32(): number {
    return this.prng.int32() >>> 0;
  }

  /** Shuffles `a` in place (Fisher–Yates) and returns it. */
  shuffle<T>(a: T[] | Int32Array | Uint32Array): typeof a {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.prng() * (i + 1));
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
    return a;
  }
}

/**
 * The root stream of an experiment.
 * @param seed any integer (0 is a seed like any other)
 * @example const users = rng(42).stream('replication:0').stream('users');
 */
export function rng(seed: number | string): Rng {
  return new Rng(String(seed));
}

/** A 32-bit FNV-1a hash of a string (stable ids for tie-breaking, config hashes of names). */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Mixes two 32-bit integers into one (murmur3 finaliser); used for per-auction tie-break keys. */
export function mix32(a: number, b: number): number {
  let h = (a ^ Math.imul(b, 0x9e3779b1)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
