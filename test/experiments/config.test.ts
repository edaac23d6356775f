import { describe, expect, it } from 'vitest';
import { ConfigError, configHash, parseConfigText, resolveConfig } from '../../experiments/config.js';

const base = () => ({
  name: 'x',
  exchange: { mechanism: 'second-price' },
  bidders: [
    { id: 'a', agent: { kind: 'truthful' }, value: { kind: 'uniform', low: 0, high: 1 } },
    { id: 'b', agent: { kind: 'truthful' }, value: { kind: 'uniform', low: 0, high: 1 } },
  ],
});

function errorOf(raw: unknown): ConfigError {
  try {
    resolveConfig(raw);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('config validation', () => {
  it('fills every default (users: { count } alone is a full population)', () => {
    const cfg = resolveConfig({ ...base(), users: { count: 500 } });
    expect(cfg.seed).toBe(42);
    expect(cfg.replications).toBe(3);
    expect(cfg.users!.topics).toBe(16);
    expect(cfg.users!.historyLength).toBe(20);
    expect(cfg.exchange.slotWeights).toEqual([1]);
    expect(cfg.exchange.participantsPerAuction).toBeNull();
    expect(cfg.interestModel).toEqual({ kind: 'oracle' });
  });

  it('expands copies into id-1 … id-n', () => {
    const raw = base();
    raw.bidders[1] = { ...raw.bidders[1]!, copies: 3 } as never;
    expect(resolveConfig(raw).bidders.map((b) => b.id)).toEqual(['a', 'b-1', 'b-2', 'b-3']);
  });

  it('names the field and the choices for a misspelt agent kind', () => {
    const raw = base();
    (raw.bidders[0]!.agent as { kind: string }).kind = 'q-learnin';
    const e = errorOf(raw);
    expect(e.path).toBe('bidders[0].agent.kind');
    expect(e.message).toMatch(/^bidders\[0\]\.agent\.kind: expected one of truthful, shaded, .*— got "q-learnin"$/);
  });

  it.each([
    ['unknown key', (r: any) => (r.exchange.mechanizm = 'gsp'), 'exchange', /unknown key "mechanizm"/],
    ['wrong type', (r: any) => (r.auctionsPerEpisode = 'many'), 'auctionsPerEpisode', /expected number — got "many"/],
    ['NaN', (r: any) => (r.exchange.reservePrice = NaN), 'exchange.reservePrice', /NaN/],
    ['negative budget', (r: any) => (r.bidders[0].budget = -5), 'bidders[0].budget', /expected a number > 0 — got -5/],
    ['low > high', (r: any) => (r.bidders[1].value = { kind: 'uniform', low: 2, high: 1 }), 'bidders[1].value.low', /low ≤ high/],
    ['duplicate ids', (r: any) => (r.bidders[1].id = 'a'), 'bidders[1].id', /duplicate bidder id "a"/],
    ['duplicate ids from copies', (r: any) => ((r.bidders[0].id = 'b-2'), (r.bidders[1].copies = 2)), 'bidders[1].id', /duplicate bidder id "b-2"/],
    ['missing mechanism', (r: any) => delete r.exchange.mechanism, 'exchange.mechanism', /required|expected one of/],
    ['bad mechanism', (r: any) => (r.exchange.mechanism = 'dutch'), 'exchange.mechanism', /expected one of first-price, second-price, gsp, vcg — got "dutch"/],
    ['per-click without users', (r: any) => (r.bidders[0].value = { kind: 'per-click', amount: 1 }), 'bidders[0].value.kind', /needs users/],
    ['too many participants', (r: any) => (r.exchange.participantsPerAuction = 3), 'exchange.participantsPerAuction', /at most the number of bidders \(2\)/],
    ['second price with two slots', (r: any) => (r.exchange.slots = 2), 'exchange.mechanism', /one slot/],
    ['increasing slot weights', (r: any) => ((r.exchange.mechanism = 'gsp'), (r.exchange.slots = 2), (r.exchange.slotWeights = [1, 1.2])), 'exchange.slotWeights[1]', /./],
    ['no bidders', (r: any) => (r.bidders = []), 'bidders', /expected a list of ≥ 1 entries/],
    ['missing name', (r: any) => delete r.name, 'name', /required/],
    ['copies of 1e8 (took minutes to expand) or 2^32 (a RangeError)', (r: any) => (r.bidders[0].copies = 2 ** 32), 'bidders[0].copies', /expected a number ≤ 10000 — got 4294967296/],
    ['more than 10,000 bidders in all, copies included', (r: any) => ((r.bidders[0].copies = 6000), (r.bidders[1].copies = 5000)), 'bidders[1].copies', /11,000 bidders in all \(copies included\) is more than the 10,000 a market may have/],
    ['objective calling import', (r: any) => (r.bidders[0].objective = 'import({})'), 'bidders[0].objective', /./],
    ['objective with an unknown symbol', (r: any) => (r.bidders[1].objective = 'value - cost'), 'bidders[1].objective', /cost/],
  ])('%s → a ConfigError at the field', (_what, mutate, path, msg) => {
    const raw = base();
    mutate(raw);
    const e = errorOf(raw);
    expect(e.path).toBe(path);
    expect(e.message).toMatch(msg);
  });

  it('refuses unparsable YAML with its line', () => {
    expect(() => parseConfigText('name: x\nexchange: [unclosed\n', 'bad.yaml')).toThrow(/bad\.yaml: not valid YAML\/JSON \(line \d+/);
  });

  it('refuses duplicate YAML keys', () => {
    expect(() => parseConfigText('name: x\nname: y\n', 'dup.yaml')).toThrow(ConfigError);
  });

  it('hashes equal configs equally, whatever the key order', () => {
    const a = resolveConfig(base());
    const raw = base();
    const b = resolveConfig({ bidders: raw.bidders, exchange: raw.exchange, name: raw.name });
    expect(configHash(a)).toBe(configHash(b));
    expect(configHash(resolveConfig({ ...base(), seed: 1 }))).not.toBe(configHash(a));
  });
});
