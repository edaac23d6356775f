import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BACKENDS, currentBackend, initBackend, wasmDir } from '../../models/backend.js';

// Nothing here needs a GPU: on a machine with one, `auto` may pick it and the checks still hold.
describe('initBackend', () => {
  it('finds the wasm binaries from any working directory', () => {
    const dir = wasmDir();
    expect(existsSync(join(dir, 'tfjs-backend-wasm.wasm'))).toBe(true);
    expect(existsSync(join(dir, 'tfjs-backend-wasm-simd.wasm'))).toBe(true);
  });

  it('starts a named backend and reports it', async () => {
    const wasm = await initBackend('wasm');
    expect(wasm).toMatchObject({ requested: 'wasm', backend: 'wasm', gpu: false, attempts: [] });
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.tidy(() => tf.add(tf.tensor1d([1, 2]), 1).dataSync())).toEqual(Float32Array.from([2, 3]));
    const cpu = await initBackend('cpu');
    expect(cpu.backend).toBe('cpu');
    expect(currentBackend()).toEqual(cpu);
  });

  it('auto keeps the first backend that starts, after recording why the earlier ones did not', async () => {
    const info = await initBackend('auto');
    const at = BACKENDS.indexOf(info.backend);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(info.attempts.map((a) => a.backend)).toEqual(BACKENDS.slice(0, at));
    for (const a of info.attempts) expect(a.error.length).toBeGreaterThan(0);
    expect(tf.getBackend()).toBe(info.backend);
  });

  it('rejects an unknown backend, naming the field', async () => {
    await expect(initBackend('tpu' as never)).rejects.toThrow(/interestModel\.backend: expected one of auto, tensorflow, webgpu, wasm, cpu/);
  });
});
