/**
 * A run folder of the transformer kind: trained, reloaded from config.json with identical
 * outputs, resumed (bit for bit as an uninterrupted run, dropout on), translated with every search
 * and drawn (cross-attention per layer and head, encoder self-attention).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../src/autograd/index.js';
import { translateLines } from '../../src/cli/translate.js';
import { decodeSafetensors } from '../../src/io/safetensors.js';
import { createTranslationModel } from '../../src/models/translation/registry.js';
import { loadRun } from '../../src/models/translation/run-node.js';
import { translateIds } from '../../src/models/translation/search.js';
import { trainTranslation } from '../../src/models/translation/train-node.js';
import { decodePng } from '../../src/viz/png-node.js';

const quiet = () => undefined;
const tiny = { kind: 'transformer', dModel: 16, heads: 2, encoderLayers: 2, decoderLayers: 2, dFf: 32, dropout: 0.2 };
const data = { kind: 'embedded' as const, nPairs: 120, seed: 3 };
const base = { data, model: tiny, epochs: 2, batchSize: 16, lr: 3e-3, warmupSteps: 4, adamBetas: [0.9, 0.98] as [number, number], adamEps: 1e-9, log: quiet, progress: false, skipFinalEval: true, validBleuSentences: 4 };
const newRunDir = () => join(mkdtempSync(join(tmpdir(), 'transformer-run-')), 'run');
const weights = (dir: string, file = join('last', 'model.safetensors')) => {
  const { tensors } = decodeSafetensors(readFileSync(join(dir, file)));
  return Object.fromEntries(Object.entries(tensors).map(([k, a]) => [k, Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).toString('hex')]));
};

test('transformer run folder: saved, rebuilt from config.json with identical outputs, resumed bit for bit, translated', async () => {
  const whole = newRunDir();
  await trainTranslation({ ...base, out: whole });
  const cut = newRunDir();
  const s1 = await trainTranslation({ ...base, out: cut, maxSteps: 5 });
  assert.equal(s1.stoppedBy, 'steps');
  const config = JSON.parse(readFileSync(join(cut, 'config.json'), 'utf8'));
  assert.equal(config.model.kind, 'transformer');
  assert.equal(config.train.adamEps, 1e-9);
  const s2 = await trainTranslation({ data, resume: cut, maxSteps: Infinity, log: quiet, progress: false, skipFinalEval: true });
  assert.ok(s2.steps > s1.steps, 'the resumed run trained');
  assert.deepEqual(weights(cut), weights(whole), 'resumed weights equal the uninterrupted run');
  assert.ok(Object.keys(weights(cut)).includes('transformer.decoder.layers.1.multihead_attn.in_proj_weight'), 'torch parameter names');

  const a = await loadRun(whole);
  const b = await loadRun(whole);
  assert.equal(a.model.config.kind, 'transformer');
  assert.deepEqual({ ...a.model.config }, { ...createTranslationModel(a.config.model as never).config });
  const batch = { src: Int32Array.from([5, 6, 7]), srcShape: [1, 3] as const, srcLengths: Int32Array.from([3]), tgtIn: Int32Array.from([2, 4, 5]), tgtShape: [1, 3] as const };
  a.model.eval();
  b.model.eval();
  assert.deepEqual(Array.from(a.model.forward(batch).logits.values()), Array.from(b.model.forward(batch).logits.values()));
  const src = [a.pipeline.encodeSrc('我们有三个苹果').ids];
  for (const method of ['greedy', 'beam', 'exact', 'sample'] as const) {
    const out = translateIds(a.model, src, { method, beamSize: 3, nodeBudget: 2000, rng: () => 0.5 });
    assert.equal(out.length, 1, method);
    assert.ok(out[0].nBest.length >= 1 && Number.isFinite(out[0].nBest[0].logProb), `${method} found a translation`);
  }
});

test('translate draws the Transformer: cross-attention per layer and head, encoder self-attention, as text, SVG and PNG', async () => {
  const dir = newRunDir();
  await trainTranslation({ ...base, epochs: 1, out: dir });
  const run = await loadRun(dir);
  const ids = run.pipeline.encodeSrc('我们有三个苹果').ids;
  const maps = run.model.attentionMaps(ids, [5, 6], true);
  // overall mean, then per decoder layer mean + 2 heads, then per encoder layer mean + 2 heads
  assert.equal(maps.length, 1 + 2 * 3 + 2 * 3);
  assert.deepEqual(maps.slice(0, 4).map((m) => m.name), ['cross-attention mean of all layers and heads', 'cross-attention layer 1 mean', 'cross-attention layer 1 head 1', 'cross-attention layer 1 head 2']);
  for (const m of maps) {
    assert.equal(m.weights.length, m.rows === 'target' ? 3 : ids.length, `${m.name}: rows`);
    for (const row of m.weights) {
      assert.equal(row.length, ids.length);
      assert.ok(Math.abs(row.reduce((x, y) => x + y, 0) - 1) < 1e-5, `${m.name}: a row of weights sums to 1`);
    }
  }
  // the mean over heads is the mean of the heads
  const [mean, h1, h2] = maps.slice(1, 4);
  mean.weights.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - (h1.weights[i][j] + h2.weights[i][j]) / 2) < 1e-6)));

  const out: string[] = [];
  const warn: string[] = [];
  const io = { out: (s: string) => out.push(s), warn: (s: string) => warn.push(s) };
  const folder = mkdtempSync(join(tmpdir(), 'transformer-pictures-'));
  await translateLines(['我们有三个苹果'], { run: dir, search: 'beam', showAttention: true, attentionOut: join(folder, 'a.svg') }, io);
  for (const name of ['cross-attention layer 1 mean', 'cross-attention layer 2 mean', 'encoder self-attention layer 1 mean', 'encoder self-attention layer 2 mean']) {
    assert.ok(out.includes(name), `text view shows ${name}`);
  }
  const cross = readFileSync(join(folder, 'a-cross.svg'), 'utf8');
  const enc = readFileSync(join(folder, 'a-encoder.svg'), 'utf8');
  assert.ok(existsSync(join(folder, 'a.svg')));
  for (const t of ['cross-attention layer 2 head 2', 'cross-attention layer 1 mean']) assert.ok(cross.includes(t), `cross picture has ${t}`);
  assert.ok(enc.includes('encoder self-attention layer 2 head 1'));
  assert.equal((cross.match(/<svg /g) ?? []).length, 1 + 2 * 3, 'one panel per layer and head, inside one picture');
  assert.ok(warn.some((w) => w.includes('a-cross.svg')) && warn.some((w) => w.includes('a-encoder.svg')));

  await translateLines(['我们有三个苹果'], { run: dir, search: 'greedy', attentionOut: join(folder, 'b.png') }, io);
  const png = decodePng(readFileSync(join(folder, 'b-encoder.png')));
  // 2 rows (layers) × 3 panels of S×S cells of 16 px, 8 px apart and around
  const S = ids.length;
  assert.deepEqual([png.width, png.height], [3 * 16 * S + 4 * 8, 2 * 16 * S + 3 * 8]);
  assert.ok(existsSync(join(folder, 'b-cross.png')) && existsSync(join(folder, 'b.png')));
});

test('a transformer run with BPE on both sides (jieba words split into pieces, English subwords) saves and reloads its pipeline', async () => {
  const dir = newRunDir();
  await trainTranslation({ ...base, epochs: 1, out: dir, text: { srcTokenizer: 'word', srcBpeMerges: 60, bpeMerges: 80 } });
  for (const f of ['bpe.json', 'bpe.src.json']) assert.ok(existsSync(join(dir, f)), `${f} exists`);
  const run = await loadRun(dir);
  const enc = run.pipeline.encodeSrc('我们的朋友明天会买三本书');
  assert.ok(enc.tokens.some((t) => !t.endsWith('</w>')), `some source word is split into pieces: ${enc.tokens.join(' ')}`);
  assert.equal(enc.unknowns, 0);
  const out = translateIds(run.model, [enc.ids], { method: 'beam', beamSize: 3 });
  assert.ok(Number.isFinite(out[0].nBest[0].logProb));
  assert.equal(typeof run.pipeline.decodeTgt(out[0].nBest[0].tokens), 'string');
});

test('--share-embeddings: the run learns one vocabulary for both sides, keeps one embedding table, reloads and translates; a separate vocabulary is refused', async () => {
  const dir = newRunDir();
  await trainTranslation({ ...base, epochs: 1, out: dir, model: { ...tiny, shareEmbeddings: true } });
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  assert.equal(config.text.jointVocab, true);
  assert.equal(config.model.srcVocabSize, config.model.tgtVocabSize);
  const names = Object.keys(weights(dir));
  assert.ok(names.includes('embed.weight') && !names.includes('src_embed.weight') && !names.includes('tgt_embed.weight'), names.join(', '));
  const run = await loadRun(dir);
  assert.equal(run.pipeline.srcVocab, run.pipeline.tgtVocab);
  const enc = run.pipeline.encodeSrc('我们有三个苹果');
  const out = translateIds(run.model, [enc.ids], { method: 'beam', beamSize: 3 });
  assert.ok(Number.isFinite(out[0].nBest[0].logProb));
  await assert.rejects(trainTranslation({ ...base, epochs: 1, out: newRunDir(), model: { ...tiny, shareEmbeddings: true }, text: { jointVocab: false } }), /shareEmbeddings.*joint vocabulary/);
});
