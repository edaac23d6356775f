/**
 * Using a loaded policy: {@link LoadedPolicy} (bid from an observation array or
 * from named features), {@link checkPolicyFits} (does it fit the bidder it would
 * replace) and {@link PolicyAgent} (a bidder that bids with it and never learns).
 */
import { OBS, OBS_SIZE, observationFrom, type ObsFeature } from '../env/observation.js';
import type { Rng } from '../env/rng.js';
import type { Agent, Observation, Policy, Transition } from './core.js';
import { PolicyError, type PolicyFile } from './policy-format.js';

/** A policy loaded from a file: bids from an observation array or from named features. */
export interface LoadedPolicy {
  readonly kind: string;
  /** The verified document. */
  readonly file: PolicyFile;
  /** Names of the observation features the policy reads. */
  readonly featureNames: readonly string[];
  /** Key id (SHA-256 of the public key) whose signature was verified, or null when no key was given. */
  readonly verifiedKey: string | null;
  /**
   * The bid, currency units, for an observation: a `Float64Array` in the OBS
   * layout (env/observation.ts), or a record of named features (every feature
   * the policy reads must be present).
   */
  bid(observation: Float64Array | Readonly<Record<string, number>>): number;
  /** The frozen policy (the Policy interface of agents/core.ts). */
  readonly policy: Policy;
}

/** The {@link LoadedPolicy} of a validated document and its policy. */
export function loadedPolicy(doc: PolicyFile, policy: Policy, verifiedKey: string | null): LoadedPolicy {
  const listed = doc.features.map((f) => f.name);
  const scratch = new Float64Array(OBS_SIZE);
  const defaults = observationFrom({});
  return {
    kind: doc.kind,
    file: doc,
    featureNames: listed,
    verifiedKey,
    policy,
    bid(observation: Float64Array | Readonly<Record<string, number>>): number {
      if (observation instanceof Float64Array) {
        if (observation.length !== OBS_SIZE) throw new PolicyError(`bid: expected an observation of ${OBS_SIZE} features (OBS layout), got ${observation.length}`);
        return policy.bid(observation);
      }
      for (const name of listed) {
        const v = observation[name];
        if (typeof v !== 'number' || Number.isNaN(v)) throw new PolicyError(`bid: feature "${name}" is missing (the policy reads ${listed.join(', ')})`);
      }
      scratch.set(defaults);
      for (const name of listed) scratch[OBS[name as ObsFeature]] = observation[name]!;
      return policy.bid(scratch);
    },
  };
}

/** What a market config offers the bidder a policy would replace. */
export interface BidderSetting {
  /** Bidder id (for messages). */
  id: string;
  /** The bidder's budget, or null. */
  budget: number | null;
  /** True when the market has users (pCTR and user features are meaningful). */
  users: boolean;
}

/** Features that only mean something in a market with users. */
const USER_FEATURES: ReadonlySet<string> = new Set(['pctr', 'pcvr', 'coldStart', 'historyFill', 'sessionDepth', 'fatigue']);

/**
 * Checks that a policy's features fit the bidder it would replace; throws a
 * PolicyError saying why not: it reads the budget left but the bidder has no
 * budget, or it reads user features in a market without users.
 */
export function checkPolicyFits(loaded: LoadedPolicy, bidder: BidderSetting): void {
  const names = new Set(loaded.featureNames);
  if (names.has('budgetLeft') && bidder.budget === null) {
    throw new PolicyError(`features do not match the config: the policy reads budgetLeft (it was trained with a budget) but bidder "${bidder.id}" has no budget`);
  }
  if (!bidder.users) {
    const userOnly = loaded.featureNames.filter((n) => USER_FEATURES.has(n));
    if (userOnly.length > 0) throw new PolicyError(`features do not match the config: the policy reads ${userOnly.join(', ')}, which need users, but the config has no users block`);
  }
}

/** A bidder that bids with a loaded policy and never learns (`agent: { kind: policy, path }`). */
export class PolicyAgent implements Agent {
  readonly kind = 'policy';
  training = false;
  constructor(readonly loaded: LoadedPolicy) {}
  act(o: Observation, _rng: Rng): number {
    return this.loaded.policy.bid(o);
  }
  learn(_t: Transition): void {}
  endEpisode(): void {}
  /** The loaded policy itself (its kind is the kind it was trained as). */
  policy(): Policy {
    return this.loaded.policy;
  }
}
