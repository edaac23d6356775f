/**
 * Charts for reports: vega-lite specs built from tidy rows, rendered to SVG by a
 * headless vega view (`renderer: 'none'`, no browser or canvas needed) and to PNG
 * with resvg (loaded by {@link svgToPng} only).
 *
 * Every spec builder here is pure (rows in, spec out); the SVG of a spec depends
 * only on its data, so reports are byte-identical for identical runs.
 *
 * Fonts: text in the SVG asks for "DejaVu Sans" (falling back to the browser's
 * sans-serif). resvg draws no text without a font file, so {@link svgToPng}
 * loads DejaVu Sans explicitly (Debian package `fonts-dejavu-core`), or the files
 * listed in `BIDGYM_FONT_FILES` (colon-separated paths).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** One data row of a chart. */
export type Row = Record<string, string | number | null>;

/** A named chart: `name` becomes the file name under `charts/`. */
export interface Chart {
  /** File stem, e.g. `learning-curves`. */
  name: string;
  /** Heading shown above the chart in the report. */
  title: string;
  /** One or two sentences telling the reader what they are looking at. */
  caption: string;
  /** The vega-lite spec. */
  spec: TopLevelSpec;
}

/** Font family written into the SVG text. */
export const FONT_FAMILY = 'DejaVu Sans, Verdana, sans-serif';

/** Where Debian's `fonts-dejavu-core` puts its files. */
const DEJAVU_FILES = ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'];

const WIDTH = 520;
const HEIGHT = 260;

const CONFIG = {
  font: FONT_FAMILY,
  // No ARIA labels on every mark: they triple the size of a scatter plot's SVG.
  aria: false,
  background: 'white',
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' as const },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' as const, labelLimit: 220, titleLimit: 220 },
  title: { fontSize: 14, fontWeight: 'normal' as const, anchor: 'start' as const },
};

/** Common top of every spec. */
function base(title: string, values: Row[]): Record<string, unknown> {
  return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title, width: WIDTH, height: HEIGHT, data: { values }, config: CONFIG };
}

/** A fixed colour order for series (e.g. bidders in config order), so a bidder has one colour in every chart. */
function colorScale(domain: string[] | undefined): { scale?: { domain: string[] } } {
  return domain && domain.length > 0 ? { scale: { domain } } : {};
}

/** Keeps at most `max` rows, evenly spaced (deterministic thinning for scatter plots). */
export function thin<T>(rows: T[], max: number): T[] {
  if (rows.length <= max) return rows;
  const out: T[] = [];
  const step = rows.length / max;
  for (let i = 0; i < max; i++) out.push(rows[Math.floor(i * step)]!);
  return out;
}

/** Series in the order they are drawn: the colour domain's order, then any others as first seen. */
function seriesOrder(rows: Row[], domain: string[] | undefined): string[] {
  const seen = [...new Set(rows.map((r) => String(r.series)))];
  const fixed = (domain ?? []).filter((d) => seen.includes(d));
  return [...fixed, ...seen.filter((s) => !fixed.includes(s))];
}

/**
 * Draws the series side by side: each row gets `xPos`, its x shifted by its
 * series' place (together at most `span` of the smallest gap between x values),
 * so that series with the same values (identical bidders) do not hide each other.
 * `x` itself stays as it is (tooltips, tables).
 */
export function dodge(rows: Row[], domain: string[] | undefined, span = 0.5): Row[] {
  const order = seriesOrder(rows, domain);
  const n = order.length;
  const xs = [...new Set(rows.map((r) => Number(r.x)))].sort((a, b) => a - b);
  let gap = Infinity;
  for (let i = 1; i < xs.length; i++) gap = Math.min(gap, xs[i]! - xs[i - 1]!);
  if (!Number.isFinite(gap) || gap <= 0) gap = 1;
  const step = n > 1 ? (gap * span) / n : 0;
  return rows.map((r) => ({ ...r, xPos: Number(r.x) + (order.indexOf(String(r.series)) - (n - 1) / 2) * step }));
}

/** The domain of the dash and shape scales: the colour domain when one is given (so the legends merge and a bidder keeps its look), else the series drawn. */
function symbolDomain(order: string[], domain: string[] | undefined): string[] {
  return domain && domain.length > 0 ? domain : order;
}

/** Legend symbols drawn solid (the first layer may be a faint band). */
const LEGEND = { symbolOpacity: 1, symbolStrokeWidth: 2, symbolSize: 90 };

