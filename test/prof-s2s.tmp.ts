import '../src/index.js';
import { createSeq2Seq } from '../src/models/seq2seq/build.js';
import { Adam } from '../src/optim/index.js';
import { crossEntropy } from '../src/nn/index.js';
import { Tensor } from '../src/tensor/tensor.js';
import { Generator } from '../src/tensor/rng.js';
const B = 64, S = 12, T = 12;
const model = createSeq2Seq({ srcVocabSize: 185, tgtVocabSize: 1159, hiddenSize: 128, srcEmbSize: 64, tgtEmbSize: 64, model: 'attention', attention: 'bahdanau' });
const opt = new Adam(model.parameters(), { lr: 1e-3 });
const g = new Generator(1);
const src = new Int32Array(B * S).map(() => g.randint(4, 185));
const tgtIn = new Int32Array(B * T).map(() => g.randint(4, 1159));
const tgtOut = new Int32Array(B * T).map(() => g.randint(4, 1159));
const batch = { src, srcShape: [B, S] as const, srcLengths: new Int32Array(B).fill(S), tgtIn, tgtShape: [B, T] as const };
const N = Number(process.env.N ?? 20);
for (let i = 0; i < N + 3; i++) {
  if (i === 3) console.time('steps');
  const out = model.forward(batch);
  const loss = crossEntropy(out.logits.reshape([-1, 1159]), new Tensor(tgtOut, [B * T]), { ignoreIndex: 0 });
  opt.zeroGrad();
  loss.backward();
  opt.step();
}
console.timeEnd('steps');
console.log('tok/s', (N * B * T) / 1);
