/**
 * Profiles W2_transformer_train steps: wall time per phase and kernel time per backend method
 * (gemm split by shape), to see where a Transformer training step spends its time.
 *   node --import tsx bench/profile/transformer-step.ts [--steps N] [--warmup N] [--threads N]
 */
import { parseArgs } from 'node:util';
import * as F from '../../src/autograd/ops/index.js';
import type { Backend, GemmArgs } from '../../src/backend/backend.js';
import { setNumThreads } from '../../src/backend/native/index-node.js';
import { getBackend, setBackend } from '../../src/backend/registry.js';
import { gemmKey, instrumentBackend } from './instrument.js';
import { selectBackend } from '../../src/backend/select-node.js';
import { generateSquareSubsequentMask } from '../../src/nn/layers/multihead-attention.js';
import { crossEntropy } from '../../src/nn/losses.js';
import { Adam } from '../../src/optim/adam.js';
import { randint } from '../../src/tensor/creation.js';
import { Generator } from '../../src/tensor/rng.js';
import { B, S, T, TransformerMT } from '../workloads/w2-transformer.js';

const { values: a } = parseArgs({ options: {
  steps: { type: 'string', default: '5' }, warmup: { type: 'string', default: '2' }, threads: { type: 'string', default: '2' },
} });
if (selectBackend() === 'native') setNumThreads(+a.threads!);

const stats = new Map<string, { ms: number; calls: number }>();
const instrument = (b: Backend) => instrumentBackend(b, stats, (k, args) => (k === 'gemm' ? gemmKey(args[0] as GemmArgs) : k));

const gen = new Generator(0);
const model = new TransformerMT(gen).train();
const opt = new Adam(model.parameters(), { lr: 1e-3 });
const src = randint(0, 8000, [B, S], { generator: gen });
const tgt = randint(1, 6000, [B, T + 1], { generator: gen });
const tgtIn = F.contiguous(F.narrow(tgt, 1, 0, T)), tgtOut = F.contiguous(F.narrow(tgt, 1, 1, T));
const mask = generateSquareSubsequentMask(T);
const steps = +a.steps!, warm = +a.warmup!;
const phase = { fwd: 0, bwd: 0, opt: 0 };
for (let i = 0; i < warm + steps; i++) {
  if (i === warm) setBackend(instrument(getBackend()));
  const t0 = performance.now();
  opt.zeroGrad();
  const loss = crossEntropy(F.reshape(model.forward(src, tgtIn, mask), [-1, 6000]), F.reshape(tgtOut, [-1]));
  const t1 = performance.now();
  loss.backward();
  const t2 = performance.now();
  opt.step();
  const t3 = performance.now();
  if (i >= warm) { phase.fwd += t1 - t0; phase.bwd += t2 - t1; phase.opt += t3 - t2; }
}
const total = phase.fwd + phase.bwd + phase.opt;
console.log(`ms/step ${(total / steps).toFixed(1)}: forward ${(phase.fwd / steps).toFixed(1)}, backward ${(phase.bwd / steps).toFixed(1)}, optimizer ${(phase.opt / steps).toFixed(1)}`);
const rows = [...stats.entries()].sort((x, y) => y[1].ms - x[1].ms);
const ktot = rows.reduce((s, r) => s + r[1].ms, 0);
console.log(`kernel time ${(ktot / steps).toFixed(1)} ms/step`);
for (const [k, s] of rows.slice(0, 30)) console.log(`${(s.ms / steps).toFixed(2).padStart(9)} ms  ${String(s.calls / steps).padStart(6)} calls  ${k}`);
