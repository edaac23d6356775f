/**
 * How close to the hindsight benchmark any bidder that bids before it sees the
 * competing bids can get, in a budget cell of the learner matrix (or a variant
 * of it the matrix does not ship): the ceilings behind the budget rows of
 * docs/agents.md.
 *
 *   npx tsx bench/budget-ceiling.ts [--market users|pv] [--slots 2] [--weights 1,0.75] [--frac 0.1]
 *                                   [--reps 8] [--episodes 20] [--agent JSON] [--gain 1] [--delta 0.01]
 *
 * The market is the matrix's (bench/learner-matrix.ts: `budget-{pv,users}-…`),
 * the budget `frac` × what a truthful bidder spends without one. Each
 * replication trains `agent` (default pacing) for `episodes` and records its
 * evaluation auctions: its value estimate, the true value and the competing
 * bids. The opportunities do not depend on the agent (docs/agents.md,
 * Hindsight optimum: the same LP for every agent on a seed), so the ceilings
 * are the same whichever agent records them. Per evaluation episode, as a
 * share of the LP benchmark (the runner's `hindsightValue`, recomputed here):
 *
 * - `const α`: the best constant multiplier, bid = α × value, that spends the
 *   budget exactly (the upper concave envelope of (spend, value) over α, at the
 *   budget; auctions replayed with the other bids held, as the market rounds
 *   them). The bidder a perfectly tuned price of money would be.
 * - `8 buckets`: the Lagrangian (dual) bound of bid = α_k × value with a
 *   multiplier α_k per octile k of the value, chosen in hindsight on the
 *   episode itself: min over Λ of Σ_k max_α (value − Λ·spend) + Λ·budget. An
 *   upper bound on what a bid function of the value (not proportional to it)
 *   adds over one multiplier; in-sample, so it flatters.
 * - `paced k`: the learners' own bid rule with the best constant in hindsight:
 *   bid = k × value / r(o), r(o) = max(λ_min/λ₀, (timeLeft + 0.01) / (budgetLeft + 0.01)),
 *   the ratio pacer of agents/learner/budget-pacer.ts with κ = 1 and δ = 0.01 (`--gain`, `--delta`: ((timeLeft + δ) / (budgetLeft + δ))^κ), one k for all
 *   the evaluation episodes of a replication (as one frozen policy has), k on a
 *   grid of ratio 1.03; λ_min/λ₀ = 0.05. What the learners' action set and
 *   pacer can reach when the multiplier and λ₀ are learnt perfectly.
 * - `agent`: the agent's own competitive ratio (the summary's), and the share of its budget it spent.
 */
import { toMicros } from '../env/exchange/ledger.js';
import type { ResolvedConfig } from '../experiments/config.js';
import { runReplication } from '../experiments/replication.js';
import { stat } from '../experiments/stats.js';
import { budgetMarket, recordReplays, type Replay } from './budget-replay.js';

const argv = process.argv.slice(2);
const arg = (n: string, d: string): string => {
  const i = argv.indexOf(`--${n}`);
  return i >= 0 ? argv[i + 1]! : d;
};
const market = arg('market', 'users');
const slots = Number(arg('slots', '2'));
const weights = arg('weights', '');
const frac = Number(arg('frac', '0.1'));
const reps = Number(arg('reps', '8'));
const episodes = Number(arg('episodes', '20'));
const gain = Number(arg('gain', '1'));
const delta = Number(arg('delta', '0.01'));
const agent = JSON.parse(arg('agent', '{"kind":"pacing"}')) as Record<string, unknown>;

/** The matrix's budget markets (bench/learner-matrix.ts), with the slot count and weights as given. */
function make(a: Record<string, unknown>, budget?: number): ResolvedConfig {
  return budgetMarket({ market, slots, weights, name: 'budget-ceiling', replications: reps, episodes, evalEpisodes: 3 }, a, budget);
}

const ALPHAS = Array.from({ length: 301 }, (_, i) => i * 0.005);

/** Value and spend of bid = α × estimate for each α, per auction group `group[i]` (no budget). */
function curves(R: Replay, group: Int32Array, groups: number): { V: Float64Array; C: Float64Array } {
  const V = new Float64Array(ALPHAS.length * groups);
  const C = new Float64Array(ALPHAS.length * groups);
  const S = R.W.length;
  for (let i = 0; i < R.n; i++) {
    for (let a = 0; a < ALPHAS.length; a++) {
      const s = R.slot(i, toMicros(ALPHAS[a]! * R.e.est[i]!));
      if (s === S) continue;
      V[a * groups + group[i]!]! += R.e.val[i]! * R.W[s]!;
      C[a * groups + group[i]!]! += R.price(i, s);
    }
  }
  return { V, C };
}

