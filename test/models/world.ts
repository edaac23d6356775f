/**
 * Small simulated worlds for the interest-model tests (not a test file).
 */
import { makeCatalogue, type Catalogue } from '../../env/ads/catalogue.js';
import { rng } from '../../env/rng.js';
import { UserPopulation, type PopulationArgs } from '../../env/users/population.js';
import { worldShape, type WorldShape } from '../../models/index.js';

/**
 * Users of the model tests' small worlds (experiments/schema.ts has the defaults):
 * clicks are more frequent than in the default world, so that small logs hold
 * enough of them.
 */
export const DEFAULT_USERS: PopulationArgs = {
  count: 10_000,
  personas: 8,
  historyLength: 20,
  interestNoise: 0.5,
  interestDrift: 0.02,
  sessionLength: 8,
  coldStartShare: 0.05,
  organicEngagements: 1,
  baseCtr: 0.02,
  interestWeight: 1.5,
  historyWeight: 2,
  attentionSharpness: 4,
  fatigueWeight: 0.3,
  fatigueStep: 1,
  fatigueRecovery: 200,
  baseCvr: 0.1,
  cvrInterestWeight: 1,
};

/**
 * Users whose clicks depend strongly on their history: few personas (so who the
 * user is says little), a heavy, sharp history-attention term.
 */
export const HISTORY_DRIVEN: Partial<PopulationArgs> = { personas: 2, historyWeight: 4, attentionSharpness: 8, baseCtr: 0.05 };

/** A world: catalogue, users, and their sizes. */
export interface World {
  catalogue: Catalogue;
  pop: UserPopulation;
  shape: WorldShape;
}

/** Builds a world from a seed; the users' stream is named like the market's (`…/users`). */
export function makeWorld(
  seed: number,
  users: Partial<PopulationArgs> = {},
  cat: { topics?: number; items?: number; advertisers?: number; adsPerAdvertiser?: number } = {},
): World {
  const root = rng(seed).stream('market');
  const catalogue = makeCatalogue(
    { topics: cat.topics ?? 16, items: cat.items ?? 1000, advertisers: cat.advertisers ?? 6, adsPerAdvertiser: cat.adsPerAdvertiser ?? 12, adSpread: 0.5 },
    root.stream('catalogue'),
  );
  const pop = new UserPopulation({ ...DEFAULT_USERS, ...users }, catalogue, root.stream('users'));
  return { catalogue, pop, shape: worldShape(pop) };
}

/** A small world for fast tests. */
export function smallWorld(seed = 1, users: Partial<PopulationArgs> = {}): World {
  return makeWorld(seed, { count: 400, personas: 3, historyLength: 10, ...users }, { topics: 8, items: 120, advertisers: 3, adsPerAdvertiser: 4 });
}
