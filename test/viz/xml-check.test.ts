import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXml, texts } from './xml-check.js';

// The checker is only useful if it rejects broken documents.
test('xml checker accepts well-formed and rejects malformed documents', () => {
  const ok = parseXml('<svg a="1"><g><text x="1">a &amp; b &lt;c&gt;</text><rect/></g></svg>');
  assert.deepEqual(texts(ok), ['a & b <c>']);
  for (const bad of [
    '<svg><g></svg>',
    '<svg></g></svg>',
    '<svg><text>a & b</text></svg>',
    '<svg><text>a < b</text></svg>',
    '<svg a=1></svg>',
    '<svg a="x" a="y"></svg>',
    '<svg></svg><svg></svg>',
    '<svg><text>&nbsp;</text></svg>',
    '<svg><g>',
  ]) {
    assert.throws(() => parseXml(bad), Error, bad);
  }
});