/** Dash patterns and point shapes per series (fixed ranges, so a series looks the same in every chart). */
const DASHES = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [12, 4], [3, 5], [8, 2, 2, 2, 2, 2]];
const SHAPES = ['circle', 'square', 'triangle-up', 'diamond', 'cross', 'triangle-down', 'triangle-right', 'triangle-left'];

/** Where the vertical marker's label goes: right of the rule in the left part of the plot, left of it near the right edge (never over the legend). */
export function markerLabelPlacement(markerX: number, domain: [number, number]): { align: 'left' | 'right'; dx: number } {
  const [lo, hi] = domain;
  const f = hi > lo ? (markerX - lo) / (hi - lo) : 0;
  return f > 0.6 ? { align: 'right', dx: -4 } : { align: 'left', dx: 4 };
}

/**
 * Mean line with its 95% CI band, one colour, dash pattern and point shape per
 * series; the series are drawn side by side ({@link dodge}), so identical ones
 * stay visible.
 *
 * @param rows `{ x, series, mean, lo, hi }`
 * @param opts axis titles, legend title, optional vertical marker (e.g. start of evaluation) and series order for colours
 */
export function bandChart(
  rows: Row[],
  opts: { title: string; xTitle: string | string[]; yTitle: string | string[]; seriesTitle: string; marker?: { x: number; label: string }; domain?: string[] },
): TopLevelSpec {
  const order = seriesOrder(rows, opts.domain);
  const many = order.length > 1;
  const symbols = symbolDomain(order, opts.domain);
  const data = dodge(rows, opts.domain, 0.3);
  // Half an episode of room either side of the data (no "nice" rounding to a whole extra tick).
  const xs = data.map((r) => Number(r.xPos));
  const xDomain: [number, number] = [Math.min(...xs, opts.marker?.x ?? Infinity) - 0.5, Math.max(...xs, opts.marker?.x ?? -Infinity) + 0.5];
  const x = { field: 'xPos', type: 'quantitative' as const, title: opts.xTitle, scale: { domain: xDomain, nice: false }, axis: { tickMinStep: 1, format: 'd' } };
  // One legend: colour, dash and (with several series) point shape of the same field and title merge into it.
  const color = { field: 'series', type: 'nominal' as const, title: opts.seriesTitle, sort: null, legend: LEGEND, ...colorScale(opts.domain) };
  const dash = many ? { strokeDash: { field: 'series', type: 'nominal' as const, title: opts.seriesTitle, sort: null, scale: { domain: symbols, range: DASHES } } } : {};
  const shape = many ? { shape: { field: 'series', type: 'nominal' as const, title: opts.seriesTitle, sort: null, scale: { domain: symbols, range: SHAPES } } } : {};
  const y = { field: 'mean', type: 'quantitative' as const, title: opts.yTitle };
  const layers: unknown[] = [
    { mark: { type: 'area', opacity: 0.14 }, encoding: { x, y: { field: 'lo', type: 'quantitative', title: opts.yTitle }, y2: { field: 'hi' }, color } },
    { mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y, color, ...dash } },
    {
      mark: { type: 'point', filled: true, size: 36, opacity: 0.9 },
      encoding: { x, y, color, ...shape, tooltip: [{ field: 'series' }, { field: 'x', title: [opts.xTitle].flat().join(' ') }, { field: 'mean' }, { field: 'lo' }, { field: 'hi' }] },
    },
  ];
  if (opts.marker) {
    const place = markerLabelPlacement(opts.marker.x, xDomain);
    layers.push({
      data: { values: [{ xPos: opts.marker.x, label: opts.marker.label }] },
      layer: [
        { mark: { type: 'rule', strokeDash: [4, 4], color: '#666' }, encoding: { x: { field: 'xPos', type: 'quantitative' } } },
        { mark: { type: 'text', align: place.align, dx: place.dx, dy: 4, baseline: 'top', color: '#444' }, encoding: { x: { field: 'xPos', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } } },
      ],
    });
  }
  return { ...base(opts.title, data), layer: layers } as TopLevelSpec;
}

/**
 * Scatter of bid against value, one colour per bidder, with the line bid = value
 * (truthful bidding) for reference.
 *
 * @param rows `{ bidder, value, bid }`
 * @param domain bidder ids in the order that fixes their colours
 */
