import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Batcher, padSequences } from '../../src/data/batching.js';
import { mulberry32 } from '../../src/data/mulberry32.js';

function corpus(n: number, seed: number): { src: number[][]; tgt: number[][] } {
  const r = mulberry32(seed);
  const seq = (len: number) => Array.from({ length: len }, () => 4 + Math.floor(r() * 50));
  const src: number[][] = [];
  const tgt: number[][] = [];
  for (let i = 0; i < n; i++) {
    src.push(seq(1 + Math.floor(r() * 30)));
    tgt.push(seq(Math.floor(r() * 30)));
  }
  return { src, tgt };
}

test('padSequences', () => {
  const p = padSequences([[5, 6, 7], [8]]);
  assert.deepEqual(p.shape, [2, 3]);
  assert.deepEqual([...p.data], [5, 6, 7, 8, 0, 0]);
  assert.deepEqual([...p.lengths], [3, 1]);
  assert.deepEqual([...p.mask], [1, 1, 1, 1, 0, 0]);
});

test('batches hold every pair once, correctly padded and shifted', () => {
  const { src, tgt } = corpus(103, 1);
  const b = new Batcher(src, tgt, { batchSize: 8, seed: 5, poolSize: 32 });
  const batches = b.epoch(0);
  const seen: number[] = [];
  for (const x of batches) {
    const [B, S] = x.srcShape;
    const [B2, T] = x.tgtShape;
    assert.equal(B, x.size);
    assert.equal(B2, x.size);
    assert.equal(x.src.length, B * S);
    assert.equal(S, Math.max(...x.srcLengths));
    for (let i = 0; i < B; i++) {
      const k = x.indices[i]!;
      seen.push(k);
      const s = src[k]!;
      const t = tgt[k]!;
      assert.deepEqual([...x.src.subarray(i * S, i * S + s.length)], s);
      assert.ok(x.src.subarray(i * S + s.length, (i + 1) * S).every((v) => v === 0));
      assert.equal(x.srcMask.subarray(i * S, (i + 1) * S).reduce((a, v) => a + v, 0), s.length);
      assert.deepEqual([...x.tgtIn.subarray(i * T, i * T + t.length + 1)], [2, ...t]);
      assert.deepEqual([...x.tgtOut.subarray(i * T, i * T + t.length + 1)], [...t, 3]);
      assert.equal(x.tgtLengths[i], t.length + 1);
      if (i > 0) assert.ok(x.srcLengths[i - 1]! >= x.srcLengths[i]!, 'longest first within a batch');
    }
    assert.equal(x.tgtTokens, x.tgtMask.reduce((a, v) => a + v, 0));
  }
  assert.deepEqual(seen.sort((a, c) => a - c), [...Array(103).keys()]);
  assert.equal(batches.filter((x) => x.size < 8).length, 1);
});

test('bucketing cuts padding; epochs are seeded and differ', () => {
  const { src, tgt } = corpus(800, 2);
  const pad = (bs: ReturnType<Batcher['epoch']>) => bs.reduce((a, x) => a + x.src.length - x.srcLengths.reduce((p, v) => p + v, 0), 0);
  const bucketed = new Batcher(src, tgt, { batchSize: 16, seed: 1 });
  const plain = new Batcher(src, tgt, { batchSize: 16, seed: 1, poolSize: 0 });
  assert.ok(pad(bucketed.epoch(0)) * 4 < pad(plain.epoch(0)), `${pad(bucketed.epoch(0))} vs ${pad(plain.epoch(0))}`);
  const first = (e: number) => [...bucketed.epoch(e)[0]!.indices];
  assert.deepEqual(first(0), first(0));
  assert.notDeepEqual(first(0), first(1));
  const ordered = new Batcher(src, tgt, { batchSize: 16, seed: 1, shuffle: false, poolSize: 0 });
  assert.deepEqual([...ordered.epoch(3)[0]!.indices], [...Array(16).keys()]);
});

test('length caps truncate or drop, and are counted', () => {
  const src = [[4, 5, 6, 7], [4], [], [4, 5]];
  const tgt = [[8], [8, 9, 10, 11, 12], [8], [9]];
  const t = new Batcher(src, tgt, { batchSize: 4, seed: 0, maxSrcLen: 3, maxTgtLen: 2, shuffle: false, poolSize: 0 });
  assert.deepEqual(t.stats, { kept: 3, dropped: 0, droppedEmpty: 1, truncatedSrc: 1, truncatedTgt: 1 });
  const x = t.epoch(0)[0]!;
  assert.deepEqual(x.srcShape, [3, 3]);
  assert.deepEqual([...x.src], [4, 5, 6, 4, 0, 0, 4, 5, 0]);
  assert.deepEqual([...x.tgtOut], [8, 3, 0, 8, 9, 3, 9, 3, 0]);
  const d = new Batcher(src, tgt, { batchSize: 4, seed: 0, maxSrcLen: 3, maxTgtLen: 2, overLength: 'drop', srcEos: true });
  assert.deepEqual(d.stats, { kept: 1, dropped: 2, droppedEmpty: 1, truncatedSrc: 0, truncatedTgt: 0 });
  assert.deepEqual([...d.epoch(0)[0]!.src], [4, 5, 3]);
  assert.deepEqual([...d.epoch(0)[0]!.indices], [3]);
});

test('bad arguments name the problem', () => {
  assert.throws(() => new Batcher([[1]], [], { batchSize: 1, seed: 0 }), /Batcher: 1 sources but 0 targets/);
  assert.throws(() => new Batcher([], [], { batchSize: 0, seed: 0 }), /batchSize must be a positive integer, got 0/);
  assert.throws(() => new Batcher([], [], { batchSize: 2, seed: 0, maxSrcLen: 0 }), /maxSrcLen and maxTgtLen must be >= 1/);
  assert.throws(() => new Batcher([[1]], [[1]], { batchSize: 2, seed: 0 }).epoch(-1), /Batcher.epoch: epoch must be/);
});
