import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toChineseNumber, fromChineseNumber } from '../../src/data/zh-numbers.js';

test('known values', () => {
  const cases: [number, string][] = [
    [0, '零'], [2, '两'], [10, '十'], [15, '十五'], [20, '二十'], [22, '二十二'], [108, '一百零八'],
    [110, '一百一十'], [200, '两百'], [1010, '一千零一十'], [1002, '一千零二'], [3050, '三千零五十'],
    [10000, '一万'], [10005, '一万零五'], [10500, '一万零五百'], [12000, '一万两千'], [20010, '两万零一十'],
    [99999, '九万九千九百九十九'], [100000, '十万'], [120000, '十二万'], [200000, '二十万'], [2000000, '两百万'],
  ];
  for (const [n, zh] of cases) {
    assert.equal(toChineseNumber(n), zh, `toChineseNumber(${n})`);
    assert.equal(fromChineseNumber(zh), n, `fromChineseNumber(${zh})`);
  }
});

test('plain style writes 二 everywhere', () => {
  assert.equal(toChineseNumber(2, { style: 'plain' }), '二');
  assert.equal(toChineseNumber(12000, { style: 'plain' }), '一万二千');
  assert.equal(toChineseNumber(222, { style: 'plain' }), '二百二十二');
  assert.equal(toChineseNumber(222), '两百二十二');
});

test('round trip 0..99999 in both styles, with unique spellings', () => {
  for (const style of ['count', 'plain'] as const) {
    const seen = new Set<string>();
    for (let n = 0; n <= 99999; n++) {
      const zh = toChineseNumber(n, { style });
      if (fromChineseNumber(zh) !== n) assert.fail(`${style}: ${n} -> ${zh} -> ${fromChineseNumber(zh)}`);
      seen.add(zh);
    }
    assert.equal(seen.size, 100000);
  }
});

test('parser accepts variants and rejects garbage', () => {
  assert.equal(fromChineseNumber('一十五'), 15);
  assert.equal(fromChineseNumber('二千'), 2000);
  assert.equal(fromChineseNumber('九千九百九十九万九千九百九十九'), 99999999);
  assert.throws(() => fromChineseNumber(''), /fromChineseNumber: empty string/);
  assert.throws(() => fromChineseNumber('三五'), /two digits in a row in "三五"/);
  assert.throws(() => fromChineseNumber('三x'), /unexpected character "x"/);
  assert.throws(() => fromChineseNumber('万'), /万 without a digit/);
  assert.throws(() => toChineseNumber(-1), /toChineseNumber: expected an integer in \[0, 99999999\], got -1/);
  assert.throws(() => toChineseNumber(1.5), /got 1.5/);
});
