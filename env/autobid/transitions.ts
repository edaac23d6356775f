/**
 * Step-level transition datasets: (state, action, reward, next state, done)
 * per decision step of one advertiser, as JSON Lines.
 *
 * Format `bidgym-autobid-transitions`, version 1 (UTF-8, one JSON object a line,
 * `\n` line ends):
 * - line 1, the header: `{"format":"bidgym-autobid-transitions","version":1,
 *   "features":[…the state feature names…],"reward":"score-delta","beta":2}`;
 * - every further line one transition, keys in this order:
 *   `episode` (integer), `bidder` (string id), `step` (integer, 0-based),
 *   `state` (the features, numbers), `action` (the step's bid factor over the
 *   target CPA, α / cpa), `reward` (the step's change of AuctionNet's score,
 *   see score.ts: the rewards of an episode add up to its score), `nextState`,
 *   `done` (true at the advertiser's last step: the episode's end or its budget
 *   exhausted), then the step's raw figures so any other reward can be rebuilt:
 *   `conversions`, `expectedConversions` (Σ pValue of exposed wins), `cost`,
 *   and the advertiser's `budget` and `cpa` (target).
 *
 * Numbers are written by JSON.stringify (the shortest text that reads back to
 * the same double), so a dataset read back is identical to the one written, and
 * the same transitions always give the same bytes.
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import type { AutoBidContext, AutoBidder, StepFeedback, StepObservation } from './core.js';
import { targetScoreDelta } from './score.js';
import { STATE_FEATURES, STATE_SIZE } from './state.js';
import type { Rng } from '../rng.js';

/** The format name in the header line. */
export const TRANSITIONS_FORMAT = 'bidgym-autobid-transitions';

/** One decision step of one advertiser. */
export interface StepTransition {
  episode: number;
  bidder: string;
  step: number;
  state: number[];
  /** α / cpa. */
  action: number;
  reward: number;
  nextState: number[];
  done: boolean;
  conversions: number;
  expectedConversions: number;
  cost: number;
  budget: number;
  cpa: number;
}

/** The header line of a dataset. */
export interface TransitionsHeader {
  format: typeof TRANSITIONS_FORMAT;
  version: 1;
  features: string[];
  reward: 'score-delta';
  beta: number;
}

/** A header for the current state features. */
export function transitionsHeader(beta = 2): TransitionsHeader {
  return { format: TRANSITIONS_FORMAT, version: 1, features: [...STATE_FEATURES], reward: 'score-delta', beta };
}

/** The dataset as text (header line, then one line per transition). */
export function formatTransitions(transitions: readonly StepTransition[], header: TransitionsHeader = transitionsHeader()): string {
  const lines = [JSON.stringify(header)];
  for (const t of transitions) {
    lines.push(
      JSON.stringify({
        episode: t.episode,
        bidder: t.bidder,
        step: t.step,
        state: t.state,
        action: t.action,
        reward: t.reward,
        nextState: t.nextState,
        done: t.done,
        conversions: t.conversions,
        expectedConversions: t.expectedConversions,
        cost: t.cost,
        budget: t.budget,
        cpa: t.cpa,
      }),
    );
  }
  return lines.join('\n') + '\n';
}

const NUMBER_FIELDS = ['action', 'reward', 'conversions', 'expectedConversions', 'cost', 'budget', 'cpa'] as const;

/**
 * Parses a dataset; any problem is an {@link InputError} naming the line.
 * @param source name used in messages (the file's path)
 */
