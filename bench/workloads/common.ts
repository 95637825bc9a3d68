/**
 * What the model workloads (W1, W3, W4, W5) share: picking the backend and thread count the
 * same way for each, and turning a peer's single JSON line into a result line.
 */
import { getNumThreads, nativeBackend, setNumThreads } from '../../src/backend/native/index-node.js';
import { selectBackend } from '../../src/backend/select-node.js';
import type { BenchOptions, ResultLine } from '../types.js';

/** The torch peers' default thread count (common.py `--threads`). */
export const DEFAULT_THREADS = 2;

/**
 * The thread budget for one run. The peers take one `--threads`, so a list uses its first entry;
 * the ratio line pairs our line with the peer's by this number.
 */
export function threadBudget(opts: BenchOptions, workload: string): number {
  const list = opts.threads ?? [DEFAULT_THREADS];
  if (list.length > 1) console.error(`${workload}: takes one thread count; using ${list[0]} of ${list.join(',')}`);
  return list[0];
}

/**
 * Activates the process's backend (ATTENTIVE_BACKEND, else native when it loads, else js) with
 * `threads` pool threads, runs `fn`, and restores the pool size. `kernelThreads` is what the
 * kernels really use: the js backend is single-threaded whatever the budget.
 */
export function withBenchBackend<T>(threads: number, fn: (backend: string, kernelThreads: number) => T): T {
  const name = selectBackend();
  const native = name === 'native' && nativeBackend !== null;
  const saved = getNumThreads();
  if (native) setNumThreads(threads);
  try {
    return fn(name, native ? threads : 1);
  } finally {
    if (native) setNumThreads(saved);
  }
}

/** Peer JSON fields every model workload reads. */
export interface PeerJson {
  workload?: string;
  metric?: string;
  median?: number;
  min?: number;
  max?: number;
  env?: { torch_threads?: number };
  [k: string]: unknown;
}

/** The peer's line as a result line of impl "torch" with our shape name, keeping its extra fields. */
export function peerLine(workload: string, shape: string, json: PeerJson): ResultLine[] {
  const { median, min, max, metric, env, ...rest } = json;
  delete rest.workload;
  delete rest.peer;
  if (typeof rest.impl === 'string') { rest.peer_impl = rest.impl; delete rest.impl; }
  if (typeof median !== 'number' || typeof metric !== 'string') return [];
  return [{
    ...rest,
    workload, impl: 'torch', metric, median, min: min ?? median, max: max ?? median, unit: metric, shape,
    threads: env?.torch_threads ?? DEFAULT_THREADS,
  }];
}

/** Command-line flags every peer script takes (common.py base_args). */
export function commonPeerArgs(opts: BenchOptions): string[] {
  return [
    ...(opts.threads ? ['--threads', String(opts.threads[0])] : []),
    ...(opts.iters ? ['--iters', String(opts.iters)] : []),
    ...(opts.warmup !== undefined ? ['--warmup', String(opts.warmup)] : []),
  ];
}

/** Rounds to `digits` decimals. */
export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
