/**
 * Choice of the TensorFlow.js backend: `auto | tensorflow | webgpu | wasm | cpu`.
 *
 * - `tensorflow`: native TensorFlow through `@tensorflow/tfjs-node-gpu`, an
 *   optional peer dependency loaded at run time (CUDA GPU when present).
 * - `webgpu`: `@tensorflow/tfjs-backend-webgpu` when `navigator.gpu` gives an adapter.
 * - `wasm`: XNNPACK in WebAssembly (SIMD, one thread in Node): the default here.
 * - `cpu`: plain JavaScript kernels (slowest; always there).
 *
 * `auto` tries them in that order and keeps the first that works; every failure is
 * caught and recorded in {@link BackendInfo.attempts}. The backend is global to
 * tfjs: the last successful choice holds for every model in the process.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { BACKENDS, type BackendChoice, type BackendName } from './backend-names.js';

export { BACKENDS, type BackendChoice, type BackendName } from './backend-names.js';

/** Which backend runs, and why. */
export interface BackendInfo {
  /** What was asked for. */
  requested: BackendChoice;
  /** What runs (tfjs's own name of it). */
  backend: BackendName;
  /** True when the backend computes on a GPU (tensorflow with a CUDA device, or webgpu). */
  gpu: boolean;
  /** Backends tried before this one, with the error that ruled each out. */
  attempts: { backend: BackendName; error: string }[];
}

let current: BackendInfo | null = null;
let wasmPathsSet = false;

/** Directory of the wasm backend's `.wasm` binaries, resolved from node_modules (works from any cwd). */
export function wasmDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep;
}

async function tryBackend(name: BackendName): Promise<{ gpu: boolean }> {
  switch (name) {
    case 'tensorflow': {
      // A variable specifier: the package is optional and not a compile-time dependency.
      const pkg = '@tensorflow/tfjs-node-gpu';
      await import(pkg);
      if (!(await tf.setBackend('tensorflow'))) throw new Error('tfjs-node-gpu loaded but the tensorflow backend did not start');
      const gpus = (tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice;
      return { gpu: gpus !== false };
    }
    case 'webgpu': {
      const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator?.gpu;
      if (!gpu) throw new Error('navigator.gpu is not available (no WebGPU in this runtime)');
      const adapter = await gpu.requestAdapter();
      if (!adapter) throw new Error('navigator.gpu.requestAdapter() gave no adapter');
      const pkg = '@tensorflow/tfjs-backend-webgpu';
      await import(pkg);
      if (!(await tf.setBackend('webgpu'))) throw new Error('the webgpu backend did not start');
      return { gpu: true };
    }
    case 'wasm': {
      if (!wasmPathsSet) {
        setWasmPaths(wasmDir());
        wasmPathsSet = true;
      }
      if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not start');
      return { gpu: false };
    }
    case 'cpu': {
      if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not start');
      return { gpu: false };
    }
  }
}

/**
 * Starts the requested backend (or, for `auto`, the first that works) and makes it
 * tfjs's current backend. A named backend that fails is an error naming why.
 * @example const info = await initBackend('auto'); // { backend: 'wasm', gpu: false, … } on a CPU-only machine
 */
export async function initBackend(choice: BackendChoice = 'auto'): Promise<BackendInfo> {
  if (current && (choice === current.requested || choice === current.backend) && tf.getBackend() === current.backend) return current;
  const order: readonly BackendName[] = choice === 'auto' ? BACKENDS : [choice];
  if (choice !== 'auto' && !(BACKENDS as readonly string[]).includes(choice)) {
    throw new Error(`interestModel.backend: expected one of auto, ${BACKENDS.join(', ')} — got "${String(choice)}"`);
  }
  const attempts: BackendInfo['attempts'] = [];
  for (const name of order) {
    try {
      const { gpu } = await tryBackend(name);
      await tf.ready();
      current = { requested: choice, backend: name, gpu, attempts };
      return current;
    } catch (e) {
      attempts.push({ backend: name, error: e instanceof Error ? e.message.split('\n')[0]! : String(e) });
    }
  }
  throw new Error(`interestModel.backend: "${choice}" could not start: ${attempts.map((a) => `${a.backend}: ${a.error}`).join('; ')}`);
}

/** The backend started by {@link initBackend}, or null before the first call. */
export function currentBackend(): BackendInfo | null {
  return current && tf.getBackend() === current.backend ? current : null;
}
