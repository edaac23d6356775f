/**
 * Shared test fixtures: the tiny market many tests run, an agent context, and
 * transitions built field by field. One place, so a test says only what it
 * changes.
 */
import { createServer } from 'node:net';
import type { AgentContext, AuctionOutcome, Transition } from '../agents/core.js';
import { observationFrom } from '../env/observation.js';
import { rng } from '../env/rng.js';
import type { ConfigInput } from '../experiments/schema.js';

/** A small user population: each episode of a few hundred auctions takes milliseconds. */
export const TINY_USERS = { count: 150, topics: 4, historyLength: 3, items: 40 } as const;

/**
 * The tiny market: 2 replications of 2 training and 1 evaluation episode of 300
 * auctions among users {@link TINY_USERS}, second price, a truthful bidder `a`
 * and a shaded bidder `b` with a budget of 3. Fields of `over` replace the base's
 * (unchecked here: resolveConfig validates the result).
 * @example resolveConfig(tinyMarket({ name: 'x', bidders: [...] }))
 */
export function tinyMarket(over: Record<string, unknown> = {}): ConfigInput {
  return {
    name: 'tiny',
    seed: 11,
    replications: 2,
    episodes: 2,
    evalEpisodes: 1,
    auctionsPerEpisode: 300,
    users: { ...TINY_USERS },
    exchange: { mechanism: 'second-price' },
    bidders: [
      { id: 'a', agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 2 } },
      { id: 'b', agent: { kind: 'shaded', factor: 0.8 }, value: { kind: 'per-click', amount: 2 }, budget: 3 },
    ],
    ...over,
  } as ConfigInput;
}

/** An agent context: no budget, 100 auctions, second price, one slot, value scale 1. */
export function agentCtx(over: Partial<AgentContext> = {}): AgentContext {
  return {
    id: 'agent',
    budget: null,
    auctionsPerEpisode: 100,
    mechanism: 'second-price',
    slots: 1,
    valueScale: 1,
    rng: rng(1).stream('init'),
    ...over,
  };
}

/** The outcome of an auction that was lost. */
export const LOST: AuctionOutcome = { won: false, slot: -1, cost: 0, value: 0, clicks: 0, conversions: 0, competingBid: 0 };

/**
 * A transition on observation features `obs` (see observationFrom): a bid of
 * `action`, a reward, and by default a next observation equal to this one.
 */
export function transition(
  obs: Parameters<typeof observationFrom>[0],
  action: number,
  reward: number,
  over: Partial<Transition> = {},
): Transition {
  const observation = observationFrom(obs);
  return { observation, action, reward, nextObservation: observation, terminated: false, truncated: false, info: LOST, ...over };
}

/** A loopback port nobody listens on (just released by the OS): for a test's own redis-server. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}
