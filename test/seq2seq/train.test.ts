import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import '../../src/autograd/index.js';
import { generatePairs } from '../../src/data/zh-en-grammar.js';
import { Batcher } from '../../src/data/batching.js';
import { corpusBleu } from '../../src/metrics/bleu.js';
import { createSeq2Seq } from '../../src/models/seq2seq/index.js';
import { batchLoss } from '../../src/models/translation/evaluate.js';
import { loadCorpus } from '../../src/data/corpus-node.js';
import { loadRun } from '../../src/models/translation/run-node.js';
import { translateIds } from '../../src/models/translation/search.js';
import { TextPipeline } from '../../src/text/text-pipeline.js';
import { trainTranslation, type TrainTranslationOptions } from '../../src/models/translation/train-node.js';
import { inverseSqrtRate as learningRate, linearDecayRate, wsdRate } from '../../src/optim/schedulers.js';
import { Adam } from '../../src/optim/index.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { zhCharTokenizer } from '../../src/text/zh-char-tokenizer.js';
import { decodeSafetensors } from '../../src/io/safetensors.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/io/checkpoint-node.js';

test('a tiny attention model overfits 20 embedded pairs to BLEU 100', () => {
  const pairs = generatePairs({ n: 20, seed: 7, maxTokens: 10 });
  const pipe = TextPipeline.learn({ srcTokenizer: 'char', lowercase: false, bpeMerges: 0 }, zhCharTokenizer, pairs);
  manualSeed(1);
  const m = createSeq2Seq({ model: 'attention', srcVocabSize: pipe.srcVocab.size, tgtVocabSize: pipe.tgtVocab.size, hiddenSize: 32, srcEmbSize: 16, tgtEmbSize: 16, dropout: 0 });
  const src = pairs.map((p) => pipe.encodeSrc(p.zh).ids);
  const batch = new Batcher(src, pairs.map((p) => pipe.encodeTgt(p.en)), { batchSize: 20, seed: 1, shuffle: false }).epoch(0)[0];
  const opt = new Adam(m.parameters(), { lr: 0.02 });
  for (let step = 0; step < 150; step++) {
    const loss = batchLoss(m.forward(batch).logits, batch.tgtOut);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    if (loss.item() < 0.01) break;
  }
  const hyps = translateIds(m, src, { method: 'greedy' }).map((t) => pipe.decodeTgt(t.nBest[0].tokens));
  assert.deepEqual(hyps, pairs.map((p) => p.en));
  assert.ok(corpusBleu(hyps, [pairs.map((p) => p.en)]).score > 99.999);
});

test('learning rate: linear schedule warms up, falls in a straight line to its floor, then stays', () => {
  const r = (step: number) => linearDecayRate(1, 10, 110, 0.1, step);
  assert.equal(r(5), 0.5);
  assert.equal(r(10), 1);
  assert.ok(Math.abs(r(60) - 0.55) < 1e-12, `halfway: ${r(60)}`);
  assert.ok(Math.abs(r(110) - 0.1) < 1e-12);
  assert.ok(Math.abs(r(500) - 0.1) < 1e-12);
  assert.equal(linearDecayRate(2, 0, 100, 0, 1), 2 * (1 - 1 / 100));
});

test('learning rate: wsd warms up, holds its peak, then falls in a straight line over the last part of the run', () => {
  const r = (step: number, progress: number) => wsdRate(2, 10, step, progress, 0.25, 0.1);
  assert.equal(r(5, 0), 1);
  assert.equal(r(10, 0.1), 2);
  assert.equal(r(100, 0.75), 2);
  assert.ok(Math.abs(r(100, 0.875) - 2 * 0.55) < 1e-12, `halfway down: ${r(100, 0.875)}`);
  assert.ok(Math.abs(r(100, 1) - 0.2) < 1e-12);
  assert.ok(Math.abs(r(100, 1.5) - 0.2) < 1e-12, 'progress past the end stays at the floor');
  assert.equal(wsdRate(1, 0, 1, 0.5, 1, 0), 0.5, 'a decay fraction of 1 is a linear decay over the whole run');
});

