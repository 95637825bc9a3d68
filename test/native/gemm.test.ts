import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GemmArgs } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { getNumThreads, nativeBackend, setNumThreads } from '../../src/backend/native/index-node.js';
import { Generator, randomArray, skipNative } from './native-helpers.js';

const U = 2 ** -24; // unit roundoff of float32

interface Case {
  m: number; n: number; k: number; transA: boolean; transB: boolean;
  alpha: number; beta: number; batch?: number; broadcastA?: boolean; broadcastB?: boolean;
  padA?: number; padB?: number; padC?: number; offset?: number;
}

/** Builds GemmArgs with random operands laid out as the case describes. */
function build(cs: Case, gen: Generator): GemmArgs {
  const { m, n, k, transA, transB } = cs;
  const batch = cs.batch ?? 1;
  const off = cs.offset ?? 0;
  const [aRows, aCols] = transA ? [k, m] : [m, k];
  const [bRows, bCols] = transB ? [n, k] : [k, n];
  const lda = Math.max(1, aCols + (cs.padA ?? 0));
  const ldb = Math.max(1, bCols + (cs.padB ?? 0));
  const ldc = Math.max(1, n + (cs.padC ?? 0));
  const strideA = cs.broadcastA ? 0 : aRows * lda;
  const strideB = cs.broadcastB ? 0 : bRows * ldb;
  const strideC = m * ldc;
  const a = randomArray(off + Math.max(1, (cs.broadcastA ? 1 : batch) * aRows * lda), gen);
  const b = randomArray(off + 3 + Math.max(1, (cs.broadcastB ? 1 : batch) * bRows * ldb), gen);
  const c = randomArray(off + 1 + Math.max(1, batch * strideC), gen);
  return {
    transA, transB, m, n, k, alpha: cs.alpha, a, aOffset: off, lda, strideA,
    b, bOffset: off + 3, ldb, strideB, beta: cs.beta, c, cOffset: off + 1, ldc, strideC, batch,
  };
}

/**
 * Runs the native gemm and the reference on copies of C and checks every element against the
 * forward error bound of a length-k dot product: (k+2)·u·|alpha|·(|A||B|) + 2u·|beta·C|.
 */
function check(cs: Case, seed: number): void {
  const g = build(cs, new Generator(seed));
  const cNative = g.c.slice();
  const cRef = g.c.slice();
  nativeBackend!.gemm({ ...g, c: cNative });
  jsBackend.gemm({ ...g, c: cRef });
  const absBound = new Float32Array(g.c.length);
  jsBackend.gemm({ ...g, a: g.a.map(Math.abs), b: g.b.map(Math.abs), alpha: Math.abs(g.alpha), beta: 0, c: absBound });
  for (let i = 0; i < cRef.length; i++) {
    const tol = (g.k + 2) * U * absBound[i] + 2 * U * Math.abs(g.beta * g.c[i]) + 1e-30;
    if (!(Math.abs(cNative[i] - cRef[i]) <= tol * 4)) {
      assert.fail(`gemm ${JSON.stringify(cs)}: element ${i} native ${cNative[i]} vs reference ${cRef[i]} (tol ${tol * 4})`);
    }
  }
}

const shapes: [number, number, number][] = [
  [1, 1, 1], [1, 20, 512], [3, 17, 33], [17, 3, 33], [33, 33, 33], [1000, 3, 17], [17, 1000, 3],
  [3, 17, 1000], [100, 130, 70], [300, 200, 260], [20, 4100, 30], [64, 96, 2],
];

test('gemm matches the reference for all transposes, alpha and beta', { skip: skipNative }, () => {
  let seed = 1;
  for (const [m, n, k] of shapes) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        check({ m, n, k, transA, transB, alpha: 1, beta: 0 }, seed++);
        check({ m, n, k, transA, transB, alpha: -0.5, beta: 0.75, padA: 3, padB: 5, padC: 2, offset: 7 }, seed++);
      }
    }
  }
});

test('gemm handles batches with broadcast operands (stride 0)', { skip: skipNative }, () => {
  let seed = 100;
  for (const [m, n, k] of [[1, 20, 512], [5, 7, 9], [64, 80, 48], [130, 40, 70]] as [number, number, number][]) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        check({ m, n, k, transA, transB, alpha: 1, beta: 0, batch: 4 }, seed++);
        check({ m, n, k, transA, transB, alpha: 2, beta: 1, batch: 3, broadcastA: true, padC: 1 }, seed++);
        check({ m, n, k, transA, transB, alpha: 1, beta: -1, batch: 3, broadcastB: true, padA: 2 }, seed++);
      }
    }
  }
});

test('gemm with k = 0 scales C by beta, and empty m, n or batch are no-ops', { skip: skipNative }, () => {
  const c = new Float32Array([1, 2, 3, 4, 5, 6]);
  const base: GemmArgs = {
    transA: false, transB: false, m: 2, n: 3, k: 0, alpha: 1, a: new Float32Array(0), aOffset: 0, lda: 1,
    strideA: 0, b: new Float32Array(0), bOffset: 0, ldb: 3, strideB: 0, beta: 0.5, c, cOffset: 0, ldc: 3,
    strideC: 6, batch: 1,
  };
  nativeBackend!.gemm(base);
  assert.deepEqual(Array.from(c), [0.5, 1, 1.5, 2, 2.5, 3]);
  nativeBackend!.gemm({ ...base, beta: 0 });
  assert.deepEqual(Array.from(c), [0, 0, 0, 0, 0, 0]);
  c.set([1, 2, 3, 4, 5, 6]);
  for (const empty of [{ m: 0 }, { n: 0 }, { batch: 0 }]) nativeBackend!.gemm({ ...base, ...empty });
  assert.deepEqual(Array.from(c), [1, 2, 3, 4, 5, 6]);
});

