/**
 * InterestModel: what the market calls to predict clicks (env's `CtrPredictor`),
 * plus batched prediction over impression logs for training and metrics.
 *
 * Two ways to serve a trained network to the market:
 * - `cached`: the network's JavaScript serving path on the CPU, with what depends
 *   only on a user's history cached per (user, history version) — the fast path
 *   on a CPU backend;
 * - `tensor`: one tfjs forward pass over all pairs of the call — the path that
 *   runs on a GPU when the backend has one.
 * `auto` picks `tensor` on a GPU backend and `cached` otherwise. Both give the same
 * probabilities up to float rounding.
 */
import type { CtrPredictor } from '../env/interest.js';
import type { UserPopulation } from '../env/users/population.js';
import type { BackendInfo } from './backend.js';
import { allocBatch, batchFromPopulation, type FeatureBatch, type ImpressionLog } from './data.js';
import type { LearnedKind, Network } from './network.js';
import { predictBatch, predictRows } from './train.js';

/** Kinds of interest model. */
export type InterestKind = 'oracle' | LearnedKind;

/** How a trained network is served to the market. */
export type Serving = 'auto' | 'cached' | 'tensor';

/** An interest model: the market's click predictor plus batched prediction over logs. */
export interface InterestModel extends CtrPredictor {
  readonly kind: InterestKind;
  /** The tfjs backend its tensors run on (`none` for the oracle). */
  readonly backend: string;
  /** The serving path {@link CtrPredictor.predict} uses (`truth` for the oracle). */
  readonly serving: 'cached' | 'tensor' | 'truth';
  /**
   * Click probabilities (top slot) of `rows` of a log (all rows when omitted);
   * `result[i]` belongs to `rows[i]`.
   */
  predictLog(log: ImpressionLog, rows?: Int32Array): Float32Array;
  /** Frees tensors (no-op for the oracle). */
  dispose(): void;
}

/** The true click model as an interest model: the ceiling every model is compared with. */
export class OracleModel implements InterestModel {
  readonly kind = 'oracle' as const;
  readonly backend = 'none';
  readonly serving = 'truth' as const;

  predict(pop: UserPopulation, users: Int32Array, ads: Int32Array, n: number, out: Float32Array): void {
    for (let k = 0; k < n; k++) out[k] = pop.trueCtr(users[k]!, ads[k]!);
  }

  /** The true click probabilities recorded in the log. */
  predictLog(log: ImpressionLog, rows?: Int32Array): Float32Array {
    if (!rows) return Float32Array.from(log.trueCtr);
    return Float32Array.from(rows, (k) => log.trueCtr[k]!);
  }

  dispose(): void {}
}

/** A trained network served to the market. */
export class LearnedInterestModel implements InterestModel {
  readonly kind: LearnedKind;
  readonly backend: string;
  readonly serving: 'cached' | 'tensor';
  readonly network: Network;
  private readonly server: CtrPredictor | null;
  private buf: FeatureBatch | null = null;

  /**
   * @param network a trained network (its weights must not change afterwards: the cached path snapshots them)
   * @param backend the backend its tensors run on
   * @param serving which serving path `predict` uses
   */
  constructor(network: Network, backend: BackendInfo, serving: Serving = 'auto') {
    this.kind = network.kind;
    this.network = network;
    this.backend = backend.backend;
    this.serving = serving === 'auto' ? (backend.gpu ? 'tensor' : 'cached') : serving;
    this.server = this.serving === 'cached' ? network.server() : null;
  }

  predict(pop: UserPopulation, users: Int32Array, ads: Int32Array, n: number, out: Float32Array): void {
    if (this.server) {
      this.server.predict(pop, users, ads, n, out);
      return;
    }
    if (pop.catalogue !== this.network.catalogue) throw new Error(`${this.kind} model: this population uses another catalogue than the model was built with`);
    const { historyLength: L, featureCount: F } = this.network.shape;
    if (!this.buf || this.buf.users.length < n) this.buf = allocBatch(Math.max(n, 64), L, F);
    batchFromPopulation(pop, users, ads, n, this.buf);
    out.set(predictBatch(this.network, this.buf).subarray(0, n));
  }

  predictLog(log: ImpressionLog, rows?: Int32Array): Float32Array {
    return predictRows(this.network, log, rows);
  }

  dispose(): void {
    this.network.params.dispose();
  }
}
