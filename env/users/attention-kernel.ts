/**
 * The attention sums of the click model's cache fill (click-model.ts, fillBlock)
 * as a small WebAssembly SIMD kernel: for each ad i of an advertiser,
 *
 *   (num_i, den_i) = Σ_j (exp(τ·sim), exp(τ·sim)·sim)(history item j, ad i)
 *
 * with the pair of each (item, ad) loaded and added as one f64x2: two IEEE
 * additions per instruction, each rounded exactly as the scalar addition, in
 * the same order (history order, from +0), so the sums are the same to the bit
 * as the JavaScript loop's. The table lives in the kernel's memory (a
 * Float64Array over it is what the click model reads elsewhere); the caller
 * writes the byte offsets of the history items' rows and reads the sums back.
 *
 * The module (about 400 bytes) is encoded here, not shipped as a binary. Where
 * WebAssembly SIMD is missing, or the memory cannot be had, {@link attentionKernel}
 * returns null and the click model keeps its JavaScript loop. BIDGYM_WASM=0 in
 * the environment, or {@link useAttentionKernels}(false), turns the kernel off.
 */

/** A kernel with its memory: the attention table and the scratch the call uses. */
export interface AttentionKernel {
  /** The attention table, in the kernel's memory. */
  readonly table: Float64Array;
  /** Byte offset of `table` in the memory (rows are byte offsets from the memory's start). */
  readonly tableOffset: number;
  /** Byte offsets of the rows to sum (the caller writes the first `len`). */
  readonly rows: Int32Array;
  /** The sums of the last call: `(num, den)` of ad i at `2i`, `2i + 1`. */
  readonly out: Float64Array;
  /** Sums `per` (num, den) pairs from each of the first `len` rows into `out`. */
  sums(len: number, per: number): void;
}

let enabled = typeof process === 'undefined' || process.env.BIDGYM_WASM !== '0';

/** Turns the kernel on or off for click models built from now on (tests and benchmarks of the fallback). */
export function useAttentionKernels(on: boolean): void {
  enabled = on;
}

// ---- the module, encoded ----
const leb = (n: number): number[] => {
  const o: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    o.push(b);
  } while (n);
  return o;
};
const sleb = (n: number): number[] => {
  const o: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) {
      o.push(b);
      return o;
    }
    o.push(b | 0x80);
  }
};
const vec = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];
const name = (s: string): number[] => vec([...s].map((c) => [c.charCodeAt(0)]));
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];
const I32 = 0x7f;
const V128 = 0x7b;
const get = (i: number): number[] => [0x20, ...leb(i)];
const set = (i: number): number[] => [0x21, ...leb(i)];
const tee = (i: number): number[] => [0x22, ...leb(i)];
const i32 = (n: number): number[] => [0x41, ...sleb(n)];
const vload = (off: number): number[] => [0xfd, 0x00, 0x03, ...leb(off)];
const vstore = (off: number): number[] => [0xfd, 0x0b, 0x03, ...leb(off)];
const F64X2_ADD = [0xfd, 0xf0, 0x01];
const VZERO = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
const I32_LOAD = [0x28, 0x02, 0x00];
const ADD = 0x6a;
const SHL = 0x74;
const LT_S = 0x48;
const GT_S = 0x4a;
const GE_S = 0x4e;
const block = (...b: number[][]): number[] => [0x02, 0x40, ...b.flat(), 0x0b];
const loop = (...b: number[][]): number[] => [0x03, 0x40, ...b.flat(), 0x0b];
const brIf = (d: number): number[] => [0x0d, ...leb(d)];
const br = (d: number): number[] => [0x0c, ...leb(d)];

/**
 * sums(rows, len, per, out) — locals: 0 rows, 1 len, 2 per, 3 out (byte
 * offsets / counts); 4 i, 5 j, 6 r, 7 o; v128 8–11 accumulators. Ads four at a
 * time (four f64x2 chains), then one at a time.
 */
