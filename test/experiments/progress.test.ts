import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeProgress } from '../../experiments/progress.js';

describe('makeProgress', () => {
  const isTTY = process.stderr.isTTY;
  afterEach(() => {
    process.stderr.isTTY = isTTY;
    vi.restoreAllMocks();
  });

  it('writes nothing when disabled or when stderr is not a terminal', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    process.stderr.isTTY = true;
    const off = makeProgress(false, 'auctions');
    off.update(1, 10);
    off.stop();
    process.stderr.isTTY = false;
    const piped = makeProgress(true, 'auctions');
    piped.update(5, 10);
    piped.stop();
    expect(write).not.toHaveBeenCalled();
  });

  it('draws a bar with the count and the unit on a terminal', () => {
    const out: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
    process.stderr.isTTY = true;
    const bar = makeProgress(true, 'trials');
    bar.update(3, 4);
    bar.stop();
    expect(out.join('')).toMatch(/3\/4 trials/);
  });
});
