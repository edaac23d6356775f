/**
 * Env interfaces, Gymnasium / PettingZoo style, with named fields instead of tuples.
 */
import type { Space } from './spaces.js';

/** What one step of a single-agent env returns. */
export interface StepResult<Obs, Info> {
  observation: Obs;
  reward: number;
  /** The task really ended (the bidder's budget is spent): do not bootstrap. */
  terminated: boolean;
  /** Stopped from outside (the episode's horizon was reached): still bootstrap. */
  truncated: boolean;
  info: Info;
}

/** A single-agent environment (Gymnasium's `Env`). */
export interface Env<Obs, Act, Info> {
  /** Versioned id, e.g. `"bidgym/Bidding-v0"`. */
  readonly id: string;
  readonly observationSpace: Space<Obs>;
  readonly actionSpace: Space<Act>;
  /** `reset({ seed })` seeds once; `reset()` continues the stream. */
  reset(options?: { seed?: number }): { observation: Obs; info: Info };
  step(action: Act): StepResult<Obs, Info>;
}

/** What one step of a parallel env returns: records keyed by agent id. */
export interface ParallelStepResult<Id extends string, Obs, Info> {
  observations: Record<Id, Obs>;
  rewards: Record<Id, number>;
  terminations: Record<Id, boolean>;
  truncations: Record<Id, boolean>;
  infos: Record<Id, Info>;
}

/** A multi-agent environment in which all agents act at once (PettingZoo's `ParallelEnv`). */
export interface ParallelEnv<Id extends string, Obs, Act, Info> {
  readonly id: string;
  readonly possibleAgents: readonly Id[];
  /** Agents still in the market (e.g. with budget left). */
  readonly agents: readonly Id[];
  /** The same object on every call. */
  observationSpace(agent: Id): Space<Obs>;
  actionSpace(agent: Id): Space<Act>;
  reset(options?: { seed?: number }): { observations: Record<Id, Obs>; infos: Record<Id, Info> };
  step(actions: Readonly<Record<Id, Act>>): ParallelStepResult<Id, Obs, Info>;
}
