/**
 * Bid logs: one logged auction a line, with the market price (the highest
 * competing bid, which the winner pays), the predicted CTR and whether the
 * user clicked. Two formats, both read into typed arrays (no object per line):
 *
 * - `rlb`: the format of Cai et al.'s RLB code (`test.theta.txt`): lines
 *   `click price pctr` separated by spaces (or tabs), no header; the training
 *   statistics come in a separate `info.json` ({@link readLogInfo}).
 * - `csv`: bidgym's own format: a header line naming the columns, then one
 *   auction a line, comma-separated plain numbers (no quoting). Required
 *   columns `price`, `pctr`, `click`; optional `conversion` (0/1),
 *   `value` (the auction's value to the advertiser, currency units) and
 *   `timestamp` (any number, e.g. seconds). Columns may come in any order;
 *   an unknown column is an error (so that a typo is not silently ignored).
 *
 * Every problem with a file is an {@link InputError} of one line naming the
 * file and the line number.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { InputError } from '../errors.js';

/** A bid log in memory: column arrays of equal length. */
export interface BidLog {
  /** Where it came from (a file path or a name), for messages. */
  source: string;
  /** Number of auctions. */
  length: number;
  /** Market price of each auction (≥ 0), the log's money unit. */
  price: Float64Array;
  /** Predicted click probability, in [0, 1]. */
  pctr: Float64Array;
  /** 1 when the user clicked (had the ad been shown). */
  click: Uint8Array;
  /** 1 when the user converted; null when the log has no such column. */
  conversion: Uint8Array | null;
  /** Value of the auction to the advertiser; null when the log has no such column. */
  value: Float64Array | null;
  /** Timestamp of the auction; null when the log has no such column. */
  timestamp: Float64Array | null;
}

/** Training statistics of a log (the RLB `info.json`): what a method may know before the test log. */
export interface LogInfo {
  /** Auctions in the training split. */
  impTrain: number;
  /** Clicks in the training split. */
  clkTrain: number;
  /** Sum of the training split's market prices. */
  costTrain: number;
  /** Histogram of the training prices 0..maxPrice (index = integer price); null when not known. */
  priceCounter: number[] | null;
}

/** Log formats. */
export const LOG_FORMATS = ['rlb', 'csv'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Columns of the csv format. */
export const CSV_COLUMNS = ['price', 'pctr', 'click', 'conversion', 'value', 'timestamp'] as const;
const REQUIRED = ['price', 'pctr', 'click'] as const;

/**
 * A bid log's columns while it is built (by the parsers here, and auction by
 * auction by {@link LogRecorder}): typed arrays with room for `capacity` rows,
 * grown by doubling when {@link reserve} is asked for more; the optional columns
 * are null when the log has none. {@link finish} returns copies of the rows.
 */
export class LogColumns {
  length = 0;
  price: Float64Array;
  pctr: Float64Array;
  click: Uint8Array;
  conversion: Uint8Array | null;
  value: Float64Array | null;
  timestamp: Float64Array | null;
  constructor(capacity: number, optional: { conversion: boolean; value: boolean; timestamp: boolean }) {
    this.price = new Float64Array(capacity);
    this.pctr = new Float64Array(capacity);
    this.click = new Uint8Array(capacity);
    this.conversion = optional.conversion ? new Uint8Array(capacity) : null;
    this.value = optional.value ? new Float64Array(capacity) : null;
    this.timestamp = optional.timestamp ? new Float64Array(capacity) : null;
  }
  /** Makes room for one more row (doubling the capacity when full). */
  reserve(): void {
    if (this.length < this.price.length) return;
    const c = Math.max(16, this.price.length * 2);
    const grow = <T extends Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(c);
      b.set(a);
      return b;
    };
    const f64 = (k: number) => new Float64Array(k);
    const u8 = (k: number) => new Uint8Array(k);
    this.price = grow(this.price, f64);
    this.pctr = grow(this.pctr, f64);
    this.click = grow(this.click, u8);
    if (this.conversion) this.conversion = grow(this.conversion, u8);
    if (this.value) this.value = grow(this.value, f64);
    if (this.timestamp) this.timestamp = grow(this.timestamp, f64);
  }
  finish(source: string): BidLog {
    const n = this.length;
    return {
      source,
      length: n,
      price: this.price.slice(0, n),
      pctr: this.pctr.slice(0, n),
      click: this.click.slice(0, n),
      conversion: this.conversion ? this.conversion.slice(0, n) : null,
      value: this.value ? this.value.slice(0, n) : null,
      timestamp: this.timestamp ? this.timestamp.slice(0, n) : null,
    };
  }
}

