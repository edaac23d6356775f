import { describe, expect, it } from 'vitest';
import { renderSvg, sweepChart, thin } from '../../experiments/charts.js';

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
    expect(spec.data.values).toEqual(rows);
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
