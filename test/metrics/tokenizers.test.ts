import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tokenize13a } from '../../src/metrics/tokenize-13a.js';
import { tokenizeIntl } from '../../src/metrics/tokenize-intl.js';
import { tokenizeChar, tokenizeNone } from '../../src/metrics/tokenize-simple.js';
import { isZhTableChar, tokenizeZh } from '../../src/metrics/tokenize-zh.js';
import { getTokenizer, isTokenizerName } from '../../src/metrics/tokenizers.js';
import { rstripWhitespace, splitWhitespace, stripWhitespace } from '../../src/metrics/whitespace.js';

test('splitWhitespace follows Python str.split(), not JavaScript \\s', () => {
  assert.deepEqual(splitWhitespace('  a \t b\n'), ['a', 'b']);
  assert.deepEqual(splitWhitespace(''), []);
  assert.deepEqual(splitWhitespace(' \u3000 '), []);
  // Python splits on these ...
  assert.deepEqual(splitWhitespace('a\u00a0b\u2003c\u202fd\u3000e\u001cf\u0085g'), ['a', 'b', 'c', 'd', 'e', 'f', 'g']);
  // ... but not on the zero width space or the BOM, which JavaScript's \s includes
  assert.deepEqual(splitWhitespace('a\u200bb \ufeffc'), ['a\u200bb', '\ufeffc']);
  assert.equal(rstripWhitespace(' x \ufeff\u00a0 '), ' x \ufeff');
  assert.equal(stripWhitespace('\u2000 x y \n'), 'x y');
});

test('13a: punctuation, digits, dashes and apostrophes', () => {
  assert.equal(tokenize13a('Hello, world!'), 'Hello , world !');
  assert.equal(tokenize13a('It costs $3.50, or 1,000 yen.'), 'It costs $ 3.50 , or 1,000 yen .');
  // a final period after a digit is split off thanks to the padding
  assert.equal(tokenize13a('in 2019.'), 'in 2019 .');
  assert.equal(tokenize13a('pages 10-12 of well-known'), 'pages 10 - 12 of well-known');
  assert.equal(tokenize13a("don't (really)"), "don't ( really )");
});

test('13a: unescaping, <skipped> and newlines', () => {
  assert.equal(tokenize13a('&quot;A&quot; &amp; B &lt;3 &gt;'), '" A " & B < 3 >');
  // &amp; is unescaped before &lt;, so a double-escaped entity collapses fully
  assert.equal(tokenize13a('&amp;lt;'), '<');
  assert.equal(tokenize13a('a <skipped> b'), 'a b');
  assert.equal(tokenize13a('multi-\nline\ntext'), 'multiline text');
  assert.equal(tokenize13a(''), '');
});

test('intl: Unicode punctuation and symbols', () => {
  assert.equal(tokenizeIntl('«Hola», dijo—¿sí?'), '« Hola » , dijo — ¿ sí ?');
  assert.equal(tokenizeIntl('1,000.50 €'), '1,000.50 €');
  // mteval-v14 quirk: a final period after a digit stays attached
  assert.equal(tokenizeIntl('in 2019.'), 'in 2019.');
  assert.equal(tokenizeIntl('I ❤️ it 😍🔥'), 'I ❤ \ufe0f it 😍 🔥');
});

test('zh: table characters become tokens, with sacreBLEU range quirks', () => {
  assert.equal(tokenizeZh('我爱Tom和1950年的Wi-Fi。'), '我 爱 Tom 和 1950 年 的 Wi-Fi 。');
  // U+2001..U+2A6D is in the table: curly quotes, ellipsis, euro sign split off
  assert.equal(tokenizeZh('“abc”…5€'), '“ abc ” … 5 €');
  assert.equal(isZhTableChar(0x2000), false);
  assert.equal(isZhTableChar(0x2001), true);
  assert.equal(isZhTableChar(0x2a6d), true);
  assert.equal(isZhTableChar(0x2a6e), false);
  // characters above U+FFFF never match, even CJK Extension B
  assert.equal(isZhTableChar(0x20000), false);
  assert.equal(tokenizeZh('a𠀀b'), 'a𠀀b');
  // full-width forms are single tokens
  assert.equal(tokenizeZh('ＡＢ１'), 'Ａ Ｂ １');
  // no 13a unescaping and no padding: a final period after a digit stays
  assert.equal(tokenizeZh('&amp; 2019.'), '& amp ; 2019.');
});

test('char: one token per code point, no normalisation', () => {
  assert.equal(tokenizeChar('ab c'), 'a b   c');
  assert.equal(tokenizeChar('😍é'), '😍 é');
  assert.deepEqual(splitWhitespace(tokenizeChar('e\u0301')), ['e', '\u0301']);
  assert.equal(tokenizeNone(' keep  it. '), ' keep  it. ');
});

test('getTokenizer names the bad value', () => {
  assert.equal(getTokenizer('13a'), tokenize13a);
  assert.equal(isTokenizerName('toString'), false);
  assert.throws(() => getTokenizer('ja-mecab'), /getTokenizer: unknown tokenizer 'ja-mecab'/);
});
