/**
 * Pacing controllers compared in the replay: does any rule for the price of
 * money λ beat the learners' ratio rule (agents/learner/budget-pacer.ts) on the
 * worst replication of a budget cell? The evidence behind "What limits the
 * multi-slot cells" in docs/agents.md (Budgets).
 *
 *   npx tsx bench/pacer-controllers.ts [--market users|pv] [--slots 2] [--weights 1,0.75] [--frac 0.1]
 *                                      [--reps 8] [--train 10] [--minlam 0.5] [--per-rep] [--oracle] [--elasticity]
 *
 * The market is the one of bench/budget-ceiling.ts (the learner matrix's budget
 * cells, with the slot count, weights and budget share as given). Each
 * replication records 3 + `train` evaluation episodes of the fixed stream
 * (a truthful bidder records them: the opportunities do not depend on the
 * agent, docs/agents.md, Hindsight optimum): the learner's value estimate, the
 * true value and the competing bids of every auction. Episodes 0–2 are the
 * evaluation episodes of the matrix (scored as a share of their LP benchmark,
 * agents/hindsight.ts, as the runner's competitive ratio is); episodes 3… stand
 * in for training: each controller learns its parameters on them in order, as
 * the agents do over their training episodes, and is then run on episodes 0–2.
 * (They come after the evaluation episodes in the stream, whose users drift
 * from episode to episode — the λ that spends the budget exactly moves by
 * 0.1–0.3 in log between episodes, and trends — so λ₀ learnt on them is off by
 * about as much as an agent's λ₀ learnt in training is.) Every controller bids
 * value / λ (the pacing baseline's bid; a learner's is m × value / λ, m its
 * multiplier), capped by the budget left, and stops when the budget is spent.
 *
 * Controllers (log λ as a function of timeLeft t and budgetLeft b, δ = 0.01,
 * floor log λ_min; e = 1 − t the time elapsed, s = 1 − b the budget spent):
 * - `ratio κ, λ₀ geo`: log λ₀ + κ · ln((t + δ)/(b + δ)), λ₀ ← geometric mean of
 *   the λ used over the last training episode. κ = 1 is what the learners (and,
 *   unclipped, the pacing baseline) do.
 * - `ratio 1, λ₀ hindsight last / mean`: λ₀ = the constant λ that would have
 *   spent the budget exactly on the last training episode (full information),
 *   or the mean of that log λ over all training episodes.
 * - `constant λ₀ hindsight mean`: no reaction within the episode.
 * - `re-solve curve`: certainty-equivalent re-solving: the spend per auction as
 *   a function of λ, learnt on the training episodes (full information), and λ
 *   set so that the expected spend of the time left equals the budget left.
 * - `two-term a, b, n₀`: log λ₀ + a · ln((t + δ)/(b + δ)) + b · w · ln((s + δ)/(e + δ)),
 *   w = e N / (e N + n₀), N the wins per episode at λ₀ in training: a re-solving
 *   step plus an estimate of the episode's demand shift from the spending so
 *   far, shrunk towards 0 while few wins have been seen.
 * - `gain schedule κ(e)`: the ratio rule with a gain that changes with e.
 * - `shift estimate ε, n₀`: a controller with memory within the episode (as
 *   the pacing baseline's μ has; not a pure function of the observation):
 *   ρ̂ = (spent + n₀/N) / (expected spend at the λ used if ρ = 1 + n₀/N) estimates
 *   the episode's spend level, with a spend elasticity ε (log spend per log λ;
 *   `--elasticity` prints it: 2.5–3 in these markets), and
 *   log λ = log λ₀ + (ln ρ̂ + ln((t + δ)/(b + δ))) / ε.
 *
 * `--per-rep` prints every controller's share per replication too. `--oracle` prints, per evaluation episode, the ratio rule with the episode's
 * own hindsight λ as λ₀ (gains 1, 0.5, 0.25, 0.1, and with that λ₀ off by
 * ±0.2 in log), the constant λ, the wins and the share of the budget the
 * constant λ spends in each quarter of the episode.
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
const T = Number(arg('train', '10'));
const minL = Math.log(Number(arg('minlam', '0.5')));
const E = 3;
const d = 0.01;

/** bench/budget-ceiling.ts's market, with `evalEpisodes` episodes of the fixed stream and no training. */
function make(budget: number | undefined, evalEpisodes: number): ResolvedConfig {
  return budgetMarket({ market, slots, weights, name: 'pacer-controllers', replications: Math.max(1, reps), episodes: 0, evalEpisodes }, { kind: 'truthful' }, budget);
}

/** Runs an episode with log λ = f(timeLeft, budgetLeft, i): value won, mean log λ, share of the budget spent, wins. */
function sim(R: Replay, budget: number, f: (tl: number, bl: number, i: number) => number): { value: number; meanLog: number; spent: number } {
  const S = R.W.length;
  let left = toMicros(budget);
  const B = left;
  const minLeft = Math.max(toMicros(R.reserve), 1);
  let value = 0;
  let sumLog = 0;
  let count = 0;
  for (let i = 0; i < R.n && left >= minLeft; i++) {
    const ll = f((R.n - i) / R.n, left / B, i);
    sumLog += ll;
    count++;
    const s = R.slot(i, Math.min(toMicros(R.e.est[i]! / Math.exp(ll)), left));
    if (s === S) continue;
    value += R.e.val[i]! * R.W[s]!;
    left -= toMicros(R.price(i, s));
  }
  return { value, meanLog: count ? sumLog / count : 0, spent: 1 - left / B };
}

