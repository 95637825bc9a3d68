/**
 * Property-based tests of the TSV loader (English<TAB>Chinese<TAB>attribution, the Tatoeba and
 * `attentive data embedded` format): CRLF line ends and a byte-order mark are read as plain
 * lines; any malformed line fails with the file name and its line number; nothing is skipped silently.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { formatCmnEng, parseCmnEng, type TatoebaPair } from '../../src/data/tatoeba.js';
import { loadTatoeba } from '../../src/data/tatoeba-node.js';
import { hostileText } from '../helpers/unicode-arbitrary.js';

const RUNS = { numRuns: 300, seed: 5 };
// A column: hostile text without the characters that delimit columns and lines.
const column = hostileText(8).map((s) => s.replace(/[\t\n\r]/g, ' ')).filter((s) => s.trim() !== '' && !s.startsWith('\ufeff'));
const pair: fc.Arbitrary<TatoebaPair> = fc.record({ en: column, zh: column, attribution: fc.oneof(column, fc.constant('')) }).map((p) => ({ ...p }));

test('pairs written and read back are unchanged, with LF or CRLF line ends and with or without a BOM', () => {
  fc.assert(fc.property(fc.array(pair, { maxLength: 8 }), fc.boolean(), fc.boolean(), (pairs, crlf, bom) => {
    let text = formatCmnEng(pairs);
    if (crlf) text = text.replace(/\n/g, '\r\n');
    if (bom) text = `\ufeff${text}`;
    assert.deepEqual(parseCmnEng(text, 'f.tsv'), pairs);
  }), RUNS);
});

const badLine = fc.oneof(
  column, // no tab at all
  fc.tuple(column, column).map(([a, b]) => `${a}\t${b}`), // two columns
  fc.tuple(column, column, column, column).map((c) => c.join('\t')), // four columns
  fc.tuple(column, column).map(([a, b]) => `\t${a}\t${b}`), // empty English
  fc.tuple(column, column).map(([a, b]) => `${a}\t \t${b}`), // blank Chinese
  fc.constant(''), // an empty line inside the file
);

test('a malformed line anywhere fails naming the file and its line number', () => {
  fc.assert(fc.property(fc.array(pair, { maxLength: 6 }), fc.nat(), badLine, fc.boolean(), fc.boolean(), (pairs, at, bad, crlf, bom) => {
    const lines = formatCmnEng(pairs).split('\n').slice(0, -1);
    const k = at % (lines.length + 1);
    lines.splice(k, 0, bad);
    let text = lines.join('\n') + '\n';
    if (crlf) text = text.replace(/\n/g, '\r\n');
    if (bom) text = `\ufeff${text}`;
    // a trailing empty line is the file's final newline, which is allowed
    if (bad === '' && k === lines.length - 1) return;
    assert.throws(() => parseCmnEng(text, 'data/train.tsv'), (e: Error) => e.message.startsWith(`parseCmnEng: data/train.tsv line ${k + 1}: `));
  }), RUNS);
});

test('loading a folder of TSV files names the file of a bad line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'attentive-tsv-'));
  try {
    const good = formatCmnEng([{ en: 'Hi.', zh: '你好。', attribution: 'CC-BY 2.0' }]);
    writeFileSync(join(dir, 'train.tsv'), `\ufeff${good}`.replace(/\n/g, '\r\n'));
    writeFileSync(join(dir, 'valid.tsv'), good);
    writeFileSync(join(dir, 'test.tsv'), `${good}no tab here\n`);
    assert.throws(() => loadTatoeba(dir), (e: Error) => e.message.startsWith(`parseCmnEng: ${join(dir, 'test.tsv')} line 2: expected 3 tab-separated columns, got 1`));
    writeFileSync(join(dir, 'test.tsv'), good);
    assert.deepEqual(loadTatoeba(dir).train, [{ en: 'Hi.', zh: '你好。', attribution: 'CC-BY 2.0' }]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
