/**
 * The names of the TensorFlow.js backends (see backend.ts), in a module that does
 * not load TensorFlow.js: the config schema lists them, and validating a config
 * must not pay for loading tfjs.
 */

/** A backend a config may ask for. */
export type BackendChoice = 'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

/** The backends, in the order `auto` tries them. */
export const BACKENDS = ['tensorflow', 'webgpu', 'wasm', 'cpu'] as const;

/** A backend that can actually run. */
export type BackendName = (typeof BACKENDS)[number];
