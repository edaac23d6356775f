/**
 * bidgym's learners as step-level auto-bidders (agents/autobid/step-learner.ts:
 * the per-auction learner classes through an adapter, with the Lagrangian
 * CPA-aware reward).
 *
 * Outcome (every replication, on the baselines' small market: 7 fixed-factor
 * rivals, 50,000 opportunities, 48 steps; 30 training episodes, then 3
 * evaluation episodes played frozen): `q-learning`
 * - with an ample budget ends within ±10% of the target CPA and scores at
 *   least 80% of the best fixed factor in hindsight (bisection for the factor
 *   whose CPA meets the target on the same evaluation episodes; a floor
 *   against degenerate play — measured 0.87, 0.98, 0.99: its 25 factors are
 *   coarser than the bisection, and it ends a little under the target);
 * - with a binding budget spends at least 80% of it with CPA ≤ 1.1 × target.
 * The other three kinds (dqn, reinforce, actor-critic) do not meet these on
 * this market with these defaults (docs/autobidding.md has their numbers); the
 * test asserts what holds of them: they run, train deterministically, export
 * and replay.
 *
 * Mechanics, for every kind: the exported step-level policy file, evaluated on
 * the config and seed that trained it, gives exactly the run's figures;
 * training is deterministic; bad fields are refused with one line.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { Abid, abidSchema } from '../../../agents/autobid/abid.js';
import { loadAutoBidPolicy } from '../../../agents/autobid/policy-file.js';
import { dualPriceFeature, makeInnerLearner, StepLearner, STEP_LEARNER_KINDS, STEP_LEARNER_SCHEMAS, type StepLearnerArgs } from '../../../agents/autobid/step-learner.js';
import type { AutoBidder } from '../../../env/autobid/core.js';
import { runStepEpisode } from '../../../env/autobid/market.js';
import { InputError } from '../../../env/errors.js';
import { rng } from '../../../env/rng.js';
import { resolveAutoBidConfig, type AutoBidConfigInput } from '../../../experiments/autobid-config.js';
import { runAutoBid } from '../../../experiments/autobid-run.js';
import { evaluateAutoBidCommand } from '../../../experiments/policy-commands.js';
import { smallMarket } from '../../env/autobid/fixture.js';
import { makeEnv } from '../../../index.js';

const REPLICATIONS = [0, 1, 2];
const TRAIN = 30;
const EVAL = 3;
const TARGET = 60;
const OPPORTUNITIES = 50_000;

function argsOf(kind: (typeof STEP_LEARNER_KINDS)[number], extra: Record<string, unknown> = {}): StepLearnerArgs {
  return STEP_LEARNER_SCHEMAS[kind].parse({ kind, ...extra }) as StepLearnerArgs;
}

function evaluate(me: AutoBidder, budget: number, seed: number) {
  const { spec, source } = smallMarket({ budget, cpa: TARGET, opportunities: OPPORTUNITIES });
  const bidders = spec.advertisers.map((_, i) => (i === 0 ? me : new Abid()));
  const root = rng(seed);
  let conversions = 0;
  let cost = 0;
  let spent = 0;
  let score = 0;
  for (let e = 0; e < EVAL; e++) {
    const r = runStepEpisode(spec, source, bidders, root.stream(`eval:${e}`))[0]!;
    conversions += r.conversions;
    cost += r.cost;
    spent += r.budgetSpent / EVAL;
    score += r.score / EVAL;
  }
  return { cpaRatio: cost / conversions / TARGET, spent, score };
}

function trained(kind: (typeof STEP_LEARNER_KINDS)[number], budget: number, seed: number, episodes = TRAIN, opportunities = OPPORTUNITIES): StepLearner {
  const { spec, source } = smallMarket({ budget, cpa: TARGET, opportunities });
  const args = argsOf(kind);
  const learner = new StepLearner(args, makeInnerLearner(args, rng(seed).stream('init')));
  const bidders = spec.advertisers.map((_, i) => (i === 0 ? learner : new Abid()));
  const root = rng(seed);
  learner.setLearning(true);
  for (let e = 0; e < episodes; e++) runStepEpisode(spec, source, bidders, root.stream(`train:${e}`));
  learner.setLearning(false);
  return learner;
}

/** The fixed factor whose CPA meets the target on the evaluation episodes (bisection on log factor; CPA grows with the factor). */
function bestFixedFactor(budget: number, seed: number) {
  let lo = Math.log(0.2);
  let hi = Math.log(5);
  let best = evaluate(new Abid(abidSchema.parse({ kind: 'abid', factor: Math.exp(lo) })), budget, seed);
  for (let k = 0; k < 8; k++) {
    const mid = (lo + hi) / 2;
    const r = evaluate(new Abid(abidSchema.parse({ kind: 'abid', factor: Math.exp(mid) })), budget, seed);
    if (r.cpaRatio <= 1) {
      lo = mid;
      if (r.score > best.score) best = r;
    } else hi = mid;
  }
  return best;
}

