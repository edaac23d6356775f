import { describe, expect, it } from 'vitest';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { bandChart, dodge, markerLabelPlacement, renderSvg, sweepChart, thin, type Row } from '../../experiments/charts.js';
import { figureAxisTitle, paramTitle } from '../../experiments/labels.js';
import { sweepCharts } from '../../experiments/report.js';
import type { SweepTable } from '../../experiments/sweep/table.js';

describe('thin', () => {
  it('keeps every row up to the limit, else `max` rows evenly spaced from the first', () => {
    const rows = Array.from({ length: 10 }, (_, i) => i);
    expect(thin(rows, 20)).toBe(rows);
    expect(thin(rows, 5)).toEqual([0, 2, 4, 6, 8]);
    expect(thin(rows, 3)).toEqual([0, 3, 6]);
  });
});

describe('sweepChart', () => {
  const rows = [
    { x: 0, series: 'a', mean: 1, lo: 0.5, hi: 1.5 },
    { x: 0.5, series: 'a', mean: 2, lo: 1.5, hi: 2.5 },
    { x: 0, series: 'b', mean: 0.5, lo: 0.4, hi: 0.6 },
    { x: 0.5, series: 'b', mean: 0.7, lo: 0.6, hi: 0.8 },
  ];

  it('draws the CI as rules, the means as a line and points, with the data inside the spec', () => {
    const spec = sweepChart(rows, { title: 'revenue vs reserve', xTitle: 'reserve', yTitle: 'revenue', seriesTitle: 'bidder', numericX: true, domain: ['a', 'b'] }) as unknown as {
      title: string;
      data: { values: unknown[] };
      layer: { mark: { type: string }; encoding: { x: { type: string }; color: { scale?: { domain: string[] } } } }[];
    };
    expect(spec.title).toBe('revenue vs reserve');
    expect(spec.data.values.map((r) => { const { xPos: _x, ...rest } = r as Row; return rest; })).toEqual(rows);
    expect(spec.layer.map((l) => l.mark.type)).toEqual(['rule', 'line', 'point']);
    expect(spec.layer[0]!.encoding.x.type).toBe('quantitative');
    expect(spec.layer[1]!.encoding.color.scale?.domain).toEqual(['a', 'b']);
  });

  it('renders to SVG holding the titles and the series', async () => {
    const svg = await renderSvg(sweepChart(rows, { title: 'revenue vs reserve', xTitle: 'reserve', yTitle: 'revenue', seriesTitle: 'bidder', numericX: false }));
    expect(svg.startsWith('<svg')).toBe(true);
    for (const text of ['revenue vs reserve', 'reserve', 'bidder', '>a<', '>b<']) expect(svg).toContain(text);
  });
});

/** Bounds of every scenegraph item, in the coordinates of the whole view, with its role and text. */
async function layout(spec: ReturnType<typeof bandChart>): Promise<{ role: string; text?: string; x1: number; x2: number; y1: number; y2: number }[]> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  await view.runAsync();
  const out: { role: string; text?: string; x1: number; x2: number; y1: number; y2: number }[] = [];
  type Item = { x?: number; y?: number; bounds?: { x1: number; x2: number; y1: number; y2: number }; items?: Item[]; text?: string; mark?: { role?: string } };
  const walk = (node: Item, dx: number, dy: number, role: string): void => {
    const r = node.mark?.role ?? role;
    if (node.bounds && node.items === undefined) out.push({ role: r, text: node.text, x1: node.bounds.x1 + dx, x2: node.bounds.x2 + dx, y1: node.bounds.y1 + dy, y2: node.bounds.y2 + dy });
    for (const child of node.items ?? []) {
      // Groups offset their children; marks do not.
      const isGroup = (child as { items?: unknown }).items !== undefined && (child as Item).mark === undefined;
      walk(child, isGroup ? dx + (node.x ?? 0) : dx + (node.x ?? 0), isGroup ? dy + (node.y ?? 0) : dy + (node.y ?? 0), r);
    }
  };
  walk((view.scenegraph() as unknown as { root: Item }).root, 0, 0, 'root');
  view.finalize();
  return out;
}

