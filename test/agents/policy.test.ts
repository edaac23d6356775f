import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Policy } from '../../agents/core.js';
import { canonicalJson, checkPolicyFits, loadPolicy, policyChecksum, policyDocument, PolicyError, writePolicyFile, type PolicyFile } from '../../agents/policy.js';
import { OBS, OBS_FEATURES, OBS_SIZE } from '../../env/observation.js';
import { rng } from '../../env/rng.js';
import { resolveConfig } from '../../experiments/config.js';
import { runReplication } from '../../experiments/runner.js';
import { qLearningSchema } from '../../experiments/agent-schema.js';

const KINDS = ['truthful', 'shaded', 'constant', 'random', 'pacing', 'q-learning', 'dqn', 'reinforce', 'actor-critic', 'linucb', 'thompson'] as const;
const LEARNERS = ['q-learning', 'dqn', 'reinforce', 'actor-critic', 'linucb', 'thompson'] as const;

const provenance = (bidder: string) => ({ configHash: 'abc123', seed: 7, bidder, training: { episodes: 2 } });

/** Random observations over (and a little beyond) the features' ranges. */
function randomObservations(n: number, seed: number): Float64Array[] {
  const r = rng(seed).stream('obs');
  return Array.from({ length: n }, () => {
    const o = new Float64Array(OBS_SIZE);
    o[OBS.value] = r.next() < 0.05 ? 0 : 2 * r.next() ** 2;
    o[OBS.pctr] = r.next() * 0.2;
    o[OBS.pcvr] = r.next();
    o[OBS.valuePerEvent] = 2;
    o[OBS.budgetLeft] = r.next();
    o[OBS.timeLeft] = r.next();
    o[OBS.coldStart] = r.next() < 0.1 ? 1 : 0;
    o[OBS.historyFill] = r.next();
    o[OBS.sessionDepth] = r.int(20);
    o[OBS.fatigue] = 5 * r.next();
    o[OBS.reservePrice] = 0.01;
    return o;
  });
}