test('gemm with beta = 0 never reads C (NaN in C does not leak)', { skip: skipNative }, () => {
  for (const [m, n, k] of [[2, 3, 4], [50, 70, 90]] as [number, number, number][]) {
    const g = build({ m, n, k, transA: false, transB: false, alpha: 1, beta: 0 }, new Generator(5));
    g.c.fill(NaN);
    nativeBackend!.gemm(g);
    assert.ok(g.c.subarray(g.cOffset).every((v) => !Number.isNaN(v)), `NaN left in C for ${m}x${n}x${k}`);
  }
});

test('gemm gives identical bits on 1 and several threads', { skip: skipNative }, () => {
  const saved = getNumThreads();
  try {
    for (const [m, n, k] of [[300, 200, 260], [64, 2048, 64], [1000, 40, 64]] as [number, number, number][]) {
      const g = build({ m, n, k, transA: false, transB: true, alpha: 1, beta: 0.5 }, new Generator(9));
      const one = g.c.slice();
      const many = g.c.slice();
      setNumThreads(1);
      nativeBackend!.gemm({ ...g, c: one });
      setNumThreads(3);
      nativeBackend!.gemm({ ...g, c: many });
      assert.deepEqual(many, one);
    }
  } finally {
    setNumThreads(saved);
  }
});

test('gemm rejects out-of-bounds operands with a message naming the values', { skip: skipNative }, () => {
  const g = build({ m: 4, n: 5, k: 6, transA: false, transB: false, alpha: 1, beta: 0 }, new Generator(3));
  assert.throws(() => nativeBackend!.gemm({ ...g, aOffset: g.a.length }), /gemm: A out of bounds.*offset=/);
  assert.throws(() => nativeBackend!.gemm({ ...g, ldb: 2 }), /gemm: B out of bounds.*ldb=2/);
  assert.throws(() => nativeBackend!.gemm({ ...g, batch: 2 }), /gemm: C out of bounds.*batch=2/);
});

test('many back-to-back multi-threaded calls give the same bits each time (thread pool hand-off)', { skip: skipNative }, () => {
  const g = build({ m: 128, n: 128, k: 128, transA: false, transB: false, alpha: 1, beta: 0 }, new Generator(17));
  const first = g.c.slice();
  nativeBackend!.gemm({ ...g, c: first });
  const again = g.c.slice();
  for (let r = 0; r < 300; r++) {
    again.fill(NaN);
    nativeBackend!.gemm({ ...g, c: again });
    assert.deepEqual(again.subarray(g.cOffset), first.subarray(g.cOffset), `call ${r}`);
  }
});

test('matrix-vector products (n = 1) match the reference for every transpose, batch, alpha/beta and padding', { skip: skipNative }, () => {
  let seed = 400;
  for (const [m, k] of [[2, 1], [3, 5], [17, 33], [512, 1280], [1280, 512], [1000, 7]] as [number, number][]) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        check({ m, n: 1, k, transA, transB, alpha: 1, beta: 0 }, seed++);
        check({ m, n: 1, k, transA, transB, alpha: -0.5, beta: 0.75, padA: 3, padB: 2, offset: 5 }, seed++);
        check({ m, n: 1, k, transA, transB, alpha: 1, beta: 1, batch: 3, broadcastA: true }, seed++);
        check({ m, n: 1, k, transA, transB, alpha: 2, beta: 0, batch: 4, padC: 2 }, seed++); // ldc > 1: column path
      }
    }
  }
});

test('few-row blocked products (one A block, several B panels) match the reference', { skip: skipNative }, () => {
  let seed = 500;
  for (const [m, n, k] of [[64, 2048, 512], [64, 523, 300], [100, 500, 784], [7, 1043, 259], [128, 300, 1024]] as [number, number, number][]) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        check({ m, n, k, transA, transB, alpha: 1, beta: 0 }, seed++);
        check({ m, n, k, transA, transB, alpha: 0.5, beta: -1, padA: 1, padB: 3, padC: 2, offset: 1 }, seed++);
      }
    }
  }
});

test('few-row and matrix-vector products give identical bits on 1 and several threads', { skip: skipNative }, () => {
  const saved = getNumThreads();
  try {
    for (const [m, n, k, transA, transB] of [[64, 2048, 512, false, true], [64, 512, 2048, false, false], [2048, 512, 64, true, false],
      [512, 1, 1280, true, false], [1280, 1, 512, false, false], [64, 1043, 259, false, true]] as [number, number, number, boolean, boolean][]) {
      const g = build({ m, n, k, transA, transB, alpha: 1, beta: 0.5 }, new Generator(19));
      const one = g.c.slice();
      const many = g.c.slice();
      setNumThreads(1);
      nativeBackend!.gemm({ ...g, c: one });
      setNumThreads(2);
      nativeBackend!.gemm({ ...g, c: many });
      assert.deepEqual(many, one, `[${m}x${k}]x[${k}x${n}] tA=${transA} tB=${transB}`);
    }
  } finally {
    setNumThreads(saved);
  }
});