describe('charts a researcher can paste', () => {
  const twins: Row[] = [0, 0.1, 0.2].flatMap((x) => ['bidder-1', 'bidder-2'].map((series) => ({ x, series, mean: 1 + x, lo: 0.9 + x, hi: 1.1 + x })));

  it('draws identical bidders side by side, each with its own marker and dash', () => {
    const spec = sweepChart(twins, { title: 't', xTitle: 'reserve price (currency)', yTitle: 'revenue', seriesTitle: 'bidder', numericX: true, domain: ['bidder-1', 'bidder-2'] }) as unknown as {
      data: { values: Row[] };
      layer: { mark: { type: string }; encoding: { x: { field: string }; shape?: { field: string; scale: { range: string[] } }; strokeDash?: { field: string; scale: { range: number[][] } } } }[];
    };
    const at0 = spec.data.values.filter((r) => r.x === 0);
    expect(at0).toHaveLength(2);
    expect(at0[0]!.xPos).not.toBe(at0[1]!.xPos);
    for (const l of spec.layer) expect(l.encoding.x.field).toBe('xPos');
    const point = spec.layer.find((l) => l.mark.type === 'point')!;
    const line = spec.layer.find((l) => l.mark.type === 'line')!;
    expect(point.encoding.shape?.field).toBe('series');
    expect(new Set(point.encoding.shape!.scale.range.slice(0, 2)).size).toBe(2);
    expect(line.encoding.strokeDash?.field).toBe('series');
    expect(JSON.stringify(line.encoding.strokeDash!.scale.range[0])).not.toBe(JSON.stringify(line.encoding.strokeDash!.scale.range[1]));
  });

  it('dodges categories too, and keeps a single series where it is', () => {
    const cats = twins.map((r) => ({ ...r, x: ['gsp', 'vcg', 'first-price'][Math.round(Number(r.x) * 10)]! }));
    const spec = sweepChart(cats, { title: 't', xTitle: 'auction mechanism', yTitle: 'revenue', seriesTitle: 'bidder', numericX: false }) as unknown as { data: { values: Row[] } };
    const gsp = spec.data.values.filter((r) => r.x === 'gsp');
    expect(gsp.map((r) => r.xPos).sort()).toEqual([-0.125, 0.125]);
    expect(dodge([{ x: 3, series: 'a' }], undefined)[0]!.xPos).toBe(3);
  });

  it('titles sweep axes in words with units, never with the config path', () => {
    const fig = (mean: number) => ({ mean, ci95: [mean - 0.1, mean + 0.1] as [number, number], values: [mean - 0.1, mean, mean + 0.1], p: null });
    const table = {
      name: 's',
      seed: 1,
      replications: 3,
      baseline: null,
      sweep: { 'exchange.reservePrice': [0, 0.5] },
      points: [0, 0.5].map((r, i) => ({
        index: i,
        id: `p${i}`,
        dir: `trials/${i}`,
        params: { 'exchange.reservePrice': r },
        market: { revenuePerAuction: fig(0.1 + r) },
        bidders: { 'bidder-1': { utilityPerAuction: fig(0.3 - r) }, 'bidder-2': { utilityPerAuction: fig(0.3 - r) } },
      })),
    } as unknown as SweepTable;
    const charts = sweepCharts(table);
    expect(charts.map((c) => c.name)).toEqual(['sweep-market-revenuePerAuction', 'sweep-bidders-utilityPerAuction']);
    for (const c of charts) {
      const text = JSON.stringify(c.spec);
      const layer = (c.spec as unknown as { layer: { encoding: { x: { title: unknown }; y: { title?: unknown } } }[] }).layer[0]!;
      expect(layer.encoding.x.title).toBe('reserve price (currency)');
      expect(JSON.stringify(layer.encoding.y.title)).toMatch(/currency per auction/);
      expect((c.spec as unknown as { title: string }).title).not.toContain('exchange.');
      expect(text).not.toMatch(/"title":"exchange\.reservePrice"/);
    }
    expect(paramTitle('bidders.0.agent.kind')).toBe('agent of bidder 1');
    expect(paramTitle('users.fatigueStep')).toBe('fatigue step (users)');
    expect(figureAxisTitle('regretToFixedMultiplierPerAuction')).toEqual(['regret to the best fixed multiplier', '(currency per auction)']);
  });

  it('puts the "evaluation →" label inside the plot, clear of the legend, wherever the marker is', async () => {
    const ids = ['a-bidder-with-a-long-name-1', 'a-bidder-with-a-long-name-2', 'b'];
    for (const evalStart of [1, 5, 9]) {
      const rows: Row[] = Array.from({ length: 10 }, (_, x) => ids.map((series) => ({ x, series, mean: x, lo: x - 1, hi: x + 1 }))).flat();
      const spec = bandChart(rows, { title: 'Utility', xTitle: 'episode', yTitle: 'utility', seriesTitle: 'bidder', marker: { x: evalStart - 0.5, label: 'evaluation →' }, domain: ids });
      const items = await layout(spec);
      const label = items.find((i) => i.text === 'evaluation →')!;
      expect(label, `marker at ${evalStart - 0.5}`).toBeDefined();
      const legend = items.filter((i) => i.role.startsWith('legend'));
      expect(legend.length).toBeGreaterThan(0);
      const legendLeft = Math.min(...legend.map((i) => i.x1));
      expect(label.x2, `marker at ${evalStart - 0.5}: label ends at ${label.x2}, legend starts at ${legendLeft}`).toBeLessThan(legendLeft);
      expect(label.x1).toBeGreaterThanOrEqual(0);
    }
    expect(markerLabelPlacement(8.5, [0, 9]).align).toBe('right');
    expect(markerLabelPlacement(1.5, [0, 9]).align).toBe('left');
  });
});
