import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayWidth } from '../../src/viz/east-asian-width.js';
import { SHADES, shadeLevel, textHeatmap } from '../../src/viz/text-heatmap.js';

/** Display-column index where each token/cell starts in `line`, found by walking characters. */
function columnOf(line: string, needle: string): number {
  const at = line.indexOf(needle);
  assert.ok(at >= 0, `${JSON.stringify(needle)} not in ${JSON.stringify(line)}`);
  return displayWidth(line.slice(0, at));
}

test('columns line up under CJK and Latin tokens', () => {
  const src = ['我', '喜欢', 'cats', '。'];
  const out = ['I', 'like', '猫咪们', '.'];
  // One-hot rows: each output token looks at exactly one source token.
  const m = out.map((_, i) => src.map((_, j) => (j === i ? 1 : 0)));
  const lines = textHeatmap(m, { rowLabels: out, colLabels: src, legend: false }).split('\n');
  assert.equal(lines.length, out.length + 1);
  const header = lines[0]!;
  const starts = src.map((s) => columnOf(header, s));
  for (let i = 0; i < out.length; i++) {
    const row = lines[i + 1]!;
    // The full block sits exactly under its token and spans its width (at least 2 columns).
    assert.equal(columnOf(row, '█'), starts[i], `row ${i}: ${row}`);
    const block = row.match(/█+/)![0]!;
    assert.equal(block.length, Math.max(2, displayWidth(src[i]!)));
    assert.equal(displayWidth(row), displayWidth(lines[1]!), 'rows have equal display width');
  }
  // Row labels are padded to the widest (猫咪们 = 6 columns) plus one space.
  assert.equal(starts[0], 7);
});

test('shade levels rise with the value', () => {
  assert.deepEqual([0, 0.19, 0.2, 0.45, 0.7, 0.99, 1].map(shadeLevel), [0, 0, 1, 2, 3, 4, 4]);
  const line = textHeatmap([[0, 0.25, 0.5, 0.75, 1]], { legend: false }).split('\n')[1]!;
  assert.equal(line, `0 ${SHADES[0].repeat(2)} ${SHADES[1].repeat(2)} ${SHADES[2].repeat(2)} ${SHADES[3].repeat(2)} ${SHADES[4].repeat(2)}`);
});

test('perRow stretches each row to its own maximum', () => {
  const lines = textHeatmap([[0.1, 0.2], [0.5, 1]], { perRow: true, legend: false }).split('\n');
  assert.ok(lines[1]!.includes('██'));
  assert.ok(lines[2]!.includes('██'));
  const global = textHeatmap([[0.1, 0.2], [0.5, 1]], { legend: false }).split('\n');
  assert.ok(!global[1]!.includes('█'));
});

test('colour mode emits 256-colour backgrounds that reset, keeping alignment', () => {
  const out = textHeatmap([[0, 1]], { colLabels: ['猫', 'dog'], rowLabels: ['x'], color: true });
  const lines = out.split('\n');
  const cells = [...lines[1]!.matchAll(/\x1b\[48;5;(\d+)m( +)\x1b\[0m/g)];
  assert.equal(cells.length, 2);
  assert.notEqual(cells[0]![1], cells[1]![1], 'low and high values get different colours');
  assert.deepEqual(cells.map((c) => c[2]!.length), [2, 3]);
  assert.equal(displayWidth(lines[1]!), displayWidth(lines[0]!));
  assert.match(lines[2]!, /0 … 1$/);
});

test('textHeatmap rejects label counts that do not match the matrix', () => {
  assert.throws(() => textHeatmap([[1, 2]], { colLabels: ['a'] }), /textHeatmap: 1 column labels for 2 columns/);
});
