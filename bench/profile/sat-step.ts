/**
 * Profiles W6_show_attend_tell_train steps: wall time per phase and kernel time per backend
 * method (gemm split by shape), to see where a Show-Attend-Tell training step spends its time.
 *   node --import tsx bench/profile/sat-step.ts [--steps N] [--warmup N] [--threads N] [--raw]
 * With --raw only the step times are measured (no per-call instrumentation).
 */
import { parseArgs } from 'node:util';
import * as F from '../../src/autograd/ops/index.js';
import type { Backend, GemmArgs } from '../../src/backend/backend.js';
import { setNumThreads } from '../../src/backend/native/index-node.js';
import { getBackend, setBackend } from '../../src/backend/registry.js';
import { gemmKey, instrumentBackend } from './instrument.js';
import { selectBackend } from '../../src/backend/select-node.js';
import { buildCaptionModel } from '../../src/models/caption/build.js';
import { crossEntropy } from '../../src/nn/losses.js';
import { Adam } from '../../src/optim/adam.js';
import { rand, randint } from '../../src/tensor/creation.js';
import { Generator, manualSeed } from '../../src/tensor/rng.js';

const { values: a } = parseArgs({ options: {
  steps: { type: 'string', default: '5' }, warmup: { type: 'string', default: '2' }, threads: { type: 'string', default: '2' },
  raw: { type: 'boolean', default: false },
} });
if (selectBackend() === 'native') setNumThreads(+a.threads!);

const stats = new Map<string, { ms: number; calls: number }>();
function keyOf(k: string, args: unknown[]): string {
  if (k === 'gemm') return gemmKey(args[0] as GemmArgs);
  if (k === 'unary' || k === 'binary' || k === 'reduce') return `${k} ${String(args[0])}`;
  if (k === 'im2col' || k === 'col2im') { const g = args[1] as { cIn: number; h: number }; return `${k} Cin${g.cIn} ${g.h}x${g.h}`; }
  if (k === 'maxPool2d' || k === 'maxPool2dBackward') { const g = args[k === 'maxPool2d' ? 1 : 2] as { c: number; h: number; kh: number }; return `${k} C${g.c} ${g.h}x${g.h} k${g.kh}`; }
  if (k === 'alloc') { const n = args[1] as number; return `alloc ${n >= 100000 ? String(n) : n >= 1 << 14 ? '16k-100k' : '<16k'}`; }
  return k;
}
const instrument = (b: Backend) => instrumentBackend(b, stats, keyOf);

const B = 64, L = 12, V = 30;
manualSeed(0);
const gen = new Generator(0);
const model = buildCaptionModel({ model: 'attention', vocabSize: V, channels: [32, 64, 128], embSize: 64, hiddenSize: 256, attentionSize: 256, gate: false, dropout: 0 }).train();
const opt = new Adam(model.parameters(), { lr: 1e-3 });
const img = rand([B, 1, 84, 84], { generator: gen });
const cap = randint(2, V, [B, L + 1], { generator: gen });
for (let b = 0; b < B; b++) cap.data[b * (L + 1)] = 0;
const capIn = F.contiguous(F.narrow(cap, 1, 0, L)), capOut = F.contiguous(F.narrow(cap, 1, 1, L));
const steps = +a.steps!, warm = +a.warmup!;
const phase = { fwd: 0, bwd: 0, opt: 0 };
const stepMs: number[] = [];
const losses: number[] = [];
for (let i = 0; i < warm + steps; i++) {
  if (i === warm && !a.raw) setBackend(instrument(getBackend()));
  const t0 = performance.now();
  opt.zeroGrad();
  const loss = crossEntropy(F.reshape(model.forward(img, capIn).logits, [-1, V]), F.reshape(capOut, [-1]));
  const t1 = performance.now();
  loss.backward();
  const t2 = performance.now();
  opt.step();
  losses.push(loss.item());
  const t3 = performance.now();
  if (i >= warm) { phase.fwd += t1 - t0; phase.bwd += t2 - t1; phase.opt += t3 - t2; stepMs.push(t3 - t0); }
}
const total = phase.fwd + phase.bwd + phase.opt;
const sorted = [...stepMs].sort((x, y) => x - y);
console.log(`ms/step mean ${(total / steps).toFixed(1)} median ${sorted[sorted.length >> 1].toFixed(1)}: forward ${(phase.fwd / steps).toFixed(1)}, backward ${(phase.bwd / steps).toFixed(1)}, optimizer ${(phase.opt / steps).toFixed(1)}; loss ${losses[0].toFixed(4)} -> ${losses[losses.length - 1].toFixed(4)}`);
if (!a.raw) {
  const rows = [...stats.entries()].sort((x, y) => y[1].ms - x[1].ms);
  const ktot = rows.reduce((s, r) => s + r[1].ms, 0);
  console.log(`kernel time ${(ktot / steps).toFixed(1)} ms/step`);
  for (const [k, s] of rows.slice(0, 30)) console.log(`${(s.ms / steps).toFixed(2).padStart(9)} ms  ${String(s.calls / steps).padStart(6)} calls  ${k}`);
}
