/**
 * The sweep table: one row per grid point with its figures (each trial's
 * summary.json statistics) and Welch's p against the baseline point, built from
 * the trial folders in grid order, so it is the same for any number of workers
 * and any finishing order. Written as `sweep.json` and `sweep.csv`, shown as
 * terminal text ({@link sweepText}) and in the report (report.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixedP, meanCi, textTable } from '../format.js';
import type { Summary } from '../runner.js';
import { welch, type Stat } from '../stats.js';
import { isAutoBidSweep, parseSweep, pointOf, SweepError, sweepHash, valueText } from './grid.js';
import type { AutoBidSummary } from '../autobid-run.js';
import { trialDone, TRIALS } from './trial.js';

/** A figure of a grid point: the trial's statistic, plus Welch's p against the baseline point. */
export interface SweepFigure extends Stat {
  /** Two-sided p-value of Welch's t-test against the same figure at the baseline point (null when undefined). */
  p?: number | null;
}

/** One row of the sweep table. */
export interface SweepPoint {
  index: number;
  id: string;
  /** Trial folder relative to the sweep folder, e.g. `trials/03-reservePrice=0.5`. */
  dir: string;
  params: Record<string, unknown>;
  /** Hash of the trial's resolved config (as in its summary.json). */
  configHash: string;
  market: Record<string, SweepFigure>;
  bidders: Record<string, Record<string, SweepFigure>>;
}

/** sweep.json */
export interface SweepTable {
  name: string;
  /** Hash of the raw sweep config (sweep block included). */
  sweepHash: string;
  seed: number;
  replications: number;
  sweep: Record<string, unknown[]>;
  /** Index of the baseline grid point, or null. */
  baseline: number | null;
  /** Step-level sweeps only (configs with `steps > 1`): decision steps per episode. Absent for per-auction sweeps. */
  steps?: number;
  points: SweepPoint[];
}

/** A bidder's figures of a step-level summary (experiments/autobid-run.ts): its statistics, without kind, budget and targets. */
function statsOnly(bidders: AutoBidSummary['bidders']): Record<string, Record<string, Stat>> {
  return Object.fromEntries(
    Object.entries(bidders).map(([id, b]) => [id, Object.fromEntries(Object.entries(b).filter(([, v]) => v !== null && typeof v === 'object' && Array.isArray((v as Stat).values))) as Record<string, Stat>]),
  );
}

/** Builds the sweep table from the trial folders of `outDir`, in grid order, with p-values against the baseline. @throws {SweepError} when a trial has not finished */
export function buildSweepTable(rawConfig: unknown, outDir: string): SweepTable {
  const spec = parseSweep(rawConfig);
  const points: SweepPoint[] = [];
  const summaries: Summary[] = [];
  for (let i = 0; i < spec.size; i++) {
    const p = pointOf(rawConfig as Record<string, unknown>, spec, i);
    const dir = join(outDir, TRIALS, p.id);
    if (!trialDone(dir)) throw new SweepError(`sweep table: trial ${p.id} has not finished (no ${join(dir, 'summary.json')})`);
    const read = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Summary | AutoBidSummary;
    // A step-level trial has no market figures; its bidders' figures are the statistics of summary.json.
    const s: Summary = isAutoBidSweep(rawConfig) ? ({ ...read, market: {}, bidders: statsOnly((read as AutoBidSummary).bidders) } as unknown as Summary) : (read as Summary);
    summaries.push(s);
    points.push({ index: i, id: p.id, dir: `${TRIALS}/${p.id}`, params: p.params, configHash: s.configHash, market: { ...s.market }, bidders: structuredClone(s.bidders) });
  }
  const steps = isAutoBidSweep(rawConfig) ? (rawConfig as { steps: number }).steps : undefined;
  if (spec.baseline !== null) addPValues(points, summaries[spec.baseline]!, spec.baseline);
  const first = summaries[0]!;
  return {
    name: first.name,
    sweepHash: sweepHash(rawConfig),
    seed: first.seed,
    replications: first.replications,
    sweep: Object.fromEntries(spec.keys.map((k, i) => [k, spec.values[i]!])),
    baseline: spec.baseline,
    ...(steps === undefined ? {} : { steps }),
    points,
  };
}

