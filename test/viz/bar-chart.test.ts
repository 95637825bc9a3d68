import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barChartSvg } from '../../src/viz/bar-chart.js';
import { byClass, parseXml, texts } from './xml-check.js';

const BUCKETS = ['1-10', '11-20', '21-30', '31-40', '41+'];

test('grouped bars: one per finite value, heights proportional to values', () => {
  const a = [30.1, 28.4, 25, 21.7, 17.2];
  const b = [29.5, 28.9, 27.3, 26.1, 25.6];
  const root = parseXml(barChartSvg(BUCKETS, [{ name: 'RNNsearch-50', values: a }, { name: 'RNNenc-50', values: b }], {
    title: 'BLEU by length', xLabel: 'source length', yLabel: 'BLEU', showValues: true,
  }));
  const bars = byClass(root, 'bar');
  assert.equal(bars.length, 10);
  // Bars are emitted group by group: a0, b0, a1, b1, ...
  const h = bars.map((e) => Number(e.attrs['height']));
  const base = bars.map((e) => Number(e.attrs['y']) + Number(e.attrs['height']));
  for (const y of base) assert.ok(Math.abs(y - base[0]!) < 0.02, 'all bars stand on the same baseline');
  const values = BUCKETS.flatMap((_, i) => [a[i]!, b[i]!]);
  for (let i = 1; i < values.length; i++) {
    assert.ok(Math.abs(h[i]! / h[0]! - values[i]! / values[0]!) < 1e-3, `bar ${i} height ${h[i]} for ${values[i]}`);
  }
  // Within each group the two series sit side by side, a left of b.
  for (let i = 0; i < values.length; i += 2) assert.ok(Number(bars[i]!.attrs['x']) < Number(bars[i + 1]!.attrs['x']));
  const t = texts(root);
  for (const s of [...BUCKETS, 'RNNsearch-50', 'RNNenc-50', 'BLEU by length', '30.1', '25.6']) assert.ok(t.includes(s), s);
  assert.equal(byClass(root, 'value').length, 10);
});

test('negative values hang below a zero line; NaN leaves a gap', () => {
  const root = parseXml(barChartSvg(['x', 'y', 'z'], [{ name: 'delta', values: [2, -1, NaN] }]));
  const bars = byClass(root, 'bar');
  assert.equal(bars.length, 2);
  const [pos, neg] = bars;
  assert.ok(Math.abs(Number(pos!.attrs['y']) + Number(pos!.attrs['height']) - Number(neg!.attrs['y'])) < 0.02);
  assert.ok(Math.abs(Number(pos!.attrs['height']) / Number(neg!.attrs['height']) - 2) < 1e-3);
});

test('barChartSvg rejects mismatched series', () => {
  assert.throws(() => barChartSvg(['a', 'b'], [{ name: 's', values: [1] }]), /barChartSvg: series "s" has 1 values for 2 categories/);
  assert.throws(() => barChartSvg([], [{ name: 's', values: [] }]), /barChartSvg: no categories given/);
});
