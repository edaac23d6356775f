/**
 * The HTML report of a run folder or a sweep folder: summary tables with 95%
 * confidence intervals and Welch p-values, and charts (vega-lite → SVG, inline in
 * one self-contained `report.html`, also written to `charts/*.svg`, and to
 * `charts/*.png` on request).
 *
 * Run folder charts: learning curves (utility per auction by episode, mean and 95%
 * CI band over replications), market revenue and welfare per episode, bid against
 * value, budget spent over the episode, win rate by pCTR decile. Sweep folder:
 * every figure against the swept parameter, and the sweep table.
 *
 * The report is a pure function of the folder's files: no clock, no paths of the
 * machine, so it is byte-identical for identical runs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  bandChart,
  bidValueChart,
  budgetChart,
  renderSvg,
  svgToPng,
  sweepChart,
  thin,
  winRateChart,
  type Chart,
  type Row,
} from './charts.js';
import { writeFileAtomic } from '../env/io/atomic.js';
import { InputError } from '../env/errors.js';
import { fmt, fmtP } from './format.js';
import { figureAxisTitle, figureName, figureTitle, paramAxisTitle, paramTitle, words } from './labels.js';
import { stat, welch, type Stat } from './stats.js';
import type { SweepFigure, SweepTable } from './sweep/table.js';

/** Options of {@link writeReport}. */
export interface ReportOptions {
  /** Also write `charts/*.png` (2× scale, for papers). */
  png?: boolean;
  /** Bidder the others are tested against in a run report (default: the first bidder). */
  baseline?: string;
}

/** summary.json as far as the report reads it. */
interface SummaryFile {
  name: string;
  configHash: string;
  seed?: number;
  replications: number;
  interestModel?: unknown;
  /** Absent in a step-level run (steps > 1), whose summary has only bidders. */
  market?: Record<string, unknown>;
  /** Decision steps per episode of a step-level run. */
  steps?: number;
  opportunitiesPerEpisode?: number;
  evalEpisodes?: number;
  bidders: Record<string, Record<string, unknown>>;
}

/** Points kept in the bid/value scatter. */
const MAX_SCATTER_POINTS = 1500;
/** pCTR buckets of the win-rate chart. */
const PCTR_BUCKETS = 10;

// ───────────────────────────── reading ─────────────────────────────

