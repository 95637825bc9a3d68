import assert from 'node:assert/strict';
import { test } from 'node:test';
import { beamSearch } from '../../src/decode/beam.js';
import { exactSearch } from '../../src/decode/exact.js';
import { exhaustiveSearch } from '../../src/decode/exhaustive.js';
import { greedyDecode } from '../../src/decode/greedy.js';
import type { Hypothesis } from '../../src/decode/order.js';
import {
  gardenPathModel, markovModel, PrefixModel, prefixHashModel, repetitiveModel, rescore, sentenceView, toLogProbs,
} from './toy-models.js';

const sig = (h: Hypothesis): string => `${h.tokens.join(' ')}${h.finished ? ' </s>' : ''} @ ${h.logProb}`;

/** A model given as a table from prefix (comma-joined) to next-token probabilities; missing = </s>. */
function tableModel(V: number, table: Record<string, number[]>): PrefixModel {
  return new PrefixModel(V, (_s, prefix) => {
    const p = table[prefix.join(',')];
    return toLogProbs(p ?? Array.from({ length: V }, (_, v) => (v === 1 ? 1 : 0)));
  });
}

test('beam search with beamSize 1 equals greedy (batched, many seeds)', () => {
  for (let seed = 0; seed < 20; seed++) {
    const make = seed % 2 === 0 ? markovModel : prefixHashModel;
    const model = make(5 + (seed % 2), seed, 1.5, -0.5);
    const opts = { maxLength: 6, minLength: seed % 3 };
    const g = greedyDecode(model, 3, opts);
    const b = beamSearch(model, 3, { ...opts, beamSize: 1, lengthPenalty: 1 });
    assert.deepEqual(b.map((r) => sig(r.nBest[0])), g.map(sig), `seed ${seed}`);
  }
});

test('beam search with an unbounded beam returns the true top-n (equals enumeration and exact search)', () => {
  for (let seed = 0; seed < 16; seed++) {
    const make = seed % 2 === 0 ? markovModel : prefixHashModel;
    const model = make(4 + (seed % 3), 100 + seed, 1 + (seed % 3), -1);
    const opts = { maxLength: 4, minLength: seed % 4 === 0 ? 1 : 0, nBest: 6 };
    const ref = exhaustiveSearch(model, 2, opts);
    const got = beamSearch(model, 2, { ...opts, beamSize: Infinity, lengthPenalty: 0 });
    const exact = exactSearch(model, 2, opts);
    for (let s = 0; s < 2; s++) {
      assert.deepEqual(got[s].nBest.map(sig), ref[s].nBest.map(sig), `seed ${seed} sentence ${s}`);
      assert.deepEqual(got[s].nBest.map(sig), exact[s].nBest.map(sig), `seed ${seed} sentence ${s}`);
    }
  }
});

test('beam search beats greedy on the garden path with beamSize 2', () => {
  const [r] = beamSearch(gardenPathModel(), 1, { maxLength: 4, beamSize: 2, lengthPenalty: 0 });
  assert.deepEqual(r.nBest[0].tokens, [3]);
  assert.ok(Math.abs(r.nBest[0].logProb - Math.log(0.36)) < 1e-6);
});

test('n-best lists are sorted and their scores equal re-scored, length-normalised log-probs', () => {
  for (let seed = 0; seed < 8; seed++) {
    const model = prefixHashModel(6, 200 + seed, 1, -0.5);
    const lengthPenalty = [0, 0.6, 1, 2][seed % 4];
    const res = beamSearch(model, 2, { maxLength: 6, beamSize: 4, nBest: 4, lengthPenalty });
    res.forEach((r, s) => {
      assert.equal(r.nBest.length, 4);
      for (let i = 1; i < r.nBest.length; i++) assert.ok(r.nBest[i - 1].score >= r.nBest[i].score);
      for (const h of r.nBest) {
        assert.equal(h.logProb, rescore(model, 2, s, h.tokens, h.finished));
        const length = h.tokens.length + (h.finished ? 1 : 0);
        assert.equal(h.score, h.logProb / length ** lengthPenalty);
        assert.equal(h.stepLogProbs.length, length);
      }
    });
  }
});

