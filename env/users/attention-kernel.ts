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

/** A kernel with its memory: the attention table, the ads' embeddings and the scratch the calls use. */
export interface AttentionKernel {
  /** The attention table, in the kernel's memory. */
  readonly table: Float64Array;
  /** Byte offset of `table` in the memory (rows are byte offsets from the memory's start). */
  readonly tableOffset: number;
  /** Byte offsets of the rows to sum (the caller writes the first `len`). */
  readonly rows: Int32Array;
  /** The sums of the last call: `(num, den)` of ad i at `2i`, `2i + 1`. */
  readonly out: Float64Array;
  /** Sums `per` (num, den) pairs from each of the first `len` rows, each row taken `base` bytes further on (default 0), into `out`. */
  sums(len: number, per: number, base?: number): void;
  /**
   * The click model whose scratch (`rows`, `interest`) the kernel holds now: twins
   * share a kernel, so a click model that keeps its rows or interest there between
   * calls checks that it is still the owner (and sets it when it writes them).
   */
  owner: object | null;
  /** The user's interest, one double per topic (the caller writes it). */
  readonly interest: Float64Array;
  /** interest · ad of the ads of the last {@link dots} call: ad i of the advertiser at i. */
  readonly dotsOut: Float64Array;
  /** interest · ad, in topic order from 0, for every ad of `advertiser`, into `dotsOut`. */
  dots(advertiser: number): void;
}

/** What the kernel needs of the catalogue: the ads' embeddings. */
export interface KernelCatalogue {
  readonly topics: number;
  readonly items: number;
  readonly advertisers: number;
  readonly adsPerAdvertiser: number;
  readonly embeddings: Float32Array;
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
const F64X2_MUL = [0xfd, 0xf2, 0x01];
const F64X2_SPLAT = [0xfd, 0x14];
const F64_LOAD = [0x2b, 0x03, 0x00];
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

/** Ads per pass of sums (a pass sums that many f64x2 chains at once, then the next pass the next ads; wider passes measured no faster: the table rows come from memory). */
const SUM_BLOCKS = [4, 1];
/** Pairs of ads per pass of dots. */
const DOT_BLOCKS = [6, 2, 1];

/**
 * sums(rows, len, per, out, base) — locals: 0 rows, 1 len, 2 per, 3 out, 4 base
 * (byte offsets / counts); 5 i, 6 j, 7 r, 8 o; v128 9… accumulators, one per ad
 * of a pass. Row j of ad i is at rows[j] + base + 16 i. Passes of 4 ads (four
 * independent f64x2 chains in flight), then one at a time; each
 * chain adds its ad's pairs in history order from +0.
 *
 * dots(emb, iv, pairs, d, out) — locals: 0 emb (the advertiser's ads, [k][pair][2]
 * doubles), 1 iv (interest, d doubles), 2 pairs, 3 d, 4 out; 5 p, 6 k, 7 e, 8 the
 * stride of one k (16 · pairs bytes); v128 9… one accumulator per pair of a pass,
 * then the splat interest[k]. Each lane: acc += interest[k] · emb[k], k from 0.
 * Passes of 6 pairs, then 2, then one.
 */
function moduleBytes(): Uint8Array {
  const [ROWS, LEN, PER, OUT, BASE, I, J, R, O] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const V = (c: number) => 9 + c;
  // r = rows[j] + base + 16 i
  const row = [...get(ROWS), ...get(J), ...i32(2), SHL, ADD, ...I32_LOAD, ...get(BASE), ADD, ...get(I), ...i32(4), SHL, ADD];
  const nextJ = [...get(J), ...i32(1), ADD, ...tee(J), ...get(LEN), LT_S, ...brIf(0)];
  const cs = (n: number) => Array.from({ length: n }, (_, c) => c);
  const sumsPass = (n: number) => [
    ...cs(n).flatMap((c) => [...VZERO, ...set(V(c))]), ...i32(0), ...set(J),
    ...block(
      [...get(J), ...get(LEN), GE_S, ...brIf(0)],
      loop([...row, ...set(R)], ...cs(n).map((c) => [...get(V(c)), ...get(R), ...vload(16 * c), ...F64X2_ADD, ...set(V(c))]), nextJ),
    ),
    ...get(OUT), ...get(I), ...i32(4), SHL, ADD, ...set(O),
    ...cs(n).flatMap((c) => [...get(O), ...get(V(c)), ...vstore(16 * c)]),
  ];
  // while (i + n <= per) { pass of n ads; i += n }
  const passes = (counter: number, limit: number, sizes: number[], pass: (n: number) => number[]) =>
    sizes.flatMap((n) => block(loop([...get(counter), ...i32(n), ADD, ...get(limit), GT_S, ...brIf(1)], pass(n), [...get(counter), ...i32(n), ADD, ...set(counter), ...br(0)])));
  const body = [...i32(0), ...set(I), ...passes(I, PER, SUM_BLOCKS, sumsPass), 0x0b];
  const func = [...leb(2), ...leb(4), I32, ...leb(Math.max(...SUM_BLOCKS)), V128, ...body];

  const [EMB, IV, PAIRS, D, DOUT, P, K, E, STRIDE] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const SPLAT = V(Math.max(...DOT_BLOCKS));
  const dotsPass = (n: number) => [
    ...cs(n).flatMap((c) => [...VZERO, ...set(V(c))]), ...i32(0), ...set(K),
    ...get(EMB), ...get(P), ...i32(4), SHL, ADD, ...set(E),
    ...block(
      [...get(K), ...get(D), GE_S, ...brIf(0)],
      loop(
        [...get(IV), ...get(K), ...i32(3), SHL, ADD, ...F64_LOAD, ...F64X2_SPLAT, ...set(SPLAT)],
        ...cs(n).map((c) => [...get(V(c)), ...get(SPLAT), ...get(E), ...vload(16 * c), ...F64X2_MUL, ...F64X2_ADD, ...set(V(c))]),
        [...get(E), ...get(STRIDE), ADD, ...set(E)],
        [...get(K), ...i32(1), ADD, ...tee(K), ...get(D), LT_S, ...brIf(0)],
      ),
    ),
    ...cs(n).flatMap((c) => [...get(DOUT), ...get(P), ...i32(4), SHL, ADD, ...get(V(c)), ...vstore(16 * c)]),
  ];
  const dotsBody = [...get(PAIRS), ...i32(4), SHL, ...set(STRIDE), ...i32(0), ...set(P), ...passes(P, PAIRS, DOT_BLOCKS, dotsPass), 0x0b];
  const dotsFunc = [...leb(2), ...leb(4), I32, ...leb(Math.max(...DOT_BLOCKS) + 1), V128, ...dotsBody];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), 0], [0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), 0]])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...leb(1)]])),
    ...section(3, vec([[0], [1]])),
    ...section(7, vec([[...name('sums'), 0x00, 0], [...name('dots'), 0x00, 1]])),
    ...section(10, vec([[...leb(func.length), ...func], [...leb(dotsFunc.length), ...dotsFunc]])),
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
 * A kernel for a click model of `catalogue` whose users keep up to `maxRows`
 * history items: its memory holds the attention table (`tableLength` doubles),
 * the ads' embeddings (as doubles, two ads side by side) and the scratch of a
 * call. Null when there is no WebAssembly SIMD, the kernel is turned off, or the
 * memory cannot be had (the caller then keeps a plain Float64Array and its
 * JavaScript loops).
 */