export function parseTransitions(text: string, source = 'transitions'): { header: TransitionsHeader; transitions: StepTransition[] } {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new InputError(`${source}: empty file (expected a ${TRANSITIONS_FORMAT} header line)`);
  const at = (i: number, msg: string): InputError => new InputError(`${source}:${i + 1}: ${msg}`);
  const json = (i: number): Record<string, unknown> => {
    let v: unknown;
    try {
      v = JSON.parse(lines[i]!);
    } catch {
      throw at(i, 'not valid JSON');
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw at(i, 'expected a JSON object');
    return v as Record<string, unknown>;
  };
  const h = json(0);
  if (h.format !== TRANSITIONS_FORMAT) throw at(0, `format: expected "${TRANSITIONS_FORMAT}", got ${JSON.stringify(h.format)}`);
  if (h.version !== 1) throw at(0, `version: expected 1, got ${JSON.stringify(h.version)}`);
  if (!Array.isArray(h.features) || h.features.join(',') !== STATE_FEATURES.join(',')) throw at(0, `features: expected [${STATE_FEATURES.join(', ')}]`);
  if (h.reward !== 'score-delta') throw at(0, `reward: expected "score-delta", got ${JSON.stringify(h.reward)}`);
  if (typeof h.beta !== 'number' || !(h.beta >= 0)) throw at(0, 'beta: expected a number ≥ 0');
  const header = h as unknown as TransitionsHeader;
  const transitions: StepTransition[] = [];
  const vector = (i: number, r: Record<string, unknown>, key: string): number[] => {
    const v = r[key];
    if (!Array.isArray(v) || v.length !== STATE_SIZE || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) throw at(i, `${key}: expected ${STATE_SIZE} finite numbers`);
    return v as number[];
  };
  for (let i = 1; i < lines.length; i++) {
    const r = json(i);
    for (const k of ['episode', 'step'] as const) if (!Number.isInteger(r[k]) || (r[k] as number) < 0) throw at(i, `${k}: expected an integer ≥ 0, got ${JSON.stringify(r[k])}`);
    if (typeof r.bidder !== 'string' || r.bidder === '') throw at(i, 'bidder: expected a non-empty string');
    for (const k of NUMBER_FIELDS) if (typeof r[k] !== 'number' || !Number.isFinite(r[k])) throw at(i, `${k}: expected a finite number, got ${JSON.stringify(r[k])}`);
    if (typeof r.done !== 'boolean') throw at(i, `done: expected true or false, got ${JSON.stringify(r.done)}`);
    if ((r.budget as number) <= 0 || (r.cpa as number) <= 0) throw at(i, 'budget and cpa: expected positive numbers');
    transitions.push({
      episode: r.episode as number,
      bidder: r.bidder,
      step: r.step as number,
      state: vector(i, r, 'state'),
      action: r.action as number,
      reward: r.reward as number,
      nextState: vector(i, r, 'nextState'),
      done: r.done,
      conversions: r.conversions as number,
      expectedConversions: r.expectedConversions as number,
      cost: r.cost as number,
      budget: r.budget as number,
      cpa: r.cpa as number,
    });
  }
  return { header, transitions };
}

/** Reads a dataset file (InputError naming the file and line on bad content, or a missing file). */
export function readTransitions(path: string): { header: TransitionsHeader; transitions: StepTransition[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`dataset: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return parseTransitions(text, path);
}

/**
 * Wraps an auto-bidder so that every step it plays is recorded as a
 * {@link StepTransition} (pushed onto `sink` when the advertiser's episode ends).
 * The wrapped bidder behaves exactly as the inner one.
 */
export class RecordingBidder implements AutoBidder {
  readonly kind: string;
  episode = 0;
  private pending: { state: number[]; action: number; step: number; before: { conversions: number; cost: number; econv: number } }[] = [];
  private ctx: AutoBidContext | null = null;

  constructor(readonly inner: AutoBidder, readonly id: string, readonly sink: StepTransition[], readonly beta = 2) {
    this.kind = inner.kind;
  }

  reset(ctx: AutoBidContext): void {
    this.ctx = ctx;
    this.pending = [];
    this.inner.reset(ctx);
  }

  factor(o: StepObservation, rng: Rng): number {
    const a = this.inner.factor(o, rng);
    this.pending.push({ state: Array.from(o.state), action: (Number.isFinite(a) && a > 0 ? a : 0) / o.ctx.cpa, step: o.t, before: { conversions: o.totals.conversions, cost: o.totals.cost, econv: o.totals.expectedConversions } });
    return a;
  }

  observe(f: StepFeedback, o: StepObservation): void {
    this.inner.observe(f, o);
  }

  setLearning(on: boolean): void {
    this.inner.setLearning?.(on);
  }
  endEpisode(last: StepObservation): void {
    this.inner.endEpisode?.(last);
    const ctx = this.ctx!;
    const totals = last.totals;
    this.pending.forEach((p, k) => {
      const next = this.pending[k + 1];
      const after = next ? next.before : { conversions: totals.conversions, cost: totals.cost, econv: totals.expectedConversions };
      this.sink.push({
        episode: this.episode,
        bidder: this.id,
        step: p.step,
        state: p.state,
        action: p.action,
        reward: targetScoreDelta(p.before, after, ctx.targets ?? { cpa: ctx.cpa }, this.beta),
        nextState: next ? next.state : Array.from(last.state),
        done: !next,
        conversions: after.conversions - p.before.conversions,
        expectedConversions: after.econv - p.before.econv,
        cost: after.cost - p.before.cost,
        budget: ctx.budget,
        cpa: ctx.cpa,
      });
    });
    this.pending = [];
  }

  params(): Record<string, unknown> {
    return this.inner.params();
  }
}
