/**
 * Timings of the native backend's kernels on the shapes the benchmark workloads use (W1: batch 64,
 * source length 20, hidden 512; beam search over an 8000-word vocabulary; small CNNs).
 * Not a test: run with `node --import tsx test/native/bench-kernels.ts [--json out.json]`.
 * Prints the median of several timed repetitions per op, in microseconds per call.
 */
import { writeFileSync } from 'node:fs';
import type { Backend, GemmArgs, Pool2dGeometry, View } from '../../src/backend/backend.js';
import { nativeBackend, nativeLoadError } from '../../src/backend/native/index-node.js';
import { Generator, randomArray } from './native-helpers.js';

if (!nativeBackend) throw new Error(`bench-kernels: native backend unavailable (${nativeLoadError})`);
const be: Backend = nativeBackend;
const gen = new Generator(7);

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Median µs per call over `reps` timed blocks, each long enough (~20 ms) to swamp timer noise. */
function time(fn: () => void, reps = 9): number {
  const t0 = performance.now();
  let iters = 0;
  while (performance.now() - t0 < 20) { fn(); iters++; }
  const per = Math.max(1, iters);
  const samples: number[] = [];
  for (let r = 0; r < reps; r++) {
    const s = performance.now();
    for (let i = 0; i < per; i++) fn();
    samples.push(((performance.now() - s) * 1000) / per);
  }
  return median(samples);
}

const view = (data: Float32Array | Int32Array, shape: number[], strides: number[], offset = 0): View => ({ data, shape, strides, offset });

const results: Record<string, number> = {};
function bench(name: string, fn: () => void): void {
  results[name] = time(fn);
  console.log(`${name.padEnd(48)} ${results[name].toFixed(1).padStart(10)} µs`);
}

// ---- LSTM cell, B=64 H=512 ----
{
  const b = 64, h = 512;
  const gates = randomArray(b * 4 * h, gen).map((v) => v * 4), c = randomArray(b * h, gen);
  const hc = new Float32Array(b * 2 * h), saved = new Float32Array(b * 5 * h);
  const dgates = new Float32Array(b * 4 * h), dc = new Float32Array(b * h), dhc = randomArray(b * 2 * h, gen);
  bench('lstmCell B=64 H=512', () => be.lstmCell!(gates, c, b, h, hc, saved));
  bench('lstmCellBackward B=64 H=512', () => be.lstmCellBackward!(dhc, c, saved, b, h, dgates, dc));
}

// ---- copy / where / fill ----
{
  const x = randomArray(64 * 20 * 512, gen), out = new Float32Array(64 * 20 * 512);
  bench('copy transpose01 [20,64,512]<-[64,20,512]', () => be.copy(view(x, [20, 64, 512], [512, 20 * 512, 1]), out));
  bench('copy transpose12 [64,512,20]', () => be.copy(view(x, [64, 512, 20], [20 * 512, 1, 512]), out));
  bench('copy contiguous 655360', () => be.copy(view(x, [64, 20, 512], [20 * 512, 512, 1]), out));
  bench('copy broadcast [64,20,512]<-[64,1,512]', () => be.copy(view(x, [64, 20, 512], [512, 0, 1]), out));
  const oi = new Int32Array(64 * 20 * 512);
  bench('copy float->int32 655360', () => be.copy(view(x, [64 * 20 * 512], [1]), oi));
  const cond = new Float32Array(64 * 20).map((_, i) => i % 3);
  const y = randomArray(64 * 20 * 512, gen);
  bench('where cond[64,20,1] a,b[64,20,512]', () => be.where(view(cond, [64, 20, 512], [20, 1, 0]), view(x, [64, 20, 512], [10240, 512, 1]), view(y, [64, 20, 512], [10240, 512, 1]), out));
  const mask = new Float32Array(64 * 512).map((_, i) => i % 2);
  bench('where mask[64,512] scalar b', () => be.where(view(mask, [64, 512], [512, 1]), view(x, [64, 512], [512, 1]), view(new Float32Array([0]), [64, 512], [0, 0]), out));
  bench('fill 655360', () => be.fill(out, 0));
}

