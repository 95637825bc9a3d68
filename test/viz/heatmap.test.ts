import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rgbHex, viridis } from '../../src/viz/colormap.js';
import { heatmapRaster, heatmapSvg } from '../../src/viz/heatmap.js';
import { byClass, findAll, parseXml, texts } from './xml-check.js';

const SRC = ['<s>', 'the', 'cat', 'sat', '&', 'a "very" <long> token indeed'];
const OUT = ['le', 'chat', 's\'est', 'assis', '</s>'];

function attention(rows: number, cols: number): number[][] {
  // Softmax rows peaked near the diagonal, like a monotone alignment.
  return Array.from({ length: rows }, (_, i) => {
    const e = Array.from({ length: cols }, (_, j) => Math.exp(-((j - i * (cols / rows)) ** 2)));
    const z = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / z);
  });
}

test('heatmap SVG is well-formed and has one cell per matrix entry with escaped labels', () => {
  const m = attention(OUT.length, SRC.length);
  const svg = heatmapSvg(m, { rowLabels: OUT, colLabels: SRC, title: 'Attention <en→fr>', showValues: true });
  const root = parseXml(svg);
  assert.equal(root.name, 'svg');
  assert.equal(byClass(root, 'cell').length, OUT.length * SRC.length);
  assert.equal(byClass(root, 'value').length, OUT.length * SRC.length);
  const t = texts(root);
  for (const label of [...OUT, 'Attention <en→fr>', '&']) assert.ok(t.includes(label), `missing label ${label}`);
  assert.ok(svg.includes('&lt;/s&gt;') && svg.includes('&amp;') && svg.includes('&quot;'));
  // The long label forces rotated column labels.
  const colLabels = byClass(root, 'col-labels')[0]!.children;
  assert.equal(colLabels.length, SRC.length);
  assert.ok(colLabels.every((e) => /rotate\(-45 /.test(e.attrs['transform'] ?? '')));
  assert.match(root.attrs['font-family']!, /Noto Sans CJK SC/);
});

test('cell colours follow the value: the largest weight is yellow, zero is dark purple', () => {
  const m = [[0, 0.5], [1, 0.25]];
  const root = parseXml(heatmapSvg(m, { rowLabels: ['a', 'b'], colLabels: ['x', 'y'] }));
  const fills = byClass(root, 'cell').map((e) => e.attrs['fill']);
  assert.deepEqual(fills, [rgbHex(viridis(0)), rgbHex(viridis(0.5)), rgbHex(viridis(1)), rgbHex(viridis(0.25))]);
  // Short labels stay horizontal.
  assert.ok(byClass(root, 'col-labels')[0]!.children.every((e) => e.attrs['transform'] === undefined));
  // The legend has a gradient and tick labels spanning the domain.
  const legend = byClass(root, 'legend')[0]!;
  assert.equal(findAll(legend, (e) => e.name === 'stop').length, 11);
  const ticks = texts(legend).map(Number);
  assert.equal(Math.min(...ticks), 0);
  assert.equal(Math.max(...ticks), 1);
});

test('CJK labels survive intact and widen the label margin', () => {
  const narrow = parseXml(heatmapSvg([[1, 0]], { rowLabels: ['ab'], colLabels: ['x', 'y'] }));
  const wide = parseXml(heatmapSvg([[1, 0]], { rowLabels: ['我们今天'], colLabels: ['x', 'y'] }));
  assert.ok(texts(wide).includes('我们今天'));
  const x = (r: typeof narrow): number => Number(byClass(r, 'cell')[0]!.attrs['x']);
  assert.ok(x(wide) > x(narrow) + 20, `grid x ${x(wide)} vs ${x(narrow)}`);
});

test('heatmapSvg accepts flat data with a shape and rejects mismatched labels and shapes', () => {
  const root = parseXml(heatmapSvg({ data: new Float32Array([0.1, 0.9, 0.3, 0.7, 0.5, 0.5]), shape: [3, 2] }));
  assert.equal(byClass(root, 'cell').length, 6);
  assert.throws(() => heatmapSvg([[1, 2]], { rowLabels: ['a', 'b'] }), /heatmapSvg: 2 row labels for 1 rows/);
  assert.throws(() => heatmapSvg([[1, 2], [3]]), /heatmapSvg: row 1 has 1 values, row 0 has 2/);
  assert.throws(() => heatmapSvg({ data: [1, 2, 3], shape: [2, 2] }), /heatmapSvg: data length 3 does not match shape \[2,2\]/);
});

test('control characters in tokens do not break the XML', () => {
  const svg = heatmapSvg([[1]], { rowLabels: ['a\u0000b'], colLabels: ['\u001b[0m'] });
  const root = parseXml(svg);
  assert.ok(texts(root).includes('a\uFFFDb'));
});

test('heatmapRaster scales cells up and colours each block by its value', () => {
  const img = heatmapRaster([[0, 1, 0.5]], { cellSize: 4, gap: 1 });
  assert.equal(img.width, 3 * 4 + 2);
  assert.equal(img.height, 4);
  const px = (x: number, y: number): number[] => Array.from(img.rgba.slice((y * img.width + x) * 4, (y * img.width + x) * 4 + 4));
  const hex = (p: number[]): string => rgbHex([p[0]!, p[1]!, p[2]!]);
  assert.equal(hex(px(0, 0)), rgbHex(viridis(0)));
  assert.equal(hex(px(3, 3)), rgbHex(viridis(0)));
  assert.deepEqual(px(4, 2), [40, 40, 40, 255]); // the gap
  assert.equal(hex(px(5, 0)), rgbHex(viridis(1)));
  assert.equal(hex(px(13, 3)), rgbHex(viridis(0.5)));
  assert.throws(() => heatmapRaster([[1]], { cellSize: 0 }), /heatmapRaster: cellSize must be a positive integer, got 0/);
});
