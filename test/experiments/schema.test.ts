import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { bidderSchema, configSchema, exchangeSchema, usersSchema, valueSchema } from '../../experiments/schema.js';

/** The fields of a zod object schema. */
function fields(schema: z.ZodObject): Record<string, z.ZodType> {
  return schema.shape as Record<string, z.ZodType>;
}

describe('config schema', () => {
  it('documents every field of users, exchange and bidders where it is declared (a union of kinds, per kind)', () => {
    for (const [name, schema] of Object.entries({ usersSchema, exchangeSchema, bidderSchema })) {
      for (const [k, f] of Object.entries(fields(schema as unknown as z.ZodObject))) {
        const def = (f as unknown as { _zod: { def: { type: string; options?: z.ZodObject[] } } })._zod.def;
        if (def.type === 'union') {
          for (const option of def.options!) for (const [kk, ff] of Object.entries(fields(option))) if (kk !== 'kind') expect(ff.description, `${name}.${k}.${kk}`).toBeTruthy();
        } else expect(f.description, `${name}.${k}`).toBeTruthy();
      }
    }
  });

  it('fills every users field from its default, or leaves it out where it is optional', () => {
    const users = usersSchema.parse({}) as Record<string, unknown>;
    for (const [k, f] of Object.entries(fields(usersSchema as unknown as z.ZodObject))) {
      if (!(k in users)) expect(f.safeParse(undefined).success, k).toBe(true);
      else expect(users[k], k).not.toBeUndefined();
    }
    const exchange = exchangeSchema.parse({ mechanism: 'second-price' });
    expect(exchange).toMatchObject({ mechanism: 'second-price', slots: 1, reservePrice: 0 });
  });

  it('refuses unknown keys at every level, naming them', () => {
    expect(usersSchema.safeParse({ cout: 10 }).success).toBe(false);
    expect(exchangeSchema.safeParse({ mechanism: 'second-price', reserve: 0.1 }).success).toBe(false);
    const r = configSchema.safeParse({ name: 'x', bidders: [{ id: 'a', agent: { kind: 'truthful' }, value: { kind: 'uniform' } }], seeds: 3 });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain('seeds');
  });

  it('has one value kind per way a bidder is paid', () => {
    expect(valueSchema.parse({ kind: 'uniform' })).toEqual({ kind: 'uniform', low: 0, high: 1 });
    expect(valueSchema.parse({ kind: 'per-click', amount: 2 })).toEqual({ kind: 'per-click', amount: 2 });
    expect(valueSchema.safeParse({ kind: 'per-view', amount: 2 }).success).toBe(false);
  });
});
