/**
 * Benchmark runner: `npm run bench -- [WORKLOAD...] [--peers] [--threads N[,M]] [--iters N] [--warmup N]`.
 * Prints one JSON line per result; with --peers also the PyTorch peer's lines and, per
 * workload, shape and thread count, a ratio line (ours / peer, higher is better for us).
 */
import { runTorchPeer } from './peers.js';
import type { BenchOptions, ResultLine } from './types.js';
import { WORKLOADS } from './workloads/index.js';

function usage(): string {
  return `usage: npm run bench -- [WORKLOAD...] [--peers] [--threads N[,M...]] [--iters N] [--warmup N]\n` +
    `workloads: ${WORKLOADS.map((w) => w.name).join(', ')}`;
}

function parseIntList(flag: string, v: string | undefined): number[] {
  const xs = (v ?? '').split(',').map(Number);
  if (!v || xs.some((x) => !Number.isInteger(x) || x < 1)) throw new Error(`bench: ${flag} expects positive integers, got ${JSON.stringify(v)}`);
  return xs;
}

function parseArgs(argv: string[]): { names: string[]; peers: boolean; opts: BenchOptions } {
  const names: string[] = [];
  const opts: BenchOptions = {};
  let peers = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--peers') peers = true;
    else if (a === '--threads') opts.threads = parseIntList(a, argv[++i]);
    else if (a === '--iters') opts.iters = parseIntList(a, argv[++i])[0];
    else if (a === '--warmup') opts.warmup = Number(argv[++i]);
    else if (a === '--help' || a === '-h') { console.log(usage()); process.exit(0); }
    else if (a.startsWith('-')) throw new Error(`bench: unknown option ${a}\n${usage()}`);
    else names.push(a);
  }
  for (const n of names) {
    if (!WORKLOADS.some((w) => w.name === n)) throw new Error(`bench: unknown workload ${n}\n${usage()}`);
  }
  return { names, peers, opts };
}

async function main(): Promise<void> {
  const { names, peers, opts } = parseArgs(process.argv.slice(2));
  const selected = names.length ? WORKLOADS.filter((w) => names.includes(w.name)) : WORKLOADS;
  const print = (r: object): void => { process.stdout.write(`${JSON.stringify(r)}\n`); };
  for (const w of selected) {
    const ours: ResultLine[] = [];
    await w.run(opts, (r) => { ours.push(r); print(r); });
    if (!peers) continue;
    if (!w.peerScript) { console.error(`bench: ${w.name} has no peer; skipping --peers for it`); continue; }
    const theirs = runTorchPeer(w, opts);
    if (typeof theirs === 'string') { console.error(theirs); continue; }
    theirs.forEach(print);
    for (const r of ours) {
      const p = theirs.find((t) => t.shape === r.shape && t.threads === r.threads);
      if (p && p.median > 0) {
        print({ workload: w.name, shape: r.shape, threads: r.threads, ratio: Math.round((r.median / p.median) * 1000) / 1000 });
      }
    }
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