/** Upper bound on the number of lines (for the typed arrays' capacity). */
function countLines(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses a plain decimal number (sign, digits, point, exponent); NaN for
 * anything else (hex, Infinity, empty). Fast path (Clinger 1990): at most 15
 * significant digits and no exponent give mantissa / 10^k, one correctly
 * rounded division of two exact doubles, so the result equals `Number(s)`;
 * anything else goes through `Number`.
 */
function parseNumber(text: string, start: number, end: number): number {
  if (end <= start) return NaN;
  let i = start;
  let neg = false;
  const c0 = text.charCodeAt(i);
  if (c0 === 45 || c0 === 43) {
    neg = c0 === 45;
    i++;
  }
  let m = 0;
  let digits = 0;
  let frac = 0;
  let seenPoint = false;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (m !== 0 || c !== 48) digits++;
      m = m * 10 + (c - 48);
      if (seenPoint) frac++;
    } else if (c === 46 && !seenPoint) seenPoint = true;
    else break;
  }
  const anyDigit = i - start - (seenPoint ? 1 : 0) - (c0 === 45 || c0 === 43 ? 1 : 0) > 0;
  if (i === end && anyDigit && digits <= 15 && frac <= 22) {
    const v = frac === 0 ? m : m / POW10[frac]!;
    return neg ? -v : v;
  }
  if (i === end && anyDigit) return Number(text.slice(start, end)); // plain decimal, many digits
  const s = text.slice(start, end);
  return DECIMAL.test(s) ? Number(s) : NaN;
}

/** The field of a line as typed, for messages. */
function shown(text: string, start: number, end: number): string {
  const s = text.slice(start, end);
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}

function checkField(source: string, line: number, column: string, text: string, start: number, end: number, v: number, kind: 'price' | 'probability' | 'flag' | 'nonneg' | 'number'): void {
  let problem: string | null = null;
  if (Number.isNaN(v)) problem = end <= start ? 'is empty' : 'is not a number';
  else if (kind === 'price' && v < 0) problem = 'is negative (prices are ≥ 0)';
  else if (kind === 'nonneg' && v < 0) problem = 'is negative';
  else if (kind === 'probability' && (v < 0 || v > 1)) problem = 'is not a probability in [0, 1]';
  else if (kind === 'flag' && v !== 0 && v !== 1) problem = 'is not 0 or 1';
  if (problem) throw new InputError(`${source}:${line}: ${column} ${shown(text, start, end)} ${problem}`);
}

/**
 * Calls `fn(lineNo, start, end)` for each line (without its line break); a blank
 * line is allowed only at the end of the file. Stops when `fn` returns false.
 */
function forEachLine(text: string, source: string, from: number, fromLine: number, fn: (lineNo: number, start: number, end: number) => boolean | void): void {
  const len = text.length;
  let pos = from;
  let lineNo = fromLine;
  while (pos < len) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = len;
    lineNo++;
    let e = end;
    if (e > pos && text.charCodeAt(e - 1) === 13) e--;
    const first = e > pos ? text.charCodeAt(pos) : 32;
    if ((first === 32 || first === 9) && /^\s*$/.test(text.slice(pos, e))) {
      if (/^\s*$/.test(text.slice(end))) return;
      throw new InputError(`${source}:${lineNo}: blank line inside the log`);
    }
    const go = fn(lineNo, pos, e);
    pos = end + 1;
    if (go === false) return;
  }
}

/** Parses the `rlb` format (`click price pctr` a line). @param source file name for messages */
export function parseRlbLog(text: string, source: string): BidLog {
  const cols = new LogColumns(countLines(text), { conversion: false, value: false, timestamp: false });
  const starts = [0, 0, 0];
  const ends = [0, 0, 0];
  forEachLine(text, source, 0, 0, (lineNo, pos, e) => {
    // split on runs of spaces / tabs
    let k = 0;
    let i = pos;
    while (i < e) {
      let c = text.charCodeAt(i);
      while (i < e && (c === 32 || c === 9)) c = text.charCodeAt(++i);
      if (i >= e) break;
      const s = i;
      while (i < e && c !== 32 && c !== 9) c = text.charCodeAt(++i);
      if (k < 3) {
        starts[k] = s;
        ends[k] = i;
      }
      k++;
    }
    if (k !== 3) throw new InputError(`${source}:${lineNo}: expected 3 fields "click price pctr", got ${k}`);
    const click = parseNumber(text, starts[0]!, ends[0]!);
    checkField(source, lineNo, 'click', text, starts[0]!, ends[0]!, click, 'flag');
    const price = parseNumber(text, starts[1]!, ends[1]!);
    checkField(source, lineNo, 'price', text, starts[1]!, ends[1]!, price, 'price');
    const pctr = parseNumber(text, starts[2]!, ends[2]!);
    checkField(source, lineNo, 'pctr', text, starts[2]!, ends[2]!, pctr, 'probability');
    const j = cols.length++;
    cols.click[j] = click;
    cols.price[j] = price;
    cols.pctr[j] = pctr;
  });
  if (cols.length === 0) throw new InputError(`${source}: empty log (no auctions)`);
  return cols.finish(source);
}