export function bidValueChart(rows: Row[], domain?: string[]): TopLevelSpec {
  let maxV = 0;
  for (const r of rows) maxV = Math.max(maxV, Number(r.value) || 0, Number(r.bid) || 0);
  return {
    ...base('Bid against value (evaluation)', rows),
    layer: [
      {
        data: { values: [{ v: 0 }, { v: maxV }] },
        mark: { type: 'line', strokeDash: [4, 4], color: '#888' },
        encoding: { x: { field: 'v', type: 'quantitative' }, y: { field: 'v', type: 'quantitative' } },
      },
      {
        mark: { type: 'circle', size: 14, opacity: 0.55 },
        encoding: {
          x: { field: 'value', type: 'quantitative', title: 'value of the impression (currency)' },
          y: { field: 'bid', type: 'quantitative', title: 'bid (currency)' },
          color: { field: 'bidder', type: 'nominal', title: 'bidder', sort: null, ...colorScale(domain) },
        },
      },
    ],
  } as TopLevelSpec;
}

/**
 * Budget spent against time within the episode, one line per bidder and replication,
 * with the uniform-pacing diagonal for reference.
 *
 * @param rows `{ bidder, replication, t, budgetSpent }` sorted by t
 * @param domain bidder ids in the order that fixes their colours (bidders without a budget may be in it)
 */
export function budgetChart(rows: Row[], domain?: string[]): TopLevelSpec {
  // The legend lists only the bidders drawn, while colours follow the full domain.
  const drawn = new Set(rows.map((r) => String(r.bidder)));
  const shown = (domain ?? [...drawn]).filter((b) => drawn.has(b));
  return {
    ...base('Budget spent over the episode (evaluation)', rows),
    layer: [
      {
        data: { values: [{ v: 0 }, { v: 1 }] },
        mark: { type: 'line', strokeDash: [4, 4], color: '#888' },
        encoding: { x: { field: 'v', type: 'quantitative' }, y: { field: 'v', type: 'quantitative' } },
      },
      {
        mark: { type: 'line', strokeWidth: 1.5, opacity: 0.8, interpolate: 'step-after' },
        encoding: {
          x: { field: 't', type: 'quantitative', title: 'fraction of the episode', scale: { domain: [0, 1] } },
          y: { field: 'budgetSpent', type: 'quantitative', title: 'fraction of budget spent', scale: { domain: [0, 1] } },
          color: { field: 'bidder', type: 'nominal', title: 'bidder', sort: null, ...colorScale(domain), legend: { values: shown } },
          detail: { field: 'replication', type: 'nominal' },
        },
      },
    ],
  } as TopLevelSpec;
}

/**
 * Win rate by pCTR bucket, one line per bidder.
 *
 * @param rows `{ bidder, pctr, winRate, n }` where pctr is the bucket's mean pCTR
 * @param domain bidder ids in the order that fixes their colours
 */
export function winRateChart(rows: Row[], domain?: string[]): TopLevelSpec {
  return {
    ...base('Win rate by predicted CTR (evaluation, pCTR deciles)', rows),
    mark: { type: 'line', point: true, strokeWidth: 2 },
    encoding: {
      x: { field: 'pctr', type: 'quantitative', title: 'predicted CTR (bucket mean)' },
      y: { field: 'winRate', type: 'quantitative', title: 'win rate', scale: { domain: [0, 1] } },
      color: { field: 'bidder', type: 'nominal', title: 'bidder', sort: null, ...colorScale(domain) },
      tooltip: [{ field: 'bidder' }, { field: 'pctr' }, { field: 'winRate' }, { field: 'n', title: 'auctions' }],
    },
  } as TopLevelSpec;
}

/**
 * A figure against a swept parameter: mean with 95% CI error bars, one colour per
 * series; when rows carry a `group` (the other swept values), one dash pattern
 * and point shape per group, else one per series. Series are drawn side by side
 * ({@link dodge} on a numeric x, an x offset on categories), so identical bidders
 * do not hide each other.
 *
 * @param rows `{ x, series, group?, mean, lo, hi }`; x is a number or a label
 * @param opts titles; `numericX` puts x on a linear scale, otherwise points are categories in grid order; `domain` fixes the colour order
 */