// ---- batched small GEMMs (W1 attention) ----
{
  const B = 64, S = 20, H = 512;
  const q = randomArray(B * H, gen), keys = randomArray(B * S * H, gen), al = randomArray(B * S, gen);
  const outS = new Float32Array(B * S), outH = new Float32Array(B * H), outSH = new Float32Array(B * S * H);
  const g = (o: Partial<GemmArgs>): GemmArgs => ({
    transA: false, transB: false, m: 1, n: S, k: H, alpha: 1, a: q, aOffset: 0, lda: H, strideA: H,
    b: keys, bOffset: 0, ldb: H, strideB: S * H, beta: 0, c: outS, cOffset: 0, ldc: S, strideC: S, batch: B, ...o,
  });
  bench('bmm 64x[1x512]x[512x20]^T (scores)', () => be.gemm(g({ transB: true })));
  bench('bmm 64x[1x20]x[20x512] (context)', () => be.gemm(g({ a: al, lda: S, strideA: S, k: S, n: H, b: keys, ldb: H, strideB: S * H, c: outH, ldc: H, strideC: H })));
  bench('bmm 64x[1x512]x[512x20] (B as KxN)', () => be.gemm(g({ b: keys, ldb: S, strideB: S * H })));
  bench('bmm 64x[1x20]x[20x512]^T (dq from K^T)', () => be.gemm(g({ transB: true, a: al, lda: S, strideA: S, k: S, n: H, b: keys, ldb: S, strideB: S * H, c: outH, ldc: H, strideC: H })));
  bench('bmm 64x[20x1]x[1x512] (dK outer)', () => be.gemm(g({ m: S, n: H, k: 1, a: al, lda: 1, strideA: S, b: q, ldb: H, strideB: H, c: outSH, ldc: H, strideC: S * H })));
  bench('bmm 64x[512x1]^T.. dK^T transA [1x20]^T', () => be.gemm(g({ transA: true, m: S, n: H, k: 1, a: al, lda: S, strideA: S, b: q, ldb: H, strideB: H, c: outSH, ldc: H, strideC: S * H })));
}

// ---- gather / scatterAdd / topk / cumsum ----
{
  const rows = 1280, V = 8000;
  const logp = randomArray(rows * V, gen), idx = new Int32Array(rows).map(() => Math.floor(gen.random() * V));
  const picked = new Float32Array(rows), grad = new Float32Array(rows * V);
  bench('gather [1280,8000] dim1 m=1', () => be.gather(logp, rows, V, 1, idx, 1, picked));
  bench('scatterAdd [1280,8000] dim1 m=1', () => be.scatterAdd(picked, rows, V, 1, idx, 1, grad));
  const idx2 = new Int32Array(64 * 20 * 512).map(() => Math.floor(gen.random() * 20));
  const src2 = randomArray(64 * 20 * 512, gen), o2 = new Float32Array(64 * 20 * 512);
  bench('gather [64,20,512] dim1 m=20', () => be.gather(src2, 64, 20, 512, idx2, 20, o2));
  bench('scatterAdd [64,20,512] dim1 m=20', () => be.scatterAdd(src2, 64, 20, 512, idx2, 20, o2));
  const tv = new Float32Array(64 * 5), ti = new Int32Array(64 * 5);
  bench('topk [64,8000] k=5', () => be.topk(logp, 64, V, 5, true, tv, ti));
  const tv2 = new Float32Array(64 * 100), ti2 = new Int32Array(64 * 100);
  bench('topk [64,8000] k=100', () => be.topk(logp, 64, V, 100, true, tv2, ti2));
  const cs = new Float32Array(64 * 1000);
  bench('cumsum [64,1000] last axis', () => be.cumsum(logp, 64, 1000, 1, cs));
  bench('cumsum [64,100,10] middle', () => be.cumsum(logp, 64, 100, 10, cs));
}

// ---- pooling ----
{
  const geo: Pool2dGeometry = { n: 32, c: 16, h: 28, w: 28, kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0, padW: 0, outH: 14, outW: 14 };
  const x = randomArray(32 * 16 * 28 * 28, gen), out = new Float32Array(32 * 16 * 14 * 14), am = new Int32Array(out.length);
  const dx = new Float32Array(x.length), dy = randomArray(out.length, gen);
  bench('maxPool2d [32,16,28,28] k2s2', () => be.maxPool2d(x, geo, out, am));
  bench('maxPool2dBackward', () => { dx.fill(0); be.maxPool2dBackward(dy, am, geo, dx); });
  const geo3 = { ...geo, kh: 3, kw: 3, strideH: 1, strideW: 1, padH: 1, padW: 1, outH: 28, outW: 28 };
  const out3 = new Float32Array(32 * 16 * 28 * 28), dy3 = randomArray(out3.length, gen);
  bench('avgPool2d [32,16,28,28] k3s1p1', () => be.avgPool2d(x, geo3, false, out3));
  bench('avgPool2dBackward k3s1p1', () => { dx.fill(0); be.avgPool2dBackward(dy3, geo3, false, dx); });
}

// ---- Bahdanau energy: broadcast add then tanh ----
{
  const B = 64, S = 20, A = 512;
  const pk = randomArray(B * S * A, gen), wq = randomArray(B * A, gen), sum = new Float32Array(B * S * A), th = new Float32Array(B * S * A);
  bench('add [64,20,512]+[64,1,512]', () => be.binary('add', view(pk, [B, S, A], [S * A, A, 1]), view(wq, [B, S, A], [A, 0, 1]), sum));
  bench('tanh [64,20,512]', () => be.unary('tanh', view(sum, [B, S, A], [S * A, A, 1]), th));
  bench('sigmoid [64,2048]', () => be.unary('sigmoid', view(sum, [64, 2048], [2048, 1]), th));
}

const at = process.argv.indexOf('--json');
if (at > 0) writeFileSync(process.argv[at + 1], JSON.stringify(results, null, 1));
