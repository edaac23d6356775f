/**
 * The canonical JSON form used for hashing: object keys sorted at every level,
 * no whitespace. Config hashes, sweep hashes and policy checksums are all taken
 * over it, so they do not depend on key order.
 */

/**
 * JSON with object keys sorted at every level, no whitespace.
 * @example canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }) // '{"a":[2,{"c":4,"d":3}],"b":1}'
 */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x) => {
    if (x && typeof x === 'object' && !Array.isArray(x)) {
      return Object.fromEntries(
        Object.keys(x)
          .sort()
          .map((k) => [k, (x as Record<string, unknown>)[k]]),
      );
    }
    return x;
  });
}
