/**
 * Config schemas of the bidding agents: `bidders[i].agent`, a union discriminated
 * on `kind`. Every field has a working default; unknown keys are errors.
 */
import { z } from 'zod';

/** `truthful`: bid the value (value × pCTR, or the private value). */
export const truthfulSchema = z.object({ kind: z.literal('truthful') }).strict();

/** `shaded`: bid `factor × value`. */
export const shadedSchema = z
  .object({
    kind: z.literal('shaded'),
    factor: z.number().min(0).max(100).default(0.8).describe('bid multiplier on the value (0.8 = bid 80% of the value)'),
  })
  .strict();

/** `constant`: bid a fixed amount. */
export const constantSchema = z
  .object({
    kind: z.literal('constant'),
    amount: z.number().min(0).default(0.5).describe('bid, currency units'),
  })
  .strict();

/** `random`: bid uniformly in [low, high). */
export const randomSchema = z
  .object({
    kind: z.literal('random'),
    low: z.number().min(0).default(0).describe('lowest bid, currency units'),
    high: z.number().min(0).default(1).describe('highest bid, currency units'),
  })
  .strict()
  .refine((a) => a.low <= a.high, { message: 'expected low ≤ high', path: ['low'] });

/** `pacing`: adaptive pacing of the budget, bid = value / (1 + μ). */
export const pacingSchema = z
  .object({
    kind: z.literal('pacing'),
    rate: z.number().positive().default(0.05).describe('step size of the pacing multiplier per unit of relative overspend'),
    maxMultiplier: z.number().positive().default(20).describe('largest pacing multiplier μ'),
  })
  .strict();

/**
 * All agent schemas. Learning agents add theirs here (one entry per kind).
 */
export const agentSchemas = [truthfulSchema, shadedSchema, constantSchema, randomSchema, pacingSchema] as const;

/** `bidders[i].agent` */
export const agentSchema = z.discriminatedUnion('kind', [...agentSchemas]);

/** A validated agent spec. */
export type AgentSpec = z.infer<typeof agentSchema>;

/** The agent kinds, for error messages and docs. */
export const agentKinds: readonly string[] = agentSchemas.map((s) => s.shape.kind.value);
