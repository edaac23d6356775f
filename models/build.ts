/**
 * From a network description (kind, world shape, hyperparameters) to a network:
 * a typed record of factories, never a class looked up by its name.
 */
import type { Catalogue } from '../env/ads/catalogue.js';
import type { Rng } from '../env/rng.js';
import { AttentionModel } from './attention.js';
import { LogisticModel, MfModel } from './baselines.js';
import type { LearnedKind, Network, NetworkConfig, WorldShape } from './network.js';

function num(hyper: Record<string, number>, key: string, kind: string): number {
  const v = hyper[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${kind} model: hyperparameter "${key}" is missing or not a number`);
  return v;
}

const FACTORIES: Record<LearnedKind, (shape: WorldShape, hyper: Record<string, number>, catalogue: Catalogue, rng: Rng) => Network> = {
  attention: (shape, hyper, catalogue, rng) =>
    new AttentionModel({ heads: num(hyper, 'heads', 'attention'), width: num(hyper, 'width', 'attention'), hidden: num(hyper, 'hidden', 'attention') }, shape, catalogue, rng),
  logistic: (shape, _hyper, catalogue, rng) => new LogisticModel(shape, catalogue, rng),
  mf: (shape, hyper, catalogue, rng) => new MfModel({ factors: num(hyper, 'factors', 'mf') }, shape, catalogue, rng),
};

/**
 * Builds a network with fresh weights drawn from `rng`.
 * @example buildNetwork({ kind: 'attention', shape, hyper: { heads: 2, width: 32, hidden: 32 } }, catalogue, rng.stream('init'))
 */
export function buildNetwork(config: NetworkConfig, catalogue: Catalogue, rng: Rng): Network {
  const make = (FACTORIES as Record<string, (typeof FACTORIES)[LearnedKind] | undefined>)[config.kind];
  if (!make) throw new Error(`interestModel.kind: expected one of ${Object.keys(FACTORIES).join(', ')} — got "${config.kind}"`);
  return make(config.shape, config.hyper, catalogue, rng);
}