/** Parses CSV text (RFC 4180 quoting) into rows keyed by the header. Columns in `text` stay strings; the rest become numbers. */
export function parseCsv(csv: string, textColumns: readonly string[] = ['bidder', 'phase']): Row[] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    const c = csv[i]!;
    if (quoted) {
      if (c === '"' && csv[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && csv[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  const [header, ...body] = records.filter((r) => !(r.length === 1 && r[0] === ''));
  if (!header) return [];
  const text = new Set(textColumns);
  return body.map((r) => {
    const row: Row = {};
    header.forEach((h, i) => {
      const v = r[i] ?? '';
      row[h] = text.has(h) ? v : v === '' ? null : v === 'true' ? 1 : v === 'false' ? 0 : Number(v);
    });
    return row;
  });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads a run's summary.json or a sweep's sweep.json as bidgym wrote it: a file
 * that is not JSON, or not of that shape (truncated, edited, another file), is an
 * InputError naming it, not a crash half-way through the report.
 */
function readJson<T>(path: string, kind: 'summary' | 'sweep'): T {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new InputError(`report: ${path} is not valid JSON (${String((e as Error).message).split('\n')[0]!.slice(0, 80)}); is it a file bidgym wrote?`);
  }
  const bad = (what: string) => new InputError(`report: ${path} is not a ${kind === 'summary' ? 'run summary' : 'sweep table'} bidgym wrote (${what})`);
  if (!isObject(v)) throw bad('expected a JSON object');
  if (typeof v.name !== 'string') throw bad('no name');
  if (typeof v.replications !== 'number') throw bad('no number of replications');
  if (kind === 'summary') {
    if (!isObject(v.bidders) || !Object.values(v.bidders).every(isObject)) throw bad('bidders: expected an object of bidders');
  } else {
    if (!isObject(v.sweep) || !Object.values(v.sweep).every(Array.isArray)) throw bad('sweep: expected the swept paths and their values');
    if (!Array.isArray(v.points) || !v.points.every(isObject)) throw bad('points: expected a list of grid points');
  }
  return v as T;
}

function readCsvIfExists(path: string): Row[] {
  return existsSync(path) ? parseCsv(readFileSync(path, 'utf8')) : [];
}

function isStat(v: unknown): v is Stat {
  return typeof v === 'object' && v !== null && 'mean' in v && 'ci95' in v && 'values' in v;
}

function statEntries(o: Record<string, unknown>): [string, Stat][] {
  return Object.entries(o).filter((e): e is [string, Stat] => isStat(e[1]));
}

// ───────────────────────────── formatting ─────────────────────────────

function esc(s: unknown): string {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Splits camelCase figure names into words: "utilityPerAuction" → "utility per auction". */
export function label(name: string): string {
  return words(name);
}

function statCell(s: Stat | undefined, p?: number | null): string {
  if (!s) return '<td class="na">–</td>';
  const pTxt = p === undefined ? '' : `<div class="p${p !== null && p < 0.05 ? ' sig' : ''}">p ${esc(fmtP(p))}</div>`;
  // One replication has no interval to show.
  const one = s.values?.length === 1;
  const ci = one ? '' : ` <span class="ci">[${esc(fmt(s.ci95[0]))}, ${esc(fmt(s.ci95[1]))}]</span>`;
  return `<td><span class="m">${esc(fmt(s.mean))}</span>${ci}${pTxt}</td>`;
}

/** Prefixes the ids of an SVG so several can be inlined in one page without clashes. */
function scopeSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, `id="${prefix}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${prefix}-$1"`);
}

// ───────────────────────────── run charts ─────────────────────────────

/** Orders (phase, episode) pairs: training first, then evaluation, each by episode. */
function episodeAxis(rows: Row[]): { index: Map<string, number>; evalStart: number | null } {
  const phaseRank = (p: string) => (p === 'train' ? 0 : p === 'eval' ? 1 : 2);
  const keys = new Map<string, { phase: string; episode: number }>();
  for (const r of rows) keys.set(`${r.phase}|${r.episode}`, { phase: String(r.phase), episode: Number(r.episode) });
  const sorted = [...keys.entries()].sort((a, b) => phaseRank(a[1].phase) - phaseRank(b[1].phase) || a[1].episode - b[1].episode);
  const index = new Map<string, number>();
  sorted.forEach(([k], i) => index.set(k, i));
  // The marker goes where evaluation follows training; without training there is nothing to separate.
  const firstEval = sorted.findIndex(([, v]) => v.phase === 'eval');
  return { index, evalStart: firstEval > 0 ? firstEval : null };
}

/** Groups values by key, preserving first-seen key order. */
function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const g = m.get(k);
    if (g) g.push(it);
    else m.set(k, [it]);
  }
  return m;
}

/** Mean and 95% CI band rows over replications, one series per `series(row)`. */
function bandRows(rows: Row[], axis: Map<string, number>, series: (r: Row) => string, value: (r: Row) => number): Row[] {
  const groups = groupBy(rows, (r) => `${series(r)}\u0000${r.phase}|${r.episode}`);
  const out: Row[] = [];
  for (const [k, g] of groups) {
    const values = g.map(value).filter(Number.isFinite);
    if (values.length === 0) continue;
    const s = stat(values);
    const [name, ep] = k.split('\u0000') as [string, string];
    out.push({ x: axis.get(ep)!, series: name, mean: s.mean, lo: s.ci95[0], hi: s.ci95[1] });
  }
  return out.sort((a, b) => Number(a.x) - Number(b.x));
}

/**
 * The charts of a run folder, from its episodes.csv and samples.csv.
 *
 * @param bidders bidder ids in config order: fixes each bidder's colour across charts
 */