/** log of the constant λ that spends the budget exactly on the episode (full information). */
function hindsightLog(R: Replay, budget: number): number {
  let lo = Math.log(0.05);
  let hi = Math.log(1000);
  for (let k = 0; k < 40; k++) {
    const m = (lo + hi) / 2;
    if (R.flat(Math.exp(m)).spend > budget) lo = m;
    else hi = m;
  }
  return (lo + hi) / 2;
}

// Spend curve on a log grid of λ (0.25 … 100): the share of the budget spent per share of the episode.
const G = 161;
const LG = (g: number) => Math.log(0.25) + (g / (G - 1)) * Math.log(400);
function curve(tr: Replay[], budget: number): Float64Array {
  const g = new Float64Array(G);
  for (const R of tr) for (let k = 0; k < G; k++) g[k]! += R.flat(Math.exp(LG(k))).spend / budget / tr.length;
  return g;
}
/** log λ at which the (decreasing) curve equals `target`, interpolated. */
function invert(g: Float64Array, target: number): number {
  if (target >= g[0]!) return LG(0);
  if (target <= g[G - 1]!) return LG(G - 1);
  for (let k = 1; k < G; k++)
    if (g[k]! <= target) {
      const a = g[k - 1]!;
      const b = g[k]!;
      const w = a === b ? 0 : (a - target) / (a - b);
      return LG(k - 1) + w * (LG(k) - LG(k - 1));
    }
  return LG(G - 1);
}

const ratio = (l0: number, kap: number) => (tl: number, bl: number) => Math.max(minL, l0 + kap * Math.log((tl + d) / (bl + d)));
const score = (ev: Replay[], B: number, f: (tl: number, bl: number, i: number) => number) => ev.reduce((s, x) => s + sim(x, B, f).value, 0);
/** λ₀ learnt as the agents learn it: the geometric mean of the λ used over each training episode in turn. */
function geo(tr: Replay[], B: number, rule: (l0: number) => (tl: number, bl: number, i: number) => number): number {
  let l0 = Math.max(0, minL);
  for (const x of tr) l0 = sim(x, B, rule(l0)).meanLog;
  return l0;
}

type Controller = { name: string; run: (ev: Replay[], tr: Replay[], B: number) => number };
const controllers: Controller[] = [
  ...[1, 0.7, 0.5, 1.5].map((k) => ({ name: `ratio ${k}, λ₀ geo`, run: (ev: Replay[], tr: Replay[], B: number) => score(ev, B, ratio(geo(tr, B, (l0) => ratio(l0, k)), k)) })),
  { name: 'ratio 1, λ₀ hindsight last', run: (ev, tr, B) => score(ev, B, ratio(hindsightLog(tr[tr.length - 1]!, B), 1)) },
  { name: 'ratio 1, λ₀ hindsight mean', run: (ev, tr, B) => score(ev, B, ratio(stat(tr.map((x) => hindsightLog(x, B))).mean, 1)) },
  {
    name: 'constant λ₀ hindsight mean',
    run: (ev, tr, B) => {
      const l0 = stat(tr.map((x) => hindsightLog(x, B))).mean;
      return score(ev, B, () => l0);
    },
  },
  {
    name: 're-solve curve',
    run: (ev, tr, B) => {
      const g = curve(tr, B);
      return score(ev, B, (tl, bl) => Math.max(minL, invert(g, (bl + d) / (tl + d))));
    },
  },
  ...[
    [0.5, 0, 1],
    [0.33, 0.33, 10],
    [0.33, 1, 30],
    [0.5, 0.5, 30],
    [0.5, 0.5, 100],
  ].map(([a, b, n0]) => ({
    name: `two-term ${a}, ${b}, ${n0}`,
    run: (ev: Replay[], tr: Replay[], B: number) => {
      let N = 100;
      const rule = (l0: number) => (tl: number, bl: number) => {
        const e = 1 - tl;
        const w = (e * N) / (e * N + n0!);
        return Math.max(minL, l0 + a! * Math.log((tl + d) / (bl + d)) + b! * w * Math.log((1 - bl + d) / (e + d)));
      };
      let l0 = Math.max(0, minL);
      for (const x of tr) {
        N = Math.max(1, x.flat(Math.exp(l0)).wins);
        l0 = sim(x, B, rule(l0)).meanLog;
      }
      return score(ev, B, rule(l0));
    },
  })),
  ...(
    [
      ['0.5 + 0.5e', (e: number) => 0.5 + 0.5 * e],
      ['√e', (e: number) => Math.sqrt(e)],
      ['min(1, 0.33 + e)', (e: number) => Math.min(1, 0.33 + e)],
      ['1 − 0.5e', (e: number) => 1 - 0.5 * e],
    ] as const
  ).map(([nm, k]) => ({
    name: `gain schedule ${nm}`,
    run: (ev: Replay[], tr: Replay[], B: number) => {
      const rule = (l0: number) => (tl: number, bl: number) => Math.max(minL, l0 + k(1 - tl) * Math.log((tl + d) / (bl + d)));
      return score(ev, B, rule(geo(tr, B, rule)));
    },
  })),
  ...[
    [3, 10],
    [3, 30],
    [2, 10],
    [2, 30],
  ].map(([eps, n0]) => ({
    name: `shift estimate ε ${eps}, n₀ ${n0}`,
    run: (ev: Replay[], tr: Replay[], B: number) => {
      let N = 100;
      // State within the episode: spent share A, expected share M at the λ used (ρ = 1).
      const rule = (l0: number, n: number) => {
        let M = 0;
        return (tl: number, bl: number) => {
          const prior = n0! / N;
          const rho = (1 - bl + prior) / (M + prior);
          const ll = Math.max(minL, l0 + (Math.log(rho) + Math.log((tl + d) / (bl + d))) / eps!);
          M += Math.exp(-eps! * (ll - l0)) / n;
          return ll;
        };
      };
      let l0 = Math.max(0, minL);
      for (const x of tr) {
        N = Math.max(1, x.flat(Math.exp(l0)).wins);
        l0 = sim(x, B, rule(l0, x.n)).meanLog;
      }
      return ev.reduce((s, x) => s + sim(x, B, rule(l0, x.n)).value, 0);
    },
  })),
];

