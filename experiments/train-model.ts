/**
 * `bidgym train-model <config> --out DIR`: trains the config's interest model
 * alone and saves it (model.json + weights.bin + metrics.json), so that runs can
 * load it with `interestModel: { kind: …, path: DIR }` instead of training.
 *
 * The model is exactly the one a run of the same config trains in replication
 * `replication` (default 0): same world (catalogue, personas), same log, same
 * seeds. Other replications have worlds of their own (another catalogue and other
 * personas); a loaded model is measured afresh there, and `catalogueMatch` in the
 * report says whether it was trained on that world.
 */
import { performance } from 'node:perf_hooks';
import { Market } from '../env/market.js';
import { rng } from '../env/rng.js';
import { catalogueFingerprint, createInterestModel, saveModel, type InterestModelConfig, type InterestReport } from '../models/index.js';
import { ConfigError, marketSpec, type ResolvedConfig } from './config.js';
import { writeJsonAtomic } from '../env/io/atomic.js';
import { join } from 'node:path';
import { checkOutFile } from './out-dir.js';
import { checkSizes } from './preflight.js';

/** Options of {@link trainModelCommand}. */
export interface TrainModelOptions {
  /** The replication whose world and streams to use (default 0). */
  replication?: number;
  /** Called with a line of progress per epoch. */
  log?: (line: string) => void;
}

/** What {@link trainModelCommand} wrote. */
export interface TrainModelResult {
  /** Quality on the held-out users of the log (as summary.json would show it). */
  report: InterestReport;
  /** Files written, relative to the output folder. */
  files: string[];
}

/**
 * Trains the interest model of `cfg` and saves it into `outDir`.
 * @throws ConfigError when the config has no users, asks for the oracle, or already loads a saved model
 * @example await trainModelCommand(loadConfig('experiments/configs/interest-models.yaml'), 'models/attention')
 */
export async function trainModelCommand(cfg: ResolvedConfig, outDir: string, options: TrainModelOptions = {}): Promise<TrainModelResult> {
  const im = cfg.interestModel;
  if (!cfg.users) throw new ConfigError('users', 'train-model needs users (add a users: block)');
  if (im.kind === 'oracle') throw new ConfigError('interestModel.kind', 'train-model trains attention, logistic or mf — got "oracle" (nothing to train)');
  if ('path' in im && im.path) throw new ConfigError('interestModel.path', 'train-model trains a new model; remove path (it loads a saved one)');
  // Checked before training: the sizes, as run checks them, and that the model can be saved in outDir.
  checkSizes(cfg);
  checkOutFile(join(outDir, 'model.json'), '--out');
  const r = options.replication ?? 0;
  const rep = rng(cfg.seed).stream(`replication:${r}`);
  // The same streams as runner.ts: the market's world, then the interest model's stream.
  const market = new Market(marketSpec(cfg), rep.stream('market'));
  const made = await createInterestModel(im as InterestModelConfig, market.population!, market.catalogue!, rep.stream('interest-model'), {
    clock: () => performance.now(),
    onEpoch: (e) => options.log?.(`epoch ${e.epoch}: train loss ${e.trainLoss.toFixed(5)}, validation loss ${e.validationLoss.toFixed(5)}`),
  });
  const report = made.report!;
  const training = made.training!;
  const metadata = {
    config: { name: cfg.name, seed: cfg.seed, replication: r, interestModel: im, users: cfg.users },
    catalogue: catalogueFingerprint(market.catalogue!),
    report,
    training,
  };
  await saveModel(made.network!, outDir, metadata);
  writeJsonAtomic(`${outDir}/metrics.json`, { report, training });
  made.predictor.dispose();
  return { report, files: ['model.json', 'weights.bin', 'metrics.json'] };
}
