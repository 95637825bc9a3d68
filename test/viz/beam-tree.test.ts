import { test } from 'node:test';
import assert from 'node:assert/strict';
import { beamTreeSvg, type BeamNode } from '../../src/viz/beam-tree.js';
import { byClass, findAll, parseXml, texts, type XmlElement } from './xml-check.js';

// A beam of width 2 over three steps; the best hypothesis is <s> le chat </s>.
const NODES: BeamNode[] = [
  { id: 0, parent: null, token: '<s>', score: 0, step: 0, inFinal: true },
  { id: 1, parent: 0, token: 'le', score: -0.4, step: 1, inFinal: true },
  { id: 2, parent: 0, token: 'un', score: -1.2, step: 1 },
  { id: 3, parent: 0, token: 'ce', score: -2.9, step: 1, kept: false },
  { id: 4, parent: 1, token: 'chat', score: -0.9, step: 2, inFinal: true },
  { id: 5, parent: 1, token: 'chien', score: -2.5, step: 2, kept: false },
  { id: 6, parent: 2, token: 'chat', score: -1.6, step: 2 },
  { id: 7, parent: 4, token: '</s>', score: -1.0, step: 3, finished: true, inFinal: true },
  { id: 8, parent: 6, token: '</s>', score: -1.9, step: 3, finished: true },
];

function nodeBox(root: XmlElement, id: number): { x: number; y: number } {
  const g = findAll(root, (e) => e.attrs['data-id'] === String(id))[0]!;
  const r = g.children.find((c) => c.name === 'rect')!;
  return { x: Number(r.attrs['x']), y: Number(r.attrs['y']) };
}

test('beam tree: one node per hypothesis and one edge per parent link, labels escaped', () => {
  const svg = beamTreeSvg(NODES, { title: 'beam <k=2>', pruned: true });
  const root = parseXml(svg);
  assert.equal(byClass(root, 'node').length, NODES.length);
  assert.equal(byClass(root, 'edge').length, NODES.length - 1);
  const t = texts(root);
  for (const s of ['<s>', '</s>', 'chien', '-0.40', '-2.50', 'beam <k=2>', 't=3']) assert.ok(t.includes(s), s);
  assert.ok(svg.includes('&lt;/s&gt;'));
});

test('tree layout runs left to right by step with best children on top', () => {
  const root = parseXml(beamTreeSvg(NODES, { layout: 'tree', pruned: true }));
  const xs = NODES.map((n) => nodeBox(root, n.id as number).x);
  NODES.forEach((n, i) => NODES.forEach((m, j) => {
    if (n.step < m.step) assert.ok(xs[i]! < xs[j]!, `${n.token}@${n.step} left of ${m.token}@${m.step}`);
    if (n.step === m.step) assert.equal(xs[i], xs[j]);
  }));
  // Siblings are ordered by score: le (-0.4) above un (-1.2) above ce (-2.9).
  const y = (id: number): number => nodeBox(root, id).y;
  assert.ok(y(1) < y(2) && y(2) < y(3));
  // A parent sits between its first and last child.
  assert.ok(y(1) >= y(4) && y(1) <= y(5));
  // Subtrees do not interleave: every descendant of "le" is above every descendant of "un".
  assert.ok(Math.max(y(4), y(5), y(7)) < Math.min(y(6), y(8)));
});

test('pruned nodes are faded and the final path is highlighted end to end', () => {
  const root = parseXml(beamTreeSvg(NODES, { pruned: true }));
  const pruned = byClass(root, 'pruned');
  assert.deepEqual(pruned.map((e) => e.attrs['data-id']).sort(), ['3', '5']);
  assert.ok(pruned.every((e) => Number(e.attrs['opacity']) < 1));
  assert.deepEqual(byClass(byClass(root, 'nodes')[0]!, 'best').map((e) => e.attrs['data-id']).sort(), ['0', '1', '4', '7']);
  const bestEdges = byClass(root, 'edge').filter((e) => (e.attrs['class'] ?? '').includes('best'));
  assert.equal(bestEdges.length, 3);
  assert.deepEqual(byClass(root, 'finished').map((e) => e.attrs['data-id']).sort(), ['7', '8']);
});