/** Adds to every figure of every point but the baseline Welch's p against the same figure at the baseline. */
function addPValues(points: SweepPoint[], base: Summary, baseline: number): void {
  const pOf = (fig: Stat, b: Stat | undefined) => (b ? nullIfNaN(welch(fig.values, b.values).p) : null);
  for (const p of points) {
    if (p.index === baseline) continue;
    for (const [k, fig] of Object.entries(p.market)) p.market[k] = { ...fig, p: pOf(fig, base.market[k]) };
    for (const [id, figs] of Object.entries(p.bidders)) {
      for (const [k, fig] of Object.entries(figs)) figs[k] = { ...fig, p: pOf(fig, base.bidders[id]?.[k]) };
    }
  }
}

function nullIfNaN(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Every figure name of the table in first-seen order: `market.<name>`, `bidders.<id>.<name>`. */
function figureNames(table: SweepTable): string[] {
  const seen = new Set<string>();
  for (const p of table.points) {
    for (const k of Object.keys(p.market)) seen.add(`market.${k}`);
    for (const [id, figs] of Object.entries(p.bidders)) for (const k of Object.keys(figs)) seen.add(`bidders.${id}.${k}`);
  }
  return [...seen];
}

/**
 * sweep.csv: one row per grid point; the swept values, then for every figure
 * `<figure>.mean`, `.ci95lo`, `.ci95hi` (and `.p` against the baseline point when
 * there is one). Figures are `market.<name>` and `bidders.<id>.<name>`.
 */
export function sweepCsv(table: SweepTable): string {
  const figures = figureNames(table);
  const withP = table.baseline !== null;
  const keys = Object.keys(table.sweep);
  const header = ['index', 'trial', ...keys, ...figures.flatMap((f) => [`${f}.mean`, `${f}.ci95lo`, `${f}.ci95hi`, ...(withP ? [`${f}.p`] : [])])];
  const lines = [header.map(csvField).join(',')];
  for (const p of table.points) {
    const cells: unknown[] = [p.index, p.id, ...keys.map((k) => p.params[k])];
    for (const f of figures) {
      const [scope, a, b] = f.split('.') as [string, string, string | undefined];
      const fig = scope === 'market' ? p.market[a] : p.bidders[a]?.[b!];
      cells.push(fig?.mean, fig?.ci95[0], fig?.ci95[1]);
      if (withP) cells.push(fig?.p);
    }
    lines.push(cells.map(csvField).join(','));
  }
  return lines.join('\n') + '\n';
}

/**
 * The sweep table as terminal text: one line per grid point with the swept values,
 * market revenue and welfare, and each bidder's utility per auction (mean ± CI
 * half-width, and p against the baseline point when set).
 */
export function sweepText(table: SweepTable): string {
  const cell = (s: SweepFigure | undefined) => {
    if (!s) return '—';
    const p = s.p === undefined ? '' : s.p === null ? ' (p –)' : ` (p ${fixedP(s.p)})`;
    return `${meanCi(s)}${p}`;
  };
  const keys = Object.keys(table.sweep);
  const bidders = [...new Set(table.points.flatMap((p) => Object.keys(p.bidders)))];
  // A step-level sweep: each bidder's score and CPA / target (no market figures).
  const step = table.steps !== undefined;
  const head = ['#', ...keys, ...(step ? bidders.flatMap((b) => [`${b} score`, `${b} CPA/target`]) : ['revenue/auction', 'welfare/auction', ...bidders.map((b) => `${b} utility/auction`)])];
  const rows = table.points.map((p) => [
    `${p.index}${p.index === table.baseline ? '*' : ''}`,
    ...keys.map((k) => valueText(p.params[k])),
    ...(step
      ? bidders.flatMap((b) => [cell(p.bidders[b]?.score), cell(p.bidders[b]?.cpaRatio)])
      : [cell(p.market.revenuePerAuction), cell(p.market.welfarePerAuction), ...bidders.map((b) => cell(p.bidders[b]?.utilityPerAuction))]),
  ]);
  const out = [
    `${table.name} sweep: ${table.points.length} grid points × ${table.replications} replication${table.replications === 1 ? '' : 's'} (mean ± 95% CI half-width${table.baseline !== null ? `; p: Welch vs point ${table.baseline}*` : ''})`,
    '',
    ...textTable(head, rows, keys.length + 1),
  ];
  return out.join('\n');
}