test('learning rate: linear warmup then inverse square root', () => {
  assert.equal(learningRate(1, 10, 5), 0.5);
  assert.equal(learningRate(1, 10, 10), 1);
  assert.ok(Math.abs(learningRate(1, 10, 40) - 0.5) < 1e-12);
});

const quiet = () => undefined;
const tiny = { hiddenSize: 8, srcEmbSize: 8, tgtEmbSize: 8, dropout: 0.1 };
const newRunDir = () => join(mkdtempSync(join(tmpdir(), 'seq2seq-')), 'run');
// one JSON object per epoch; fields as written by the trainer
const readMetrics = (dir: string): any[] => readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

/** A tiny attention model on embedded pairs without validation decoding or final evaluation, for schedule tests. */
async function scheduleRun(options: Partial<TrainTranslationOptions>) {
  const dir = newRunDir();
  const s = await trainTranslation({
    data: { kind: 'embedded', nPairs: 64, seed: 5 }, model: { model: 'attention', ...tiny }, batchSize: 16, out: dir, log: quiet, progress: false,
    lr: 0.01, warmupSteps: 0, validBleuSentences: 0, skipFinalEval: true, ...options,
  });
  return { s, dir, lines: readMetrics(dir) };
}

test('training follows the linear schedule step by step', async () => {
  const { s, lines } = await scheduleRun({ data: { kind: 'embedded', nPairs: 60, seed: 5 }, epochs: 2, warmupSteps: 2, lrSchedule: 'linear', lrDecaySteps: 6, lrFinal: 0.2 });
  for (const l of lines) assert.ok(Math.abs(l.lr - linearDecayRate(0.01, 2, 6, 0.2, l.step)) < 1e-12, `epoch ${l.epoch}, step ${l.step}: lr ${l.lr}`);
  assert.ok(s.steps > 6, 'the run goes past the decay length');
  assert.ok(s.bestEpoch >= 1, 'selection by BLEU without validation sentences falls back to the loss');
  assert.ok(Math.abs(lines.at(-1).lr - 0.002) < 1e-12);
});

test('training with the wsd schedule and no time budget decays over the last part of its epochs', async () => {
  const { s, lines } = await scheduleRun({ epochs: 4, lrSchedule: 'wsd', lrDecayFraction: 0.5, lrFinal: 0.1 });
  assert.equal(lines.length, 4);
  const total = s.steps;
  // metrics.jsonl records the lr of each epoch's last step.
  for (const l of lines) {
    const want = wsdRate(0.01, 0, l.step, l.step / total, 0.5, 0.1);
    assert.ok(Math.abs(l.lr - want) < 1e-12, `epoch ${l.epoch}, step ${l.step}: lr ${l.lr}, want ${want}`);
  }
  assert.equal(lines[0].lr, 0.01, 'the first half holds the peak');
  assert.ok(Math.abs(lines[3].lr - 0.001) < 1e-12, `the last step runs at the floor: ${lines[3].lr}`);
});

test('the wsd schedule needs a decay fraction in (0, 1] and a run length', async () => {
  const base = { data: { kind: 'embedded' as const, nPairs: 40, seed: 5 }, model: { model: 'attention' as const, ...tiny }, epochs: 1, log: quiet, progress: false, out: newRunDir() };
  await assert.rejects(trainTranslation({ ...base, lrSchedule: 'wsd', lrDecayFraction: 0 }), /lrDecayFraction \(--lr-decay-fraction\) must be in \(0, 1\], got 0/);
  await assert.rejects(trainTranslation({ ...base, lrSchedule: 'wsd', lrDecayFraction: 1.5 }), /got 1.5/);
  await assert.rejects(trainTranslation({ ...base, lrSchedule: 'wsd', epochs: Infinity }), /needs a run length: maxMinutes \(--max-minutes\) or a finite epochs/);
  assert.ok(!existsSync(base.out), 'a rejected run leaves no folder behind');
});

