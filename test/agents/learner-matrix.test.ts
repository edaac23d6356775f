/**
 * A sample of the learner matrix (bench/learner-matrix.ts, docs/agents.md), with
 * every learner on its defaults and the outcome asserted on EVERY replication
 * against an optimum known analytically or realised on the same draws. The
 * numbers (values, rivals, reserve, budget) are not those of the bench.
 *
 * - First price against two truthful rivals (values U[0, hi]): the best response
 *   bids 2/3 of the value; the learner's value-weighted bid/value (the summary's
 *   `bidToValueWeighted`, Σ bid / Σ value, as in the bench) within 0.05 of it.
 * - Held out: first price against four truthful rivals (values U[0, 2]): bid/value
 *   within 0.05 of 4/5 (not DQN, for its cost; the bench's `--heldout` run has it).
 * - First price against a rival that always bids c: the best bid is c (and a
 *   hair) when v > c; on the evaluation draws its utility is the runner's
 *   clairvoyant utility (utility + regret). The learner must reach 0.9 of the
 *   best its own action grid can do (the best grid action for every value, as a
 *   share of the best bid's expected utility), and that grid 0.9 of the best bid;
 *   at c = 0.7 on U[0, 2], and held out at 1.75 (above most values).
 * - Second price with a reserve against truthful rivals: bidding the value is
 *   the best fixed bid, and on the same draws it earns utility + regret; regret
 *   ≤ 0.1 of it.
 * - A budget of 30% of what a truthful bidder spends without one: competitive
 *   ratio ≥ 0.9 against the runner's hindsight optimum (learners and pacing).
 * - Two slots (GSP, slot weights 1 and 0.75) and a tight budget, 10% of what a
 *   truthful bidder spends without one: competitive ratio ≥ 0.9 against the
 *   multi-slot hindsight optimum (the LP over each auction's slots), which picks
 *   the slot after seeing the competing bids (learners and pacing).
 */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../experiments/config.js';
import { runReplication } from '../../experiments/runner.js';

const LEARNERS = ['q-learning', 'dqn', 'reinforce', 'actor-critic', 'linucb', 'thompson'] as const;
// Known failures (issue 12 not met there yet), skipped rather than loosened; docs/agents.md lists them.
// (linucb and dqn against the constant rival failed before the learners learnt counterfactually; they pass now.)
// (dqn fp-truthful-2 failed with the 36,000 training auctions this test once gave every learner: its Q-network ranks
// multipliers 1–3% apart in utility only after longer training; with the bench's 25 × 4,000 it passes.)
const KNOWN_FAILURES = new Set<string>();
const REPS = 3;

function pv(o: { kind: string; mechanism: string; rivals: Record<string, unknown>[]; high: number; reserve?: number; budget?: number; slots?: number; episodes: number; auctions: number; seed: number }) {
  return resolveConfig({
    name: 'matrix-sample',
    seed: o.seed,
    replications: REPS,
    episodes: o.episodes,
    evalEpisodes: 2,
    auctionsPerEpisode: o.auctions,
    exchange: { mechanism: o.mechanism, reservePrice: o.reserve ?? 0, slots: o.slots ?? 1 },
    bidders: [
      { id: 'learner', agent: { kind: o.kind }, value: { kind: 'uniform', low: 0, high: o.high }, ...(o.budget !== undefined ? { budget: o.budget } : {}) },
      ...o.rivals.map((agent, i) => ({ id: `rival${i}`, agent, value: { kind: 'uniform', low: 0, high: o.high } })),
    ],
  });
}

