/**
 * sgemm: raw single-precision matrix multiply throughput, defined exactly as
 * bench-peers/torch/sgemm.py (same shapes, thread list 1,2, warmup 2, 7 timed blocks, each
 * block repeated to last about 50 ms). C = A·B with row-major A [m×k], B [k×n], C preallocated.
 */
import type { Backend } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { getNumThreads, nativeBackend, setNumThreads } from '../../src/backend/native/index-node.js';
import { Generator } from '../../src/tensor/rng.js';
import { round2, summarizeRates, timeIters } from '../stats.js';
import type { BenchOptions, ResultLine, Workload } from '../types.js';

/** (m, k, n) as in the peer script */
export const SGEMM_SHAPES: readonly [number, number, number][] = [
  [64, 64, 64], [128, 128, 128], [256, 256, 256], [512, 512, 512], [1024, 1024, 1024],
  [2048, 2048, 2048], [64, 512, 2048], [1280, 512, 6000],
];

const BLOCK_SECONDS = 0.05;

function shapeName(m: number, k: number, n: number): string {
  return `[${m}x${k}]x[${k}x${n}]`;
}

function randn(be: Backend, size: number, gen: Generator): Float32Array {
  const out = be.alloc('float32', size) as Float32Array;
  for (let i = 0; i < size; i++) out[i] = gen.normal();
  return out;
}

function run(opts: BenchOptions, emit: (r: ResultLine) => void): void {
  const be = nativeBackend ?? jsBackend;
  const threadList = opts.threads ?? [1, 2];
  const warmup = opts.warmup ?? 2;
  const iters = opts.iters ?? 7;
  const gen = new Generator(0);
  const savedThreads = getNumThreads();
  try {
    for (const th of threadList) {
      if (nativeBackend) setNumThreads(th);
      for (const [m, k, n] of SGEMM_SHAPES) {
        const a = randn(be, m * k, gen);
        const b = randn(be, k * n, gen);
        const c = be.alloc('float32', m * n) as Float32Array;
        const args = {
          transA: false, transB: false, m, n, k, alpha: 1, a, aOffset: 0, lda: k, strideA: 0,
          b, bOffset: 0, ldb: n, strideB: 0, beta: 0, c, cOffset: 0, ldc: n, strideC: 0, batch: 1,
        };
        const fn = (): void => be.gemm(args);
        const est = Math.min(...timeIters(fn, 1, 3));
        const inner = Math.max(1, Math.ceil(BLOCK_SECONDS / est));
        const times = timeIters(fn, warmup, iters, inner);
        const s = summarizeRates(times, (2 * m * k * n) / 1e9);
        emit({
          workload: 'sgemm', impl: 'attentive', metric: 'GFLOP/s', median: round2(s.median), min: round2(s.min),
          max: round2(s.max), unit: 'GFLOP/s', shape: shapeName(m, k, n), threads: nativeBackend ? th : 1,
          backend: be.name, inner,
        });
      }
    }
  } finally {
    if (nativeBackend) setNumThreads(savedThreads);
  }
}

interface PeerRow { threads: number; m: number; k: number; gflops_median: number; gflops_min: number; gflops_max: number; shape: string }

export const sgemm: Workload = {
  name: 'sgemm',
  run,
  peerScript: 'sgemm.py',
  peerArgs: (opts) => [
    ...(opts.threads ? ['--thread-list', opts.threads.join(',')] : []),
    ...(opts.iters ? ['--iters', String(opts.iters)] : []),
    ...(opts.warmup !== undefined ? ['--warmup', String(opts.warmup)] : []),
  ],
  parsePeer(json) {
    const rows = (json.results ?? []) as PeerRow[];
    return rows.map((r) => ({
      workload: 'sgemm', impl: 'torch', metric: 'GFLOP/s', median: r.gflops_median, min: r.gflops_min,
      max: r.gflops_max, unit: 'GFLOP/s', shape: r.shape, threads: r.threads,
    }));
  },
};