test('with a time budget the wsd decay is placed by the clock, and a resumed run never climbs back to the peak', async () => {
  // far more epochs than the budget allows: only the clock can end the run and place the decay
  const { dir, lines: first } = await scheduleRun({ epochs: 100_000, patience: 100_000, maxMinutes: 0.05, lrSchedule: 'wsd', lrDecayFraction: 0.5, lrFinal: 0 });
  const lastLr = first.at(-1).lr;
  // the last step started in the last part of the budget: well into the decay (progress > 0.6)
  assert.ok(lastLr < 0.008, `by the end of the budget the rate has decayed: ${first.map((l) => l.lr).join(', ')}`);
  assert.ok(first[0].lr > lastLr, 'the first epoch ran at a higher rate than the last');
  for (let i = 1; i < first.length; i++) assert.ok(first[i].lr <= first[i - 1].lr, `lr never rises: ${first.map((l) => l.lr).join(', ')}`);
  await trainTranslation({ data: { kind: 'embedded', nPairs: 64, seed: 5 }, resume: dir, maxMinutes: 0.01, log: quiet, progress: false, skipFinalEval: true });
  const all = readMetrics(dir);
  assert.ok(all.length > first.length, 'the resumed session trained');
  for (const l of all.slice(first.length)) assert.ok(l.lr <= lastLr + 1e-15, `resumed at lr ${l.lr} after ending at ${lastLr}`);
});

test('the linear schedule needs a decay length above the warmup, and a floor in [0, 1]', async () => {
  const data = { kind: 'embedded' as const, nPairs: 40, seed: 5 };
  const base = { data, model: { model: 'attention' as const, ...tiny }, epochs: 1, log: quiet, progress: false, out: newRunDir() };
  await assert.rejects(trainTranslation({ ...base, lrSchedule: 'linear', warmupSteps: 10 }), /'linear' schedule needs lrDecaySteps \(--lr-decay-steps\) above the warmup steps \(10\), got 0/);
  await assert.rejects(trainTranslation({ ...base, lrSchedule: 'linear', warmupSteps: 0, lrDecaySteps: 50, lrFinal: 2 }), /lrFinal \(--lr-final\) must be in \[0, 1\], got 2/);
});

test('training writes a run folder; the saved model reloads with identical outputs; --resume continues', async () => {
  const dir = newRunDir();
  const data = { kind: 'embedded' as const, nPairs: 120, seed: 3 };
  const s1 = await trainTranslation({ data, model: { model: 'attention', ...tiny }, epochs: 1, batchSize: 16, out: dir, log: quiet, progress: false, skipFinalEval: true, validBleuSentences: 5 });
  for (const f of ['model.safetensors', 'config.json', 'vocab.src.json', 'vocab.tgt.json', 'metrics.jsonl', 'summary.json', 'last/trainer.json', 'last/optimizer.safetensors']) {
    assert.ok(existsSync(join(dir, f)), `${f} exists`);
  }
  assert.equal(s1.epochs, 1);
  const lines = readMetrics(dir);
  assert.equal(lines.length, 1);
  assert.ok(Number.isFinite(lines[0].validLoss));

  // Reloaded weights give the same translations and the same logits.
  const a = await loadRun(dir);
  const b = await loadRun(dir);
  const batch = { src: Int32Array.from([5, 6, 7]), srcShape: [1, 3] as const, srcLengths: Int32Array.from([3]), tgtIn: Int32Array.from([2, 4, 5]), tgtShape: [1, 3] as const };
  assert.deepEqual(Array.from(a.model.forward(batch).logits.values()), Array.from(b.model.forward(batch).logits.values()));

  // Resume: one more epoch continues from the saved step count.
  const s2 = await trainTranslation({ data, resume: dir, epochs: 2, log: quiet, progress: false, skipFinalEval: true });
  assert.equal(s2.epochs, 2);
  assert.ok(s2.steps > s1.steps);
  const lines2 = readMetrics(dir);
  assert.deepEqual(lines2.map((l) => l.epoch), [1, 2]);

  // Resuming gives exactly what an uninterrupted run of two epochs gives.
  const dir2 = newRunDir();
  const s3 = await trainTranslation({ data, model: { model: 'attention', ...tiny }, epochs: 2, batchSize: 16, out: dir2, log: quiet, progress: false, skipFinalEval: true, validBleuSentences: 5 });
  const lines3 = readMetrics(dir2);
  assert.equal(s3.steps, s2.steps);
  assert.equal(lines3[1].trainLoss, lines2[1].trainLoss);
});

