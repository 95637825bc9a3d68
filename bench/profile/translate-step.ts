/**
 * Profiles training steps of the translation model on real batches: wall time per step and,
 * with --ops, kernel time per backend method (wraps every method of the active backend).
 *   node --import tsx bench/profile/translate-step.ts --data tatoeba:PATH [--steps N] [--warmup N] [--from BATCH] [--batch B] [--label-smoothing EPS] [--ops [--alloc-sites]] [--model '{config JSON}']
 */
import { parseArgs } from 'node:util';
import { getBackend, setBackend } from '../../src/backend/registry.js';
import { instrumentBackend } from './instrument.js';
import { selectBackend } from '../../src/backend/select-node.js';
import type { Backend } from '../../src/backend/backend.js';
import { Batcher } from '../../src/data/batching.js';
import { Adam } from '../../src/optim/adam.js';
import { clipGradNorm } from '../../src/optim/clip.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { createSeq2Seq } from '../../src/models/seq2seq/build.js';
import { loadCorpus, parseDataSpec } from '../../src/data/corpus-node.js';
import { sourceTokenizer } from '../../src/text/text-pipeline-node.js';
import { batchLoss } from '../../src/models/translation/evaluate.js';
import { TextPipeline } from '../../src/text/text-pipeline.js';

const { values: a } = parseArgs({ options: {
  data: { type: 'string', default: 'tatoeba:../shared/data/tatoeba' },
  steps: { type: 'string', default: '20' },
  warmup: { type: 'string', default: '3' },
  ops: { type: 'boolean', default: false },
  'alloc-sites': { type: 'boolean', default: false },
  from: { type: 'string', default: '0' },
  batch: { type: 'string', default: '64' },
  'label-smoothing': { type: 'string', default: '0' },
  model: { type: 'string', default: '{}' },
} });

selectBackend();
const corpus = loadCorpus(parseDataSpec(a.data!));
const pipeline = TextPipeline.learn({ srcTokenizer: 'char', lowercase: true, bpeMerges: 0, tgtMinFreq: 2 } as never, sourceTokenizer('char'), corpus.train);
manualSeed(1);
const model = createSeq2Seq({
  model: 'attention', attention: 'bahdanau', bidirectional: true, hiddenSize: 256, decoderHiddenSize: 512,
  srcEmbSize: 256, tgtEmbSize: 256, dropout: 0.3, ...JSON.parse(a.model!),
  srcVocabSize: pipeline.srcVocab.size, tgtVocabSize: pipeline.tgtVocab.size,
} as never);
const enc = (ps: typeof corpus.train) => ({ src: ps.map((p) => pipeline.encodeSrc(p.zh).ids), tgt: ps.map((p) => pipeline.encodeTgt(p.en)) });
const tr = enc(corpus.train);
const batches = new Batcher(tr.src, tr.tgt, { batchSize: +a.batch!, seed: 1, maxSrcLen: 60, maxTgtLen: 60 }).epoch(0);
const opt = new Adam(model.parameters(), { lr: 1e-3 });
console.log(`backend ${getBackend().name}; vocab ${pipeline.srcVocab.size}/${pipeline.tgtVocab.size}; params ${model.numParameters()}; config ${JSON.stringify(model.config)}`);

