/**
 * Training of a {@link Network} on an impression log: minibatch Adam (Kingma & Ba
 * 2015) on the mean binary cross-entropy; after an epoch in which the validation
 * users' loss did not improve the step size is halved, and after `patience + 1`
 * such epochs in a row training stops, keeping the best epoch's weights.
 *
 * Deterministic: minibatches come from our own shuffle of the training rows
 * (never tfjs's `shuffle: true`, which draws from Math.random), initial weights
 * from the network's stream, so the same seed and backend give the same weights.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../env/rng.js';
import { allocBatch, gatherRows, type FeatureBatch, type ImpressionLog } from './data.js';
import { logLoss } from './metrics.js';
import type { Network } from './network.js';

/** Hyperparameters of {@link trainNetwork}. */
export interface TrainArgs {
  /** Most passes over the training rows (≥ 1). */
  epochs: number;
  /** Rows per gradient step (≥ 1). */
  batchSize: number;
  /** Adam step size (> 0). */
  learningRate: number;
  /** Epochs in a row without a better validation loss that are tolerated (each halves the step size); one more stops (≥ 0). */
  patience: number;
  /** L2 penalty on weight matrices (≥ 0; biases are not penalised). */
  l2: number;
  /** Platt-scale the trained model on the validation rows (default true; needs validation rows). */
  calibrate?: boolean;
}

/** One epoch of training. */
export interface EpochReport {
  epoch: number;
  /** Mean training loss over the epoch's steps (nats). */
  trainLoss: number;
  /** Log-loss on the validation rows after the epoch (nats). */
  validationLoss: number;
}

/** What training did. */
export interface TrainResult {
  epochs: EpochReport[];
  /** Epoch whose weights were kept (lowest validation loss), 1-based. */
  bestEpoch: number;
  /** Gradient steps taken. */
  steps: number;
  /** True when patience ran out before `epochs`. */
  stoppedEarly: boolean;
  /** The calibration folded into the output layer, logit → a·logit + c (null when not calibrated). */
  calibration: { a: number; c: number } | null;
}

/**
 * Platt scaling (Platt 1999): the a, c maximising the likelihood of labels `y`
 * under p = sigmoid(a·z + c), by Newton's method on the two parameters.
 * @param z logits
 * @param y labels 0/1
 */
export function fitPlatt(z: ArrayLike<number>, y: ArrayLike<number>): { a: number; c: number } {
  let a = 1;
  let c = 0;
  for (let iter = 0; iter < 50; iter++) {
    // Gradient and Hessian of the negative log-likelihood.
    let ga = 0;
    let gc = 0;
    let haa = 0;
    let hac = 0;
    let hcc = 0;
    for (let i = 0; i < z.length; i++) {
      const zi = z[i]!;
      const p = 1 / (1 + Math.exp(-(a * zi + c)));
      const r = p - y[i]!;
      const w = p * (1 - p);
      ga += r * zi;
      gc += r;
      haa += w * zi * zi;
      hac += w * zi;
      hcc += w;
    }
    const det = haa * hcc - hac * hac;
    if (!(det > 1e-12)) break;
    const da = (hcc * ga - hac * gc) / det;
    const dc = (haa * gc - hac * ga) / det;
    a -= da;
    c -= dc;
    if (Math.abs(da) < 1e-9 && Math.abs(dc) < 1e-9) break;
  }
  return { a, c };
}

/** Folds logit → a·logit + c into the network's output layer (see `Network.output`). */
export function foldCalibration(net: Network, a: number, c: number): void {
  tf.tidy(() => {
    for (const name of net.output.weights) {
      const v = net.params.get(name);
      v.assign(tf.mul(v, a));
    }
    const b = net.params.get(net.output.bias);
    b.assign(tf.add(tf.mul(b, a), c));
  });
}

/** Validates training hyperparameters, naming the field at fault. */
export function checkTrainArgs(a: TrainArgs): void {
  const bad = (k: string, want: string, got: unknown) => new Error(`interestModel.${k}: expected ${want} — got ${String(got)}`);
  if (!(Number.isInteger(a.epochs) && a.epochs >= 1)) throw bad('epochs', 'an integer ≥ 1', a.epochs);
  if (!(Number.isInteger(a.batchSize) && a.batchSize >= 1)) throw bad('batchSize', 'an integer ≥ 1', a.batchSize);
  if (!(a.learningRate > 0 && Number.isFinite(a.learningRate))) throw bad('learningRate', 'a number > 0', a.learningRate);
  if (!(Number.isInteger(a.patience) && a.patience >= 0)) throw bad('patience', 'an integer ≥ 0', a.patience);
  if (!(a.l2 >= 0 && Number.isFinite(a.l2))) throw bad('l2', 'a number ≥ 0', a.l2);
}

/** Rows per forward pass when predicting (memory, not results, depends on it). */
const PREDICT_CHUNK = 4096;

/**
 * Click probabilities of `rows` of a log (all rows when omitted) through the
 * network's tfjs forward pass, in chunks: the batched prediction over logs.
 */
export function predictRows(net: Network, log: FeatureBatch, rows?: Int32Array): Float32Array {
  const idx = rows ?? Int32Array.from({ length: log.n }, (_, i) => i);
  const out = new Float32Array(idx.length);
  const buf = allocBatch(Math.min(PREDICT_CHUNK, Math.max(1, idx.length)), log.historyLength, log.featureCount);
  for (let from = 0; from < idx.length; from += PREDICT_CHUNK) {
    const count = Math.min(PREDICT_CHUNK, idx.length - from);
    gatherRows(log, idx, from, count, buf);
    out.set(predictBatch(net, buf), from);
  }
  return out;
}

