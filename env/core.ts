/**
 * Env interfaces, Gymnasium / PettingZoo style, with named fields instead of tuples,
 * and the types the env exchanges with bidders: the observation it hands out, the
 * outcome of an auction it reports back, and the frozen {@link Policy} a fixed
 * rival bids with. Agents (agents/core.ts) build on these; env/ imports nothing
 * from agents/, models/ or experiments/.
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
  /** Releases what the env holds; reset()/step() afterwards throw (every bidgym env has it). */
  close?(): void;
}

/** What one step of a vector env returns: entry i belongs to copy i. */
export interface VectorStepResult<Obs, Info> {
  /** One observation per copy (a reset copy's first observation after its episode ended). */
  observations: Obs[];
  rewards: Float64Array;
  terminations: boolean[];
  truncations: boolean[];
  infos: Info[];
}

/** `num` copies of a single-agent env stepped together (Gymnasium's `VectorEnv`, next-step autoreset). */
export interface VectorEnv<Obs, Act, Info> {
  readonly id: string;
  /** Number of copies. */
  readonly num: number;
  /** Space of one copy's observation / action. */
  readonly singleObservationSpace: Space<Obs>;
  readonly singleActionSpace: Space<Act>;
  /** Batched spaces: arrays of `num` members of the single spaces. */
  readonly observationSpace: Space<Obs[]>;
  readonly actionSpace: Space<Act[]>;
  /** `reset({ seed })` seeds copy i with `seed + i`. */
  reset(options?: { seed?: number }): { observations: Obs[]; infos: Info[] };
  step(actions: readonly Act[]): VectorStepResult<Obs, Info>;
  close(): void;
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
  /** Releases what the env holds; reset()/step() afterwards throw (every bidgym env has it). */
  close?(): void;
}

/** A bidder's observation: a `Float64Array` indexed by `OBS` (env/observation.ts). */
export type Observation = Float64Array;

/** What happened to one bidder in one auction it took part in. */
export interface AuctionOutcome {
  /** Won a slot. */
  won: boolean;
  /** Slot won (0 = top), -1 when lost. */
  slot: number;
  /** Payment, currency units. */
  cost: number;
  /** True expected value of what was won (value × true CTR × slot effects), currency units. */
  value: number;
  /** Realised clicks (0 or 1) and conversions. */
  clicks: number;
  conversions: number;
  /** Highest competing bid (or the reserve, whichever is higher), currency units: the price to beat for the top slot. */
  competingBid: number;
  /**
   * The other bidders' highest bids, decreasing, one per slot (0 where there were
   * fewer), currency units, without the reserve: with the reserve and the slot
   * weights, the price of every slot a bid could have taken (agents/hindsight.ts
   * `slotPrices`). Set by the runner in training; absent elsewhere.
   */
  competingBids?: Float64Array;
}

/** Plain-data description of a policy's parameters (what goes into a policy file). */
export type PolicyParams = Record<string, unknown>;

/** A frozen, deterministic bidding rule. */
export interface Policy {
  readonly kind: string;
  /** The bid for an observation, currency units (≥ 0). */
  bid(observation: Observation): number;
  /** Parameters that recreate this policy (JSON-safe). */
  params(): PolicyParams;
}
