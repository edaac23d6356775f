import * as vega from 'vega';
import { compile } from 'vega-lite';
import { Resvg } from '@resvg/resvg-js';
import { writeFileSync } from 'node:fs';
let t = performance.now();
const data = Array.from({length: 50}, (_, i) => ({ x: i, y: Math.sin(i/5), lo: Math.sin(i/5)-0.2, hi: Math.sin(i/5)+0.2, s: i%2 ? 'a':'b' }));
const vl = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width: 400, height: 250, data: { values: data },
  config: { font: 'DejaVu Sans' },
  title: 'Learning curve',
  layer: [ { mark: { type: 'area', opacity: 0.2 }, encoding: { x: { field: 'x', type: 'quantitative', title: 'episode' }, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color: { field: 's' } } },
           { mark: 'line', encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative', title: 'utility / auction' }, color: { field: 's', title: 'bidder' } } } ] };
const spec = compile(vl).spec;
console.log('compile', performance.now() - t); t = performance.now();
const view = new vega.View(vega.parse(spec), { renderer: 'none' });
const svg = await view.toSVG();
view.finalize();
console.log('svg', performance.now() - t, svg.length); t = performance.now();
writeFileSync('.scratch/a.svg', svg);
const png = new Resvg(svg, { font: { fontFiles: ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'], loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans' }, fitTo: { mode: 'zoom', value: 2 }, background: 'white' }).render().asPng();
writeFileSync('.scratch/a.png', png);
console.log('png', performance.now() - t, png.length);