describe('step-level q-learning with the Lagrangian CPA-aware reward', () => {
  it('ample budget: CPA within ±10% of the target, score ≥ 80% of the best fixed factor, every replication', () => {
    const results = REPLICATIONS.map((seed) => {
      const learner = trained('q-learning', 200_000, seed);
      const r = evaluate(learner, 200_000, seed);
      const oracle = bestFixedFactor(200_000, seed);
      console.log(`q-learning ample seed ${seed}: CPA/target ${r.cpaRatio.toFixed(3)}, spent ${r.spent.toFixed(3)}, score ${r.score.toFixed(1)} (best fixed factor ${oracle.score.toFixed(1)}, ${(r.score / oracle.score).toFixed(3)}), duals ${JSON.stringify(learner.duals())}`);
      return { r, oracle };
    });
    for (const { r, oracle } of results) {
      expect(Math.abs(r.cpaRatio - 1)).toBeLessThanOrEqual(0.1);
      expect(r.score).toBeGreaterThanOrEqual(0.8 * oracle.score);
    }
  }, 120_000);

  it('binding budget: spends ≥ 80% of it with CPA ≤ 1.1 × target, every replication', () => {
    for (const seed of REPLICATIONS) {
      const learner = trained('q-learning', 3_000, seed);
      const r = evaluate(learner, 3_000, seed);
      console.log(`q-learning tight seed ${seed}: CPA/target ${r.cpaRatio.toFixed(3)}, spent ${r.spent.toFixed(3)}, score ${r.score.toFixed(1)}, duals ${JSON.stringify(learner.duals())}`);
      expect(r.spent).toBeGreaterThanOrEqual(0.8);
      expect(r.spent).toBeLessThanOrEqual(1 + 1e-9);
      expect(r.cpaRatio).toBeLessThanOrEqual(1.1);
    }
  }, 120_000);
});

describe('the adapter', () => {
  it('dualPrice maps κ = (μ + ν) / (1 + μ) from 0.01 … 100 onto [0, 1] (κ = 1 in the middle)', () => {
    expect(dualPriceFeature(1, 1)).toBeCloseTo(0.5, 12);
    expect(dualPriceFeature(0.1, 0.1)).toBeCloseTo((Math.log10(0.2 / 1.1) + 2) / 4, 12);
    expect(dualPriceFeature(1e-3, 1e-3)).toBe(0); // κ ≈ 0.002 < 0.01: clipped
    expect(dualPriceFeature(0, 1e-9)).toBe(0);
    expect(dualPriceFeature(1, 1e6)).toBe(1);
  });

  it('training is deterministic for a seed, for every kind; the frozen policy plays what its params rebuild', () => {
    for (const kind of STEP_LEARNER_KINDS) {
      const a = trained(kind, 2_000, 4, 3, 6_000);
      const b = trained(kind, 2_000, 4, 3, 6_000);
      expect(JSON.stringify(a.params()), kind).toBe(JSON.stringify(b.params()));
    }
  });

  it('bad fields are refused with one line naming the field', () => {
    const base = { name: 'x', steps: 12, episodes: 2, auctionsPerEpisode: 1000, bidders: [{ id: 'q', agent: { kind: 'q-learning' }, budget: 100, cpa: 60 }] };
    const bad = (agent: Record<string, unknown>, extra: Record<string, unknown> = {}) => () => resolveAutoBidConfig({ ...base, ...extra, bidders: [{ ...base.bidders[0]!, agent }] });
    expect(bad({ kind: 'q-learning', features: ['valuee'] })).toThrow(InputError);
    expect(bad({ kind: 'q-learning', features: ['valuee'] })).toThrow(/^bidders\[0\]\.agent\.features\[0\]: /);
    expect(bad({ kind: 'dqn', pacing: true })).toThrow(/^bidders\[0\]\.agent: unknown key "pacing"/);
    expect(bad({ kind: 'reinforce', multipliers: [0.5, 0.4] })).toThrow(/^bidders\[0\]\.agent\.multipliers: expected increasing factors/);
    expect(bad({ kind: 'actor-critic', muInit: 1e4 })).toThrow(/^bidders\[0\]\.agent\.muInit: expected muMin ≤ muInit ≤ muMax/);
    expect(bad({ kind: 'q-learning' }, { episodes: 0 })).toThrow(/^episodes: bidders\[0\] learns online \(q-learning\)/);
    expect(bad({ kind: 'q-learning', features: ['timeLeft', 'budgetLeft', 'cpaRatio', 'spendPace', 'priceLast'] })).toThrow(/^bidders\[0\]\.agent\.features: expected at most 1000000 states/);
    // A step-level exchange is GSP, and the message says so.
    expect(() => resolveAutoBidConfig({ ...base, exchange: { mechanism: 'second-price' } })).toThrow(/^exchange\.mechanism: a step-level config \(steps > 1\) is sold by GSP.*got "second-price"$/);
    for (const kind of STEP_LEARNER_KINDS) expect(() => resolveAutoBidConfig({ ...base, bidders: [{ ...base.bidders[0]!, agent: { kind } }] })).not.toThrow();
  });
});

