/** Shared types for the benchmark harness (bench/run.ts) and its workloads (bench/workloads/). */

/** One JSON line of output: a measured rate for one implementation, shape and thread count. */
export interface ResultLine {
  workload: string;
  impl: string;
  metric: string;
  median: number;
  min: number;
  max: number;
  unit: string;
  shape: string;
  threads: number;
  [extra: string]: unknown;
}

/** Options every workload receives from the command line. */
export interface BenchOptions {
  /** thread counts to measure; undefined means the workload's default list */
  threads?: number[];
  /** timed iterations (median reported); undefined means the workload's default */
  iters?: number;
  warmup?: number;
}

/** A benchmark workload: our implementation plus, optionally, the matching PyTorch peer script. */
export interface Workload {
  name: string;
  /** Runs our implementation, calling `emit` once per result as soon as it is measured. */
  run(opts: BenchOptions, emit: (r: ResultLine) => void): Promise<void> | void;
  /** File name of the peer script in `bench-peers/torch/`, if there is one. */
  peerScript?: string;
  /** Extra command-line arguments for the peer script. */
  peerArgs?(opts: BenchOptions): string[];
  /** Turns the peer script's single JSON line into result lines (impl "torch"). */
  parsePeer?(json: Record<string, unknown>): ResultLine[];
}