test('target min frequency turns rare English words into <unk>; the source keeps every character', () => {
  const pairs = [{ zh: '猫。', en: 'cat cat' }, { zh: '狗。', en: 'dog' }];
  const all = TextPipeline.learn({ srcTokenizer: 'char', lowercase: false, bpeMerges: 0 }, zhCharTokenizer, pairs);
  const min2 = TextPipeline.learn({ srcTokenizer: 'char', lowercase: false, bpeMerges: 0, tgtMinFreq: 2 }, zhCharTokenizer, pairs);
  assert.equal(min2.tgtVocab.size, all.tgtVocab.size - 1);
  assert.equal(min2.encodeTgt('dog')[0], 1); // <unk>
  assert.equal(min2.srcVocab.size, all.srcVocab.size);
});

test('plateau schedule halves lr after an epoch without a lower validation loss; selection by loss; exact-search evaluation', async () => {
  const dir = newRunDir();
  const data = { kind: 'embedded' as const, nPairs: 60, seed: 5 };
  // lr so large that validation loss cannot keep falling: the schedule has to react.
  const s = await trainTranslation({
    data, model: { model: 'attention', ...tiny }, epochs: 4, batchSize: 16, out: dir, log: quiet, progress: false, lr: 0.5, warmupSteps: 0,
    lrSchedule: 'plateau', lrDecay: 0.5, lrPatience: 0, selectBy: 'loss', patience: 10, validBleuSentences: 0,
    finalEvalSentences: 3, exactNodeBudget: 50, finalLengthPenalty: 1.5,
  });
  assert.equal(s.results.test.beam5.lengthPenalty, 1.5);
  const lines = readMetrics(dir);
  let best = Infinity, scale = 1;
  for (const l of lines) {
    assert.ok(Math.abs(l.lr - 0.5 * scale) < 1e-12, `epoch ${l.epoch}: lr ${l.lr}, expected ${0.5 * scale}`);
    if (l.validLoss < best) best = l.validLoss;
    else scale *= 0.5;
  }
  const bestLoss = Math.min(...lines.map((l) => l.validLoss));
  assert.equal(lines.find((l) => l.best && l.validLoss === bestLoss)?.epoch, s.bestEpoch);
  assert.equal(s.results.test.exact.sentences, 3);
  assert.ok(s.results.test.exact.proven! >= 0 && s.results.test.exact.proven! <= 3);
  assert.ok(s.results.test.exact.meanLogProb >= s.results.test.greedy.meanLogProb - 1e-4, 'exact search never scores below greedy');
  // the scored hypotheses are in the run folder, one line per sentence, and rescore to the same BLEU
  for (const [split, name] of [['valid', 'greedy'], ['test', 'beam5'], ['test', 'exact']] as const) {
    const hyps = readFileSync(join(dir, `${split}.${name}.en`), 'utf8').split('\n').slice(0, -1);
    assert.equal(hyps.length, s.results[split][name].sentences, `${split}.${name}.en`);
  }
  const refs = loadCorpus(data).test.slice(0, 3).map((p) => p.en);
  const beam = readFileSync(join(dir, 'test.beam5.en'), 'utf8').split('\n').slice(0, -1);
  assert.equal(+corpusBleu(beam, [refs]).score.toFixed(2), s.results.test.beam5.bleu);
});

test('<unk> is dropped from decoded sentences unless asked for', () => {
  const pipe = TextPipeline.learn({ srcTokenizer: 'char', lowercase: true, bpeMerges: 0, tgtMinFreq: 2 }, zhCharTokenizer,
    [{ zh: '我', en: 'i am here .' }, { zh: '你', en: 'you are here .' }]);
  const ids = pipe.encodeTgt('you are here .'); // "you" and "are" occur once: <unk>
  assert.equal(pipe.decodeTgt(ids), 'here.');
  assert.equal(pipe.decodeTgt(ids, { keepUnk: true }), '<unk> <unk> here.');
});

