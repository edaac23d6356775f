/**
 * Offline RL on logged auto-bidding trajectories, judged online in the world
 * that logged them. Behaviour: a fixed factor of 0.8 × the target with
 * log-normal exploration noise (σ = 0.3) — below what the target allows in this
 * market, so there is something to learn. On every replication (its own data,
 * its own training seed, its own evaluation episodes), IQL scores at least as
 * well as the behaviour policy and as BC, measured on the same evaluation
 * episodes (common random numbers).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Abid } from '../../../agents/autobid/abid.js';
import { NoisyBidder } from '../../../agents/autobid/noisy.js';
import { bcSchema, trainBc, type OfflineTraining } from '../../../models/autobid/bc.js';
import { iqlSchema, trainIql } from '../../../models/autobid/iql.js';
import { OfflinePolicy, type OfflinePolicyParams } from '../../../agents/autobid/offline/policy.js';
import type { AutoBidder } from '../../../env/autobid/core.js';
import { runStepEpisode } from '../../../env/autobid/market.js';
import { RecordingBidder, type StepTransition } from '../../../env/autobid/transitions.js';
import { InputError } from '../../../env/errors.js';
import { rng } from '../../../env/rng.js';
import { initBackend } from '../../../models/backend.js';
import { smallMarket } from '../../env/autobid/fixture.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const P = (t: OfflineTraining): OfflinePolicy => new OfflinePolicy(t.kind, t.params);
const { spec, source } = smallMarket({ budget: 1e6, cpa: 60, opportunities: 20_000 });
const behaviour = (): AutoBidder => new NoisyBidder(new Abid({ kind: 'abid', factor: 0.8 }), 0.3);
const play = (b: AutoBidder, seed: string) => runStepEpisode(spec, source, spec.advertisers.map((_, i) => (i === 0 ? b : new Abid())), rng(seed))[0]!;

function dataset(rep: number, episodes: number): StepTransition[] {
  const sink: StepTransition[] = [];
  for (let e = 0; e < episodes; e++) {
    const rec = new RecordingBidder(behaviour(), 'learner', sink);
    rec.episode = e;
    play(rec, `rep:${rep}/data:${e}`);
  }
  return sink;
}

function meanScore(make: () => AutoBidder, rep: number, episodes: number): number {
  let s = 0;
  for (let k = 0; k < episodes; k++) s += play(make(), `rep:${rep}/eval:${k}`).score / episodes;
  return s;
}

describe('offline auto-bidding agents', () => {
  it('are deterministic for a seed and export plain-JSON policies that bid without tfjs', async () => {
    const data = dataset(9, 4);
    const args = bcSchema.parse({ kind: 'bc', dataset: '-', steps: 30, batchSize: 64 });
    const a = await trainBc(data, args, rng('same'));
    const b = await trainBc(data, args, rng('same'));
    expect(P(b).params()).toEqual(P(a).params());
    const c = await trainBc(data, args, rng('other'));
    expect(P(c).params()).not.toEqual(P(a).params());
    const iqlArgs = iqlSchema.parse({ kind: 'iql', dataset: '-', steps: 20, batchSize: 64 });
    const q1 = await trainIql(data, iqlArgs, rng('same'));
    const q2 = await trainIql(data, iqlArgs, rng('same'));
    expect(P(q2).params()).toEqual(P(q1).params());
    // Through JSON and back: the same factors on the logged states.
    const copy = new OfflinePolicy('iql', JSON.parse(JSON.stringify(P(q1).params())) as OfflinePolicyParams);
    for (const t of data.slice(0, 50)) expect(copy.relativeFactor(t.state)).toBe(P(q1).relativeFactor(t.state));
    const bad = JSON.parse(JSON.stringify(P(q1).params())) as OfflinePolicyParams;
    bad.features = bad.features.slice(1);
    expect(() => new OfflinePolicy('iql', bad)).toThrow(InputError);
  });

  for (const rep of [0, 1]) {
    it(`IQL ≥ the behaviour policy and ≥ BC (replication ${rep})`, async () => {
      const data = dataset(rep, 60);
      const t0 = performance.now();
      const bc = await trainBc(data, bcSchema.parse({ kind: 'bc', dataset: '-', steps: 800 }), rng(`rep:${rep}/bc`));
      const t1 = performance.now();
      const iql = await trainIql(data, iqlSchema.parse({ kind: 'iql', dataset: '-', steps: 1500 }), rng(`rep:${rep}/iql`));
      const bcSeconds = (t1 - t0) / 1000;
      const iqlSeconds = (performance.now() - t1) / 1000;
      const E = 8;
      const sBehaviour = meanScore(behaviour, rep, E);
      const sBc = meanScore(() => P(bc), rep, E);
      const sIql = meanScore(() => P(iql), rep, E);
      console.log(`replication ${rep}: score behaviour ${sBehaviour.toFixed(1)}, bc ${sBc.toFixed(1)} (${bcSeconds.toFixed(0)} s), iql ${sIql.toFixed(1)} (${iqlSeconds.toFixed(0)} s)`);
      expect(sIql).toBeGreaterThanOrEqual(sBehaviour);
      expect(sIql).toBeGreaterThanOrEqual(sBc);
    }, 600_000);
  }
});