test('length penalty changes the ranking as the formula says', () => {
  // "a </s>": p = .55, length 2.  "b c </s>": p = .45, length 3.
  const model = tableModel(5, { '': [0, 0, 0.55, 0.45, 0], '2': [0, 1, 0, 0, 0], '3': [0, 0, 0, 0, 1], '3,4': [0, 1, 0, 0, 0] });
  const short = Math.log(0.55);
  const long = Math.log(0.45);
  const [plain] = beamSearch(model, 1, { beamSize: 2, nBest: 2, lengthPenalty: 0, maxLength: 5 });
  assert.deepEqual(plain.nBest.map((h) => h.tokens), [[2], [3, 4]]);
  const [norm] = beamSearch(model, 1, { beamSize: 2, nBest: 2, lengthPenalty: 1, maxLength: 5 });
  assert.ok(long / 3 > short / 2); // the hand-built case really flips
  assert.deepEqual(norm.nBest.map((h) => h.tokens), [[3, 4], [2]]);
  assert.ok(Math.abs(norm.nBest[0].score - long / 3) < 1e-7);
  assert.ok(Math.abs(norm.nBest[1].score - short / 2) < 1e-7);
});

test('early stopping: true stops at beamSize finished, false and never keep a better live hypothesis', () => {
  // "</s>" .4 finishes first, then "a </s>" .06; the live "a b" (.54) still beats them.
  const model = tableModel(4, { '': [0, 0.4, 0.6, 0], '2': [0, 0.1, 0, 0.9] });
  const best = (earlyStopping: boolean | 'never') =>
    beamSearch(model, 1, { beamSize: 2, lengthPenalty: 0, maxLength: 5, earlyStopping })[0].nBest[0].tokens;
  assert.deepEqual(best(true), []);
  assert.deepEqual(best(false), [2, 3]);
  assert.deepEqual(best('never'), [2, 3]);
  assert.deepEqual(exhaustiveSearch(model, 1, { maxLength: 5 })[0].nBest[0].tokens, [2, 3]);
});

test('noRepeatNgramSize never lets an n-gram repeat', () => {
  const model = repetitiveModel(6);
  const ngrams = (seq: number[], n: number): string[] =>
    Array.from({ length: Math.max(0, seq.length - n + 1) }, (_, i) => seq.slice(i, i + n).join(','));
  const hasRepeat = (seq: number[], n: number): boolean => new Set(ngrams(seq, n)).size < ngrams(seq, n).length;
  const full = (h: Hypothesis): number[] => [model.bos, ...h.tokens, ...(h.finished ? [model.eos] : [])];
  const [free] = beamSearch(model, 1, { beamSize: 3, nBest: 3, maxLength: 8 });
  assert.ok(free.nBest.some((h) => hasRepeat(full(h), 2)), 'the model should repeat when allowed');
  for (const n of [1, 2, 3]) {
    const [r] = beamSearch(model, 1, { beamSize: 3, nBest: 3, maxLength: 8, noRepeatNgramSize: n });
    for (const h of r.nBest) assert.ok(!hasRepeat(full(h), n), `n=${n}: ${full(h)}`);
  }
});

test('minLength bans </s> until enough tokens and maxLenA/maxLenB cut per sentence', () => {
  const eager = markovModel(5, 4, 1, 3);
  const free = beamSearch(eager, 2, { beamSize: 3, nBest: 3, maxLength: 6 });
  assert.ok(free.some((r) => r.nBest.some((h) => h.tokens.length < 3)), 'the model should want to stop early');
  for (const r of beamSearch(eager, 2, { beamSize: 3, nBest: 3, maxLength: 6, minLength: 3 })) {
    for (const h of r.nBest) assert.ok(h.tokens.length >= 3, `${h.tokens}`);
  }
  const lazy = markovModel(5, 4, 1, -6);
  const cut = beamSearch(lazy, 2, { beamSize: 2, maxLenA: 2, maxLenB: -1, sourceLengths: [2, 3] });
  assert.deepEqual(cut.map((r) => r.nBest[0].tokens.length), [3, 5]);
  assert.ok(cut.every((r) => !r.nBest[0].finished));
});

