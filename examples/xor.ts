/**
 * The smallest complete training program: a 2-8-1 MLP learns XOR.
 * Run: node --import tsx examples/xor.ts
 */
import { manualSeed, nn, optim, tensor } from '../src/index.js';

manualSeed(1);
const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]); // (4, 2)
const y = tensor([[0], [1], [1], [0]]); // (4, 1)

const model = new nn.Sequential(new nn.Linear(2, 8), new nn.Tanh(), new nn.Linear(8, 1));
const opt = new optim.Adam(model.parameters(), { lr: 0.05 });

for (let step = 0; step <= 500; step++) {
  const logits = model.forward(x); // (4, 1)
  const loss = nn.binaryCrossEntropyWithLogits(logits, y);
  opt.zeroGrad();
  loss.backward();
  opt.step();
  if (step % 100 === 0) console.log(`step ${step}  loss ${loss.item().toFixed(4)}`);
}

const probs = model.forward(x).sigmoid().toArray() as number[][];
console.log('predictions', probs.map((p) => p[0].toFixed(3)).join(' '));
