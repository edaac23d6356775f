/**
 * Baseline bidders that do not learn: truthful, shaded, constant, random.
 * Budget pacing, which adapts within an episode, is in pacing-agent.ts.
 */
import { z } from 'zod';
import { OBS } from '../env/observation.js';
import { Rng } from '../env/rng.js';
import { StaticAgent, type Agent, type Observation, type Policy, type PolicyParams, type Transition } from './core.js';

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
    amount: z.number().min(0).max(1e6).default(0.5).describe('bid, currency units (at most 1e6, as in policy files)'),
  })
  .strict();

/** `random`: bid uniformly in [low, high). */
export const randomSchema = z
  .object({
    kind: z.literal('random'),
    low: z.number().min(0).max(1e6).default(0).describe('lowest bid, currency units'),
    high: z.number().min(0).max(1e6).default(1).describe('highest bid, currency units'),
  })
  .strict()
  .refine((a) => a.low <= a.high, { message: 'expected low ≤ high', path: ['low'] });

/** Arguments of {@link ShadedAgent}. */
export type ShadedArgs = Omit<z.output<typeof shadedSchema>, 'kind'>;
/** Arguments of {@link ConstantAgent}. */
export type ConstantArgs = Omit<z.output<typeof constantSchema>, 'kind'>;
/** Arguments of {@link RandomAgent}. */
export type RandomArgs = Omit<z.output<typeof randomSchema>, 'kind'>;

/** Bids the observation's `value` (value × pCTR, or the private value): dominant in second price. */
export class TruthfulPolicy implements Policy {
  readonly kind = 'truthful';
  bid(o: Observation): number {
    return o[OBS.value]!;
  }
  params(): PolicyParams {
    return {};
  }
}

/** Bids `factor × value`. */
export class ShadedPolicy implements Policy {
  readonly kind = 'shaded';
  /** @param factor bid multiplier on the value, ≥ 0 (0.5 = bid half the value) */
  constructor(readonly factor: number) {}
  bid(o: Observation): number {
    return this.factor * o[OBS.value]!;
  }
  params(): PolicyParams {
    return { factor: this.factor };
  }
}

/** Bids a constant amount whatever the value. */
export class ConstantPolicy implements Policy {
  readonly kind = 'constant';
  /** @param amount bid in currency units, ≥ 0 */
  constructor(readonly amount: number) {}
  bid(_o: Observation): number {
    return this.amount;
  }
  params(): PolicyParams {
    return { amount: this.amount };
  }
}

/** Bids uniformly in [low, high); the frozen policy draws from its own seeded stream. */
export class RandomPolicy implements Policy {
  readonly kind = 'random';
  private readonly stream: Rng;
  constructor(readonly low: number, readonly high: number, readonly seed: string) {
    this.stream = new Rng(seed);
  }
  bid(_o: Observation): number {
    return this.stream.uniform(this.low, this.high);
  }
  params(): PolicyParams {
    return { low: this.low, high: this.high, seed: this.seed };
  }
}

/** Truthful bidder. @example new TruthfulAgent() */
export class TruthfulAgent extends StaticAgent {
  constructor() {
    super('truthful', new TruthfulPolicy());
  }
}

/** Shaded bidder: bids `factor × value`. @example new ShadedAgent({ factor: 0.8 }) */
export class ShadedAgent extends StaticAgent {
  constructor(args: ShadedArgs) {
    super('shaded', new ShadedPolicy(args.factor));
  }
}

/** Constant bidder. @example new ConstantAgent({ amount: 0.5 }) */
export class ConstantAgent extends StaticAgent {
  constructor(args: ConstantArgs) {
    super('constant', new ConstantPolicy(args.amount));
  }
}

/** Random bidder: U[low, high) drawn from the stream given to act(). @example new RandomAgent({ low: 0, high: 1 }, 'seed') */
export class RandomAgent implements Agent {
  readonly kind = 'random';
  training = true;
  constructor(readonly args: RandomArgs, private readonly policySeed: string) {}
  act(_o: Observation, rng: Rng): number {
    return rng.uniform(this.args.low, this.args.high);
  }
  learn(_t: Transition): void {}
  endEpisode(): void {}
  policy(): Policy {
    return new RandomPolicy(this.args.low, this.args.high, this.policySeed);
  }
}
