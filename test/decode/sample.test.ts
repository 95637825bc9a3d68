import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countSequences, exhaustiveSearch } from '../../src/decode/exhaustive.js';
import { greedyDecode } from '../../src/decode/greedy.js';
import type { Hypothesis } from '../../src/decode/order.js';
import { sampleDecode } from '../../src/decode/sample.js';
import { markovModel, mulberry32, PrefixModel, prefixHashModel, rescore, toLogProbs } from './toy-models.js';

const sig = (h: Hypothesis): string => `${h.tokens.join(' ')}${h.finished ? ' </s>' : ''}`;

/**
 * Frequencies of N draws against probabilities: each cell within 4.5 standard errors
 * sqrt(p(1−p)/N). A correct sampler lands outside with probability under 1e-5 per cell (and the
 * seed is fixed, so the test is deterministic); a distribution off by 0.02 on a cell with p ≈ 0.3
 * at N = 20000 sits more than 6 standard errors away and fails.
 */
function assertFrequencies(counts: Map<string, number>, probs: Map<string, number>, N: number): void {
  for (const key of counts.keys()) assert.ok(probs.has(key), `sampled "${key}", which has probability 0`);
  for (const [key, p] of probs) {
    const f = (counts.get(key) ?? 0) / N;
    const tol = 4.5 * Math.sqrt((p * (1 - p)) / N);
    assert.ok(Math.abs(f - p) <= tol, `"${key}": frequency ${f}, probability ${p}, tolerance ${tol}`);
  }
}

function count(samples: Hypothesis[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const h of samples) m.set(sig(h), (m.get(sig(h)) ?? 0) + 1);
  return m;
}

test('sampling with topK 1 is greedy decoding', () => {
  for (let seed = 0; seed < 10; seed++) {
    const model = prefixHashModel(6, seed, 1, -0.5);
    const g = greedyDecode(model, 3, { maxLength: 6, minLength: seed % 3 });
    const s = sampleDecode(model, 3, { maxLength: 6, minLength: seed % 3, rng: mulberry32(seed), topK: 1, numSamples: 2, temperature: 1.7 });
    s.forEach((row, i) => row.forEach((h) => assert.deepEqual([sig(h), h.logProb], [sig(g[i]), g[i].logProb])));
  }
});

test('ancestral samples follow the model distribution over whole sentences', () => {
  const model = markovModel(4, 21, 1, 0);
  const T = 2;
  const [all] = exhaustiveSearch(model, 1, { maxLength: T, nBest: countSequences(4, T) });
  const probs = new Map(all.nBest.map((h) => [sig(h), Math.exp(h.logProb)]));
  const N = 20000;
  const [samples] = sampleDecode(model, 1, { maxLength: T, rng: mulberry32(1), numSamples: N });
  assertFrequencies(count(samples), probs, N);
  for (const h of samples.slice(0, 50)) assert.equal(h.logProb, rescore(model, 1, 0, h.tokens, h.finished));
});

test('temperature, top-k and top-p reshape the next-token distribution as defined', () => {
  const p = [0, 0.1, 0.4, 0.3, 0.15, 0.05]; // ids 0..5; 1 is </s>
  // One-token sentences: after any first token the model must stop.
  const model = new PrefixModel(6, (_s, prefix) => toLogProbs(prefix.length === 0 ? p : [0, 1, 0, 0, 0, 0]));
  const N = 20000;
  const label = (v: number): string => (v === 1 ? ' </s>' : `${v} </s>`);
  const check = (opts: { temperature?: number; topK?: number; topP?: number }, expected: number[], seed: number): void => {
    const total = expected.reduce((a, b) => a + b, 0);
    const probs = new Map<string, number>();
    expected.forEach((q, v) => q > 0 && probs.set(label(v), q / total));
    const [samples] = sampleDecode(model, 1, { ...opts, maxLength: 3, rng: mulberry32(seed), numSamples: N });
    assertFrequencies(count(samples), probs, N);
  };
  check({}, p, 1);
  check({ temperature: 0.5 }, p.map((x) => x * x), 2);
  check({ temperature: 2 }, p.map(Math.sqrt), 3);
  check({ topK: 2 }, [0, 0, 0.4, 0.3, 0, 0], 4);
  check({ topP: 0.65 }, [0, 0, 0.4, 0.3, 0, 0], 5); // .4 < .65 ≤ .4 + .3
  check({ topP: 0.71 }, [0, 0, 0.4, 0.3, 0.15, 0], 7);
  check({ topK: 3, topP: 0.8 }, [0, 0, 0.4, 0.3, 0, 0], 8); // .7/.85 ≥ .8 within the top 3
});

test('sampling is reproducible from the seed and respects length limits', () => {
  const model = markovModel(5, 8, 1, 2);
  const a = sampleDecode(model, 2, { maxLength: 5, minLength: 2, rng: mulberry32(9), numSamples: 50 });
  const b = sampleDecode(model, 2, { maxLength: 5, minLength: 2, rng: mulberry32(9), numSamples: 50 });
  assert.deepEqual(a, b);
  for (const row of a) {
    for (const h of row) {
      assert.ok(h.tokens.length >= 2 && h.tokens.length <= 5);
      if (!h.finished) assert.equal(h.tokens.length, 5);
    }
  }
  const c = sampleDecode(model, 2, { maxLength: 5, minLength: 2, rng: mulberry32(10), numSamples: 50 });
  assert.notDeepEqual(a, c);
});

test('sampling rejects bad options with the function name and value', () => {
  const model = markovModel(4, 1);
  const rng = mulberry32(1);
  assert.throws(() => sampleDecode(model, 1, { rng, temperature: 0 }), /sampleDecode: temperature must be > 0, got 0/);
  assert.throws(() => sampleDecode(model, 1, { rng, topP: 1.5 }), /sampleDecode: topP must be in \(0, 1\], got 1.5/);
  assert.throws(() => sampleDecode(model, 1, { rng, topK: -1 }), /sampleDecode: topK must be a non-negative integer, got -1/);
});
