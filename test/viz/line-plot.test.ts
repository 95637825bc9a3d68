import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decimate, linePlotSvg } from '../../src/viz/line-plot.js';
import { byClass, findAll, parseXml, texts, type XmlElement } from './xml-check.js';

function points(root: XmlElement): Array<[number, number]> {
  return byClass(root, 'line').flatMap((e) =>
    e.attrs['points']!.trim().split(/\s+/).map((p) => p.split(',').map(Number) as [number, number]));
}

test('one polyline point per finite value, legend and captions present', () => {
  const train = Array.from({ length: 30 }, (_, i) => 3 * Math.exp(-i / 10) + 0.2);
  const valid = Array.from({ length: 30 }, (_, i) => 3 * Math.exp(-i / 12) + 0.4);
  const svg = linePlotSvg([{ name: 'train <loss>', y: train }, { name: 'valid', y: valid, dashed: true }], {
    title: 'Loss & perplexity', xLabel: 'epoch', yLabel: 'loss',
  });
  const root = parseXml(svg);
  assert.equal(byClass(root, 'series').length, 2);
  assert.equal(points(root).length, 60);
  assert.equal(byClass(root, 'point').length, 60);
  const t = texts(root);
  for (const s of ['train <loss>', 'valid', 'Loss & perplexity', 'epoch', 'loss']) assert.ok(t.includes(s), s);
  assert.ok(svg.includes('train &lt;loss&gt;'));
});

test('larger y values are drawn higher, and points stay inside the frame', () => {
  const root = parseXml(linePlotSvg([{ name: '', y: [1, 5, 2], x: [10, 20, 30] }]));
  const p = points(root);
  assert.ok(p[1]![1] < p[2]![1] && p[2]![1] < p[0]![1], `y pixels ${p.map((q) => q[1])}`); // 5 above 2 above 1
  assert.ok(p[0]![0] < p[1]![0] && p[1]![0] < p[2]![0]);
  const f = byClass(root, 'frame')[0]!.attrs;
  const [fx, fy, fw, fh] = ['x', 'y', 'width', 'height'].map((k) => Number(f[k]));
  const e = 0.01; // coordinates are written with two decimals
  for (const [x, y] of p) assert.ok(x >= fx! - e && x <= fx! + fw! + e && y >= fy! - e && y <= fy! + fh! + e, `${x},${y}`);
  assert.equal(byClass(root, 'legend').length, 0, 'a single unnamed series needs no legend');
});

test('non-finite values split the line into runs', () => {
  const root = parseXml(linePlotSvg([{ name: 'g', y: [1, 2, NaN, 3, 4, Infinity, 5] }], { markers: false }));
  assert.equal(byClass(root, 'line').length, 2);
  assert.equal(points(root).length, 4);
  assert.equal(byClass(root, 'point').length, 1, 'an isolated point is drawn as a dot');
});

test('log scale spaces decades evenly and drops non-positive values', () => {
  const root = parseXml(linePlotSvg([{ name: 'grad norm', y: [0.01, 0.1, 1, 10, 0, 100] }], { logY: true, markers: false }));
  const p = points(root);
  assert.equal(p.length, 4);
  const gaps = [p[1]![1] - p[0]![1], p[2]![1] - p[1]![1], p[3]![1] - p[2]![1]];
  for (const g of gaps) assert.ok(Math.abs(g - gaps[0]!) < 0.02, `uneven decades ${gaps}`);
  const labels = texts(byClass(root, 'y-axis')[0]!);
  assert.deepEqual(labels, ['0.01', '0.1', '1', '10', '100']);
});

test('long series are thinned but keep their extremes', () => {
  const y = Array.from({ length: 100_000 }, (_, i) => (i === 54_321 ? 1000 : Math.sin(i / 100)));
  const root = parseXml(linePlotSvg([{ name: 'spiky', y }], { maxPoints: 500 }));
  const p = points(root);
  assert.ok(p.length <= 500, `${p.length} points`);
  // 1000 is itself a tick, so the spike touches the top of the frame.
  assert.equal(Math.min(...p.map((q) => q[1])), Number(byClass(root, 'frame')[0]!.attrs['y']));
  const run = y.map((v, i) => [i, v] as [number, number]);
  const d = decimate(run, 500);
  assert.ok(d.some(([x, v]) => x === 54_321 && v === 1000), 'the spike survives');
  assert.ok(d.length <= 500);
  assert.deepEqual(d.map((q) => q[0]), [...d.map((q) => q[0])].sort((a, b) => a - b), 'x order preserved');
});

test('linePlotSvg rejects bad input with a message naming the problem', () => {
  assert.throws(() => linePlotSvg([]), /linePlotSvg: no series given/);
  assert.throws(() => linePlotSvg([{ name: 'a', y: [1, 2], x: [1] }]), /linePlotSvg: series "a" has 1 x values and 2 y values/);
  assert.throws(() => linePlotSvg([{ name: 'a', y: [1] }], { width: 40 }), /linePlotSvg: 40x400 leaves no room to plot/);
  assert.equal(findAll(parseXml(linePlotSvg([{ name: 'empty', y: [] }])), (e) => e.name === 'polyline').length, 0);
});
