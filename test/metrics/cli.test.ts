import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Command } from 'commander';
import { formatBleuLine, registerBleuCommand, runBleu, splitLines, type BleuCommandIO, type BleuCommandOptions } from '../../src/cli/bleu.js';
import { corpusBleu, sentenceBleu } from '../../src/metrics/bleu.js';
import { corpusChrf } from '../../src/metrics/chrf.js';

const HYP = ['The cat is on the mat.', 'Heavy rain caused flooding near the river.', 'He left.'];
const REF = ['The cat sat on the mat.', 'Heavy rain flooded the villages near the river.', 'He left early.'];

function memoryIO(files: Record<string, string>, stdin = ''): BleuCommandIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    readFile(path) {
      if (!(path in files)) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
      return files[path];
    },
    readStdin: () => stdin,
    out: (line) => stdout.push(...line.split('\n')),
    err: (line) => stderr.push(line),
  };
}

const FILES = { 'hyp.txt': HYP.join('\n') + '\n', 'ref.txt': REF.join('\n') + '\n', 'ref2.txt': REF.join('\r\n') };

function run(opts: Partial<BleuCommandOptions>, files: Record<string, string> = FILES, stdin = '') {
  const io = memoryIO(files, stdin);
  const code = runBleu({ refs: ['ref.txt'], input: 'hyp.txt', ...opts }, io);
  return { code, out: io.stdout, err: io.stderr };
}

test('splitLines: universal newlines, final newline optional', () => {
  assert.deepEqual(splitLines('a\nb\n'), ['a', 'b']);
  assert.deepEqual(splitLines('a\r\nb'), ['a', 'b']);
  assert.deepEqual(splitLines('a\rb\n\n'), ['a', 'b', '']);
  assert.deepEqual(splitLines(''), []);
});

test('text output: sacreBLEU summary line and signature', () => {
  const { code, out, err } = run({});
  assert.equal(code, 0, err.join('\n'));
  const r = corpusBleu(HYP, [REF]);
  assert.equal(out.length, 2);
  assert.equal(out[0], formatBleuLine(r));
  assert.match(out[0], /^BLEU = \d+\.\d\d \d+\.\d\/\d+\.\d\/\d+\.\d\/\d+\.\d \(BP = \d\.\d{3} ratio = \d\.\d{3} hyp_len = \d+ ref_len = \d+\)$/);
  assert.ok(out[0].includes(`hyp_len = ${r.sys_len} ref_len = ${r.ref_len}`));
  assert.equal(out[1], `signature: ${r.signature}`);
});

test('--json: one object per metric with the documented keys', () => {
  const { code, out } = run({ json: true, metrics: ['bleu', 'chrf'], chrfWordOrder: 2, tokenize: 'intl' });
  assert.equal(code, 0);
  assert.equal(out.length, 2);
  const bleu = JSON.parse(out[0]);
  const chrf = JSON.parse(out[1]);
  assert.deepEqual(Object.keys(bleu), ['name', 'score', 'counts', 'totals', 'precisions', 'bp', 'sys_len', 'ref_len', 'signature']);
  assert.deepEqual(bleu, { ...corpusBleu(HYP, [REF], { tokenize: 'intl' }) });
  assert.deepEqual(Object.keys(chrf), ['name', 'score', 'signature']);
  const c = corpusChrf(HYP, [REF], { wordOrder: 2 });
  assert.deepEqual(chrf, { name: 'chrF2++', score: c.score, signature: c.signature });
});

test('several reference files, CRLF and stdin hypotheses', () => {
  const { code, out } = run({ refs: ['ref.txt', 'ref2.txt'], input: undefined, json: true }, FILES, HYP.join('\n'));
  assert.equal(code, 0);
  const r = JSON.parse(out[0]);
  assert.equal(r.score, corpusBleu(HYP, [REF, REF]).score);
  assert.match(r.signature, /^nrefs:2\|/);
});

