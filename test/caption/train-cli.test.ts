import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../src/autograd/index.js';
import { captionScores, sceneCorrect } from '../../src/models/caption/metrics.js';
import { trainCaption, loadCaptionRun } from '../../src/models/caption/train-node.js';
import { runCaption } from '../../src/cli/caption.js';
import { buildProgram } from '../../src/cli/main.js';
import { generateScenes } from '../../src/data/digit-scenes-node.js';
import { writeScenePng } from '../../src/data/scene-png-node.js';
import { decodePng, writePng } from '../../src/viz/png-node.js';
import { parseCells } from '../../src/data/digit-scenes.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'caption-'));
const TINY = { channels: [4, 8, 8], embSize: 8, hiddenSize: 16, attentionSize: 8 };
const QUICK = { batchSize: 8, stepsPerEpoch: 3, epochs: 1, validScenes: 8, testScenes: 8, beamSize: 2, log: () => {} };

test('caption scores: BLEU-4, exact match, scene accuracy in any order, attention accuracy from the argmax cell', () => {
  const refs = [
    { caption: 'a seven in the top left and a two in the center', cells: parseCells('7---2----') },
    { caption: 'a one in the bottom right', cells: parseCells('--------1') },
  ];
  const onehot = (c: number) => Array.from({ length: 9 }, (_, i) => (i === c ? 0.9 : 0.0125));
  const w = (s: string) => s.split(' ');
  const hyps = [
    // right pairs, other order; attention: "two" looks at the center (right), "seven" at the top right (wrong)
    { words: w('a two in the center and a seven in the top left'), attention: w('a two in the center and a seven in the top left').map((word) => onehot(word === 'two' ? 4 : word === 'seven' ? 2 : 0)) },
    { words: w('a one in the bottom right'), attention: w('a one in the bottom right').map(() => onehot(8)) },
  ];
  const s = captionScores(refs, hyps);
  assert.equal(s.exactMatch, 50);
  assert.equal(s.sceneAccuracy, 100);
  assert.equal(s.digitWords, 3);
  assert.ok(Math.abs(s.attentionAccuracy - 200 / 3) < 1e-9);
  assert.ok(s.bleu > 50 && s.bleu < 100);
  assert.ok(Math.abs(captionScores([refs[1]], [{ words: w('a one in the bottom right'), attention: null }]).bleu - 100) < 1e-9);
  assert.ok(Number.isNaN(captionScores([refs[1]], [{ words: w('a one'), attention: null }]).attentionAccuracy));
  assert.equal(sceneCorrect('a one in the bottom', refs[1].cells), false, 'an unparsable caption is wrong');
  assert.equal(sceneCorrect('a one in the bottom right and a one in the center', refs[1].cells), false, 'an extra digit is wrong');
  assert.throws(() => captionScores(refs, []), /captionScores: 2 references but 0 hypotheses/);
});

