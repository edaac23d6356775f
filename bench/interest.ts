/**
 * Interest-model speed: forward passes, serving to the market, training.
 *
 *   npx tsx bench/interest.ts [--quick] [--backend auto|tensorflow|webgpu|wasm|cpu]
 *
 * World: the default users (10k users, 16 topics, history 20), 6 advertisers × 12
 * ads, 2 eligible bidders per auction, allocator `best` (each eligible bidder asks
 * for the pCTR of all 12 of its ads: 24 pairs, one call, per auction).
 *
 * 1. Predictions/s of the attention model (2 heads, width 32, hidden 32, 20 history
 *    items) over batches of 4,096 logged impressions: the plain tfjs forward pass
 *    (keys and values projected for every history item), our folded tfjs forward
 *    pass, and the CPU serving path with nothing cached (every pair a user seen
 *    for the first time).
 * 2. Predictions/s served to the market: the model's predict() as the market calls
 *    it during `market.prepare()`, timed inside the call (cache hits as a market
 *    really produces them), for the attention model, the baselines and the oracle.
 * 3. Training steps/s at batch 256, and the time to train the default attention
 *    model (`interestModel: { kind: attention }`, every default) on this world.
 *
 * Prints one markdown table with the machine, date and backend.
 */
import { cpus } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import type { CtrPredictor } from '../env/interest.js';
import { Market } from '../env/market.js';
import { OBS } from '../env/observation.js';
import { rng } from '../env/rng.js';
import { marketSpec, resolveConfig } from '../experiments/config.js';
import { interestModelSchema } from '../experiments/interest-schema.js';
import {
  AttentionModel,
  allocBatch,
  createInterestModel,
  gatherRows,
  generateLog,
  initBackend,
  logPopulation,
  predictBatch,
  splitByUser,
  trainNetwork,
  worldShape,
  type BackendChoice,
  type InterestModelConfig,
} from '../models/index.js';

const quick = process.argv.includes('--quick');
const bi = process.argv.indexOf('--backend');
const backendChoice = (bi > 0 ? process.argv[bi + 1] : 'auto') as BackendChoice;
const now = (): number => performance.now();
const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');

const cfg = resolveConfig({
  name: 'bench-interest',
  users: {},
  auctionsPerEpisode: 100_000,
  exchange: { mechanism: 'second-price', participantsPerAuction: 2, allocator: 'best' },
  bidders: [{ id: 'b', copies: 6, agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 1 } }],
});
const backend = await initBackend(backendChoice);
const market = new Market(marketSpec(cfg), rng(1).stream('market'));
const pop = market.population!;
const catalogue = market.catalogue!;
const shape = worldShape(pop);
const rows: [string, string][] = [];

// ---- 1. forward passes over logged impressions ------------------------------
const benchNet = new AttentionModel({ heads: 2, width: 32, hidden: 32 }, shape, catalogue, rng(2).stream('init'));
{
  const log = generateLog(logPopulation(pop, 'bench-log'), { impressions: quick ? 20_000 : 60_000 }, rng(3));
  const B = 4096;
  const batch = allocBatch(B, log.historyLength, log.featureCount);
  const all = Int32Array.from({ length: log.n }, (_, i) => i);
  const passes = (label: string, run: () => void): void => {
    run(); // warm-up
    const t0 = now();
    let n = 0;
    const reps = quick ? 1 : 3;
    for (let r = 0; r < reps; r++) {
      for (let from = 0; from + B <= log.n; from += B) {
        gatherRows(log, all, from, B, batch);
        run();
        n += B;
      }
    }
    rows.push([label, fmt(n / ((now() - t0) / 1000))]);
  };
  passes(`attention, plain tfjs forward pass (keys/values per item), batch ${B} — predictions/s`, () => {
    const inputs = benchNet.inputs(batch);
    tf.tidy(() => tf.sigmoid(benchNet.plainLogits(inputs))).dataSync();
    for (const t of inputs) t.dispose();
  });
  passes(`attention, folded tfjs forward pass (train/tensor serving path), batch ${B} — predictions/s`, () => {
    predictBatch(benchNet, batch);
  });
  // CPU serving path, nothing cached: every pair a user of the run's population seen for the first time.
  {
    const server = benchNet.server();
    const n = Math.min(pop.count, quick ? 5000 : 10_000);
    const users = Int32Array.from({ length: n }, (_, i) => i);
    const ads = Int32Array.from({ length: n }, (_, i) => (i * 7) % catalogue.ads);
    const out = new Float32Array(n);
    let t = 0;
    let count = 0;
    for (let r = 0; r < (quick ? 3 : 10); r++) {
      // A fresh server each round: nothing cached from the round before.
      const s = r === 0 ? server : benchNet.server();
      const t0 = now();
      s.predict(pop, users, ads, n, out);
      if (r > 0) {
        t += now() - t0;
        count += n;
      }
    }
    rows.push(['attention, CPU serving path, no cache hits (all pairs new users) — predictions/s', fmt(count / (t / 1000))]);
  }
}

