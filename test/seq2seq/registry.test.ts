import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import '../../src/autograd/index.js';
import { resolveConfig } from '../../src/models/seq2seq/config.js';
import { PlainSeq2Seq } from '../../src/models/seq2seq/plain.js';
import { createTranslationModel, registerTranslationModel, translationModelKinds } from '../../src/models/translation/registry.js';
import { loadRun } from '../../src/models/translation/run-node.js';
import { translateIds } from '../../src/models/translation/search.js';
import { trainTranslation } from '../../src/models/translation/train-node.js';

const quiet = () => undefined;
const tiny = { hiddenSize: 8, srcEmbSize: 8, tgtEmbSize: 8, dropout: 0.1 };

// A kind registered from outside: the plain LSTM under another name, as a new architecture would be added.
registerTranslationModel('plain-copy', (c) => new PlainSeq2Seq({ ...resolveConfig({ ...c, kind: undefined, model: 'plain' }), kind: 'plain-copy' as never }));

test('registry: builds each kind from its config; old LSTM configs name the kind in `model`; unknown kinds are named', () => {
  assert.deepEqual(translationModelKinds().slice(0, 2), ['plain', 'attention']);
  const p = createTranslationModel({ kind: 'plain', srcVocabSize: 10, tgtVocabSize: 12, ...tiny });
  assert.equal(p.config.kind, 'plain');
  assert.equal(p.attentionMaps([4, 5], [6], true).length, 0);
  const a = createTranslationModel({ model: 'attention', srcVocabSize: 10, tgtVocabSize: 12, ...tiny });
  assert.equal(a.config.kind, 'attention');
  const maps = a.attentionMaps([4, 5, 6], [7, 8], true);
  assert.equal(maps.length, 1);
  assert.deepEqual([maps[0].weights.length, maps[0].weights[0].length], [3, 3]);
  for (const row of maps[0].weights) assert.ok(Math.abs(row.reduce((x, y) => x + y, 0) - 1) < 1e-5);
  assert.throws(() => createTranslationModel({ kind: 'lstm-xl', srcVocabSize: 10, tgtVocabSize: 12 }), /createTranslationModel: unknown model kind 'lstm-xl' \(known: plain, attention, plain-copy/);
  assert.throws(() => registerTranslationModel('plain', () => p), /kind 'plain' is already registered/);
  assert.throws(() => createTranslationModel({ kind: 'plain', model: 'attention', srcVocabSize: 10, tgtVocabSize: 12 }), /kind 'plain' and model 'attention' disagree/);
});

test('a run folder of each kind trains, reloads from its config.json, resumes and translates', async () => {
  for (const kind of ['plain', 'attention', 'plain-copy']) {
    const dir = join(mkdtempSync(join(tmpdir(), 'registry-')), 'run');
    const data = { kind: 'embedded' as const, nPairs: 80, seed: 3 };
    const s1 = await trainTranslation({ data, model: { kind, ...tiny }, epochs: 1, batchSize: 16, out: dir, log: quiet, progress: false, skipFinalEval: true, validBleuSentences: 4 });
    const run = await loadRun(dir);
    assert.equal(run.model.config.kind, kind);
    assert.equal(run.config.model.kind, kind);
    const out = translateIds(run.model, [run.pipeline.encodeSrc('我们').ids], { method: 'beam', beamSize: 3 });
    assert.equal(out.length, 1);
    const s2 = await trainTranslation({ data, resume: dir, epochs: 2, log: quiet, progress: false, skipFinalEval: true });
    assert.ok(s2.steps > s1.steps, `${kind}: resumed`);
    assert.equal(s2.epochs, 2);
  }
});