/** E over v ~ U[0, hi] of the best utility of the learner's actions (its policy's multipliers and levels) against a constant bid c. */
function gridShare(params: Record<string, unknown>, hi: number, c: number): number {
  const m = params.multipliers as number[];
  const levels = (params.levels as number[] | undefined) ?? [];
  const N = 10_000;
  let s = 0;
  for (let i = 0; i < N; i++) {
    const v = ((i + 0.5) / N) * hi;
    let best = 0;
    for (const b of [...m.map((x) => x * v), ...levels.map((l) => Math.min(l, v))]) if (b > c && v - b > best) best = v - b;
    s += best;
  }
  const bestBid = ((hi - c) * (hi - c)) / (2 * hi);
  return s / N / bestBid;
}

// Each cell trains a learner for several replications: up to ~45 s of CPU (DQN); allow for a loaded machine.
describe('learner matrix, a sample (every replication)', { timeout: 600_000 }, () => {
  for (const kind of LEARNERS) {
    (KNOWN_FAILURES.has(`${kind} fp-truthful-2`) ? it.skip : it)(`${kind}: first price against two truthful rivals, bid/value within 0.05 of 2/3`, async () => {
      const cfg = pv({ kind, mechanism: 'first-price', rivals: [{ kind: 'truthful' }, { kind: 'truthful' }], high: 3, episodes: 25, auctions: 4000, seed: 74 }); // the bench's training length
      for (let r = 0; r < REPS; r++) {
        const res = await runReplication(cfg, r);
        const bv = res.bidders.learner!.bidToValueWeighted!;
        console.log(`${kind} fp-truthful-2 r${r}: value-weighted b/v ${bv.toFixed(3)}, plain mean b/v ${res.bidders.learner!.bidToValue!.toFixed(3)}`);
        expect(Math.abs(bv - 2 / 3)).toBeLessThanOrEqual(0.05);
      }
    });

    // c = 0.7; and held out, a rival above most values (1.75 on U[0, 2], above 87.5% of them: the best bid earns
    // E[(v − 1.75)⁺] = 0.016 per auction, and a fixed grid of levels 0.05 × the scale apart reaches 0.9 of it only
    // when one happens to fall within about 0.0125 above c; the price levels sit one micro above it).
    for (const [c, seed, label] of [
      [0.7, 71, ''],
      [1.75, 78, ' (held out, above most values)'],
    ] as const) {
      (KNOWN_FAILURES.has(`${kind} fp-const`) ? it.skip : it)(`${kind}: first price against a constant rival at ${c}${label} reaches 0.9 of its grid's best, and the grid 0.9 of the best bid`, async () => {
        const hi = 2;
        const cfg = pv({ kind, mechanism: 'first-price', rivals: [{ kind: 'constant', amount: c }], high: hi, episodes: 12, auctions: 3000, seed });
        for (let r = 0; r < REPS; r++) {
          const res = await runReplication(cfg, r);
          const b = res.bidders.learner!;
          const reach = gridShare(res.policies.learner!.params(), hi, c);
          const best = b.utilityPerAuction! + b.regretPerAuction!;
          const share = b.utilityPerAuction! / (reach * best);
          console.log(`${kind} fp-const-${c} r${r}: grid ${reach.toFixed(3)} of the best bid, utility ${share.toFixed(3)} of the grid's best`);
          expect(reach).toBeGreaterThanOrEqual(0.9);
          expect(share).toBeGreaterThanOrEqual(0.9);
        }
      });
    }

    it(`${kind}: second price with a reserve, regret to the best fixed bid ≤ 0.1 of its utility`, async () => {
      const cfg = pv({ kind, mechanism: 'second-price', rivals: [{ kind: 'truthful' }, { kind: 'truthful' }], high: 3, reserve: 1.2, episodes: 12, auctions: 3000, seed: 72 });
      for (let r = 0; r < REPS; r++) {
        const b = (await runReplication(cfg, r)).bidders.learner!;
        const opt = b.utilityPerAuction! + b.regretPerAuction!;
        console.log(`${kind} sp-reserve r${r}: regret ${(b.regretPerAuction! / opt).toFixed(3)} of the optimum, b/v ${b.bidToValue!.toFixed(3)}`);
        expect(b.regretPerAuction!).toBeLessThanOrEqual(0.1 * opt);
      }
    });
  }

  // Held out (bench/learner-matrix.ts `--heldout` runs the like of it on other numbers): four truthful rivals,
  // values U[0, 2], best response 4/5 of the value. DQN is left out here for its cost (about 20 s a replication
  // at the bench's training length, 3 replications); the bench's held-out run has it, 8 replications.
  for (const kind of LEARNERS.filter((k) => k !== 'dqn')) {
    it(`${kind}: first price against four truthful rivals (held out), bid/value within 0.05 of 4/5`, async () => {
      const rivals = Array.from({ length: 4 }, () => ({ kind: 'truthful' }));
      const cfg = pv({ kind, mechanism: 'first-price', rivals, high: 2, episodes: 25, auctions: 4000, seed: 77 });
      for (let r = 0; r < REPS; r++) {
        const b = (await runReplication(cfg, r)).bidders.learner!;
        console.log(`${kind} fp-truthful-4 r${r}: value-weighted b/v ${b.bidToValueWeighted!.toFixed(3)}, plain mean b/v ${b.bidToValue!.toFixed(3)}`);
        expect(Math.abs(b.bidToValueWeighted! - 4 / 5)).toBeLessThanOrEqual(0.05);
      }
    });
  }

  for (const kind of ['pacing', ...LEARNERS]) {
    (KNOWN_FAILURES.has(`${kind} budget-30%`) ? it.skip : it)(`${kind}: a budget of 30% of unconstrained spend, competitive ratio ≥ 0.9`, async () => {
      const make = (k: string, budget?: number) => pv({ kind: k, mechanism: 'second-price', rivals: [{ kind: 'truthful' }, { kind: 'shaded', factor: 0.8 }], high: 1.5, budget, episodes: 12, auctions: 1500, seed: 73 });
      const spend = (await runReplication({ ...make('truthful'), episodes: 0 }, 0)).bidders.learner!.spend!;
      const cfg = make(kind, 0.3 * spend);
      for (let r = 0; r < REPS; r++) {
        const b = (await runReplication(cfg, r)).bidders.learner!;
        console.log(`${kind} budget-30% r${r}: competitive ratio ${b.competitiveRatio!.toFixed(3)}, budget spent ${b.budgetSpent!.toFixed(3)}`);
        expect(b.competitiveRatio!).toBeGreaterThanOrEqual(0.9);
        expect(b.competitiveRatio!).toBeLessThanOrEqual(1 + 1e-9);
      }
    });
  }

  for (const kind of ['pacing', ...LEARNERS]) {
    (KNOWN_FAILURES.has(`${kind} budget-2slot-10%`) ? it.skip : it)(`${kind}: two slots (GSP), a budget of 10% of unconstrained spend, competitive ratio ≥ 0.9`, async () => {
      const make = (k: string, budget?: number) =>
        pv({ kind: k, mechanism: 'gsp', slots: 2, rivals: [{ kind: 'truthful' }, { kind: 'truthful' }, { kind: 'shaded', factor: 0.8 }], high: 1.5, budget, episodes: 12, auctions: 1500, seed: 75 });
      const spend = (await runReplication({ ...make('truthful'), episodes: 0 }, 0)).bidders.learner!.spend!;
      const cfg = make(kind, 0.1 * spend);
      for (let r = 0; r < REPS; r++) {
        const b = (await runReplication(cfg, r)).bidders.learner!;
        console.log(`${kind} budget-2slot-10% r${r}: competitive ratio ${b.competitiveRatio!.toFixed(3)}, budget spent ${b.budgetSpent!.toFixed(3)}`);
        expect(b.competitiveRatio!).toBeGreaterThanOrEqual(0.9);
        expect(b.competitiveRatio!).toBeLessThanOrEqual(1 + 1e-9);
      }
    });
  }
});
