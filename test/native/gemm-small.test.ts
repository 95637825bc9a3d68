import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GemmArgs } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { getNumThreads, nativeBackend, setNumThreads } from '../../src/backend/native/index-node.js';
import { Generator, randomArray, skipNative } from './native-helpers.js';

/**
 * The unpacked path for few-row products (attention scores and contexts, single decoder steps)
 * and its batch / column split across threads.
 */
const U = 2 ** -24;

function build(m: number, n: number, k: number, transA: boolean, transB: boolean, batch: number, gen: Generator,
  opts: { alpha?: number; beta?: number; pad?: number; broadcastA?: boolean; broadcastB?: boolean } = {}): GemmArgs {
  const pad = opts.pad ?? 0;
  const [aRows, aCols] = transA ? [k, m] : [m, k];
  const [bRows, bCols] = transB ? [n, k] : [k, n];
  const lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
  const strideA = opts.broadcastA ? 0 : aRows * lda, strideB = opts.broadcastB ? 0 : bRows * ldb, strideC = m * ldc + pad;
  return {
    transA, transB, m, n, k, alpha: opts.alpha ?? 1, beta: opts.beta ?? 0,
    a: randomArray(2 + Math.max(1, (opts.broadcastA ? 1 : batch) * aRows * lda), gen), aOffset: 2, lda, strideA,
    b: randomArray(1 + Math.max(1, (opts.broadcastB ? 1 : batch) * bRows * ldb), gen), bOffset: 1, ldb, strideB,
    c: randomArray(3 + batch * strideC, gen), cOffset: 3, ldc, strideC, batch,
  };
}

function check(g: GemmArgs, what: string): Float32Array {
  const cN = g.c.slice(), cJ = g.c.slice(), bound = new Float32Array(g.c.length);
  nativeBackend!.gemm({ ...g, c: cN });
  jsBackend.gemm({ ...g, c: cJ });
  jsBackend.gemm({ ...g, a: g.a.map(Math.abs), b: g.b.map(Math.abs), alpha: Math.abs(g.alpha), beta: 0, c: bound });
  for (let i = 0; i < cJ.length; i++) {
    const tol = 4 * ((g.k + 2) * U * bound[i] + (g.beta === 0 ? 0 : 2 * U * Math.abs(g.beta * g.c[i]))) + 1e-30;
    if (!(Math.abs(cN[i] - cJ[i]) <= tol)) assert.fail(`${what}: element ${i} native ${cN[i]} vs reference ${cJ[i]}`);
  }
  return cN;
}

test('few-row gemm matches the reference for every transpose, odd sizes, alpha/beta and padding', { skip: skipNative }, () => {
  const gen = new Generator(51);
  for (const [m, n, k] of [[1, 20, 512], [1, 512, 20], [20, 512, 1], [1, 1, 1], [1, 3, 17], [2, 17, 3], [3, 33, 1000],
    [4, 1000, 33], [4, 16, 8], [1, 7, 9], [3, 8, 16], [2, 2, 2], [4, 5, 3], [17, 3, 3], [1, 8000, 64]]) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        for (const batch of [1, 3, 64]) {
          if (batch === 64 && m * n * k > 100_000) continue;
          const what = `[${m}x${k}]x[${k}x${n}] tA=${transA} tB=${transB} batch=${batch}`;
          check(build(m, n, k, transA, transB, batch, gen), what);
          check(build(m, n, k, transA, transB, batch, gen, { alpha: -0.5, beta: 0.75, pad: 3 }), `${what} alpha/beta/pad`);
          check(build(m, n, k, transA, transB, batch, gen, { beta: 1, broadcastA: true }), `${what} broadcast A`);
          check(build(m, n, k, transA, transB, batch, gen, { beta: -1, broadcastB: true }), `${what} broadcast B`);
        }
      }
    }
  }
});

test('few-row gemm never reads C when beta = 0 and gives the same bits on 1 and 2 threads', { skip: skipNative }, () => {
  const saved = getNumThreads();
  try {
    const gen = new Generator(52);
    for (const [m, n, k, tA, tB, batch] of [[1, 20, 512, false, true, 64], [1, 512, 20, false, false, 64], [1, 8000, 512, false, false, 1],
      [1, 3000, 300, true, true, 1], [20, 512, 1, false, false, 64], [4, 300, 64, true, false, 10]] as [number, number, number, boolean, boolean, number][]) {
      const g = build(m, n, k, tA, tB, batch, gen);
      for (let b = 0; b < batch; b++) for (let i = 0; i < m; i++) g.c.fill(NaN, g.cOffset + b * g.strideC + i * g.ldc, g.cOffset + b * g.strideC + i * g.ldc + n);
      setNumThreads(1);
      const one = check(g, `1 thread [${m},${n},${k}]`);
      setNumThreads(2);
      const two = check(g, `2 threads [${m},${n},${k}]`);
      assert.deepEqual(two, one);
    }
  } finally {
    setNumThreads(saved);
  }
});