/** Parses bidgym's `csv` format (header line, then comma-separated numbers). @param source file name for messages */
export function parseCsvLog(text: string, source: string): BidLog {
  let hs = -1;
  let he = -1;
  let bodyFrom = text.length;
  forEachLine(text, source, 0, 0, (_l, s, e) => {
    hs = s;
    he = e;
    const nl = text.indexOf('\n', e);
    bodyFrom = nl < 0 ? text.length : nl + 1;
    return false;
  });
  if (hs < 0) throw new InputError(`${source}: empty log (no header line)`);
  const header = text.slice(hs, he).split(',').map((h) => h.trim());
  const index = new Map<string, number>();
  header.forEach((h, i) => {
    if (!(CSV_COLUMNS as readonly string[]).includes(h)) {
      throw new InputError(`${source}:1: unknown column ${JSON.stringify(h)} in the header; the columns are ${CSV_COLUMNS.join(', ')} (price, pctr, click required)`);
    }
    if (index.has(h)) throw new InputError(`${source}:1: column "${h}" appears twice in the header`);
    index.set(h, i);
  });
  const missing = REQUIRED.filter((c) => !index.has(c));
  if (missing.length) throw new InputError(`${source}:1: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} in the header (required: ${REQUIRED.join(', ')})`);
  const cols = new LogColumns(countLines(text), { conversion: index.has('conversion'), value: index.has('value'), timestamp: index.has('timestamp') });
  const width = header.length;
  const kinds: ('price' | 'probability' | 'flag' | 'nonneg' | 'number')[] = header.map((h) =>
    h === 'price' ? 'price' : h === 'pctr' ? 'probability' : h === 'click' || h === 'conversion' ? 'flag' : h === 'value' ? 'nonneg' : 'number',
  );
  const targets = header.map((h) => h);
  const starts = new Int32Array(width);
  const ends = new Int32Array(width);
  forEachLine(text, source, bodyFrom, 1, (lineNo, pos, e) => {
    let k = 0;
    let s = pos;
    for (let i = pos; i <= e; i++) {
      if (i === e || text.charCodeAt(i) === 44) {
        if (k < width) {
          // trim spaces
          let a = s;
          let b = i;
          while (a < b && text.charCodeAt(a) === 32) a++;
          while (b > a && text.charCodeAt(b - 1) === 32) b--;
          starts[k] = a;
          ends[k] = b;
        }
        k++;
        s = i + 1;
      }
    }
    if (k !== width) throw new InputError(`${source}:${lineNo}: expected ${width} comma-separated fields (${header.join(',')}), got ${k}`);
    const j = cols.length++;
    for (let f = 0; f < width; f++) {
      const v = parseNumber(text, starts[f]!, ends[f]!);
      checkField(source, lineNo, targets[f]!, text, starts[f]!, ends[f]!, v, kinds[f]!);
      switch (targets[f]) {
        case 'price':
          cols.price[j] = v;
          break;
        case 'pctr':
          cols.pctr[j] = v;
          break;
        case 'click':
          cols.click[j] = v;
          break;
        case 'conversion':
          cols.conversion![j] = v;
          break;
        case 'value':
          cols.value![j] = v;
          break;
        case 'timestamp':
          cols.timestamp![j] = v;
          break;
      }
    }
  });
  if (cols.length === 0) throw new InputError(`${source}: empty log (a header but no auctions)`);
  return cols.finish(source);
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`${path}: cannot read the ${what}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Reads a log file in the given format. */
export function readLog(path: string, format: LogFormat): BidLog {
  const text = readText(path, 'log');
  return format === 'rlb' ? parseRlbLog(text, path) : parseCsvLog(text, path);
}

/** Text of a log in the `rlb` format (`click price pctr`; conversion, value and timestamp are dropped). */
export function formatRlbLog(log: BidLog): string {
  const out: string[] = new Array(log.length);
  for (let i = 0; i < log.length; i++) out[i] = `${log.click[i]} ${log.price[i]} ${log.pctr[i]}`;
  return `${out.join('\n')}\n`;
}

/** Text of a log in the `csv` format (every column the log has). */
export function formatCsvLog(log: BidLog): string {
  const cols: [string, ArrayLike<number>][] = [
    ['price', log.price],
    ['pctr', log.pctr],
    ['click', log.click],
  ];
  if (log.conversion) cols.push(['conversion', log.conversion]);
  if (log.value) cols.push(['value', log.value]);
  if (log.timestamp) cols.push(['timestamp', log.timestamp]);
  const out: string[] = new Array(log.length + 1);
  out[0] = cols.map(([h]) => h).join(',');
  for (let i = 0; i < log.length; i++) out[i + 1] = cols.map(([, a]) => String(a[i])).join(',');
  return `${out.join('\n')}\n`;
}

/** Writes a log file in the given format (numbers written so that they read back exactly). */
export function writeLog(path: string, log: BidLog, format: LogFormat): void {
  writeFileSync(path, format === 'rlb' ? formatRlbLog(log) : formatCsvLog(log));
}

/** Parses RLB's `info.json` (`imp_train`, `clk_train`, `cost_train`, optional `price_counter_train`). */
export function parseLogInfo(text: string, source: string): LogInfo {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${source}: not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InputError(`${source}: expected a JSON object with imp_train, clk_train, cost_train`);
  const o = raw as Record<string, unknown>;
  const num = (k: string): number => {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new InputError(`${source}: ${k} must be a number ≥ 0, got ${JSON.stringify(v)}`);
    return v;
  };
  const impTrain = num('imp_train');
  const clkTrain = num('clk_train');
  const costTrain = num('cost_train');
  if (impTrain <= 0) throw new InputError(`${source}: imp_train must be > 0`);
  let priceCounter: number[] | null = null;
  if (o.price_counter_train !== undefined) {
    const pc = o.price_counter_train;
    if (!Array.isArray(pc) || pc.length === 0) throw new InputError(`${source}: price_counter_train must be a non-empty array of counts`);
    pc.forEach((c, i) => {
      if (typeof c !== 'number' || !Number.isFinite(c) || c < 0) throw new InputError(`${source}: price_counter_train[${i}] must be a count ≥ 0, got ${JSON.stringify(c)}`);
    });
    priceCounter = pc as number[];
  }
  return { impTrain, clkTrain, costTrain, priceCounter };
}

/** Reads RLB's `info.json`. */
export function readLogInfo(path: string): LogInfo {
  return parseLogInfo(readText(path, 'training statistics'), path);
}

/** RLB's `info.json` text for training statistics. */
export function formatLogInfo(info: LogInfo): string {
  const o: Record<string, unknown> = { imp_train: info.impTrain, clk_train: info.clkTrain, cost_train: info.costTrain };
  if (info.priceCounter) o.price_counter_train = info.priceCounter;
  return `${JSON.stringify(o, null, 1)}\n`;
}

/** Writes RLB's `info.json`. */
export function writeLogInfo(path: string, info: LogInfo): void {
  writeFileSync(path, formatLogInfo(info));
}

/**
 * Training statistics computed from a (training) log: counts, cost and the
 * histogram of its prices rounded down to integers 0..maxPrice (prices above
 * maxPrice are counted at maxPrice).
 */
export function infoFromLog(log: BidLog, maxPrice: number): LogInfo {
  const counter = new Array<number>(Math.floor(maxPrice) + 1).fill(0);
  let clk = 0;
  let cost = 0;
  for (let i = 0; i < log.length; i++) {
    clk += log.click[i]!;
    cost += log.price[i]!;
    counter[Math.min(Math.floor(log.price[i]!), counter.length - 1)]!++;
  }
  return { impTrain: log.length, clkTrain: clk, costTrain: cost, priceCounter: counter };
}

/** A log from plain arrays (tests, generators). */
export function logFrom(source: string, cols: { price: ArrayLike<number>; pctr: ArrayLike<number>; click: ArrayLike<number>; conversion?: ArrayLike<number>; value?: ArrayLike<number>; timestamp?: ArrayLike<number> }): BidLog {
  const n = cols.price.length;
  for (const [k, a] of Object.entries(cols)) if (a && a.length !== n) throw new Error(`logFrom: column ${k} has ${a.length} entries, price has ${n}`);
  return {
    source,
    length: n,
    price: Float64Array.from(cols.price),
    pctr: Float64Array.from(cols.pctr),
    click: Uint8Array.from(cols.click),
    conversion: cols.conversion ? Uint8Array.from(cols.conversion) : null,
    value: cols.value ? Float64Array.from(cols.value) : null,
    timestamp: cols.timestamp ? Float64Array.from(cols.timestamp) : null,
  };
}
