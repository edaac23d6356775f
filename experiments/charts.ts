/**
 * Charts for reports: vega-lite specs built from tidy rows, rendered to SVG by a
 * headless vega view (`renderer: 'none'`, no browser or canvas needed) and to PNG
 * with resvg.
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
import { Resvg } from '@resvg/resvg-js';
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

/**
 * Mean line with its 95% CI band, one colour per series.
 *
 * @param rows `{ x, series, mean, lo, hi }`
 * @param opts axis titles, legend title, optional vertical marker (e.g. start of evaluation) and series order for colours
 */
export function bandChart(
  rows: Row[],
  opts: { title: string; xTitle: string; yTitle: string; seriesTitle: string; marker?: { x: number; label: string }; domain?: string[] },
): TopLevelSpec {
  const x = { field: 'x', type: 'quantitative' as const, title: opts.xTitle, axis: { tickMinStep: 1, format: 'd' } };
  // The band and the line share one legend: draw its symbols as solid strokes, like the lines.
  const legend = { symbolType: 'stroke', symbolOpacity: 1, symbolStrokeWidth: 2.5 };
  const color = { field: 'series', type: 'nominal' as const, title: opts.seriesTitle, sort: null, legend, ...colorScale(opts.domain) };
  const layers: unknown[] = [
    { mark: { type: 'area', opacity: 0.18 }, encoding: { x, y: { field: 'lo', type: 'quantitative', title: opts.yTitle }, y2: { field: 'hi' }, color } },
    {
      mark: { type: 'line', strokeWidth: 2 },
      encoding: {
        x,
        y: { field: 'mean', type: 'quantitative', title: opts.yTitle },
        color,
        tooltip: [{ field: 'series' }, { field: 'x' }, { field: 'mean' }, { field: 'lo' }, { field: 'hi' }],
      },
    },
  ];
  if (opts.marker) {
    layers.push({
      data: { values: [{ x: opts.marker.x, label: opts.marker.label }] },
      layer: [
        { mark: { type: 'rule', strokeDash: [4, 4], color: '#666' }, encoding: { x: { field: 'x', type: 'quantitative' } } },
        { mark: { type: 'text', align: 'left', dx: 4, dy: -4, baseline: 'top', color: '#444' }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } } },
      ],
    });
  }
  return { ...base(opts.title, rows), layer: layers } as TopLevelSpec;
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
 * series and, when rows carry a `group` (the other swept values), one dash pattern
 * and point shape per group.
 *
 * @param rows `{ x, series, group?, mean, lo, hi }`; x is a number or a label
 * @param opts titles; `numericX` puts x on a linear scale, otherwise points are categories in grid order; `domain` fixes the colour order
 */
export function sweepChart(
  rows: Row[],
  opts: { title: string; xTitle: string; yTitle: string; seriesTitle: string; groupTitle?: string; numericX: boolean; domain?: string[] },
): TopLevelSpec {
  const x = opts.numericX
    ? { field: 'x', type: 'quantitative' as const, title: opts.xTitle }
    : { field: 'x', type: 'ordinal' as const, title: opts.xTitle, sort: null, axis: { labelAngle: 0 } };
  // A single series needs no legend.
  const single = new Set(rows.map((r) => r.series)).size <= 1;
  const color = { field: 'series', type: 'nominal' as const, title: opts.seriesTitle, sort: null, ...colorScale(opts.domain), ...(single ? { legend: null } : {}) };
  const grouped = rows.some((r) => r.group !== undefined && r.group !== null);
  const dash = grouped ? { strokeDash: { field: 'group', type: 'nominal' as const, title: opts.groupTitle ?? 'group', sort: null } } : {};
  const shape = grouped ? { shape: { field: 'group', type: 'nominal' as const, title: opts.groupTitle ?? 'group', sort: null } } : {};
  const tooltip = [{ field: 'series' }, ...(grouped ? [{ field: 'group' }] : []), { field: 'x' }, { field: 'mean' }, { field: 'lo' }, { field: 'hi' }];
  return {
    ...base(opts.title, rows),
    layer: [
      { mark: { type: 'rule', strokeWidth: 1.5, opacity: 0.7 }, encoding: { x, y: { field: 'lo', type: 'quantitative', title: opts.yTitle }, y2: { field: 'hi' }, color, detail: { field: 'group' } } },
      { mark: { type: 'line', strokeWidth: 1.5, opacity: 0.7 }, encoding: { x, y: { field: 'mean', type: 'quantitative' }, color, ...dash } },
      { mark: { type: 'point', filled: true, size: 50 }, encoding: { x, y: { field: 'mean', type: 'quantitative' }, color, ...shape, tooltip } },
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
  const files = fontFiles();
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: scale },
    font: files.length > 0 ? { fontFiles: files, loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans' } : { loadSystemFonts: true },
  });
  return resvg.render().asPng();
}