export function attentionKernel(tableLength: number, maxRows: number, catalogue: KernelCatalogue): AttentionKernel | null {
  if (!enabled) return null;
  const mod = compiledModule();
  if (!mod || !wasm) return null;
  const { topics: d, items, advertisers, adsPerAdvertiser: per } = catalogue;
  const pairs = Math.ceil(per / 2);
  const up = (n: number) => Math.ceil(n / 16) * 16;
  const outOffset = up(4 * Math.max(1, maxRows));
  const interestOffset = outOffset + up(16 * Math.max(1, per));
  const dotsOffset = interestOffset + up(8 * Math.max(1, d));
  const embOffset = dotsOffset + up(16 * Math.max(1, pairs));
  const tableOffset = embOffset + up(16 * d * pairs * advertisers);
  const bytes = tableOffset + 8 * tableLength;
  // Offsets are i32: everything must lie within the first 2 GiB.
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
  const sums = instance.exports.sums as (rows: number, len: number, per: number, out: number, base: number) => void;
  const dots = instance.exports.dots as (emb: number, interest: number, pairs: number, d: number, out: number) => void;
  const buffer = memory.buffer;
  // The ads' embeddings, advertiser by advertiser, topic by topic: [k][pair p][ad 2p, ad 2p + 1] (an odd last ad beside zeros).
  const emb = new Float64Array(buffer, embOffset, 2 * d * pairs * advertisers);
  for (let m = 0; m < advertisers; m++) {
    for (let i = 0; i < per; i++) {
      const src = (items + m * per + i) * d;
      for (let k = 0; k < d; k++) emb[2 * (pairs * (m * d + k) + (i >> 1)) + (i & 1)] = catalogue.embeddings[src + k]!;
    }
  }
  const perAdvertiser = 16 * d * pairs;
  return {
    table: new Float64Array(buffer, tableOffset, tableLength),
    tableOffset,
    rows: new Int32Array(buffer, 0, Math.max(1, maxRows)),
    out: new Float64Array(buffer, outOffset, 2 * Math.max(1, per)),
    sums: (len: number, n: number, base = 0) => sums(0, len, n, outOffset, base),
    owner: null,
    interest: new Float64Array(buffer, interestOffset, Math.max(1, d)),
    dotsOut: new Float64Array(buffer, dotsOffset, 2 * Math.max(1, pairs)),
    dots: (advertiser: number) => dots(embOffset + advertiser * perAdvertiser, interestOffset, pairs, d, dotsOffset),
  };
}
