/**
 * Config schema of `interestModel`: the click model bidders see.
 *
 *   interestModel: { kind: attention }                       # train on a simulated log, every default
 *   interestModel: { kind: attention, heads: 4, width: 32 }  # another architecture
 *   interestModel: { kind: attention, path: models/att }     # load a model saved by `bidgym train-model`
 *   interestModel: { kind: oracle }                          # the true click probability (the ceiling)
 *
 * Learned kinds log `logSize` impressions from other users of the run's world
 * (uniformly random ads in the top slot), split them by user into train /
 * validation / test, train with early stopping, and report AUC, log-loss, ECE and
 * the cold-start AUC on the test users. Unknown keys are errors.
 */
import { z } from 'zod';
import { BACKENDS } from '../models/backend-names.js';

const posInt = () => z.number().int().positive();

/** Fields every learned kind shares: the log, the split, training, backend, serving, a saved model. */
function learnedFields(d: { epochs: number; learningRate: number; l2: number }) {
  return {
    logSize: z.number().int().min(1000).max(20_000_000).default(1_000_000).describe('impressions logged (uniformly random ads) to train and evaluate on; the default world clicks about 0.4% of them'),
    validationShare: z.number().min(0).lt(0.5).default(0.1).describe("share of the log's users held out for early stopping"),
    testShare: z.number().gt(0).lt(0.5).default(0.2).describe("share of the log's users held out for the reported metrics"),
    epochs: posInt().max(1000).default(d.epochs).describe('most passes over the training rows'),
    batchSize: posInt().max(65_536).default(512).describe('rows per gradient step'),
    learningRate: z.number().gt(0).max(1).default(d.learningRate).describe('Adam step size (halved after each epoch without validation progress)'),
    patience: z.number().int().min(0).max(100).default(2).describe('epochs in a row without validation progress tolerated before stopping'),
    l2: z.number().min(0).default(d.l2).describe('L2 penalty on weight matrices'),
    calibrate: z.boolean().default(true).describe('Platt-scale the trained model on the validation users (folded into its output layer)'),
    backend: z.enum(['auto', ...BACKENDS]).default('auto').describe('tfjs backend: auto tries tensorflow (tfjs-node-gpu, if installed), webgpu, wasm, cpu'),
    serving: z.enum(['auto', 'cached', 'tensor']).default('auto').describe('how the market is served: cached CPU path, one tfjs forward pass per call (GPU), or auto (tensor on a GPU backend)'),
    path: z.string().min(1).optional().describe('directory with model.json + weights.bin (bidgym train-model) to load instead of training'),
  };
}

const shares = (v: { validationShare: number; testShare: number }) => v.validationShare + v.testShare < 1;
const sharesError = { message: 'expected validationShare + testShare < 1', path: ['testShare'] };

/** `interestModel` */
export const interestModelSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('oracle'),
      logSize: z.number().int().min(0).max(20_000_000).default(1_000_000).describe('impressions logged to measure the oracle as a ceiling (0: do not measure)'),
      validationShare: z.number().min(0).lt(0.5).default(0.1).describe('as for learned kinds (keeps the test users the same)'),
      testShare: z.number().gt(0).lt(0.5).default(0.2).describe('share of the log’s users the oracle is measured on'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('attention'),
      heads: posInt().max(64).default(1).describe('attention heads (one head attends over the whole embedding, as the simulated users do)'),
      width: posInt().max(1024).default(16).describe('total width of queries, keys and values (a multiple of heads)'),
      hidden: posInt().max(4096).default(16).describe('hidden units of the MLP head'),
      ...learnedFields({ epochs: 10, learningRate: 0.005, l2: 0 }),
    })
    .strict()
    .refine((v) => v.width % v.heads === 0, { message: 'expected width to be a multiple of heads', path: ['width'] })
    .refine(shares, sharesError),
  z
    .object({ kind: z.literal('logistic'), ...learnedFields({ epochs: 10, learningRate: 0.005, l2: 0 }) })
    .strict()
    .refine(shares, sharesError),
  z
    .object({
      kind: z.literal('mf'),
      factors: posInt().max(1024).default(16).describe('latent factors per user and per ad'),
      ...learnedFields({ epochs: 10, learningRate: 0.005, l2: 1e-5 }),
    })
    .strict()
    .refine(shares, sharesError),
]);

/** The `interestModel` config as written. */
export type InterestModelInput = z.input<typeof interestModelSchema>;
/** The `interestModel` config with defaults filled (what `createInterestModel` takes). */
export type InterestModelParsed = z.output<typeof interestModelSchema>;
