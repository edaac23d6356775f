/**
 * A held-out budget cell of the learner matrix (bench/learner-matrix.ts
 * `--heldout`, `heldout-budget-users-3slot-20`): a user market with three
 * slots (GSP, slot weights 1, 0.75, 0.5625) and a budget of 20% of what a
 * truthful bidder spends there without one — a slot count and a budget share
 * that no shipped matrix cell, test or default was chosen on. The pacing
 * baseline and Q-learning, on their defaults, must reach the issue's
 * competitive ratio of 0.9 in each of 8 replications and spend their budgets.
 * (The other learners' rows of this cell are in docs/agents.md, Budgets; they
 * take minutes, not seconds, to train 8 times.)
 */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../experiments/config.js';
import { runReplication } from '../../experiments/runner.js';

const REPS = 8;

function config(agent: Record<string, unknown>, budget?: number) {
  return resolveConfig({
    name: 'heldout-budget-users-3',
    seed: 1503,
    replications: REPS,
    episodes: 20,
    evalEpisodes: 3,
    auctionsPerEpisode: 2000,
    users: { count: 700, topics: 8, personas: 5, historyLength: 6, items: 150 },
    exchange: { mechanism: 'gsp', slots: 3, reservePrice: 0.002 },
    bidders: [
      { id: 'learner', agent, value: { kind: 'per-click', amount: 1.5 }, ...(budget !== undefined ? { budget } : {}) },
      { id: 'rival1', agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 1 } },
      { id: 'rival2', agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 2.5 } },
      { id: 'rival3', agent: { kind: 'shaded', factor: 0.8 }, value: { kind: 'per-click', amount: 2 } },
    ],
  });
}

describe('held out: three slots, a budget of 20% of unconstrained spend, in a user market', () => {
  let budgetRun: Promise<number> | null = null;
  // Calibrated as the matrix calibrates it: a truthful bidder without a budget, replication 0, no training.
  const budget = () =>
    (budgetRun ??= (async () => {
      const r = await runReplication({ ...config({ kind: 'truthful' }), episodes: 0, replications: 1 }, 0);
      return Number((0.2 * r.bidders.learner!.spend!).toPrecision(4));
    })());

  for (const kind of ['pacing', 'q-learning']) {
    it(`${kind} reaches a competitive ratio of 0.9 in every replication`, async () => {
      const cfg = config({ kind }, await budget());
      const rows: string[] = [];
      for (let r = 0; r < REPS; r++) {
        const b = (await runReplication(cfg, r)).bidders.learner!;
        rows.push(`r${r} ${b.competitiveRatio!.toFixed(3)} (spent ${b.budgetSpent!.toFixed(2)})`);
        expect(b.competitiveRatio!, rows.join(', ')).toBeGreaterThanOrEqual(0.9);
        expect(b.competitiveRatio!).toBeLessThanOrEqual(1 + 1e-9);
        expect(b.budgetSpent!).toBeGreaterThanOrEqual(0.95);
      }
      console.log(`${kind}: ${rows.join(', ')}`);
    }, 300_000);
  }
});