describe('policy files', () => {
  const policies = new Map<string, Policy>();
  let dir = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bidgym-policy-'));
    // Every kind trained briefly in one user-driven market; learners both without and with a budget.
    const bidders = [
      ...KINDS.map((kind) => ({ id: kind, agent: { kind }, value: { kind: 'per-click', amount: 2 }, ...(kind === 'pacing' ? { budget: 2 } : {}) })),
      ...LEARNERS.map((kind) => ({ id: `${kind}-budget`, agent: { kind }, value: { kind: 'per-click', amount: 2 }, budget: 2 })),
    ];
    const cfg = resolveConfig({
      name: 'policies',
      seed: 9,
      replications: 1,
      episodes: 2,
      evalEpisodes: 1,
      auctionsPerEpisode: 1500,
      users: { count: 300, topics: 8, historyLength: 5, items: 100 },
      exchange: { mechanism: 'second-price', participantsPerAuction: 6 },
      bidders,
    });
    const r = await runReplication(cfg, 0);
    for (const [id, p] of Object.entries(r.policies)) policies.set(id, p);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips every kind: the loaded policy bids exactly as the trained one on thousands of observations', () => {
    const observations = randomObservations(3000, 1);
    expect(policies.size).toBe(KINDS.length + LEARNERS.length);
    const nonZeroOf = new Map<string, number>();
    for (const [id, policy] of policies) {
      const path = join(dir, `${id}.json`);
      // Fresh copies on both sides: pacing and random policies carry state from bid to bid.
      const doc = writePolicyFile(path, policy, provenance(id));
      expect(doc.sha256).toMatch(/^[0-9a-f]{64}$/);
      const loaded = loadPolicy(path);
      expect(loaded.kind).toBe(policy.kind);
      let nonZero = 0;
      for (const o of observations) {
        const want = policy.bid(o);
        expect(loaded.bid(o)).toBe(want);
        if (want > 0) nonZero++;
      }
      nonZeroOf.set(id, nonZero);
      // Every parameter (Q-table, weights, θ, pacer) survives exactly, also for a policy that happens to bid 0 everywhere.
      expect(loaded.file.params, id).toEqual(JSON.parse(JSON.stringify(policy.params())));
    }
    // Each kind is exercised on real bids, with or without a budget (a briefly trained learner with a budget may bid 0 throughout).
    for (const kind of KINDS) {
      if (kind === 'constant') continue;
      const best = Math.max(nonZeroOf.get(kind) ?? 0, nonZeroOf.get(`${kind}-budget`) ?? 0);
      expect(best, kind).toBeGreaterThan(100);
    }
  });

  it('bids from named features as from the observation array', () => {
    const observations = randomObservations(500, 2);
    for (const id of ['q-learning', 'dqn-budget', 'linucb', 'thompson-budget', 'shaded']) {
      const loaded = loadPolicy(JSON.stringify(policyDocument(policies.get(id)!, provenance(id))));
      for (const o of observations) {
        const named = Object.fromEntries(loaded.featureNames.map((n) => [n, o[OBS[n as keyof typeof OBS]]!]));
        const full = new Float64Array(OBS_SIZE);
        full.set(o);
        // Features the policy does not read take their defaults in the named form: compare on those.
        for (const f of OBS_FEATURES) if (!loaded.featureNames.includes(f.name)) full[OBS[f.name]] = f.name === 'pctr' || f.name === 'pcvr' || f.name === 'budgetLeft' || f.name === 'timeLeft' ? 1 : 0;
        expect(loaded.bid(named)).toBe(loaded.bid(full));
      }
      expect(() => loaded.bid({})).toThrow(/feature "value" is missing/);
    }
  });

  it('declares its features with units and normalisation, and its action mapping', () => {
    const doc = policyDocument(policies.get('q-learning-budget')!, provenance('q-learning-budget'));
    expect(doc.schemaVersion).toBe(1);
    expect(doc.features.map((f) => f.name)).toEqual(['value', 'budgetLeft', 'timeLeft']);
    expect(doc.features[0]).toMatchObject({ unit: 'currency', high: null, normalisation: { clipLow: 0 } });
    // The multipliers, then the bid levels (the schema's defaults).
    const defaults = qLearningSchema.parse({ kind: 'q-learning' });
    expect(doc.action.multipliers).toHaveLength(defaults.multipliers.length);
    expect(doc.action.levels).toHaveLength(defaults.bidLevels.length + defaults.priceLevels.length);
    expect(doc.action.rule).toMatch(/λ/);
    expect(doc.sha256).toBe(policyChecksum(doc));
  });

  describe('refuses a file that cannot be trusted', () => {
    let good: PolicyFile;
    beforeAll(() => {
      good = policyDocument(policies.get('dqn')!, provenance('dqn'));
    });
    const resign = (d: PolicyFile): PolicyFile => ({ ...d, sha256: policyChecksum(d) });

    it('a changed weight (checksum mismatch)', () => {
      const bad = JSON.parse(JSON.stringify(good)) as PolicyFile;
      (bad.params.network as { b: number[][] }).b[0]![0]! += 1e-9;
      expect(() => loadPolicy(bad)).toThrow(PolicyError);
      expect(() => loadPolicy(bad)).toThrow(/checksum mismatch/);
      // The same through a file edited by hand.
      const path = join(dir, 'tampered.json');
      writeFileSync(path, readFileSync(join(dir, 'dqn.json'), 'utf8').replace('"seed": 7', '"seed": 8'));
      expect(() => loadPolicy(path)).toThrow(/tampered\.json: checksum mismatch/);
    });

    it('an unknown schema version', () => {
      expect(() => loadPolicy(resign({ ...good, schemaVersion: 2 }))).toThrow(/unknown schemaVersion 2/);
    });

    it('features that are not observation features or do not match the parameters', () => {
      const renamed = resign({ ...good, features: good.features.map((f) => ({ ...f, name: 'temperature' })) });
      expect(() => loadPolicy(renamed)).toThrow(/feature "temperature" is not an observation feature/);
      const dropped = resign({ ...good, features: [] });
      expect(() => loadPolicy(dropped)).toThrow(/do not match what its parameters read/);
      const unit = resign({ ...good, features: good.features.map((f) => ({ ...f, unit: 'euros' })) });
      expect(() => loadPolicy(unit)).toThrow(/"value" is in euros/);
    });

    it('malformed parameters, naming the field', () => {
      const q = policyDocument(policies.get('q-learning')!, provenance('q'));
      const short = resign({ ...q, params: { ...q.params, q: (q.params.q as number[]).slice(1) } });
      expect(() => loadPolicy(short)).toThrow(/params\.q: expected \d+ states/);
      const kind = resign({ ...q, kind: 'magic' });
      expect(() => loadPolicy(kind)).toThrow(/unknown policy kind "magic"/);
    });

    it('not JSON, or no file', () => {
      const path = join(dir, 'broken.json');
      writeFileSync(path, '{ "schemaVersion": 1, ');
      expect(() => loadPolicy(path)).toThrow(/not valid JSON/);
      expect(() => loadPolicy(join(dir, 'missing.json'))).toThrow(/cannot read policy file .*ENOENT/);
    });

    it('a policy that does not fit the bidder it would replace', () => {
      const budgeted = loadPolicy(policyDocument(policies.get('reinforce-budget')!, provenance('r')));
      expect(() => checkPolicyFits(budgeted, { id: 'x', budget: null, users: true })).toThrow(/reads budgetLeft .* "x" has no budget/);
      expect(() => checkPolicyFits(budgeted, { id: 'x', budget: 5, users: true })).not.toThrow();
      const userFeatures = policyDocument(
        { kind: 'q-learning', params: () => ({ ...(policies.get('q-learning')!.params() as object), encoder: { features: [{ name: 'pctr', unit: 'probability', divideBy: 1, clipLow: 0, clipHigh: 1 }] }, grid: { buckets: [8], low: [0], high: [1] } }) },
        provenance('q'),
      );
      expect(() => checkPolicyFits(loadPolicy(userFeatures), { id: 'x', budget: null, users: false })).toThrow(/reads pctr, which need users/);
    });
  });

  it('hashes the canonical JSON (sorted keys, no whitespace)', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}');
  });
});