/** Click probabilities of the first `batch.n` rows of a feature batch (one forward pass). */
export function predictBatch(net: Network, batch: FeatureBatch): Float32Array {
  const inputs = net.inputs(batch);
  try {
    return tf.tidy(() => tf.sigmoid(net.logits(inputs))).dataSync() as Float32Array;
  } finally {
    for (const t of inputs) t.dispose();
  }
}

/**
 * Trains `net` on `rows.train` of `log`, keeping the weights of the epoch with the
 * lowest log-loss on `rows.validation` (the last epoch's when there is no
 * validation row).
 *
 * @param rng stream for the minibatch order
 * @param onEpoch called after each epoch (progress)
 */
export function trainNetwork(
  net: Network,
  log: ImpressionLog,
  rows: { train: Int32Array; validation: Int32Array },
  args: TrainArgs,
  rng: Rng,
  onEpoch?: (e: EpochReport) => void,
): TrainResult {
  checkTrainArgs(args);
  if (rows.train.length === 0) throw new Error('interestModel: the training split is empty (log too small?)');
  const vars = net.params.variables();
  // Start the output bias at the log-odds of the training click rate: the first
  // steps then learn the ranking instead of the base rate.
  let clicks = 0;
  for (let i = 0; i < rows.train.length; i++) clicks += log.clicks[rows.train[i]!]!;
  const rate = Math.min(1 - 1e-4, Math.max(1e-4, clicks / rows.train.length));
  const bias = net.params.get('b');
  tf.tidy(() => bias.assign(tf.fill(bias.shape, Math.log(rate / (1 - rate)))));
  const penalised = net.params.params.filter((p) => p.shape.length === 2).map((p) => p.variable);

  let lr = args.learningRate;
  const optimizer = tf.train.adam(lr);
  const order = Int32Array.from(rows.train);
  const B = Math.min(args.batchSize, order.length);
  const buf = allocBatch(B, log.historyLength, log.featureCount);
  const labels = new Float32Array(B);
  const epochs: EpochReport[] = [];
  let best = Infinity;
  let bestEpoch = 0;
  let bestWeights: Map<string, Float32Array> | null = null;
  let bad = 0;
  let steps = 0;
  let stoppedEarly = false;
  const yVal = rows.validation.length > 0 ? Float32Array.from(rows.validation, (k) => log.clicks[k]!) : null;
  try {
    for (let epoch = 1; epoch <= args.epochs; epoch++) {
      rng.shuffle(order);
      let lossSum = 0;
      let lossRows = 0;
      for (let from = 0; from < order.length; from += B) {
        const count = Math.min(B, order.length - from);
        gatherRows(log, order, from, count, buf);
        for (let i = 0; i < count; i++) labels[i] = log.clicks[order[from + i]!]!;
        const inputs = net.inputs(buf);
        const y = tf.tensor1d(labels.subarray(0, count));
        const cost = optimizer.minimize(
          () => {
            const z = net.logits(inputs);
            // Binary cross-entropy with logits: softplus(z) − y·z.
            let loss = tf.mean(tf.sub(tf.softplus(z), tf.mul(y, z))) as tf.Scalar;
            if (args.l2 > 0) for (const w of penalised) loss = tf.add(loss, tf.mul(args.l2, tf.sum(tf.square(w))));
            return loss;
          },
          true,
          vars,
        );
        lossSum += cost!.dataSync()[0]! * count;
        lossRows += count;
        cost!.dispose();
        y.dispose();
        for (const t of inputs) t.dispose();
        steps++;
      }
      const validationLoss = yVal ? logLoss(predictRows(net, log, rows.validation), yVal) : NaN;
      const report = { epoch, trainLoss: lossSum / lossRows, validationLoss };
      epochs.push(report);
      onEpoch?.(report);
      if (!yVal) continue;
      if (validationLoss < best - 1e-6) {
        best = validationLoss;
        bestEpoch = epoch;
        bestWeights = net.params.snapshot();
        bad = 0;
      } else {
        if (++bad > args.patience) {
          stoppedEarly = epoch < args.epochs;
          break;
        }
        // Reduce on plateau: halve the step size after an epoch without progress.
        lr /= 2;
        (optimizer as unknown as { learningRate: number }).learningRate = lr;
      }
    }
  } finally {
    optimizer.dispose();
  }
  if (bestWeights) net.params.restore(bestWeights);
  else bestEpoch = epochs.length;
  let calibration: TrainResult['calibration'] = null;
  if ((args.calibrate ?? true) && yVal) {
    // On users the model never trained on its logits come out too spread (it is
    // overconfident); a two-parameter fit on the validation users corrects it.
    const p = predictRows(net, log, rows.validation);
    const z = Float64Array.from(p, (q) => {
      const r = Math.min(1 - 1e-7, Math.max(1e-7, q));
      return Math.log(r / (1 - r));
    });
    calibration = fitPlatt(z, yVal);
    foldCalibration(net, calibration.a, calibration.c);
  }
  return { epochs, bestEpoch, steps, stoppedEarly, calibration };
}
