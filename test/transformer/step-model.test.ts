/**
 * Incremental decoding of the Transformer translator with its key/value cache: every search gives
 * the same outputs and log-probabilities (within 1e-5) as recomputing the whole prefix at each
 * step, on both backends, pre- and post-LN; `select` reorders (and repeats) cache rows; old states
 * stay valid.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as F from '../../src/autograd/ops/index.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import type { Backend } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { nativeBackend } from '../../src/backend/native/index-node.js';
import { withBackend } from '../../src/backend/registry.js';
import { beamSearch, exactSearch, exhaustiveSearch, greedyDecode, sampleDecode } from '../../src/decode/index.js';
import type { Hypothesis } from '../../src/decode/index.js';
import { TransformerRecomputeStepModel, TransformerStepModel, TransformerTranslator } from '../../src/models/transformer/index.js';
import { Generator, manualSeed } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { BOS_ID, EOS_ID } from '../../src/text/vocab.js';

const BACKENDS: Backend[] = nativeBackend ? [jsBackend, nativeBackend] : [jsBackend];

/** Three sources of different lengths (so padding and its mask matter), padded with 0. */
const SRC = new Tensor(Int32Array.from([5, 6, 7, 8, 9, 4, 7, 0, 0, 0, 9, 9, 5, 6, 0]), [3, 5]);
const LENGTHS = Int32Array.from([5, 2, 4]);

function tinyModel(normFirst: boolean, tgtVocabSize = 12, seed = 7): TransformerTranslator {
  manualSeed(seed);
  const m = new TransformerTranslator({ srcVocabSize: 10, tgtVocabSize, dModel: 16, heads: 4, encoderLayers: 2, decoderLayers: 2, dFf: 32, normFirst, dropout: 0.1 });
  // larger weights than at initialisation: peaked distributions, so the searches make real choices
  const g = new Generator(seed);
  for (const p of m.parameters()) for (let i = 0; i < p.size; i++) p.data[i] += 0.3 * g.normal();
  return m;
}

function closeTo(got: readonly number[], want: readonly number[], tol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol)) assert.fail(`${what}: element ${i}: ${got[i]} vs ${want[i]} (tolerance ${tol})`);
  }
}

function sameHypotheses(got: readonly Hypothesis[], want: readonly Hypothesis[], what: string): void {
  assert.equal(got.length, want.length, `${what}: count`);
  got.forEach((h, i) => {
    assert.deepEqual(h.tokens, want[i].tokens, `${what} #${i}: tokens`);
    closeTo(h.stepLogProbs, want[i].stepLogProbs, 1e-5, `${what} #${i}: step log-probs`);
    closeTo([h.logProb], [want[i].logProb], 1e-5, `${what} #${i}: log-prob`);
  });
}

for (const be of BACKENDS) {
  for (const normFirst of [false, true]) {
    const tag = `${be.name}, ${normFirst ? 'pre' : 'post'}-LN`;

    test(`cached greedy and beam decoding equal recomputing the prefix (${tag})`, () => {
      withBackend(be, () => {
        const m = tinyModel(normFirst);
        m.train(); // the step models must switch to eval themselves (no dropout)
        const cached = new TransformerStepModel(m, SRC, LENGTHS);
        const full = new TransformerRecomputeStepModel(m, SRC, LENGTHS);
        const g1 = greedyDecode(cached, 3, { maxLength: 8 });
        const g2 = greedyDecode(full, 3, { maxLength: 8 });
        g1.forEach((h, i) => sameHypotheses([h], [g2[i]], `greedy sentence ${i}`));
        assert.ok(g1.some((h) => h.tokens.length >= 3), 'greedy outputs are non-trivial');
        const b1 = beamSearch(cached, 3, { beamSize: 5, nBest: 5, maxLength: 8 });
        const b2 = beamSearch(full, 3, { beamSize: 5, nBest: 5, maxLength: 8 });
        b1.forEach((r, i) => sameHypotheses(r.nBest, b2[i].nBest, `beam sentence ${i}`));
        assert.equal(m.training, true, 'the model is back in training mode');
      });
    });

    test(`cached step log-probabilities equal the teacher-forced forward at every position (${tag})`, () => {
      withBackend(be, () => {
        const m = tinyModel(normFirst);
        const sm = m.stepModel(SRC, LENGTHS);
        // feed a fixed target prefix to all three rows, compare with forward on the whole prefix
        const tgt = [BOS_ID, 7, 4, 9, 9, 5, 11];
        let state = sm.start(3);
        const stepped: number[] = [];
        for (const tok of tgt) {
          const r = sm.step(state, Int32Array.from([tok, tok, tok]));
          stepped.push(...r.logProbs);
          state = r.state;
        }
        const T = tgt.length, V = 12;
        const want = noGrad(() => {
          m.eval();
          const { logits } = m.forward({ src: SRC.values() as Int32Array, srcShape: [3, 5], srcLengths: LENGTHS, tgtIn: Int32Array.from([...tgt, ...tgt, ...tgt]), tgtShape: [3, T] });
          return F.logSoftmax(logits, 2).values() as Float32Array;
        });
        for (let t = 0; t < T; t++) for (let b = 0; b < 3; b++) for (let v = 4; v < V; v++) {
          const got = stepped[(t * 3 + b) * V + v], w = want[(b * T + t) * V + v];
          if (!(Math.abs(got - w) <= 1e-5)) assert.fail(`step ${t}, row ${b}, token ${v}: cached ${got} vs forward ${w}`);
        }
      });
    });

    test(`exact search over the cache equals enumeration and the recomputing model (${tag})`, () => {
      withBackend(be, () => {
        const m = tinyModel(normFirst, 6, 11);
        const cached = m.stepModel(SRC, LENGTHS);
        const opts = { maxLength: 4, nBest: 3 };
        const ex = exactSearch(cached, 3, opts);
        const en = exhaustiveSearch(cached, 3, opts);
        const exFull = exactSearch(new TransformerRecomputeStepModel(m, SRC, LENGTHS), 3, opts);
        for (let i = 0; i < 3; i++) {
          assert.equal(ex[i].exact, true);
          assert.deepEqual(ex[i].nBest.map((h) => h.tokens), en[i].nBest.map((h) => h.tokens), `sentence ${i}`);
          sameHypotheses(ex[i].nBest, exFull[i].nBest, `exact sentence ${i}`);
        }
      });
    });
  }
}

