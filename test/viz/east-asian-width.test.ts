import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codePointWidth, displayWidth, padEndDisplay, padStartDisplay } from '../../src/viz/east-asian-width.js';

test('CJK, kana, Hangul and fullwidth forms are two columns; ASCII one', () => {
  assert.equal(displayWidth('cat'), 3);
  assert.equal(displayWidth('猫'), 2);
  assert.equal(displayWidth('我爱你'), 6);
  assert.equal(displayWidth('ねこ'), 4);
  assert.equal(displayWidth('고양이'), 6);
  assert.equal(displayWidth('ＡＢ'), 4);
  assert.equal(displayWidth('。'), 2);
  assert.equal(displayWidth('𠀀'), 2); // Extension B, outside the BMP
  assert.equal(displayWidth('a猫b'), 4);
});

test('combining marks, zero-width characters, controls and ANSI codes take no columns', () => {
  assert.equal(displayWidth('e\u0301'), 1);
  assert.equal(displayWidth('a\u200bb'), 2);
  assert.equal(codePointWidth(0x07), 0);
  assert.equal(displayWidth('\x1b[48;5;17mab\x1b[0m'), 2);
  assert.equal(displayWidth('é'), 1);
  assert.equal(displayWidth('—'), 1);
});

test('padding counts display columns, not code units', () => {
  assert.equal(padEndDisplay('猫', 5), '猫   ');
  assert.equal(padStartDisplay('猫', 3), ' 猫');
  assert.equal(padEndDisplay('longer', 3), 'longer');
});