function moduleBytes(): Uint8Array {
  // r = rows[j] + 16 i
  const row = [...get(0), ...get(5), ...i32(2), SHL, ADD, ...I32_LOAD, ...get(4), ...i32(4), SHL, ADD];
  const nextJ = [...get(5), ...i32(1), ADD, ...tee(5), ...get(1), LT_S, ...brIf(0)];
  const outAt = [...get(3), ...get(4), ...i32(4), SHL, ADD];
  const four = [
    ...VZERO, ...set(8), ...VZERO, ...set(9), ...VZERO, ...set(10), ...VZERO, ...set(11), ...i32(0), ...set(5),
    ...block(
      [...get(5), ...get(1), GE_S, ...brIf(0)],
      loop(
        [...row, ...set(6)],
        [...get(8), ...get(6), ...vload(0), ...F64X2_ADD, ...set(8)],
        [...get(9), ...get(6), ...vload(16), ...F64X2_ADD, ...set(9)],
        [...get(10), ...get(6), ...vload(32), ...F64X2_ADD, ...set(10)],
        [...get(11), ...get(6), ...vload(48), ...F64X2_ADD, ...set(11)],
        nextJ,
      ),
    ),
    ...outAt, ...set(7),
    ...get(7), ...get(8), ...vstore(0), ...get(7), ...get(9), ...vstore(16), ...get(7), ...get(10), ...vstore(32), ...get(7), ...get(11), ...vstore(48),
  ];
  const one = [
    ...VZERO, ...set(8), ...i32(0), ...set(5),
    ...block([...get(5), ...get(1), GE_S, ...brIf(0)], loop([...get(8), ...row, ...vload(0), ...F64X2_ADD, ...set(8)], nextJ)),
    ...outAt, ...get(8), ...vstore(0),
  ];
  const body = [
    ...i32(0), ...set(4),
    ...block(loop([...get(4), ...i32(4), ADD, ...get(2), GT_S, ...brIf(1)], four, [...get(4), ...i32(4), ADD, ...set(4), ...br(0)])),
    ...block(loop([...get(4), ...get(2), GE_S, ...brIf(1)], one, [...get(4), ...i32(1), ADD, ...set(4), ...br(0)])),
    0x0b,
  ];
  const func = [...leb(2), ...leb(4), I32, ...leb(4), V128, ...body];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [I32]]), 0]])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...leb(1)]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name('sums'), 0x00, 0]])),
    ...section(10, vec([[...leb(func.length), ...func]])),
  ]);
}

/** The little of the WebAssembly API used here (the project's TypeScript libraries do not declare it). */
interface Wasm {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Memory: new (d: { initial: number; maximum: number }) => { readonly buffer: ArrayBuffer };
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}
const wasm = (globalThis as { WebAssembly?: Wasm }).WebAssembly;

let compiled: object | null | undefined;

function compiledModule(): object | null {
  if (compiled !== undefined) return compiled;
  try {
    const bytes = moduleBytes();
    compiled = wasm && wasm.validate(bytes) ? new wasm.Module(bytes) : null;
  } catch {
    compiled = null;
  }
  return compiled;
}

/**
 * A kernel whose memory holds a table of `tableLength` doubles, sums of up to
 * `maxRows` rows and `maxPer` ads a call; null when there is no WebAssembly
 * SIMD, the kernel is turned off, or the memory cannot be had (the caller then
 * keeps a plain Float64Array and its JavaScript loop).
 */
export function attentionKernel(tableLength: number, maxRows: number, maxPer: number): AttentionKernel | null {
  if (!enabled) return null;
  const mod = compiledModule();
  if (!mod || !wasm) return null;
  const rowsBytes = Math.ceil((4 * Math.max(1, maxRows)) / 16) * 16;
  const outOffset = rowsBytes;
  const tableOffset = outOffset + Math.ceil((16 * Math.max(1, maxPer)) / 16) * 16;
  const bytes = tableOffset + 8 * tableLength;
  // Row offsets are i32: the table must lie within the first 2 GiB.
  if (bytes >= 2 ** 31) return null;
  const pages = Math.ceil(bytes / 65536);
  let memory: { readonly buffer: ArrayBuffer };
  let instance: { readonly exports: Record<string, unknown> };
  try {
    memory = new wasm.Memory({ initial: pages, maximum: pages });
    instance = new wasm.Instance(mod, { env: { memory } });
  } catch {
    return null;
  }
  const fn = instance.exports.sums as (rows: number, len: number, per: number, out: number) => void;
  const buffer = memory.buffer;
  return {
    table: new Float64Array(buffer, tableOffset, tableLength),
    tableOffset,
    rows: new Int32Array(buffer, 0, Math.max(1, maxRows)),
    out: new Float64Array(buffer, outOffset, 2 * Math.max(1, maxPer)),
    sums: (len: number, per: number) => fn(0, len, per, outOffset),
  };
}