// ---- 2. serving the market ----------------------------------------------------
function timed(inner: CtrPredictor): CtrPredictor & { seconds: number; pairs: number; calls: number } {
  const w = {
    kind: inner.kind,
    seconds: 0,
    pairs: 0,
    calls: 0,
    predict(p: typeof pop, users: Int32Array, ads: Int32Array, n: number, out: Float32Array): void {
      const t0 = now();
      inner.predict(p, users, ads, n, out);
      w.seconds += (now() - t0) / 1000;
      w.pairs += n;
      w.calls++;
    },
  };
  return w;
}

function runMarket(m: Market, auctions: number): number {
  const t0 = now();
  for (let i = 0; i < auctions; i++) {
    if (m.done) m.resetEpisode();
    const n = m.prepare();
    for (let k = 0; k < n; k++) {
      const b = m.eligible[k]!;
      m.bids[b] = m.observations[b]![OBS.value]!;
    }
    m.clear();
  }
  return auctions / ((now() - t0) / 1000);
}

const trainCfgs: Record<string, InterestModelConfig> = {
  attention: interestModelSchema.parse({ kind: 'attention', heads: 2, width: 32, hidden: 32, epochs: 1, logSize: 20_000, backend: backendChoice }) as InterestModelConfig,
  logistic: interestModelSchema.parse({ kind: 'logistic', epochs: 1, logSize: 20_000, backend: backendChoice }) as InterestModelConfig,
  mf: interestModelSchema.parse({ kind: 'mf', epochs: 1, logSize: 20_000, backend: backendChoice }) as InterestModelConfig,
};
const auctions = quick ? 50_000 : 200_000;
for (const kind of ['attention', 'logistic', 'mf', 'oracle']) {
  const m = new Market(marketSpec(cfg), rng(1).stream('market'));
  let predictor: CtrPredictor;
  let serving = 'truth';
  if (kind === 'oracle') {
    predictor = { kind: 'oracle', predict: (p, u, a, n, out) => { for (let k = 0; k < n; k++) out[k] = p.trueCtr(u[k]!, a[k]!); } };
  } else {
    // Trained briefly: speed does not depend on how well it was trained.
    const made = await createInterestModel(trainCfgs[kind]!, m.population!, m.catalogue!, rng(4).stream(kind));
    predictor = made.predictor;
    serving = made.predictor.serving;
  }
  const w = timed(predictor);
  m.setPredictor(w);
  m.resetEpisode();
  runMarket(m, quick ? 5000 : 20_000); // warm-up
  w.seconds = 0;
  w.pairs = 0;
  w.calls = 0;
  const aps = runMarket(m, auctions);
  rows.push([`${kind}${kind === 'attention' ? ' (width 32)' : ''}, served to the market (${serving}; ${(w.pairs / w.calls).toFixed(0)} pairs per call) — predictions/s`, fmt(w.pairs / w.seconds)]);
  rows.push([`${kind}: whole auction loop with this model — auctions/s`, fmt(aps)]);
}

// ---- 3. training ---------------------------------------------------------------
{
  const log = generateLog(logPopulation(pop, 'bench-train'), { impressions: quick ? 20_000 : 60_000 }, rng(5));
  const split = splitByUser(log, 0.1, 0.2, rng(6));
  const net = new AttentionModel({ heads: 2, width: 32, hidden: 32 }, shape, catalogue, rng(7));
  const t0 = now();
  const res = trainNetwork(net, log, split, { epochs: 1, batchSize: 256, learningRate: 0.005, patience: 0, l2: 0 }, rng(8));
  rows.push(['attention (width 32) training, batch 256 — steps/s', (res.steps / ((now() - t0) / 1000)).toFixed(1)]);
  net.params.dispose();
}
{
  const def = interestModelSchema.parse({ kind: 'attention', backend: backendChoice }) as InterestModelConfig;
  const m = new Market(marketSpec(cfg), rng(1).stream('market'));
  const made = await createInterestModel(def, m.population!, m.catalogue!, rng(9).stream('interest-model'), { clock: now });
  const r = made.report!;
  rows.push([
    `default attention model (logSize ${(def as { logSize: number }).logSize.toLocaleString('en-US')}, ${r.epochs} epochs; AUC ${r.auc.toFixed(3)}, ECE ${r.ece.toFixed(4)}) — training s`,
    r.trainSeconds!.toFixed(1),
  ]);
}

const cpu = cpus();
console.log(`\n### Interest models — ${new Date().toISOString().slice(0, 10)}, ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, Node ${process.version}`);
console.log(`backend: ${backend.backend}${backend.gpu ? ' (GPU)' : ''}${backend.attempts.length ? ` (not available: ${backend.attempts.map((a) => `${a.backend}: ${a.error}`).join('; ')})` : ''}${quick ? ' — quick run' : ''}\n`);
console.log('| measurement | value |');
console.log('| --- | ---: |');
for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