/** min over Λ of Σ_g max_α (V − Λ·C) + Λ·budget (Λ on a fine log grid). */
function dualBound(V: Float64Array, C: Float64Array, groups: number, budget: number): number {
  let best = Infinity;
  for (let t = 0; t <= 600; t++) {
    const lam = 0.05 * Math.exp((t / 600) * Math.log(2000));
    let s = lam * budget;
    for (let g = 0; g < groups; g++) {
      let m = 0;
      for (let a = 0; a < ALPHAS.length; a++) m = Math.max(m, V[a * groups + g]! - lam * C[a * groups + g]!);
      s += m;
    }
    best = Math.min(best, s);
  }
  return best;
}

/** Value won by the ratio-paced bid k × v / r(o) over the episode, with the market's budget cap. */
function paced(R: Replay, k: number, budget: number): number {
  const S = R.W.length;
  let left = toMicros(budget);
  const B = left;
  const minLeft = Math.max(toMicros(R.reserve), 1);
  let value = 0;
  for (let i = 0; i < R.n && left >= minLeft; i++) {
    const tl = (R.n - i) / R.n;
    const bl = left / B;
    const r = Math.max(0.05, ((tl + delta) / (bl + delta)) ** gain);
    const bid = Math.min(toMicros((k * R.e.est[i]!) / r), left);
    const s = R.slot(i, bid);
    if (s === S) continue;
    value += R.e.val[i]! * R.W[s]!;
    left -= toMicros(R.price(i, s));
  }
  return value;
}

const cal = await runReplication({ ...make({ kind: 'truthful' }), episodes: 0, replications: 1 }, 0);
const budget = Number((frac * cal.bidders.learner!.spend!).toPrecision(4));
const cfg = make(agent, budget);
const W = cfg.exchange.slotWeights;
console.log(`${market} market, ${slots} slot(s), weights [${W.join(', ')}], ${cfg.exchange.mechanism}; budget ${budget} (${frac} × unconstrained spend); agent ${JSON.stringify(agent)}, ${episodes} training episodes`);
console.log('| rep | LP benchmark / episode | const α | 8 buckets | paced k (k) | agent (budget spent) |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
const cols: number[][] = [[], [], [], []];
for (let r = 0; r < reps; r++) {
  const { replays: R, result: res } = await recordReplays(cfg, r);
  let lp = 0;
  let one = 0;
  let buckets = 0;
  for (const x of R) {
    lp += x.lp(budget);
    const zero = new Int32Array(x.n);
    const c1 = curves(x, zero, 1);
    one += dualBound(c1.V, c1.C, 1, budget);
    const sorted = [...x.e.est].sort((a, b) => a - b);
    const cuts = [1, 2, 3, 4, 5, 6, 7].map((q) => sorted[Math.floor((q * x.n) / 8)]!);
    const g = Int32Array.from(x.e.est, (v) => cuts.filter((c) => v >= c).length);
    const c8 = curves(x, g, 8);
    buckets += dualBound(c8.V, c8.C, 8, budget);
  }
  let bestK = 0;
  let bestPaced = 0;
  for (let k = 0.05; k < 3; k *= 1.03) {
    const v = R.reduce((s, x) => s + paced(x, k, budget), 0);
    if (v > bestPaced) [bestPaced, bestK] = [v, k];
  }
  const cr = res.bidders.learner!.competitiveRatio!;
  const hv = res.bidders.learner!.hindsightValue!;
  if (Math.abs(hv - lp / R.length) > 1e-6 * lp) console.warn(`rep ${r}: the recomputed LP ${lp / R.length} differs from the runner's ${hv}`);
  const row = [one / lp, buckets / lp, bestPaced / lp, cr];
  row.forEach((x, i) => cols[i]!.push(x));
  console.log(`| ${r} | ${(lp / R.length).toFixed(3)} | ${row[0]!.toFixed(3)} | ${row[1]!.toFixed(3)} | ${row[2]!.toFixed(3)} (${bestK.toFixed(2)}) | ${cr.toFixed(3)} (${res.bidders.learner!.budgetSpent!.toFixed(2)}) |`);
}
const f = (xs: number[]) => `${Math.min(...xs).toFixed(3)} / ${stat(xs).mean.toFixed(3)}`;
console.log(`| worst / mean | | ${cols.map(f).join(' | ')} |`);
