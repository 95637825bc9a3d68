import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exactSearch } from '../../src/decode/exact.js';
import { exhaustiveSearch } from '../../src/decode/exhaustive.js';
import { greedyDecode } from '../../src/decode/greedy.js';
import type { Hypothesis } from '../../src/decode/order.js';
import { gardenPathModel, markovModel, PrefixModel, prefixHashModel, toLogProbs, withoutConcat } from './toy-models.js';

const sig = (h: Hypothesis): string => `${h.tokens.join(' ')}${h.finished ? ' </s>' : ''} @ ${h.logProb}`;

test('exact search equals enumeration on random models (argmax and top-5, many seeds)', () => {
  let exactCount = 0;
  for (let seed = 0; seed < 40; seed++) {
    const V = 4 + (seed % 3);
    const T = 4 + (seed % 2);
    const make = seed % 2 === 0 ? markovModel : prefixHashModel;
    const model = make(V, seed, 1 + (seed % 4) * 0.5, -1);
    const minLength = seed % 5 === 0 ? 2 : 0;
    const batch = 2;
    const ref = exhaustiveSearch(model, batch, { maxLength: T, minLength, nBest: 5 });
    const got = exactSearch(model, batch, { maxLength: T, minLength, nBest: 5, batchSize: 1 + (seed % 8) });
    for (let s = 0; s < batch; s++) {
      assert.ok(got[s].exact, `seed ${seed}: ${got[s].reason}`);
      assert.deepEqual(got[s].nBest.map(sig), ref[s].nBest.map(sig), `seed ${seed} sentence ${s}`);
      exactCount++;
    }
  }
  assert.equal(exactCount, 80);
});

test('exact search breaks ties like enumeration', () => {
  // Uniform over </s>, a, b: many sentences share a probability; ranking falls to token order.
  const model = new PrefixModel(4, () => toLogProbs([0, 1, 1, 1]));
  const ref = exhaustiveSearch(model, 1, { maxLength: 3, nBest: 6 });
  const got = exactSearch(model, 1, { maxLength: 3, nBest: 6, batchSize: 3 });
  assert.deepEqual(got[0].nBest.map(sig), ref[0].nBest.map(sig));
  // The empty sentence comes first; then the 1-token sentences, a before b.
  assert.deepEqual(got[0].nBest.slice(0, 3).map((h) => h.tokens), [[], [2], [3]]);
});

test('exact search beats greedy on the garden path', () => {
  const model = gardenPathModel();
  const [g] = greedyDecode(model, 1, { maxLength: 5 });
  const [e] = exactSearch(model, 1, { maxLength: 5 });
  assert.deepEqual(g.tokens, [2]);
  assert.deepEqual(e.nBest[0].tokens, [3]);
  assert.ok(e.nBest[0].logProb > g.logProb);
});

test('exact search batches expansions into few step calls and works without concat', () => {
  const a = prefixHashModel(6, 11, 0.5, -1.5);
  const b = prefixHashModel(6, 11, 0.5, -1.5);
  const ra = exactSearch(a, 1, { maxLength: 5, nBest: 3, batchSize: 16 });
  const before = a.stepCalls;
  const rb = exactSearch(withoutConcat(b), 1, { maxLength: 5, nBest: 3, batchSize: 16 });
  assert.deepEqual(ra[0].nBest.map(sig), rb[0].nBest.map(sig));
  assert.ok(ra[0].exact && rb[0].exact);
  // With concat a step call scores many nodes at once.
  assert.ok(before < ra[0].expansions, `step calls ${before}, expansions ${ra[0].expansions}`);
  assert.ok(b.stepCalls > a.stepCalls, `fallback uses ${b.stepCalls} calls, concat ${a.stepCalls}`);
});

