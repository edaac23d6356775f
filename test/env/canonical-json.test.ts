import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../env/canonical-json.js';

describe('canonicalJson', () => {
  it('sorts object keys at every level and keeps list order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}');
  });

  it('gives one text for objects that differ only in key order, and keeps the numbers exact', () => {
    expect(canonicalJson({ x: 0.1 + 0.2, y: [3, 2] })).toBe(canonicalJson({ y: [3, 2], x: 0.30000000000000004 }));
    expect(canonicalJson({ x: 1, y: [2, 3] })).not.toBe(canonicalJson({ x: 1, y: [3, 2] }));
    expect(JSON.parse(canonicalJson({ v: 1 / 3 })).v).toBe(1 / 3);
  });
});
