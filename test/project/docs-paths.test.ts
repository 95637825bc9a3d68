/** Docs name files by paths that work in any clone (`../shared/data/tatoeba`, `runs/...`), never one machine's. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

test('README and docs/ use no absolute paths of one machine', () => {
  const root = resolve(import.meta.dirname, '../..');
  const files = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];
  const bad: string[] = [];
  for (const f of files) {
    readFileSync(join(root, f), 'utf8').split('\n').forEach((line, i) => {
      if (/(^|[\s`'"(=:])\/(work|tmp|home|root|Users|mnt)\//.test(line)) bad.push(`${f}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(bad, []);
});