test('train caption (quick): run folder, summary with test scores, resume, then caption PNGs from the CLI', async () => {
  const dir = join(tmp(), 'run');
  const s = await trainCaption({ model: 'attention', modelConfig: TINY, out: dir, ...QUICK });
  for (const f of ['model.safetensors', 'config.json', 'metrics.jsonl', 'summary.json', 'last']) assert.ok(existsSync(join(dir, f)), f);
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
  assert.equal(summary.model, 'attention');
  assert.equal(summary.steps, 3);
  for (const k of ['greedy', 'beam2']) {
    for (const m of ['bleu', 'exactMatch', 'sceneAccuracy', 'digitWords', 'scenes']) assert.ok(m in summary.test[k], `${k}.${m}`);
    assert.equal(summary.test[k].scenes, 8);
  }
  assert.deepEqual(s.test.greedy, summary.test.greedy);
  // resume for one more epoch: the metrics file grows by one line
  await trainCaption({ model: 'attention', resume: dir, epochs: 2, log: () => {} });
  assert.equal(readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').length, 2);
  assert.equal(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).steps, 6);

  // caption a scene PNG and a colour, resized copy of it
  const scene = generateScenes({ split: 'test', n: 1, seed: 4 })[0];
  const work = tmp();
  writeScenePng(join(work, 'a.png'), scene.image);
  const big = decodePng(readFileSync(join(work, 'a.png')));
  const w = 168;
  const rgba = new Uint8Array(w * w * 4);
  for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) {
    const v = big.rgba[4 * ((y >> 1) * 84 + (x >> 1))];
    rgba.set([v, Math.round(v * 0.9), v, 255], 4 * (y * w + x));
  }
  writePng(join(work, 'b.png'), { width: w, height: w, rgba });
  const out: string[] = [];
  const warn: string[] = [];
  await runCaption({ run: dir, images: [join(work, 'a.png'), join(work, 'b.png')], search: 'beam', beamSize: 3, json: true, attentionOut: join(work, 'att.png'), out: (l) => out.push(l), warn: (l) => warn.push(l) });
  assert.equal(out.length, 2);
  for (const [i, line] of out.entries()) {
    const j = JSON.parse(line);
    assert.equal(j.image, join(work, i === 0 ? 'a.png' : 'b.png'));
    assert.equal(j.caption, j.words.map((x: { word: string }) => x.word).join(' '));
    for (const x of j.words) assert.ok(x.attention.length === 9 && Math.abs(x.attention.reduce((a: number, b: number) => a + b, 0) - 1) < 1e-3);
  }
  assert.ok(warn.some((l) => l.includes('b.png: colour converted to grayscale; resized from 168x168 to 84x84')), warn.join('\n'));
  assert.ok(!warn.some((l) => /a\.png: (colour|resized|inverted|transparent)/.test(l)), 'an 84x84 gray scene needs no conversion');
  for (const k of [1, 2]) {
    const f = join(work, `att-${k}.png`);
    const words = JSON.parse(out[k - 1]).words.length;
    if (words > 0) assert.ok(decodePng(readFileSync(f)).width > 84, f);
  }

  // the CLI prints one caption per line, the same as the library's first caption
  const lines: string[] = [];
  const log = console.log;
  console.log = (s: string) => lines.push(s);
  try {
    await buildProgram().parseAsync(['node', 'attentive', 'caption', '--run', dir, '--search', 'beam', '--beam-size', '3', join(work, 'a.png')]);
  } finally {
    console.log = log;
  }
  assert.deepEqual(lines, [JSON.parse(out[0]).caption]);

  // bad input: missing run folder, a file that is not a PNG, a non-PNG picture name; nothing written
  await assert.rejects(runCaption({ run: join(work, 'nope'), images: [join(work, 'a.png')] }), /caption: no run folder at .*nope/);
  writeFileSync(join(work, 'x.png'), 'not a png');
  await assert.rejects(runCaption({ run: dir, images: [join(work, 'x.png')], attentionOut: join(work, 'bad.png'), out: () => {}, warn: () => {} }), /readScenePng: .*x\.png is not a PNG file/);
  assert.equal(existsSync(join(work, 'bad.png')), false);
  await assert.rejects(runCaption({ run: dir, images: [join(work, 'a.png')], attentionOut: join(work, 'att.svg') }), /--attention-out must end in .png/);
  await assert.rejects(loadCaptionRun(work), /loadCaptionRun: .*config.json is missing/);
});

test('train caption (quick): Show-and-Tell has no attention to draw', async () => {
  const dir = join(tmp(), 'st');
  const s = await trainCaption({ model: 'show-tell', modelConfig: TINY, out: dir, ...QUICK, beamSize: 0 });
  assert.ok(Number.isNaN(s.test.greedy.attentionAccuracy));
  assert.deepEqual(Object.keys(s.test), ['greedy']);
  const work = tmp();
  writeScenePng(join(work, 'a.png'), generateScenes({ split: 'test', n: 1 })[0].image);
  const out: string[] = [];
  await runCaption({ run: dir, images: [join(work, 'a.png')], json: true, out: (l) => out.push(l), warn: () => {} });
  for (const x of JSON.parse(out[0]).words) assert.equal(x.attention, null);
  await assert.rejects(runCaption({ run: dir, images: [join(work, 'a.png')], attentionOut: join(work, 'a-att.png') }), /Show-and-Tell model, which has no attention/);
});