test('sampling on the cache draws what it draws on the recomputing model with the same random numbers', () => {
  const m = tinyModel(true);
  const rng = (seed: number) => { const g = new Generator(seed); return () => g.random(); };
  const s1 = sampleDecode(m.stepModel(SRC, LENGTHS), 3, { rng: rng(5), numSamples: 4, maxLength: 8, temperature: 1.5 });
  const s2 = sampleDecode(new TransformerRecomputeStepModel(m, SRC, LENGTHS), 3, { rng: rng(5), numSamples: 4, maxLength: 8, temperature: 1.5 });
  s1.forEach((hs, i) => sameHypotheses(hs, s2[i], `samples of sentence ${i}`));
  assert.ok(new Set(s1.flat().map((h) => h.tokens.join(' '))).size > 3, 'samples differ from each other');
});

test('select reorders and repeats cache rows; a state stays valid after step and select', () => {
  const m = tinyModel(false);
  const sm = m.stepModel(SRC, LENGTHS);
  const s0 = sm.start(3);
  const a = sm.step(s0, Int32Array.from([BOS_ID, BOS_ID, BOS_ID]));
  const b = sm.step(a.state, Int32Array.from([5, 6, 7]));
  // rows 2, 0, 0 of b, stepped again, equal stepping rows 2, 0, 0 rebuilt from scratch
  const picked = sm.step(sm.select(b.state, Int32Array.from([2, 0, 0])), Int32Array.from([8, 8, 9]));
  const again = sm.step(sm.select(b.state, Int32Array.from([2, 0, 0])), Int32Array.from([8, 8, 9]));
  assert.deepEqual(Array.from(picked.logProbs), Array.from(again.logProbs), 'stepping the same state twice gives the same result');
  const full = new TransformerRecomputeStepModel(m, SRC, LENGTHS);
  let f = full.select(full.start(3), Int32Array.from([2, 0, 0]));
  for (const toks of [[BOS_ID, BOS_ID, BOS_ID], [7, 5, 5], [8, 8, 9]]) {
    const r = full.step(f, Int32Array.from(toks));
    f = r.state;
    if (toks[0] === 8) closeTo(Array.from(picked.logProbs).filter(Number.isFinite), Array.from(r.logProbs).filter(Number.isFinite), 1e-5, 'reordered rows');
  }
  assert.equal(picked.state.rows, 3);
  assert.equal(picked.state.length, 3);
  assert.equal(b.state.length, 2, 'the earlier state keeps its length');
  assert.throws(() => sm.select(b.state, Int32Array.from([3])), /TransformerStepModel\.select: row 3 is outside the 3 rows/);
  assert.throws(() => sm.step(s0, Int32Array.from([BOS_ID])), /TransformerStepModel\.step: 1 tokens for 3 state rows/);
  assert.throws(() => sm.start(2), /3 sources were encoded, asked for 2/);
  assert.ok(Array.from(picked.logProbs).every((x, i) => i % 12 !== EOS_ID || Number.isFinite(x)));
});