export function runCharts(episodes: Row[], samples: Row[], bidders?: string[]): Chart[] {
  const charts: Chart[] = [];
  if (episodes.length > 0) {
    const { index, evalStart } = episodeAxis(episodes);
    const marker = evalStart !== null ? { x: evalStart - 0.5, label: 'evaluation →' } : undefined;
    const util = bandRows(episodes, index, (r) => String(r.bidder), (r) => (Number(r.auctions) > 0 ? Number(r.utility) / Number(r.auctions) : NaN));
    charts.push({
      name: 'learning-curves',
      title: 'Learning curves',
      caption: 'Utility (value won − spend) per auction in each episode: mean over replications with its 95% confidence band. Episodes right of the dashed line are evaluation episodes (learning off, greedy policies).',
      spec: bandChart(util, { title: 'Utility per auction by episode', xTitle: 'episode', yTitle: 'utility per auction (currency)', seriesTitle: 'bidder', marker, domain: bidders }),
    });
    // Market figures repeat on every bidder's row: keep one row per (replication, episode).
    const marketRows = [...groupBy(episodes, (r) => `${r.replication}|${r.phase}|${r.episode}`).values()].map((g) => g[0]!);
    const market = [
      ...bandRows(marketRows, index, () => 'revenue', (r) => Number(r.revenuePerAuction)),
      ...bandRows(marketRows, index, () => 'welfare', (r) => Number(r.welfarePerAuction)),
    ].sort((a, b) => Number(a.x) - Number(b.x));
    charts.push({
      name: 'market',
      title: 'Market revenue and welfare',
      caption: 'Exchange revenue (payments) and social welfare (value of the impressions sold) per auction in each episode: mean and 95% confidence band over replications.',
      spec: bandChart(market, { title: 'Revenue and welfare per auction by episode', xTitle: 'episode', yTitle: 'per auction (currency)', seriesTitle: 'figure', marker }),
    });
  }
  if (samples.length > 0) {
    const scatter = thin(
      samples.filter((r) => Number.isFinite(Number(r.value)) && Number.isFinite(Number(r.bid))).map((r) => ({ bidder: r.bidder, value: r.value, bid: r.bid })),
      MAX_SCATTER_POINTS,
    );
    charts.push({
      name: 'bid-vs-value',
      title: 'Bid against value',
      caption: `Each point is one auction of the last evaluation episode (a subsample${scatter.length < samples.length ? `, ${scatter.length} of ${samples.length} shown` : ''}). Points on the dashed line bid their value (truthful); below it, the bidder shades.`,
      spec: bidValueChart(scatter, bidders),
    });
    const budgeted = new Set(samples.filter((r) => Number(r.budgetSpent) > 0).map((r) => String(r.bidder)));
    if (budgeted.size > 0) {
      const rows = samples
        .filter((r) => budgeted.has(String(r.bidder)))
        .map((r) => ({ bidder: r.bidder, replication: r.replication, t: r.t, budgetSpent: r.budgetSpent }))
        .sort((a, b) => Number(a.t) - Number(b.t));
      charts.push({
        name: 'budget',
        title: 'Budget spent over the episode',
        caption: 'Fraction of the episode budget spent against the fraction of the episode elapsed, one line per bidder with a budget and replication (last evaluation episode). The dashed diagonal is perfectly even pacing.',
        spec: budgetChart(rows, bidders),
      });
    }
    const win = winRateRows(samples);
    if (win.length > 0) {
      charts.push({
        name: 'win-rate-by-pctr',
        title: 'Win rate by predicted CTR',
        caption: 'Share of auctions won in each decile of the predicted click probability the bidders saw (last evaluation episode, all replications). A bidder that values clicks should win more of the likely clicks.',
        spec: winRateChart(win, bidders),
      });
    }
  }
  return charts;
}

/** Win rate per bidder in pCTR deciles (pooled over bidders, so buckets line up). */
function winRateRows(samples: Row[]): Row[] {
  const pctrs = samples.map((r) => Number(r.pctr)).filter(Number.isFinite).sort((a, b) => a - b);
  if (pctrs.length === 0 || pctrs[0] === pctrs[pctrs.length - 1]) return [];
  const edges: number[] = [];
  for (let k = 1; k < PCTR_BUCKETS; k++) edges.push(pctrs[Math.floor((k * pctrs.length) / PCTR_BUCKETS)]!);
  const bucketOf = (p: number) => {
    let k = 0;
    while (k < edges.length && p > edges[k]!) k++;
    return k;
  };
  const acc = new Map<string, { n: number; won: number; pctrSum: number; bidder: string; bucket: number }>();
  for (const r of samples) {
    const p = Number(r.pctr);
    if (!Number.isFinite(p)) continue;
    const bucket = bucketOf(p);
    const key = `${r.bidder}|${bucket}`;
    let a = acc.get(key);
    if (!a) acc.set(key, (a = { n: 0, won: 0, pctrSum: 0, bidder: String(r.bidder), bucket }));
    a.n++;
    a.won += Number(r.won) > 0 ? 1 : 0;
    a.pctrSum += p;
  }
  return [...acc.values()]
    .sort((a, b) => a.bucket - b.bucket)
    .map((a) => ({ bidder: a.bidder, pctr: a.pctrSum / a.n, winRate: a.won / a.n, n: a.n }));
}

