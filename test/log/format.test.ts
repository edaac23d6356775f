import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../env/errors.js';
import {
  formatCsvLog,
  formatLogInfo,
  formatRlbLog,
  infoFromLog,
  logFrom,
  parseCsvLog,
  parseLogInfo,
  parseRlbLog,
  readLog,
  readLogInfo,
  writeLog,
  writeLogInfo,
} from '../../env/log/format.js';
import { lognormalPricePdf, sampleLog } from '../../env/log/generate.js';
import { rng } from '../../env/rng.js';

const dir = mkdtempSync(join(tmpdir(), 'bidgym-log-format-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const world = { pricePdf: lognormalPricePdf(60, 0.8, 300), meanCtr: 0.004, ctrSpread: 0.9 };

function expectError(f: () => unknown, pattern: RegExp): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(InputError);
  const msg = (err as Error).message;
  expect(msg).not.toContain('\n');
  expect(msg).toMatch(pattern);
}

describe('rlb format', () => {
  it('reads click price pctr lines into typed arrays', () => {
    const log = parseRlbLog('0 70 0.0021143609192222357\n1 6 0.003329537808895111\n0 0 1e-3\n', 'x.txt');
    expect(log.length).toBe(3);
    expect(Array.from(log.click)).toEqual([0, 1, 0]);
    expect(Array.from(log.price)).toEqual([70, 6, 0]);
    expect(Array.from(log.pctr)).toEqual([0.0021143609192222357, 0.003329537808895111, 0.001]);
    expect(log.price).toBeInstanceOf(Float64Array);
    expect(log.click).toBeInstanceOf(Uint8Array);
  });

  it('accepts tabs, runs of spaces, CRLF and a trailing blank line', () => {
    const log = parseRlbLog('0\t5  0.25\r\n1 7 0.5\r\n\r\n', 'x.txt');
    expect(Array.from(log.price)).toEqual([5, 7]);
    expect(Array.from(log.pctr)).toEqual([0.25, 0.5]);
  });

  it('round-trips a generated log exactly', () => {
    const log = sampleLog(world, 5000, rng(3).stream('log'));
    const back = parseRlbLog(formatRlbLog(log), 'gen');
    expect(back.length).toBe(log.length);
    expect(Array.from(back.price)).toEqual(Array.from(log.price));
    expect(Array.from(back.click)).toEqual(Array.from(log.click));
    expect(Array.from(back.pctr)).toEqual(Array.from(log.pctr));
    const file = join(dir, 'gen.txt');
    writeLog(file, log, 'rlb');
    expect(Array.from(readLog(file, 'rlb').pctr)).toEqual(Array.from(log.pctr));
  });

  it('names the file and the line of a bad line', () => {
    expectError(() => parseRlbLog('0 5 0.1\n0 5\n', 'bad.txt'), /^bad\.txt:2: expected 3 fields/);
    expectError(() => parseRlbLog('0 5 0.1\n0 5 0.1 7\n', 'bad.txt'), /^bad\.txt:2: expected 3 fields .*got 4/);
    expectError(() => parseRlbLog('0 5 0.1\n0 5 0.1\n0 abc 0.1\n', 'bad.txt'), /^bad\.txt:3: price "abc" is not a number/);
    expectError(() => parseRlbLog('0 -5 0.1\n', 'bad.txt'), /^bad\.txt:1: price "-5" is negative/);
    expectError(() => parseRlbLog('2 5 0.1\n', 'bad.txt'), /^bad\.txt:1: click "2" is not 0 or 1/);
    expectError(() => parseRlbLog('0 5 1.5\n', 'bad.txt'), /^bad\.txt:1: pctr "1.5" is not a probability/);
    expectError(() => parseRlbLog('0 5 0x10\n', 'bad.txt'), /^bad\.txt:1: pctr "0x10" is not a number/);
    expectError(() => parseRlbLog('0 Infinity 0.1\n', 'bad.txt'), /^bad\.txt:1: price "Infinity" is not a number/);
    expectError(() => parseRlbLog('0 5 0.1\n\n0 5 0.1\n', 'bad.txt'), /^bad\.txt:2: blank line inside the log/);
    expectError(() => parseRlbLog('', 'empty.txt'), /^empty\.txt: empty log/);
    expectError(() => parseRlbLog('\n\n', 'empty.txt'), /^empty\.txt: empty log/);
    expectError(() => readLog(join(dir, 'missing.txt'), 'rlb'), /missing\.txt: cannot read the log: ENOENT/);
  });
});

describe('csv format', () => {
  it('reads the header in any order with optional columns', () => {
    const log = parseCsvLog('click,pctr,price,timestamp,value,conversion\n1,0.5,12.5,100,3,1\n0, 0.25 ,0,101,0,0\n', 'x.csv');
    expect(Array.from(log.price)).toEqual([12.5, 0]);
    expect(Array.from(log.pctr)).toEqual([0.5, 0.25]);
    expect(Array.from(log.click)).toEqual([1, 0]);
    expect(Array.from(log.conversion!)).toEqual([1, 0]);
    expect(Array.from(log.value!)).toEqual([3, 0]);
    expect(Array.from(log.timestamp!)).toEqual([100, 101]);
    const plain = parseCsvLog('price,pctr,click\n1,0.1,0\n', 'y.csv');
    expect(plain.conversion).toBeNull();
    expect(plain.value).toBeNull();
    expect(plain.timestamp).toBeNull();
  });

  it('round-trips every column', () => {
    const g = sampleLog(world, 2000, rng(4).stream('log'));
    const s = rng(4).stream('extra');
    const log = logFrom('g', {
      price: Array.from(g.price, (p) => p / 7),
      pctr: g.pctr,
      click: g.click,
      conversion: Array.from(g.click, (c) => (c && s.next() < 0.3 ? 1 : 0)),
      value: Array.from(g.pctr, (p) => p * 1234.5),
      timestamp: Array.from(g.pctr, (_, i) => 1.6e9 + i * 0.37),
    });
    const back = parseCsvLog(formatCsvLog(log), 'g.csv');
    for (const k of ['price', 'pctr', 'click', 'conversion', 'value', 'timestamp'] as const) expect(Array.from(back[k]!)).toEqual(Array.from(log[k]!));
    const file = join(dir, 'g.csv');
    writeLog(file, log, 'csv');
    expect(Array.from(readLog(file, 'csv').price)).toEqual(Array.from(log.price));
  });

  it('names the file and the line of a bad file', () => {
    expectError(() => parseCsvLog('price,pctr\n1,0.1\n', 'b.csv'), /^b\.csv:1: missing column click in the header/);
    expectError(() => parseCsvLog('price,click\n1,0\n', 'b.csv'), /^b\.csv:1: missing column pctr/);
    expectError(() => parseCsvLog('price,pctr,click,cost\n1,0.1,0,3\n', 'b.csv'), /^b\.csv:1: unknown column "cost"/);
    expectError(() => parseCsvLog('price,pctr,click,price\n1,0.1,0,3\n', 'b.csv'), /^b\.csv:1: column "price" appears twice/);
    expectError(() => parseCsvLog('price,pctr,click\n1,0.1,0\n2,0.1\n', 'b.csv'), /^b\.csv:3: expected 3 comma-separated fields/);
    expectError(() => parseCsvLog('price,pctr,click\n1,0.1,0\n2,,0\n', 'b.csv'), /^b\.csv:3: pctr "" is empty/);
    expectError(() => parseCsvLog('price,pctr,click\n-1,0.1,0\n', 'b.csv'), /^b\.csv:2: price "-1" is negative/);
    expectError(() => parseCsvLog('price,pctr,click\nx,0.1,0\n', 'b.csv'), /^b\.csv:2: price "x" is not a number/);
    expectError(() => parseCsvLog('price,pctr,click,value\n1,0.1,0,-2\n', 'b.csv'), /^b\.csv:2: value "-2" is negative/);
    expectError(() => parseCsvLog('', 'e.csv'), /^e\.csv: empty log \(no header line\)/);
    expectError(() => parseCsvLog('price,pctr,click\n', 'e.csv'), /^e\.csv: empty log \(a header but no auctions\)/);
  });
});

describe('info.json', () => {
  it('round-trips and is computed from a training log', () => {
    const train = sampleLog(world, 3000, rng(5).stream('train'));
    const info = infoFromLog(train, 300);
    expect(info.impTrain).toBe(3000);
    expect(info.priceCounter!.length).toBe(301);
    expect(info.priceCounter!.reduce((a, b) => a + b, 0)).toBe(3000);
    expect(info.costTrain).toBe(Array.from(train.price).reduce((a, b) => a + b, 0));
    expect(info.clkTrain).toBe(Array.from(train.click).reduce((a, b) => a + b, 0));
    expect(parseLogInfo(formatLogInfo(info), 'i.json')).toEqual(info);
    const file = join(dir, 'info.json');
    writeLogInfo(file, info);
    expect(readLogInfo(file)).toEqual(info);
  });

  it('rejects bad statistics with one line naming the field', () => {
    expectError(() => parseLogInfo('{', 'i.json'), /^i\.json: not valid JSON/);
    expectError(() => parseLogInfo('{"imp_train": 10, "clk_train": 1}', 'i.json'), /^i\.json: cost_train must be a number/);
    expectError(() => parseLogInfo('{"imp_train": 0, "clk_train": 1, "cost_train": 3}', 'i.json'), /^i\.json: imp_train must be > 0/);
    expectError(() => parseLogInfo('{"imp_train": 1, "clk_train": 1, "cost_train": 3, "price_counter_train": [1, -1]}', 'i.json'), /price_counter_train\[1\]/);
    writeFileSync(join(dir, 'bad.json'), '[]');
    expectError(() => readLogInfo(join(dir, 'bad.json')), /bad\.json: expected a JSON object/);
  });
});

describe('LogRecorder', () => {
  it('grows and returns what was added, every column', async () => {
    const { LogRecorder } = await import('../../env/log/recorder.js');
    const r = new LogRecorder();
    for (let i = 0; i < 3000; i++) r.add(i % 37, (i % 11) / 100, i % 7 === 0 ? 1 : 0, i % 21 === 0 ? 1 : 0, i * 0.5, 1000 + i);
    const log = r.toLog('rec');
    expect(log.length).toBe(3000);
    expect(log.price[2999]).toBe(2999 % 37);
    expect(log.pctr[13]).toBe(0.02);
    expect(log.click.reduce((a, b) => a + b, 0)).toBe(Math.ceil(3000 / 7));
    expect(log.conversion![21]).toBe(1);
    expect(log.value![10]).toBe(5);
    expect(log.timestamp![0]).toBe(1000);
    expect(parseCsvLog(formatCsvLog(log), 'rec.csv').value![2999]).toBe(1499.5);
  });
});
