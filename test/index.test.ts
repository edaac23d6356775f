/**
 * makeEnv (index.ts) builds the rivals of a bidding env exactly as `bidgym run`
 * builds them in replication 0: the same context (value scale, streams, …) and
 * so the same bids on the same observations.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { Agent, AgentContext } from '../agents/core.js';
import { loadPolicy } from '../agents/policy.js';
import { observationFrom } from '../env/observation.js';
import { rng } from '../env/rng.js';
import { agentFactories } from '../experiments/agent-registry.js';
import { resolveConfig } from '../experiments/config.js';
import { runExperiment } from '../experiments/runner.js';
import { makeEnv } from '../index.js';
import { tinyMarket } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'bidgym-makeenv-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** The context without its stream, plus the stream's key. */
const plain = (c: AgentContext) => ({ ...c, rng: c.rng.key });

describe('makeEnv rivals are the rivals of bidgym run', () => {
  for (const kind of ['dqn', 'reinforce', 'random'] as const) {
    it(`a ${kind} rival gets the same context and bids the same through makeEnv and runExperiment`, async () => {
      const config = tinyMarket({
        name: `makeenv-${kind}`,
        seed: 5,
        replications: 1,
        episodes: 0,
        bidders: [
          { id: 'learner', agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 2 } },
          { id: 'rival', agent: { kind }, value: { kind: 'per-click', amount: 2.5 }, budget: 2 },
        ],
      });
      const made: { ctx: AgentContext; agent: Agent }[] = [];
      const original = agentFactories[kind] as (s: never, c: AgentContext) => Agent;
      vi.spyOn(agentFactories, kind).mockImplementation(((s: never, c: AgentContext) => {
        const agent = original(s, c);
        made.push({ ctx: c, agent });
        return agent;
      }) as never);

      makeEnv('bidgym/Bidding-v0', { config, learner: 'learner' });
      const out = join(root, kind);
      await runExperiment(resolveConfig(config), { outDir: out, quiet: true, workers: 1 });

      expect(made).toHaveLength(2);
      const [viaEnv, viaRun] = made as [(typeof made)[0], (typeof made)[0]];
      expect(plain(viaEnv.ctx)).toEqual(plain(viaRun.ctx));
      // valueScale is the market's (2.5 × 0.2 with users), not a placeholder 1.
      expect(viaEnv.ctx.valueScale).toBeCloseTo(0.5, 12);

      // With no training episode the run's rival policy is its initial one: the same bids.
      const envPolicy = viaEnv.agent.policy();
      const runPolicy = loadPolicy(join(out, 'policies', 'rival.json'));
      const r = rng(3).stream('obs');
      for (let i = 0; i < 200; i++) {
        const o = observationFrom({ value: 0.6 * r.next(), pctr: 0.2 * r.next(), valuePerEvent: 2.5, budgetLeft: r.next(), timeLeft: r.next() });
        expect(envPolicy.bid(o)).toBe(runPolicy.bid(o));
      }
    });
  }
});
