/** Running the PyTorch peer scripts from the shared bench-peers folder, in the same run as ours. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchOptions, ResultLine, Workload } from './types.js';

/** `<repo>/../shared/bench-peers`, or BENCH_PEERS_DIR when set. */
export function peersDir(): string {
  if (process.env.BENCH_PEERS_DIR) return resolve(process.env.BENCH_PEERS_DIR);
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  return join(repo, '..', 'shared', 'bench-peers');
}

/**
 * Runs a workload's torch peer with /usr/bin/python3. OMP_WAIT_POLICY=PASSIVE keeps torch's idle
 * OpenMP threads from spinning against OpenBLAS's on 2 cores; OPENBLAS_CORETYPE and
 * OPENBLAS_L2_SIZE are removed for that process only so OpenBLAS detects the CPU itself.
 * Returns the peer's result lines, or an error message.
 */
export function runTorchPeer(w: Workload, opts: BenchOptions): ResultLine[] | string {
  if (!w.peerScript || !w.parsePeer) return `runTorchPeer: workload ${w.name} has no torch peer`;
  const dir = peersDir();
  const script = join(dir, 'torch', w.peerScript);
  if (!existsSync(script)) {
    return `runTorchPeer: ${script} not found (expected the shared bench-peers folder at ${dir}; set BENCH_PEERS_DIR to override)`;
  }
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const res = spawnSync('/usr/bin/python3', [script, ...(w.peerArgs?.(opts) ?? [])], {
    env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
  });
  if (res.error) return `runTorchPeer: cannot run /usr/bin/python3 ${script}: ${res.error.message}`;
  if (res.status !== 0) {
    const tail = (res.stderr || '').trim().split('\n').slice(-3).join(' | ');
    return `runTorchPeer: ${w.peerScript} exited with ${res.status}: ${tail} (is python3-torch installed?)`;
  }
  const line = res.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (!line) return `runTorchPeer: ${w.peerScript} printed no JSON line`;
  return w.parsePeer(JSON.parse(line) as Record<string, unknown>);
}