test('batched beam search equals running the sentences one by one', () => {
  const batch = 4;
  const model = prefixHashModel(6, 77, 1, -0.8);
  const opts = { beamSize: 3, nBest: 3, maxLength: 6, lengthPenalty: 0.8, noRepeatNgramSize: 2 };
  const together = beamSearch(model, batch, opts);
  const calls = model.stepCalls;
  assert.ok(calls <= 6, `batched search used ${calls} step calls`);
  for (let s = 0; s < batch; s++) {
    const [alone] = beamSearch(sentenceView(model, batch, s), 1, opts);
    assert.deepEqual(together[s].nBest.map(sig), alone.nBest.map(sig), `sentence ${s}`);
  }
});

test('recordTree records every candidate and marks the best path', () => {
  const k = 3;
  const model = prefixHashModel(6, 5, 1, -0.5);
  const [r] = beamSearch(model, 1, { beamSize: k, maxLength: 5, recordTree: true });
  const tree = r.tree ?? [];
  assert.ok(tree.length > 1);
  assert.equal(tree[0].parent, -1);
  tree.forEach((n, i) => {
    assert.equal(n.id, i);
    if (i === 0) return;
    const p = tree[n.parent];
    assert.ok(p.kept && !(p.finished && p.token === model.eos), `node ${i} expands a dropped parent`);
    assert.equal(n.step, p.step + 1);
    assert.ok(Math.abs(n.logProb - (p.logProb + model.next(0, pathTokens(n.parent))[n.token])) < 1e-9);
  });
  for (let step = 1; step <= 5; step++) {
    assert.ok(tree.filter((n) => n.step === step && n.kept).length <= k);
  }
  function pathTokens(id: number): number[] {
    const out: number[] = [];
    for (let i = id; i > 0; i = tree[i].parent) out.unshift(tree[i].token);
    return out;
  }
  const bestNodes = tree.filter((n) => n.best);
  const leaf = bestNodes.reduce((a, b) => (b.step > a.step ? b : a));
  assert.equal(bestNodes.length, leaf.step + 1);
  const h = r.nBest[0];
  assert.deepEqual(pathTokens(leaf.id), h.finished ? [...h.tokens, model.eos] : h.tokens);
  assert.ok(leaf.finished);
  assert.equal(leaf.logProb, h.logProb);
});

test('beam search rejects bad options with the function name and values', () => {
  const model = gardenPathModel();
  assert.throws(() => beamSearch(model, 1, { beamSize: 2, nBest: 3 }), /beamSearch: nBest \(3\) must not exceed beamSize \(2\)/);
  assert.throws(() => beamSearch(model, 1, { beamSize: 0 }), /beamSearch: beamSize must be a positive integer or Infinity, got 0/);
  assert.throws(() => beamSearch(model, 1, { earlyStopping: 'soon' as never }), /beamSearch: earlyStopping must be true, false or 'never', got soon/);
});

test('equal-scoring candidates are kept in token order, as enumeration ranks them', () => {
  // Powers of two make "b a" and "a a" exactly equal (.5·.25 = .25·.5); only one of them fits the beam.
  const byLast: Record<number, number[]> = {
    [-1]: [0, 0.125, 0.25, 0.5, 0.125],
    2: [0, 0.125, 0.5, 0.25, 0.125],
    3: [0, 0.125, 0.25, 0.5, 0.125],
    4: [0, 1, 0, 0, 0],
  };
  const model = new PrefixModel(5, (_s, prefix) => toLogProbs(byLast[prefix.length === 0 ? -1 : prefix[prefix.length - 1]]));
  const [r] = beamSearch(model, 1, { beamSize: 2, maxLength: 3, lengthPenalty: 0, recordTree: true });
  const tree = r.tree ?? [];
  const tokensOf = (id: number): number[] => (id <= 0 ? [] : [...tokensOf(tree[id].parent), tree[id].token]);
  const kept = tree.filter((n) => n.step === 2 && n.kept).map((n) => tokensOf(n.id).join(','));
  assert.deepEqual(kept, ['3,3', '2,2']);
});