export function sweepChart(
  rows: Row[],
  opts: { title: string; xTitle: string | string[]; yTitle: string | string[]; seriesTitle: string; groupTitle?: string; numericX: boolean; domain?: string[] },
): TopLevelSpec {
  const order = seriesOrder(rows, opts.domain);
  const many = order.length > 1;
  const symbols = symbolDomain(order, opts.domain);
  // Categories (grid order) sit at 0, 1, 2, … on a linear scale labelled with their names,
  // so that both kinds of x draw lines and dodge the same way.
  const categories = opts.numericX ? [] : [...new Set(rows.map((r) => String(r.x)))];
  const positioned = opts.numericX ? rows : rows.map((r) => ({ ...r, x: categories.indexOf(String(r.x)), label: r.x }));
  const data = dodge(positioned, opts.domain).map((r) => (opts.numericX ? r : { ...r, x: r.label ?? null }));
  const x = opts.numericX
    ? { field: 'xPos', type: 'quantitative' as const, title: opts.xTitle }
    : {
        field: 'xPos',
        type: 'quantitative' as const,
        title: opts.xTitle,
        scale: { domain: [-0.5, categories.length - 0.5], nice: false, zero: false },
        axis: { values: categories.map((_, i) => i), labelExpr: `${JSON.stringify(categories)}[datum.value]`, grid: false, labelAngle: 0 },
      };
  const xOffset = {};
  // A single series needs no legend.
  const color = { field: 'series', type: 'nominal' as const, title: opts.seriesTitle, sort: null, ...colorScale(opts.domain), legend: many ? LEGEND : null };
  const grouped = rows.some((r) => r.group !== undefined && r.group !== null);
  const dash = grouped
    ? { strokeDash: { field: 'group', type: 'nominal' as const, title: opts.groupTitle ?? 'group', sort: null } }
    : many
      ? { strokeDash: { field: 'series', type: 'nominal' as const, title: opts.seriesTitle, sort: null, scale: { domain: symbols, range: DASHES } } }
      : {};
  const shape = grouped
    ? { shape: { field: 'group', type: 'nominal' as const, title: opts.groupTitle ?? 'group', sort: null } }
    : many
      ? { shape: { field: 'series', type: 'nominal' as const, title: opts.seriesTitle, sort: null, scale: { domain: symbols, range: SHAPES } } }
      : {};
  const tooltip = [{ field: 'series' }, ...(grouped ? [{ field: 'group' }] : []), { field: 'x', title: [opts.xTitle].flat().join(' ') }, { field: 'mean' }, { field: 'lo' }, { field: 'hi' }];
  const y = { field: 'mean', type: 'quantitative' as const, title: opts.yTitle };
  return {
    ...base(opts.title, data),
    layer: [
      { mark: { type: 'rule', strokeWidth: 1.5, opacity: 0.7 }, encoding: { x, ...xOffset, y: { field: 'lo', type: 'quantitative', title: opts.yTitle }, y2: { field: 'hi' }, color, detail: { field: 'group' } } },
      { mark: { type: 'line', strokeWidth: 1.5, opacity: 0.7 }, encoding: { x, ...xOffset, y, color, ...dash } },
      { mark: { type: 'point', filled: true, size: 50 }, encoding: { x, ...xOffset, y, color, ...shape, tooltip } },
    ],
  } as TopLevelSpec;
}

/**
 * Renders a vega-lite spec to SVG text with a headless vega view.
 *
 * @example const svg = await renderSvg(winRateChart(rows));
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Font files for PNG rendering: `BIDGYM_FONT_FILES` if set, else DejaVu Sans where installed. */
export function fontFiles(): string[] {
  const env = process.env.BIDGYM_FONT_FILES;
  const candidates = env ? env.split(':').filter(Boolean) : DEJAVU_FILES;
  return candidates.filter((f) => existsSync(f));
}

/**
 * Rasterises an SVG to PNG (white background) with resvg.
 *
 * Without any font file found, falls back to the system fonts; when there are
 * none either, the PNG has no text (install `fonts-dejavu-core`).
 *
 * @param svg SVG text from {@link renderSvg}
 * @param scale pixel density, 2 for print-quality figures
 */
export function svgToPng(svg: string, scale = 2): Uint8Array {
  // resvg (a native addon) only when a PNG is asked for: a report without --png never loads it.
  const { Resvg } = createRequire(import.meta.url)('@resvg/resvg-js') as typeof import('@resvg/resvg-js');
  const files = fontFiles();
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: scale },
    font: files.length > 0 ? { fontFiles: files, loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans' } : { loadSystemFonts: true },
  });
  return resvg.render().asPng();
}
