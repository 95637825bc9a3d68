import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { corpusBleu, preprocessBleuSegment, sentenceBleu, type BleuOptions } from '../../src/metrics/bleu.js';
import { corpusChrf, sentenceChrf, type ChrfOptions } from '../../src/metrics/chrf.js';
import type { SmoothMethod } from '../../src/metrics/bleu-compute.js';
import type { TokenizerName } from '../../src/metrics/tokenizers.js';
import { VERSION } from '../../src/version.js';

// sacreBLEU 2.6.0 reference values, described in ../shared/data/bleu/README.md
const VECTORS = join(dirname(fileURLToPath(import.meta.url)), '../../../shared/data/bleu/vectors.json');
const TOL = 1e-9;

interface Case {
  id: string;
  metric: 'bleu' | 'chrf';
  level: 'corpus' | 'sentence';
  hypotheses: string[];
  references: (string | null)[][];
  options: Record<string, unknown>;
  expected: Record<string, unknown>;
}

function withoutVersion(sig: string): string {
  const parts = sig.split('|');
  assert.match(parts[parts.length - 1], /^version:/);
  return parts.slice(0, -1).join('|');
}

function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= TOL, `${what}: got ${actual}, expected ${expected}`);
}

function checkBleu(c: Case): void {
  const o = c.options;
  const e = c.expected as {
    score: number; counts: number[]; totals: number[]; precisions: number[]; bp: number;
    sys_len: number; ref_len: number; signature: string;
    tokenized_hypotheses: string[]; tokenized_references: string[][];
  };
  const opts: BleuOptions = {
    tokenize: o.tokenize as TokenizerName,
    smoothMethod: o.smooth_method as SmoothMethod,
    smoothValue: o.smooth_value as number | null,
    lowercase: o.lowercase as boolean,
    effectiveOrder: o.use_effective_order as boolean,
  };
  const r =
    c.level === 'corpus'
      ? corpusBleu(c.hypotheses, c.references, opts)
      : sentenceBleu(c.hypotheses[0], c.references.map((s) => s[0] as string), opts);
  close(r.score, e.score, 'score');
  assert.deepEqual(r.counts, e.counts, 'counts');
  assert.deepEqual(r.totals, e.totals, 'totals');
  assert.equal(r.precisions.length, e.precisions.length);
  r.precisions.forEach((p, i) => close(p, e.precisions[i], `precision ${i + 1}`));
  close(r.bp, e.bp, 'bp');
  assert.equal(r.sys_len, e.sys_len, 'sys_len');
  assert.equal(r.ref_len, e.ref_len, 'ref_len');
  assert.equal(withoutVersion(r.signature), withoutVersion(e.signature));
  assert.ok(r.signature.endsWith(`|version:${VERSION}`));
  assert.deepEqual(
    c.hypotheses.map((h) => preprocessBleuSegment(h, opts.tokenize!, opts.lowercase!)),
    e.tokenized_hypotheses,
  );
  assert.deepEqual(
    c.references.map((s) => s.map((x) => (x === null ? null : preprocessBleuSegment(x, opts.tokenize!, opts.lowercase!)))),
    e.tokenized_references,
  );
}

function checkChrf(c: Case): void {
  const o = c.options;
  const e = c.expected as { score: number; stats: number[]; signature: string };
  const opts: ChrfOptions = {
    charOrder: o.char_order as number,
    wordOrder: o.word_order as number,
    beta: o.beta as number,
    lowercase: o.lowercase as boolean,
    whitespace: o.whitespace as boolean,
    epsSmoothing: o.eps_smoothing as boolean,
  };
  const r =
    c.level === 'corpus'
      ? corpusChrf(c.hypotheses, c.references, opts)
      : sentenceChrf(c.hypotheses[0], c.references.map((s) => s[0] as string), opts);
  close(r.score, e.score, 'score');
  assert.deepEqual(r.stats, e.stats, 'stats');
  assert.equal(withoutVersion(r.signature), withoutVersion(e.signature));
}

if (!existsSync(VECTORS)) {
  test('sacreBLEU 2.6.0 vectors', (t) => {
    t.skip(`${VECTORS} is missing (the shared data folder is not mounted); skipping the sacreBLEU comparison`);
  });
} else {
  const data = JSON.parse(readFileSync(VECTORS, 'utf8')) as { cases: Case[] };
  test('the vector file holds the 67 documented cases', () => {
    assert.equal(data.cases.length, 67);
    assert.equal(data.cases.filter((c) => c.metric === 'bleu').length, 56);
  });
  for (const c of data.cases) {
    test(`sacreBLEU 2.6.0: ${c.id}`, () => (c.metric === 'bleu' ? checkBleu(c) : checkChrf(c)));
  }
}
