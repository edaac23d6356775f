import { describe, expect, it } from 'vitest';
import { StaticAgent, type Agent, type Observation, type Policy, type Transition } from '../../agents/core.js';
import { ConstantPolicy } from '../../agents/baselines.js';
import { LinBidBidder, tuneLinBid } from '../../agents/log/lin-bid.js';
import { RlbBidder } from '../../agents/log/rlb.js';
import { infoFromLog, logFrom } from '../../env/log/format.js';
import { lognormalPricePdf, sampleLog } from '../../env/log/generate.js';
import { replay } from '../../env/log/replay.js';
import { OBS } from '../../env/observation.js';
import { rng, type Rng } from '../../env/rng.js';
import { agentSchema } from '../../experiments/agent-schema.js';
import { createAgent } from '../../experiments/agent-registry.js';
import { AgentLogBidder, evaluateOnLog, fittedWorld, trainOnLogs } from '../../experiments/log-market.js';

/** Records what it is shown; bids a constant. */
class Recorder implements Agent {
  readonly kind = 'recorder';
  training = true;
  seen: number[][] = [];
  learnt: { action: number; reward: number; next: boolean; truncated: boolean; won: boolean }[] = [];
  episodes = 0;
  constructor(readonly amount: number) {}
  act(o: Observation, _rng: Rng): number {
    this.seen.push([o[OBS.value]!, o[OBS.pctr]!, o[OBS.valuePerEvent]!, o[OBS.budgetLeft]!, o[OBS.timeLeft]!]);
    return this.amount;
  }
  learn(t: Transition): void {
    this.learnt.push({ action: t.action, reward: t.reward, next: t.nextObservation !== null, truncated: t.truncated, won: t.info.won });
  }
  endEpisode(): void {
    this.episodes++;
  }
  policy(): Policy {
    return new ConstantPolicy(this.amount);
  }
}

describe('agents in a log market', () => {
  const log = logFrom('t', { price: [4, 6, 5, 1, 9], pctr: [0.25, 0.5, 0.125, 0.25, 0.5], click: [1, 0, 0, 1, 1] });
  const p = { horizon: 3, budget: 10, maxBid: 300 };

  it('see pctr, value, budget and time left; learn value − cost with the episode end truncated', () => {
    const a = new Recorder(5);
    const bidder = new AgentLogBidder(a, 8, rng(1));
    const r = replay(log, bidder, p);
    bidder.close();
    // episode 1: wins 4 (left 6), loses 6, wins 5 (left 1); episode 2 (short): wins 1, loses 9
    expect([r.impressions, r.clicks, r.cost]).toEqual([3, 2, 10]);
    expect(a.seen).toEqual([
      [2, 0.25, 8, 1, 1],
      [4, 0.5, 8, 0.6, 2 / 3],
      [1, 0.125, 8, 0.6, 1 / 3],
      [2, 0.25, 8, 1, 1],
      [4, 0.5, 8, 0.9, 2 / 3],
    ]);
    expect(a.learnt).toEqual([
      { action: 5, reward: 2 - 4, next: true, truncated: false, won: true },
      { action: 5, reward: 0, next: true, truncated: false, won: false },
      { action: 5, reward: 1 - 5, next: false, truncated: true, won: true },
      { action: 5, reward: 2 - 1, next: true, truncated: false, won: true },
      { action: 5, reward: 0, next: false, truncated: true, won: false },
    ]);
    expect(a.episodes).toBe(2);
  });

  it('do not learn in evaluation, and replay exactly like a log bidder with the same rule', () => {
    const a = new Recorder(5);
    const r = evaluateOnLog(a, log, p, 8, rng(1));
    expect(a.learnt).toHaveLength(0);
    expect(a.episodes).toBe(2);
    const same = replay(log, { bid: () => 5 }, p);
    expect([r.impressions, r.clicks, r.cost]).toEqual([same.impressions, same.clicks, same.cost]);
  });

  it('a static agent (a policy) in the replay bids its rule', () => {
    const half = new StaticAgent('half', { kind: 'half', bid: (o) => o[OBS.value]! / 2, params: () => ({}) });
    // value = 8 × pctr: bids 1, 2, 0.5 → 0, 1, 2, 0 (integers): wins only the price-1 auction
    const r = evaluateOnLog(half, log, p, 8, rng(1));
    expect([r.impressions, r.cost]).toEqual([1, 1]);
  });
});

describe('the fitted world', () => {
  it('has the training prices (smoothed) and the training mean CTR', () => {
    const counts = [0, 10, 30, 60];
    const w = fittedWorld({ impTrain: 100, clkTrain: 2, costTrain: 220, priceCounter: counts }, { ctrSpread: 0.7 });
    expect(Array.from(w.pricePdf)).toEqual([1 / 104, 11 / 104, 31 / 104, 61 / 104]);
    expect(w.meanCtr).toBe(0.02);
    expect(w.ctrSpread).toBe(0.7);
    const g = sampleLog(w, 200_000, rng(3).stream('w'));
    const mean = g.pctr.reduce((a, b) => a + b, 0) / g.length;
    expect(mean).toBeGreaterThan(0.019);
    expect(mean).toBeLessThan(0.021);
    const share3 = g.price.filter((x) => x === 3).length / g.length;
    expect(Math.abs(share3 - 61 / 104)).toBeLessThan(0.01);
  });
});

describe('sim-to-real on generated campaigns', () => {
  // The "real" traffic: prices correlated with the pCTR and a wider pCTR spread
  // than the fitted world assumes; the learners only ever see the fitted world.
  const world = { pricePdf: lognormalPricePdf(50, 0.8, 300), meanCtr: 0.005, ctrSpread: 1.2, priceCorrelation: 0.3 };
  for (const seed of [1, 2, 3]) {
    it(`pacing and q-learning trained in the fitted world get ≥ 85% of RLB's clicks on the log (seed ${seed})`, () => {
      const train = sampleLog(world, 100_000, rng(seed).stream('train'));
      const test = sampleLog(world, 50_000, rng(seed).stream('test'));
      const info = infoFromLog(train, 300);
      const N = 500;
      const B = Math.floor(((info.costTrain / info.impTrain) * N) / 16);
      const p = { horizon: N, budget: B, maxBid: 300 };
      const vpc = info.costTrain / info.clkTrain;
      const rlb = replay(test, new RlbBidder(info, N, B, 300), p).clicks;
      const lin = replay(test, new LinBidBidder(tuneLinBid(train, info, p, [10, 20, 30, 40, 50, 60, 80]).b0, info, 300), p).clicks;
      expect(rlb).toBeGreaterThan(50);
      for (const kind of ['pacing', 'q-learning']) {
        const r = rng(seed).stream(kind);
        const agent = createAgent(agentSchema.parse({ kind }), { id: kind, budget: B, auctionsPerEpisode: N, mechanism: 'second-price', slots: 1, valueScale: 300, rng: r.stream('init') });
        const before = evaluateOnLog(agent, test, p, vpc, r.stream('eval0')).clicks;
        trainOnLogs(agent, { kind: 'fitted', world: fittedWorld(info), stream: r.stream('world') }, 200, p, vpc, r.stream('explore'));
        const after = evaluateOnLog(agent, test, p, vpc, r.stream('eval')).clicks;
        expect(after, `${kind}: ${after} clicks vs RLB ${rlb}, Lin-Bid ${lin}, untrained ${before}`).toBeGreaterThanOrEqual(0.85 * rlb);
      }
    });
  }
});