test('attentive train translate with only the required flags writes a complete, loadable run (flags not given take their defaults)', async () => {
  const { buildProgram } = await import('../../src/cli/main.js');
  const dir = newRunDir();
  const log = console.log;
  console.log = quiet;
  try {
    await buildProgram().parseAsync(['node', 'attentive', 'train', 'translate', '--data', 'embedded', '--n-pairs', '60', '--epochs', '1',
      '--hidden', '8', '--emb', '8', '--valid-sentences', '0', '--final-eval-sentences', '2', '--out', dir, '--no-progress']);
  } finally {
    console.log = log;
  }
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  assert.deepEqual(Object.keys(config.text).sort(), ['bpeMerges', 'lowercase', 'srcTokenizer']);
  assert.ok(existsSync(join(dir, 'last', 'trainer.json')), 'the resumable state was written');
  assert.equal(readMetrics(dir).length, 1);
  assert.ok((await loadRun(dir)).model.numParameters() > 0);
});

test('translation: a run stopped mid-epoch and resumed twice ends with the weights of an uninterrupted run, bit for bit (dropout on)', async () => {
  const data = { kind: 'embedded' as const, nPairs: 120, seed: 3 };
  const base = { data, model: { model: 'attention' as const, ...tiny, dropout: 0.3 }, epochs: 2, batchSize: 16, log: quiet, progress: false, skipFinalEval: true, validBleuSentences: 4 };
  const whole = newRunDir();
  await trainTranslation({ ...base, out: whole });
  const cut = newRunDir();
  const s1 = await trainTranslation({ ...base, out: cut, maxSteps: 5 });
  assert.equal(s1.stoppedBy, 'steps');
  assert.equal(s1.steps, 5);
  await trainTranslation({ data, resume: cut, maxSteps: 9, log: quiet, progress: false, skipFinalEval: true });
  const s3 = await trainTranslation({ data, resume: cut, maxSteps: Infinity, log: quiet, progress: false, skipFinalEval: true });
  const bytes = (dir: string) => {
    const { tensors } = decodeSafetensors(readFileSync(join(dir, 'last', 'model.safetensors')));
    return Object.fromEntries(Object.entries(tensors).map(([k, a]) => [k, Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).toString('hex')]));
  };
  const w = bytes(whole);
  assert.equal(s3.steps, readMetrics(whole).at(-1).step);
  assert.deepEqual(bytes(cut), w);
  // a different seed gives different weights: the comparison can fail
  const other = newRunDir();
  await trainTranslation({ ...base, out: other, seed: 2 });
  assert.notDeepEqual(bytes(other), w);
});

test('translation: a NaN loss stops training naming the cause and how to resume with a lower lr; last/ keeps the last good epoch; --lr on resume replaces the peak', async () => {
  const dir = newRunDir();
  const data = { kind: 'embedded' as const, nPairs: 120, seed: 3 };
  const quietRun = { data, log: quiet, progress: false, skipFinalEval: true };
  await trainTranslation({ ...quietRun, model: { model: 'attention', ...tiny }, epochs: 1, batchSize: 16, clip: 1e30, warmupSteps: 0, out: dir, validBleuSentences: 0 });
  const good = readFileSync(join(dir, 'last', 'model.safetensors'));
  // an absurd learning rate overflows the weights within two steps
  await assert.rejects(trainTranslation({ ...quietRun, resume: dir, lr: 1e38, epochs: 3 }), (e: Error) => {
    assert.match(e.message, /^trainTranslation: the loss became (NaN|Infinity) at step \d+ \(epoch 2, batch \d+\/\d+, lr 1\.00e\+38\): /);
    assert.match(e.message, /(produced by \w+: produced NaN|the weights already hold (NaN|Infinity|-Infinity) \(\S+\): an earlier update diverged)/);
    assert.match(e.message, /Training stopped; the run folder keeps its last good checkpoint \(.*last, step 7, end of epoch 1\)/);
    assert.match(e.message, /resume with a lower learning rate: attentive train translate --resume .*run --lr 1e\+37$/);
    return true;
  });
  assert.ok(readFileSync(join(dir, 'last', 'model.safetensors')).equals(good), 'last/ still holds the epoch-1 weights');
  assert.equal(readMetrics(dir).length, 1);
  const s = await trainTranslation({ ...quietRun, resume: dir, lr: 1e-3, epochs: 2 });
  const after = readMetrics(dir);
  assert.equal(after.length, 2);
  assert.ok(after[1].lr === 1e-3 && Number.isFinite(after[1].trainLoss), `resumed with the lower rate: ${JSON.stringify(after[1])}`);
  assert.equal(s.epochs, 2);
});

