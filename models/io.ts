/**
 * Saving and loading trained interest models as `model.json` + `weights.bin`, the
 * TensorFlow.js artifact layout, through a small file IOHandler (tfjs's own
 * `file://` handler lives in tfjs-node, which we do not require).
 *
 * `model.json` holds the network description as `modelTopology` (kind, world
 * shape, hyperparameters), the weights manifest and `userDefinedMetadata`
 * (training figures, a fingerprint of the catalogue). Files are written whole
 * (env/io/atomic.ts: temp file, fsync, rename), so an interrupted save leaves no half file.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Catalogue } from '../env/ads/catalogue.js';
import { makeDirs, writeFileAtomic } from '../env/io/atomic.js';
import { hash32, rng } from '../env/rng.js';
import { buildNetwork } from './build.js';
import type { Network, NetworkConfig } from './network.js';

/** Value of `format` in model.json. */
export const MODEL_FORMAT = 'bidgym-interest-model';
/** Version of the saved layout. */
/** 2: the attention model has the logistic cross terms (`wx`). */
export const MODEL_VERSION = 2;

/** What {@link loadModel} returns. */
export interface LoadedModel {
  network: Network;
  /** The `userDefinedMetadata` saved with it. */
  metadata: Record<string, unknown>;
}

/**
 * A tfjs IOHandler that reads and writes `model.json` + `weights.bin` in `dir`.
 * @example await model.save(fileHandler('runs/m')) // or tf.io handlers' usual callers
 */
export function fileHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      makeDirs(dir);
      const weights = artifacts.weightData ? new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData)) : new Uint8Array(0);
      const json = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
        userDefinedMetadata: artifacts.userDefinedMetadata,
      };
      writeFileAtomic(path.join(dir, 'weights.bin'), weights);
      writeFileAtomic(path.join(dir, 'model.json'), JSON.stringify(json, null, 2) + '\n');
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength } };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const file = path.join(dir, 'model.json');
      let json: tf.io.ModelJSON & { format?: string };
      try {
        json = JSON.parse(await readFile(file, 'utf8')) as typeof json;
      } catch (e) {
        throw new Error(`interestModel.path: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
      }
      const manifest = json.weightsManifest?.[0];
      if (!manifest || manifest.paths.length !== 1) throw new Error(`interestModel.path: ${file} has no single-file weights manifest`);
      const bin = await readFile(path.join(dir, manifest.paths[0]!));
      return {
        format: json.format,
        generatedBy: json.generatedBy,
        modelTopology: json.modelTopology,
        weightSpecs: manifest.weights,
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
        userDefinedMetadata: json.userDefinedMetadata,
      };
    },
  };
}

/** A fingerprint of a catalogue's sizes and content embeddings (32-bit FNV-1a over their bytes, hex). */
export function catalogueFingerprint(catalogue: Catalogue): string {
  const bytes = new Uint8Array(catalogue.embeddings.buffer, catalogue.embeddings.byteOffset, catalogue.embeddings.byteLength);
  let h = hash32(`${catalogue.items}:${catalogue.ads}:${catalogue.topics}`);
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * Saves a network's description and weights into `dir` (created if needed).
 * @param metadata JSON-safe extras for model.json (training figures, provenance)
 */
export async function saveModel(net: Network, dir: string, metadata: Record<string, unknown> = {}): Promise<void> {
  const named: tf.NamedTensorMap = {};
  for (const p of net.params.params) named[p.name] = p.variable;
  const { data, specs } = await tf.io.encodeWeights(named);
  await fileHandler(dir).save!({
    format: MODEL_FORMAT,
    generatedBy: `bidgym ${MODEL_FORMAT} v${MODEL_VERSION}`,
    modelTopology: { version: MODEL_VERSION, ...net.getConfig() } as unknown as tf.io.ModelArtifacts['modelTopology'],
    weightSpecs: specs,
    weightData: data,
    userDefinedMetadata: metadata as tf.io.ModelArtifacts['userDefinedMetadata'],
  });
}

/**
 * Loads a network saved by {@link saveModel} and binds it to `catalogue` (which must
 * have the sizes it was built for). Predictions equal the saved model's exactly.
 */
export async function loadModel(dir: string, catalogue: Catalogue): Promise<LoadedModel> {
  const artifacts = await fileHandler(dir).load!();
  if (artifacts.format !== MODEL_FORMAT) throw new Error(`interestModel.path: ${dir}/model.json is not a ${MODEL_FORMAT} (format: ${String(artifacts.format)})`);
  const topo = artifacts.modelTopology as unknown as NetworkConfig & { version?: number };
  if (topo.version !== MODEL_VERSION) throw new Error(`interestModel.path: ${dir}/model.json has version ${String(topo.version)}, expected ${MODEL_VERSION}`);
  // Initial values are overwritten below; any stream will do.
  const net = buildNetwork({ kind: topo.kind, shape: topo.shape, hyper: topo.hyper }, catalogue, rng('load'));
  const tensors = tf.io.decodeWeights(artifacts.weightData!, artifacts.weightSpecs!);
  try {
    const values = new Map<string, Float32Array>();
    for (const [name, t] of Object.entries(tensors)) values.set(name, t.dataSync() as Float32Array);
    net.params.restore(values);
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
  return { network: net, metadata: (artifacts.userDefinedMetadata ?? {}) as Record<string, unknown> };
}