const details = new Map<string, { ms: number; calls: number }>();
function detailKey(k: string, args: unknown[]): string | null {
  if (k === 'gemm') { const g = args[0] as { m: number; n: number; k: number; transA: boolean; transB: boolean; batch: number; beta: number }; return `gemm ${g.batch}x[${g.m}x${g.k}]x[${g.k}x${g.n}] tA${+g.transA} tB${+g.transB} beta${g.beta}`; }
  if (k === 'alloc') { const n = args[1] as number; return `alloc ${n < 1e4 ? '<10k' : n < 1e5 ? '<100k' : n < 1e6 ? '<1M' : '>=1M'}`; }
  if (k === 'binary' || k === 'unary') { const v = args[1] as { shape: number[]; strides: number[]; data: unknown }; const w = args[2] as { shape?: number[]; strides?: number[] }; return `${k} ${String(args[0])} [${v.shape}]/[${v.strides}]${k === 'binary' && w.shape ? ` [${w.shape}]/[${w.strides}] ${args[3] === v.data ? 'inplace' : ''}` : ''}`; }
  if (k === 'reduce') return `reduce ${String(args[0])} ${args[2]}x${args[3]}x${args[4]}`;
  if (k === 'copy') { const v = args[0] as { shape?: number[] }; return `copy [${v.shape}]`; }
  return null;
}
const stats = new Map<string, { ms: number; calls: number }>();
const sites = new Map<string, { bytes: number; calls: number }>();
let allocBytes = 0;
const instrument = (b: Backend) => instrumentBackend(b, stats, undefined, (k, args, dt) => {
  if (k === 'alloc') {
    allocBytes += 4 * (args[1] as number);
    if (a['alloc-sites']) {
      // the first frame outside the backend, the tensor constructors and this wrapper names the op that allocated
      const frames = (new Error().stack ?? '').split('\n').slice(2).map((l) => l.trim());
      const site = frames.find((l) => !/backend|tensor\/(creation|tensor)\.ts|autograd\/helpers|translate-step|profile\/instrument/.test(l)) ?? '?';
      const key = site.replace(/^at /, '').replace(/\(?file:\/\/.*\/src\//, '(').replace(/:\d+\)?$/, ')');
      const d = sites.get(key) ?? { bytes: 0, calls: 0 }; d.bytes += 4 * (args[1] as number); d.calls++; sites.set(key, d);
    }
  }
  const key = detailKey(k, args);
  if (key) { const d = details.get(key) ?? { ms: 0, calls: 0 }; d.ms += dt; d.calls++; details.set(key, d); }
});

const steps = +a.steps!, warm = +a.warmup!;
const times: number[] = [];
let tokens = 0, phase = { fwd: 0, bwd: 0, clip: 0, opt: 0 };
model.train();
for (let i = 0; i < warm + steps; i++) {
  if (i === warm && a.ops) setBackend(instrument(getBackend()));
  const b = batches[(+a.from! + i) % batches.length];
  const t0 = performance.now();
  const loss = batchLoss(model.forward(b).logits, b.tgtOut, +a['label-smoothing']!);
  const t1 = performance.now();
  opt.zeroGrad();
  loss.backward();
  const t2 = performance.now();
  clipGradNorm(model.parameters(), 5);
  const t3 = performance.now();
  opt.step();
  loss.item();
  const t4 = performance.now();
  if (i >= warm) {
    times.push(t4 - t0); tokens += b.tgtTokens;
    phase.fwd += t1 - t0; phase.bwd += t2 - t1; phase.clip += t3 - t2; phase.opt += t4 - t3;
  }
}
const total = times.reduce((x, y) => x + y, 0);
console.log(`${steps} steps: ${(tokens / (total / 1000)).toFixed(0)} tok/s; ms/step fwd ${(phase.fwd / steps).toFixed(1)} bwd ${(phase.bwd / steps).toFixed(1)} clip ${(phase.clip / steps).toFixed(1)} opt ${(phase.opt / steps).toFixed(1)}; total ${(total / steps).toFixed(1)}`);
if (a.ops) {
  const rows = [...stats.entries()].sort((x, y) => y[1].ms - x[1].ms);
  const ktot = rows.reduce((s, r) => s + r[1].ms, 0);
  console.log(`kernel time ${(ktot / steps).toFixed(1)} ms/step of ${(total / steps).toFixed(1)}; allocated ${(allocBytes / steps / 2 ** 20).toFixed(1)} MB/step`);
  if (a['alloc-sites']) {
    console.log('--- allocations by site');
    for (const [k, d] of [...sites.entries()].sort((x, y) => y[1].bytes - x[1].bytes).slice(0, 25)) console.log(`${(d.bytes / steps / 2 ** 20).toFixed(1).padStart(8)} MB/step ${(d.calls / steps).toFixed(1).padStart(6)} calls  ${k}`);
  }
  for (const [k, s] of rows.slice(0, 30)) console.log(`${k.padEnd(24)} ${(s.ms / steps).toFixed(2).padStart(8)} ms/step ${(s.calls / steps).toFixed(0).padStart(6)} calls/step`);
  console.log('--- by shape');
  for (const [k, s] of [...details.entries()].sort((x, y) => y[1].ms - x[1].ms).slice(0, 45)) console.log(`${(s.ms / steps).toFixed(2).padStart(8)} ms/step ${(s.calls / steps).toFixed(1).padStart(6)} calls  ${k}`);
}