test('exact search scales to a larger vocabulary where enumeration is impossible', () => {
  // 2000 tokens, length 12: 2000^12 sequences; a peaked model lets the bound prune nearly everything.
  const model = prefixHashModel(2000, 5, 3, 2);
  const [r] = exactSearch(model, 1, { maxLength: 12, nodeBudget: 5000 });
  assert.ok(r.exact, r.reason);
  assert.ok(r.expansions <= 5000);
  const [g] = greedyDecode(model, 1, { maxLength: 12 });
  assert.ok(r.nBest[0].logProb >= g.logProb);
});

test('exact search reports when the node budget runs out and returns the best found', () => {
  const model = prefixHashModel(6, 3, 0.3, -2);
  const [ref] = exhaustiveSearch(model, 1, { maxLength: 5 });
  const [r] = exactSearch(model, 1, { maxLength: 5, nodeBudget: 3, batchSize: 2 });
  assert.equal(r.exact, false);
  assert.match(r.reason ?? '', /nodeBudget 3 exhausted/);
  assert.ok(r.expansions <= 3);
  assert.equal(r.nBest.length, 1);
  // Whatever it returns is a real sentence, no better than the optimum.
  assert.ok(r.nBest[0].logProb <= ref.nBest[0].logProb);
});

test('exact search rejects bad options with the function name', () => {
  const model = gardenPathModel();
  assert.throws(() => exactSearch(model, 1, { nodeBudget: 0 }), /exactSearch: nodeBudget must be a positive integer, got 0/);
  assert.throws(() => exactSearch(model, 1, { maxLength: 0 }), /exactSearch: maxLength must be a positive integer, got 0/);
});

test('the top list keeps one copy of a sentence scored twice a rounding error apart (the newest score)', async () => {
  const { TopList } = await import('../../src/decode/top-list.js');
  const hyp = (tokens: number[], logProb: number) => ({ tokens, logProb, score: logProb, stepLogProbs: [], finished: false });
  const list = new TopList(3);
  list.add(hyp([], -4.38), []);
  list.add(hyp([4, 4], -4.7365683), [4, 4]);
  list.add(hyp([4, 4], -4.7365681), [4, 4]); // the same sentence, from another batch
  list.add(hyp([4, 1], -5.37), [4, 1]);
  assert.deepEqual(list.hypotheses().map((h) => [h.tokens, h.score]), [[[], -4.38], [[4, 4], -4.7365681], [[4, 1], -5.37]]);
  list.add(hyp([4, 4], -5.5), [4, 4]); // a new score for it moves it
  assert.deepEqual(list.hypotheses().map((h) => [h.tokens, h.score]), [[[], -4.38], [[4, 1], -5.37], [[4, 4], -5.5]]);
});

test('exact search finds the same top list when the greedy run that seeds its bound scored a sentence a rounding error higher', () => {
  // A model whose scores depend on how many rows a step gets, by a rounding error (as a native
  // GEMM may): greedy (several rows) sees its sentence slightly more probable than the search
  // (one row per step) does.
  const base = markovModel(6, 4, 3);
  type St = ReturnType<typeof base.start>;
  const wobbly = {
    vocabSize: base.vocabSize, bos: base.bos, eos: base.eos,
    start: (b: number) => base.start(b),
    select: (st: St, rows: Int32Array) => base.select(st, rows),
    step(state: St, tokens: Int32Array) {
      const out = base.step(state, tokens);
      const lp = Float32Array.from(out.logProbs);
      if (tokens.length > 1) for (let i = 0; i < lp.length; i++) lp[i] += 1e-6;
      return { logProbs: lp, state: out.state };
    },
  };
  for (const nBest of [1, 3]) {
    const opts = { maxLength: 4, nBest, batchSize: 1 };
    const ex = exactSearch(wobbly, 3, opts);
    const en = exhaustiveSearch(base, 3, opts);
    for (let i = 0; i < 3; i++) {
      assert.equal(ex[i].exact, true);
      assert.deepEqual(ex[i].nBest.map((h) => h.tokens), en[i].nBest.map((h) => h.tokens), `nBest ${nBest}, sentence ${i}`);
    }
  }
});