/** Records the evaluation episodes of replication r: estimate, true top-slot value, the top competing bids. */
async function record(cfg: ResolvedConfig, r: number): Promise<Replay[]> {
  return (await recordReplays(cfg, r)).replays;
}

const cal = await runReplication({ ...make(undefined, E), replications: 1 }, 0);
const budget = Number((frac * cal.bidders.learner!.spend!).toPrecision(4));
const cfg = make(undefined, E + T);
console.log(`${market} market, ${slots} slot(s), weights [${cfg.exchange.slotWeights.join(', ')}]; budget ${budget} (${frac} × unconstrained spend); ${T} training episodes; λ_min ${Math.exp(minL)}`);

if (argv.includes('--elasticity')) {
  for (const R of await record(make(undefined, E), 0)) {
    const ls = hindsightLog(R, budget);
    console.log(`λ* ${Math.exp(ls).toFixed(2)}: spend / budget at log λ* − 0.4, −0.2, −0.1, +0.1, +0.2, +0.4: ${[-0.4, -0.2, -0.1, 0.1, 0.2, 0.4].map((x) => (R.flat(Math.exp(ls + x)).spend / budget).toFixed(2)).join(' ')}`);
  }
} else if (argv.includes('--oracle')) {
  for (let r = 0; r < reps; r++) {
    for (const R of await record(make(undefined, E), r)) {
      const lp = R.lp(budget);
      const ls = hindsightLog(R, budget);
      const q = [0, 0, 0, 0];
      let wins = 0;
      for (let i = 0; i < R.n; i++) {
        const s = R.slot(i, toMicros(R.e.est[i]! / Math.exp(ls)));
        if (s === R.W.length) continue;
        q[Math.floor((4 * i) / R.n)]! += R.price(i, s) / budget;
        wins++;
      }
      const at = (f: (tl: number, bl: number, i: number) => number) => (sim(R, budget, f).value / lp).toFixed(3);
      console.log(
        `rep ${r}: λ* ${Math.exp(ls).toFixed(2)}, ${wins} wins, spend by quarter ${q.map((x) => x.toFixed(2)).join(' ')}; constant λ* ${at(() => ls)}; ratio κ 1, 0.5, 0.25, 0.1 from λ*: ${[1, 0.5, 0.25, 0.1].map((k) => at(ratio(ls, k))).join(' ')}; κ 1 from log λ* ∓ 0.2: ${at(ratio(ls - 0.2, 1))} ${at(ratio(ls + 0.2, 1))}`,
      );
    }
  }
} else {
  const cols = controllers.map(() => [] as number[]);
  for (let r = 0; r < reps; r++) {
    const all = await record(cfg, r);
    const ev = all.slice(0, E);
    const tr = all.slice(E);
    const lp = ev.reduce((s, x) => s + x.lp(budget), 0);
    controllers.forEach((c, i) => cols[i]!.push(c.run(ev, tr, budget) / lp));
    if (argv.includes('--per-rep')) console.log(`rep ${r}: ${controllers.map((c, i) => `${c.name} ${cols[i]![r]!.toFixed(3)}`).join('; ')}`);
  }
  console.log('| controller | worst | mean |\n| --- | ---: | ---: |');
  controllers.forEach((c, i) => console.log(`| ${c.name} | ${Math.min(...cols[i]!).toFixed(3)} | ${stat(cols[i]!).mean.toFixed(3)} |`));
}