test('a few hundred nodes lay out quickly without overlaps', () => {
  const nodes: BeamNode[] = [{ id: 'r', parent: null, token: '<s>', score: 0, step: 0 }];
  let frontier = ['r'];
  for (let step = 1; step <= 12; step++) {
    const next: string[] = [];
    frontier.forEach((p, k) => {
      for (let c = 0; c < 5; c++) {
        const id = `${step}.${k}.${c}`;
        const kept = c < 1 || (k === 0 && c < 4);
        nodes.push({ id, parent: p, token: `w${c}`, score: -step - c * 0.1 - k * 0.01, step, kept, finished: step === 12 });
        if (kept) next.push(id);
      }
    });
    frontier = next.slice(0, 4);
  }
  assert.ok(nodes.length > 200);
  for (const layout of ['tree', 'beam'] as const) {
    const root = parseXml(beamTreeSvg(nodes, { layout, pruned: true }));
    const boxes = byClass(root, 'node').map((g) => g.children.find((c) => c.name === 'rect')!.attrs);
    assert.equal(boxes.length, nodes.length);
    const seen = new Set<string>();
    for (const b of boxes) {
      const key = `${b['x']},${b['y']}`;
      assert.ok(!seen.has(key), `${layout}: two nodes at ${key}`);
      seen.add(key);
    }
  }
});

/** A beam-k search over `steps` steps: every kept hypothesis proposes k candidates, k of all are kept. */
function beamSearchNodes(k: number, steps: number): BeamNode[] {
  const nodes: BeamNode[] = [{ id: 0, parent: null, token: '<s>', score: 0, step: 0, inFinal: true }];
  let beam = [0];
  let id = 1;
  for (let step = 1; step <= steps; step++) {
    const cands: BeamNode[] = [];
    beam.forEach((p, r) => {
      for (let c = 0; c < k; c++) cands.push({ id: id++, parent: p, token: `w${c}`, score: -step - r * 0.3 - c * 0.2, step, finished: step === steps });
    });
    cands.sort((a, b) => b.score - a.score);
    cands.forEach((n, i) => (n.kept = i < k));
    cands[0]!.inFinal = true;
    nodes.push(...cands);
    beam = cands.slice(0, k).map((n) => n.id as number);
  }
  return nodes;
}

test('the default layout is compact: one column per step with the kept hypotheses only, best on top', () => {
  const nodes = beamSearchNodes(5, 20);
  const svg = beamTreeSvg(nodes);
  const root = parseXml(svg);
  const shown = byClass(byClass(root, 'nodes')[0]!, 'node');
  assert.equal(shown.length, 1 + 20 * 5);
  assert.equal(byClass(root, 'pruned').length, 0);
  const rects = shown.map((g) => ({ id: Number(g.attrs['data-id']), ...nodeBox(root, Number(g.attrs['data-id'])) }));
  // at most 5 distinct rows, and within a step higher scores sit higher
  assert.equal(new Set(rects.map((r) => r.y)).size, 5);
  for (let step = 1; step <= 20; step++) {
    const col = nodes.filter((n) => n.step === step && n.kept).sort((a, b) => b.score - a.score);
    const ys = col.map((n) => rects.find((r) => r.id === n.id)!.y);
    assert.deepEqual(ys, [...ys].sort((a, b) => a - b), `step ${step} ordered by score`);
  }
  const height = Number(root.attrs['height']);
  const tall = Number(parseXml(beamTreeSvg(nodes, { layout: 'tree', pruned: true })).attrs['height']);
  assert.ok(height < 400, `compact height ${height}`);
  assert.ok(tall > 10 * height, `tree layout ${tall} vs compact ${height}`);
  // pruned candidates on request, below the kept ones of their step
  const all = parseXml(beamTreeSvg(nodes, { pruned: true }));
  assert.equal(byClass(byClass(all, 'nodes')[0]!, 'node').length, nodes.length);
  const maxKeptY = Math.max(...nodes.filter((n) => n.step === 3 && n.kept).map((n) => nodeBox(all, n.id as number).y));
  const minPrunedY = Math.min(...nodes.filter((n) => n.step === 3 && !n.kept).map((n) => nodeBox(all, n.id as number).y));
  assert.ok(maxKeptY < minPrunedY);
});

test('beamTreeSvg rejects broken trees with the offending ids', () => {
  assert.throws(() => beamTreeSvg([]), /beamTreeSvg: no nodes given/);
  assert.throws(() => beamTreeSvg([{ id: 1, parent: 9, token: 'a', score: 0, step: 1 }]), /beamTreeSvg: node 1 has unknown parent 9/);
  assert.throws(() => beamTreeSvg([
    { id: 1, parent: null, token: 'a', score: 0, step: 0 },
    { id: 1, parent: null, token: 'b', score: 0, step: 0 },
  ]), /beamTreeSvg: duplicate node id 1/);
  assert.throws(() => beamTreeSvg([
    { id: 'a', parent: null, token: 'a', score: 0, step: 2 },
    { id: 'b', parent: 'a', token: 'b', score: 0, step: 2 },
  ]), /beamTreeSvg: node "b" at step 2 is not after its parent "a" at step 2/);
});
