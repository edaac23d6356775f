import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveAutoBidConfig } from '../../experiments/autobid-config.js';
import { ID_MAX_LENGTH, idProblem, isValidId } from '../../experiments/ids.js';

describe('the id rule', () => {
  it('accepts the ids of the shipped configs and of copies', () => {
    for (const id of ['truthful', 'shaded', 'paced', 'rival', 'rival-1', 'rival-12', 'learner', 'bidder_2', 'A1', 'quickstart', 'auctiongym-sp-oracle', 'x'.repeat(ID_MAX_LENGTH)]) {
      expect(idProblem(id), id).toBeNull();
    }
  });

  it('refuses what would be a hidden, temporary or nested file name, an object key every object has, or too long a name', () => {
    const bad: [unknown, RegExp][] = [
      ['', /empty/],
      ['.tmp-x', /letters, digits/],
      ['..', /letters, digits/],
      ['a/b', /letters, digits/],
      ['a\\b', /letters, digits/],
      ['a b', /letters, digits/],
      ['a.b', /letters, digits/],
      ['a:b', /letters, digits/],
      ['-a', /letters, digits/],
      ['_a', /letters, digits/],
      ['__proto__', /letters, digits/],
      ['constructor', /reserved/],
      ['toString', /reserved/],
      ['hasOwnProperty', /reserved/],
      ['NUL', /reserved/],
      ['com1', /reserved/],
      ['é', /letters, digits/],
      ['x'.repeat(ID_MAX_LENGTH + 1), /at most 64 characters, got 65/],
      ['x'.repeat(250), /at most 64/],
      [42, /expected a string/],
    ];
    for (const [id, why] of bad) expect(idProblem(id), String(id)).toMatch(why);
  });

  it('a valid id is a safe file name: no separator, no leading dot, not . or ..', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9._\/\\ -]{0,80}$/), (s) => {
        if (!isValidId(s)) return;
        expect(s).not.toMatch(/[/\\\0]/);
        expect(s.startsWith('.')).toBe(false);
        expect(s.length).toBeLessThanOrEqual(ID_MAX_LENGTH);
        expect(Object.prototype.hasOwnProperty.call(Object.prototype, s)).toBe(false);
      }),
    );
  });

  it('step-level configs follow the same rule for bidder ids and the name (a 250-character id was ENAMETOOLONG, exit 1, after the run)', () => {
    const cfg = (id: string, name = 'sl') => ({ name, steps: 4, auctionsPerEpisode: 400, bidders: [{ id, agent: { kind: 'pid' }, budget: 100, cpa: 10 }] });
    expect(resolveAutoBidConfig(cfg('adv-00')).bidders[0]!.id).toBe('adv-00');
    for (const [id, why] of [['x'.repeat(250), /^bidders\[0\]\.id: at most 64 characters, got 250$/], ['__proto__', /^bidders\[0\]\.id: expected letters/], ['..', /^bidders\[0\]\.id: expected letters/], ['constructor', /^bidders\[0\]\.id: "constructor" is reserved/]] as const) {
      expect(() => resolveAutoBidConfig(cfg(id)), id).toThrow(why);
    }
    expect(() => resolveAutoBidConfig(cfg('a', '..'))).toThrow(/^name: expected letters/);
  });
});