// ───────────────────────────── sweep charts ─────────────────────────────

/** The swept parameter used as x: the first with more than one value. */
function sweepAxis(table: SweepTable): { key: string; others: string[]; numeric: boolean } {
  const keys = Object.keys(table.sweep);
  const key = keys.find((k) => (table.sweep[k]?.length ?? 0) > 1) ?? keys[0]!;
  const numeric = table.points.every((p) => typeof p.params[key] === 'number');
  return { key, others: keys.filter((k) => k !== key), numeric };
}

function xValue(v: unknown, numeric: boolean): string | number {
  return numeric ? (v as number) : typeof v === 'string' ? v : JSON.stringify(v);
}

/** True when a chart's rows would draw nothing worth a look: every mean and bound the same number. */
function flat(rows: Row[]): boolean {
  const v = rows.flatMap((r) => [r.mean, r.lo, r.hi]);
  return v.every((x) => x === v[0]);
}

/**
 * The charts of a sweep folder: every market and bidder figure against the swept
 * parameter (the first with several values). Other swept parameters become
 * colours (market) or dash patterns and point shapes (bidders). Figures that are
 * the same number everywhere are left out (they stay in the table and sweep.csv).
 */
export function sweepCharts(table: SweepTable): Chart[] {
  const { key, others, numeric } = sweepAxis(table);
  const xTitle = paramTitle(key);
  const xAxis = paramAxisTitle(key);
  const otherTitle = others.map((k) => paramTitle(k)).join(', ');
  const rest = (params: Record<string, unknown>) => others.map((k) => `${paramTitle(k).replace(/ \(.*\)$/, '')} = ${xValue(params[k], false)}`).join(', ');
  const charts: Chart[] = [];
  const marketFigures = [...new Set(table.points.flatMap((p) => Object.keys(p.market)))];
  for (const fig of marketFigures) {
    const rows: Row[] = [];
    for (const p of table.points) {
      const s = p.market[fig];
      if (!s) continue;
      rows.push({ x: xValue(p.params[key], numeric), series: others.length ? rest(p.params) : 'market', mean: s.mean, lo: s.ci95[0], hi: s.ci95[1] });
    }
    if (rows.length === 0 || flat(rows)) continue;
    charts.push({
      name: `sweep-market-${fig}`,
      title: `Market: ${figureName(fig)}`,
      caption: `${capitalise(figureTitle(fig))} against ${xTitle} (config ${key}): mean with 95% confidence interval over replications at each grid point.`,
      spec: sweepChart(rows, { title: `${capitalise(figureName(fig))} by ${xTitle.replace(/ \(.*\)$/, '')}`, xTitle: xAxis, yTitle: figureAxisTitle(fig), seriesTitle: otherTitle || 'series', numericX: numeric }),
    });
  }
  const bidderIds = [...new Set(table.points.flatMap((p) => Object.keys(p.bidders)))];
  const bidderFigures = [...new Set(table.points.flatMap((p) => Object.values(p.bidders).flatMap((b) => Object.keys(b))))];
  for (const fig of bidderFigures) {
    const rows: Row[] = [];
    for (const p of table.points) {
      for (const [id, b] of Object.entries(p.bidders)) {
        const s = b[fig];
        if (!s) continue;
        // A step-level bidder that spent without a conversion reports Number.MAX_VALUE as its CPA: no point to draw.
        if (table.steps !== undefined && !(Math.abs(s.ci95[1]) < 1e300 && Math.abs(s.ci95[0]) < 1e300)) continue;
        rows.push({ x: xValue(p.params[key], numeric), series: id, group: others.length ? rest(p.params) : null, mean: s.mean, lo: s.ci95[0], hi: s.ci95[1] });
      }
    }
    if (rows.length === 0 || flat(rows)) continue;
    charts.push({
      name: `sweep-bidders-${fig}`,
      title: `Bidders: ${figureName(fig)}`,
      caption: `Each bidder's ${figureTitle(fig)} against ${xTitle} (config ${key}): mean with 95% confidence interval over replications. Bidders are drawn side by side, each with its own colour, marker and dash, so identical bidders stay visible.`,
      spec: sweepChart(rows, { title: `${capitalise(figureName(fig))} by ${xTitle.replace(/ \(.*\)$/, '')}`, xTitle: xAxis, yTitle: figureAxisTitle(fig), seriesTitle: 'bidder', groupTitle: otherTitle, numericX: numeric, domain: bidderIds }),
    });
  }
  return charts;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// ───────────────────────────── tables ─────────────────────────────

/** Summary tables of a run: market figures, and bidder figures with Welch p-values against `baseline`. */
function runTables(summary: SummaryFile, baseline: string | undefined): string {
  const market = summary.market ? statEntries(summary.market) : [];
  const bidderIds = Object.keys(summary.bidders);
  const base = baseline ?? bidderIds[0];
  if (base !== undefined && !summary.bidders[base]) throw new Error(`report: baseline bidder "${base}" is not in summary.json (bidders: ${bidderIds.join(', ')})`);
  const figures = [...new Set(bidderIds.flatMap((id) => statEntries(summary.bidders[id]!).map(([k]) => k)))];
  let html = '';
  if (market.length > 0) {
    html += '<h2>Market</h2>\n<div class="scroll"><table><thead><tr>';
    html += market.map(([k]) => `<th>${esc(figureTitle(k))}</th>`).join('') + '</tr></thead><tbody><tr>';
    html += market.map(([, s]) => statCell(s)).join('') + '</tr></tbody></table></div>\n';
  }
  html += `<h2>Bidders</h2>\n<p class="note">Mean [95% CI] over ${summary.replications} replication${summary.replications === 1 ? '' : 's'} of the evaluation episodes. p: Welch's two-sided t-test of each bidder against <b>${esc(base)}</b> on the same figure (replications as samples; bold when p &lt; 0.05).</p>\n`;
  // One column per bidder, one row per figure: figures outnumber bidders in most markets.
  html += '<div class="scroll"><table><thead><tr><th>figure</th>';
  html += bidderIds.map((id) => `<th>${esc(id)}${id === base ? ' <span class="ci">(baseline)</span>' : ''}</th>`).join('') + '</tr></thead><tbody>\n';
  // A step-level run names each bidder's agent kind (its figures follow).
  if (bidderIds.some((id) => typeof summary.bidders[id]!.kind === 'string')) {
    html += '<tr><th>agent</th>' + bidderIds.map((id) => `<td>${esc(summary.bidders[id]!.kind ?? '')}</td>`).join('') + '</tr>\n';
  }
  for (const f of figures) {
    html += `<tr><th>${esc(figureTitle(f))}</th>`;
    const bs = base !== undefined ? summary.bidders[base]![f] : undefined;
    for (const id of bidderIds) {
      const v = summary.bidders[id]![f];
      const s = isStat(v) ? v : undefined;
      const p = s && id !== base && isStat(bs) ? welch(s.values, bs.values).p : undefined;
      html += statCell(s, p);
    }
    html += '</tr>\n';
  }
  return html + '</tbody></table></div>\n';
}

/** The sweep table: one row per grid point, swept values, market figures and every bidder's utility. */
function sweepTableHtml(table: SweepTable, root: string): string {
  const keys = Object.keys(table.sweep);
  const marketFigures = [...new Set(table.points.flatMap((p) => Object.keys(p.market)))];
  const bidderIds = [...new Set(table.points.flatMap((p) => Object.keys(p.bidders)))];
  const withP = table.baseline !== null;
  let html = `<p class="note">One row per grid point; mean [95% CI] over ${table.replications} replication${table.replications === 1 ? '' : 's'}.${
    withP ? ` p: Welch's two-sided t-test against grid point <b>${table.baseline}</b> on the same figure (bold when p &lt; 0.05).` : ' Set <code>sweepBaseline</code> to test the points against one of them.'
  } Every figure of every bidder is in <code>sweep.csv</code>.</p>\n`;
  html += '<div class="scroll"><table><thead><tr><th>#</th>' + keys.map((k) => `<th>${esc(paramTitle(k))}<br><code>${esc(k)}</code></th>`).join('');
  html += marketFigures.map((f) => `<th>${esc(figureTitle(f))}</th>`).join('');
  // Per bidder: its utility per auction, or in a step-level sweep its score and CPA / target.
  const columns: [string, string][] = table.steps !== undefined ? [['score', 'score'], ['cpaRatio', 'CPA / target']] : [['utilityPerAuction', 'utility per auction']];
  html += bidderIds.flatMap((id) => columns.map(([, words]) => `<th>${esc(id)}: ${words}</th>`)).join('') + '</tr></thead><tbody>\n';
  for (const p of table.points) {
    const link = existsSync(join(root, p.dir, 'report.html')) ? `<a href="${esc(p.dir)}/report.html">${p.index}</a>` : String(p.index);
    html += `<tr><th>${link}${p.index === table.baseline ? ' <span class="ci">(baseline)</span>' : ''}</th>`;
    html += keys.map((k) => `<td>${esc(typeof p.params[k] === 'string' ? p.params[k] : JSON.stringify(p.params[k]))}</td>`).join('');
    const cell = (s: SweepFigure | undefined) => statCell(s, p.index === table.baseline ? undefined : s?.p);
    html += marketFigures.map((f) => cell(p.market[f])).join('');
    html += bidderIds.flatMap((id) => columns.map(([fig]) => cell(p.bidders[id]?.[fig]))).join('');
    html += '</tr>\n';
  }
  return html + '</tbody></table></div>\n';
}

// ───────────────────────────── page ─────────────────────────────

const CSS = `
body { font-family: "DejaVu Sans", Verdana, sans-serif; margin: 2rem auto; max-width: 1180px; padding: 0 1rem; color: #222; line-height: 1.4; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
.meta { color: #555; margin-top: 0; } .note { color: #444; font-size: .9rem; }
table { border-collapse: collapse; font-size: .85rem; margin: .5rem 0; }
th, td { border: 1px solid #ddd; padding: .3rem .5rem; text-align: right; vertical-align: top; white-space: nowrap; }
thead th { background: #f4f4f4; text-align: center; white-space: normal; overflow-wrap: anywhere; min-width: 5rem; max-width: 12rem; }
tbody th { text-align: left; background: #fafafa; white-space: normal; min-width: 10rem; max-width: 18rem; }
.m { font-weight: 600; } .ci { color: #666; font-size: .8rem; font-weight: normal; } td .ci { display: block; } .na { color: #aaa; text-align: center; }
.p { color: #666; font-size: .75rem; } .p.sig { color: #000; font-weight: 700; }
.scroll { overflow-x: auto; max-width: 100%; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 0 1.5rem; }
figure { margin: 1rem 0; } figure h3 { font-size: 1rem; margin: 0 0 .3rem; } figure svg { max-width: 100%; height: auto; } figcaption { color: #444; font-size: .9rem; max-width: 720px; }
pre { background: #f7f7f7; padding: .8rem; overflow-x: auto; font-size: .8rem; }
`;

function page(title: string, meta: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p class="meta">${meta}</p>
${body}
</body>
</html>
`;
}

/** Renders charts, writes `charts/<name>.svg` (and `.png`), returns the HTML figures. */
async function renderCharts(dir: string, charts: Chart[], png: boolean): Promise<string> {
  const chartDir = join(dir, 'charts');
  // Charts are rewritten in place; files the report did not make (PNGs of an
  // earlier `report --png`, anything a user put there) are left alone.
  let html = '';
  for (const [i, c] of charts.entries()) {
    const svg = await renderSvg(c.spec);
    writeFileAtomic(join(chartDir, `${c.name}.svg`), svg);
    if (png) writeFileAtomic(join(chartDir, `${c.name}.png`), svgToPng(svg));
    html += `<figure id="${esc(c.name)}">\n<h3>${esc(c.title)}</h3>\n${scopeSvgIds(svg, `c${i}`)}\n<figcaption>${esc(c.caption)}</figcaption>\n</figure>\n`;
  }
  return `<div class="charts">\n${html}</div>\n`;
}

function interestLine(im: unknown): string {
  if (!im || typeof im !== 'object') return '';
  const o = im as Record<string, unknown>;
  const parts = [`interest model <b>${esc(o.kind ?? '?')}</b>`];
  for (const k of ['backend', 'auc', 'logLoss', 'ece', 'coldStartAuc']) {
    const v = o[k];
    if (v === null || v === undefined || v === 'none') continue;
    const mean = v && typeof v === 'object' && typeof (v as { mean?: unknown }).mean === 'number' ? (v as { mean: number }).mean : null;
    parts.push(`${esc(label(k))} ${esc(typeof v === 'number' ? fmt(v) : mean !== null ? fmt(mean) : v)}`);
  }
  return parts.join(', ');
}

async function writeRunReport(dir: string, opts: ReportOptions): Promise<string> {
  const summary = readJson<SummaryFile>(join(dir, 'summary.json'), 'summary');
  const episodes = readCsvIfExists(join(dir, 'episodes.csv'));
  const samples = readCsvIfExists(join(dir, 'samples.csv'));
  const charts = runCharts(episodes, samples, Object.keys(summary.bidders));
  const figures = await renderCharts(dir, charts, opts.png ?? false);
  const configPath = join(dir, 'resolved-config.json');
  const config = existsSync(configPath) ? `<h2>Configuration</h2>\n<details><summary>resolved-config.json</summary><pre>${esc(readFileSync(configPath, 'utf8'))}</pre></details>\n` : '';
  const meta = [
    `config <code>${esc(summary.configHash)}</code>`,
    summary.seed !== undefined ? `seed ${esc(summary.seed)}` : '',
    `${esc(summary.replications)} replication${summary.replications === 1 ? '' : 's'}`,
    summary.steps !== undefined
      ? `step-level auto-bidding: ${esc(summary.evalEpisodes ?? '?')} evaluation episode${summary.evalEpisodes === 1 ? '' : 's'} of ${esc(summary.steps)} decision steps, ${esc(summary.opportunitiesPerEpisode ?? '?')} opportunities each (docs/autobidding.md)`
      : '',
    interestLine(summary.interestModel),
  ]
    .filter(Boolean)
    .join(' · ');
  // A step-level run writes no episodes.csv, so it has tables and no charts.
  const chartsHtml = charts.length > 0 ? '<h2>Charts</h2>\n' + figures : '';
  const html = page(`bidgym run: ${summary.name}`, meta, runTables(summary, opts.baseline) + chartsHtml + config);
  const out = join(dir, 'report.html');
  writeFileAtomic(out, html);
  return out;
}

async function writeSweepReport(dir: string, opts: ReportOptions): Promise<string> {
  const table = readJson<SweepTable>(join(dir, 'sweep.json'), 'sweep');
  const figures = await renderCharts(dir, sweepCharts(table), opts.png ?? false);
  const grid = Object.entries(table.sweep)
    .map(([k, v]) => `<code>${esc(k)}</code> ∈ {${v.map((x) => esc(typeof x === 'string' ? x : JSON.stringify(x))).join(', ')}}`)
    .join(' × ');
  const meta = `${table.points.length} grid points: ${grid} · seed ${esc(table.seed)} · ${esc(table.replications)} replication${table.replications === 1 ? '' : 's'} each${table.steps !== undefined ? ` · step-level auto-bidding, ${esc(table.steps)} decision steps per episode (docs/autobidding.md)` : ''}`;
  const html = page(`bidgym sweep: ${table.name}`, meta, '<h2>Sweep table</h2>\n' + sweepTableHtml(table, dir) + '<h2>Charts</h2>\n' + figures);
  const out = join(dir, 'report.html');
  writeFileAtomic(out, html);
  return out;
}

/**
 * Writes `report.html` and `charts/*.svg` (and `charts/*.png` with `png`) into a
 * run folder (has summary.json) or a sweep folder (has sweep.json).
 *
 * @param dir run or sweep folder
 * @returns the path of report.html
 * @throws Error naming the folder when it holds neither summary.json nor sweep.json
 * @example await writeReport('runs/quickstart-1a2b3c', { png: true })
 */
export async function writeReport(dir: string, opts: ReportOptions = {}): Promise<string> {
  if (existsSync(join(dir, 'sweep.json'))) return writeSweepReport(dir, opts);
  if (existsSync(join(dir, 'summary.json'))) return writeRunReport(dir, opts);
  throw new Error(`report: ${dir} is neither a run folder (no summary.json) nor a sweep folder (no sweep.json)`);
}