test('a run folder whose last/trainer.json has the format of earlier versions still resumes and re-scores', async () => {
  const dir = newRunDir();
  const data = { kind: 'embedded' as const, nPairs: 80, seed: 3 };
  await trainTranslation({ data, model: { model: 'attention', ...tiny }, epochs: 1, batchSize: 16, out: dir, log: quiet, progress: false, skipFinalEval: true, validBleuSentences: 4 });
  const last = await loadCheckpoint(join(dir, 'last'));
  const s = last.trainer as any;
  // the counters as earlier versions wrote them
  last.trainer = {
    epoch: s.epoch, batchInEpoch: s.batchInEpoch, step: s.step, rng: s.rng, bestValidBleu: s.bestMetrics.validBleuGreedy, bestValidLoss: s.bestLoss,
    bestEpoch: s.bestEpoch, badEpochs: s.badEpochs, trainSeconds: s.trainSeconds, trainTokens: s.trainItems, finished: false, lrScale: 1, minValidLoss: null, lrBadEpochs: 0,
  };
  await saveCheckpoint(join(dir, 'last'), last);
  const r = await trainTranslation({ data, resume: dir, epochs: 2, log: quiet, progress: false, skipFinalEval: false, finalEvalSentences: 3, finalEvalSplits: ['test'] });
  assert.equal(r.epochs, 2);
  assert.equal(readMetrics(dir).length, 2);
  assert.ok(r.results.test.greedy.sentences === 3);
  assert.ok(r.bestEpoch >= 1 && r.bestValidBleu >= 0);
});

test('scoring test after validation chose the run (--resume --epochs 0 --final-eval-splits test) keeps the validation scores; training more drops them', async () => {
  const dir = newRunDir();
  const data = { kind: 'embedded' as const, nPairs: 80, seed: 3 };
  const first = await trainTranslation({ data, model: { model: 'attention', ...tiny }, epochs: 1, maxSteps: 3, batchSize: 16, out: dir, log: quiet, progress: false, validBleuSentences: 0, finalEvalSentences: 3, finalEvalSplits: ['valid'] });
  assert.deepEqual(Object.keys(first.results.test), []);
  assert.equal(first.stoppedBy, 'steps');
  const scored = await trainTranslation({ data, resume: dir, epochs: 0, log: quiet, progress: false, finalEvalSentences: 3, finalEvalSplits: ['test'] });
  const json = (x: unknown) => JSON.parse(JSON.stringify(x));
  assert.deepEqual(scored.results.valid, json(first.results.valid), 'the validation scores are kept');
  assert.equal(scored.results.test.greedy.sentences, 3);
  assert.equal(scored.stoppedBy, first.stoppedBy, 'how the training ended is kept');
  assert.equal(scored.tokensPerSecond, first.tokensPerSecond);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).results.valid, json(first.results.valid));
  const more = await trainTranslation({ data, resume: dir, epochs: 2, maxSteps: Infinity, log: quiet, progress: false, finalEvalSentences: 3, finalEvalSplits: ['test'] });
  assert.ok(more.steps > scored.steps);
  assert.deepEqual(more.results.valid, {}, 'scores of an earlier model are not carried over');
});