describe('step-level learners as policy files', () => {
  const market = { seed: 3, replications: 1, episodes: 3, evalEpisodes: 2, steps: 12, auctionsPerEpisode: 6000, exchange: { mechanism: 'gsp' as const, slots: 3, exposure: [1, 0.8, 0.6], reservePrice: 0.01 } };
  const rivals = [{ id: 'rival', copies: 3, agent: { kind: 'abid' as const }, budget: 1e6, cpa: 70, category: 2 }];

  it('each kind: the run writes a level-step file, and evaluating it on the same seed gives exactly the run\'s figures', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'step-learners-'));
    for (const kind of STEP_LEARNER_KINDS) {
      const cfg: AutoBidConfigInput = { name: `learner-${kind}`, ...market, bidders: [{ id: 'me', agent: { kind, features: ['budgetLeft', 'expectedCpaRatio'] }, budget: 300, cpa: 60 }, ...rivals] };
      const configPath = join(dir, `${kind}.yaml`);
      writeFileSync(configPath, stringify(cfg));
      const run = await runAutoBid(resolveAutoBidConfig(cfg), { configDir: dir, outDir: join(dir, `run-${kind}`) });
      const file = join(dir, `run-${kind}`, 'policies', 'me.json');
      const doc = JSON.parse(readFileSync(file, 'utf8'));
      expect(doc.level).toBe('step');
      expect(doc.kind).toBe(kind);
      expect(doc.features.map((f: { name: string }) => f.name)).toEqual(['timeLeft', 'budgetLeft', 'expectedCpaRatio']);
      expect(doc.params.policy.kind).toBe(kind);
      expect(doc.provenance.training.trainingEpisodes).toBe(3);
      expect(loadAutoBidPolicy(file).kind).toBe(kind);
      const s = await evaluateAutoBidCommand({ policy: file, config: configPath, out: join(dir, `eval-${kind}`) });
      const { kind: _k, ...mine } = s.bidders.me;
      const { kind: _k2, ...theirs } = run.summary.bidders.me!;
      expect(mine, kind).toEqual(theirs);
      // A tampered inner policy is refused, naming the field.
      const bad = structuredClone(doc);
      bad.params.policy.params.multipliers = [1, 2];
      expect(() => loadAutoBidPolicy(bad)).toThrow(/params|checksum/);
    }
  }, 120_000);
});

describe('bidgym/AutoBidding-v0 with rivals that learn', () => {
  it('a q-learning and a dqn rival play (and learn) as the env steps; the same seed gives the same episode', () => {
    const config = {
      name: 'gym-learners',
      steps: 12,
      auctionsPerEpisode: 3000,
      bidders: [
        { id: 'me', agent: { kind: 'abid' }, budget: 300, cpa: 60 },
        { id: 'q', agent: { kind: 'q-learning' }, budget: 300, cpa: 60 },
        { id: 'd', agent: { kind: 'dqn' }, budget: 300, cpa: 70, category: 1 },
      ],
      episodes: 1,
    };
    const play = () => {
      const env = makeEnv('bidgym/AutoBidding-v0', { config, seed: 2 });
      env.reset({ seed: 2 });
      const rewards: number[] = [];
      for (let e = 0; e < 2; e++) {
        if (e > 0) env.reset();
        for (;;) {
          const r = env.step(Float64Array.of(0.9));
          rewards.push(r.reward);
          if (r.terminated || r.truncated) break;
        }
      }
      return rewards;
    };
    const a = play();
    expect(a.length).toBeGreaterThan(12);
    expect(a.every(Number.isFinite)).toBe(true);
    expect(play()).toEqual(a);
  });
});
