/** Small hand-made policy documents of each learner family (no training), for the policy-file tests. */
import { defaultGrid, encoderSpec, multiplierGrid } from '../../agents/features.js';
import { LinearArmPolicy, NetworkPolicy, TablePolicy } from '../../agents/frozen.js';
import { policyChecksum, policyDocument, type PolicyFile } from '../../agents/policy.js';
import { rng } from '../../env/rng.js';

export const provenance = (bidder: string) => ({ configHash: 'abc123', seed: 7, bidder, training: { episodes: 2 } });

/** Deterministic pseudo-random numbers in [-1, 1). */
function numbers(n: number, seed: number): number[] {
  const r = rng(seed).stream('fixture');
  return Array.from({ length: n }, () => 2 * r.next() - 1);
}

/** A q-learning document: value and budget features, 8 × 5 × 5 states, 16 multipliers, paced. */
export function tableDocument(): PolicyFile {
  const enc = encoderSpec(['value', 'budgetLeft', 'timeLeft'], 2);
  const grid = defaultGrid(enc, 8, 5);
  const m = multiplierGrid(1.5, 16);
  const q = Float64Array.from(numbers(8 * 5 * 5 * 16, 1));
  return policyDocument(new TablePolicy('q-learning', enc, grid, m, q, { logLambda0: 0.5, gain: 1.5 }), provenance('learner'));
}

/** A dqn document: value feature, a 1-8-16 network. */
export function networkDocument(): PolicyFile {
  const enc = encoderSpec(['value'], 2);
  const m = multiplierGrid(1.5, 16);
  const network = { sizes: [1, 8, 16], activation: 'relu' as const, w: [numbers(8, 2), numbers(128, 3)], b: [numbers(8, 4), numbers(16, 5)] };
  return policyDocument(new NetworkPolicy('dqn', enc, m, network, null), provenance('learner'));
}

/** A linucb document: value and pCTR, degree 2, 4 multipliers. */
export function linearDocument(): PolicyFile {
  const enc = encoderSpec(['value', 'pctr'], 2);
  const m = [0, 0.5, 1, 1.5];
  const theta = m.map((_, a) => numbers(5, 10 + a));
  return policyDocument(new LinearArmPolicy('linucb', enc, 2, m, theta, null), provenance('learner'));
}

/** A deep copy of `doc` changed by `edit`, with its checksum recomputed (as an attacker would). */
export function rehashed(doc: PolicyFile, edit: (d: PolicyFile & Record<string, unknown>) => void): PolicyFile {
  const d = JSON.parse(JSON.stringify(doc)) as PolicyFile & Record<string, unknown>;
  edit(d);
  d.sha256 = policyChecksum(d);
  return d;
}