test('--sentence-level: one line per segment, effective order always on', () => {
  const { code, out } = run({ sentenceLevel: true, json: true, smoothMethod: 'floor', smoothValue: 0.2 });
  assert.equal(code, 0);
  assert.equal(out.length, HYP.length);
  out.forEach((line, i) => {
    const expected = sentenceBleu(HYP[i], [REF[i]], { effectiveOrder: true, smoothMethod: 'floor', smoothValue: 0.2 });
    assert.deepEqual(JSON.parse(line), { ...expected });
    assert.match(expected.signature, /\|eff:yes\|.*smooth:floor\[0\.20\]/);
  });
  const text = run({ sentenceLevel: true, metrics: ['bleu', 'chrf'] });
  assert.equal(text.out.length, 2 * HYP.length + 2);
  assert.match(text.out[1], /^chrF2 = \d+\.\d\d$/);
  assert.match(text.out[text.out.length - 2], /^BLEU signature: nrefs:1\|case:mixed\|eff:yes\|/);
});

test('--explain shows the n-gram tables for one pair', () => {
  const files = { 'h.txt': 'The cat is on the mat.\n', 'r.txt': 'The cat sat on the mat.\n' };
  const { code, out } = run({ refs: ['r.txt'], input: 'h.txt', explain: true }, files);
  assert.equal(code, 0);
  assert.ok(out.includes('1-grams: 6/7 clipped matches, precision 85.71%'));
  assert.ok(out.some((l) => l.startsWith('BLEU = 48.89 ')));
  const many = run({ explain: true });
  assert.equal(many.code, 1);
  assert.match(many.err[0], /--explain takes a single sentence pair, but 'hyp.txt' has 3 lines/);
});

test('errors: line-count mismatch, missing file, empty input, bad metric', () => {
  const short = { ...FILES, 'short.txt': 'one line\n' };
  const mismatch = run({ refs: ['ref.txt', 'short.txt'] }, short);
  assert.equal(mismatch.code, 1);
  assert.deepEqual(mismatch.out, []);
  assert.equal(
    mismatch.err[0],
    "attentive bleu: line counts differ: reference file 'short.txt' has 1 lines but hypothesis file 'hyp.txt' has 3",
  );
  const missing = run({ refs: ['nope.txt'] });
  assert.equal(missing.code, 1);
  assert.match(missing.err[0], /cannot read reference file 'nope.txt': ENOENT/);
  const empty = run({ refs: ['e.txt'], input: 'e2.txt' }, { 'e.txt': '', 'e2.txt': '' });
  assert.equal(empty.code, 1);
  assert.match(empty.err[0], /no segments to score: 'e2.txt' is empty/);
  const badMetric = run({ metrics: ['ter'] });
  assert.equal(badMetric.code, 1);
  assert.match(badMetric.err[0], /unknown metric 'ter'/);
});

test('registerBleuCommand parses the sacreBLEU-style flags', async () => {
  const io = memoryIO(FILES);
  const program = new Command('attentive').exitOverride();
  registerBleuCommand(program, io);
  await program.parseAsync(
    ['bleu', 'ref.txt', '-i', 'hyp.txt', '--json', '-t', 'char', '-s', 'add-k', '--smooth-value', '0.5', '-l',
      '-m', 'bleu', 'chrf', '--chrf-char-order', '4', '--chrf-word-order', '1', '--chrf-beta', '3', '--chrf-lowercase'],
    { from: 'user' },
  );
  assert.deepEqual(io.stderr, []);
  const bleu = JSON.parse(io.stdout[0]);
  assert.equal(bleu.score, corpusBleu(HYP, [REF], { tokenize: 'char', smoothMethod: 'add-k', smoothValue: 0.5, lowercase: true }).score);
  assert.match(bleu.signature, /case:lc\|eff:no\|tok:char\|smooth:add-k\[0\.50\]/);
  const chrf = JSON.parse(io.stdout[1]);
  assert.equal(chrf.name, 'chrF3+');
  assert.equal(chrf.score, corpusChrf(HYP, [REF], { charOrder: 4, wordOrder: 1, beta: 3, lowercase: true }).score);
  const bad = new Command('attentive').exitOverride().configureOutput({ writeErr: () => {} });
  registerBleuCommand(bad, memoryIO(FILES));
  await assert.rejects(bad.parseAsync(['bleu', 'ref.txt', '--chrf-char-order', 'x'], { from: 'user' }), /--chrf-char-order must be an integer >= 0, got 'x'/);
  await assert.rejects(bad.parseAsync(['bleu', 'ref.txt', '-t', 'moses'], { from: 'user' }), /Allowed choices are 13a, zh, intl, char, none/);
});
