/**
 * The lab API with the newer models: a Transformer run's attention maps (every layer and head,
 * their means, the encoder's self-attention), captioning a test scene or an uploaded PNG, and
 * drawing a caption; bad input of each new endpoint.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateScenes } from '../../src/data/digit-scenes-node.js';
import { SCENE_PIXELS } from '../../src/data/digit-scenes.js';
import { grayToRgba, resizeGray } from '../../src/data/scene-image.js';
import type { Lab as LabServer } from '../../src/lab/server-node.js';
import { captionImages } from '../../src/models/caption/search.js';
import { loadCaptionRun } from '../../src/models/caption/train-node.js';
import { drawWithRun, loadText2ImageRun } from '../../src/models/text2image/run-node.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { decodePng, encodePng } from '../../src/viz/png-node.js';
import { getJson, lab, postJson, tempRuns, tinyCaptionRun, tinyDrawRun, tinyRun } from './helpers.js';

const decodeDataUrl = (url: string) => {
  assert.match(url, /^data:image\/png;base64,/);
  return decodePng(Buffer.from(url.slice('data:image/png;base64,'.length), 'base64'));
};
const pngBase64 = (gray: Float32Array, side: number) => encodePng(grayToRgba(gray, side, side)).toString('base64');
const close = (a: number, b: number, tol = 1e-5) => Math.abs(a - b) <= tol;

describe('lab API: Transformer, captioning, text to image', () => {
  let server: LabServer;
  let base: string;
  let runsDir: string;

  before(async () => {
    runsDir = tempRuns('models');
    await tinyRun(runsDir, 'translate-tf', 'transformer');
    await tinyCaptionRun(runsDir, 'caption-t');
    await tinyDrawRun(runsDir, 'draw-t');
    server = await lab(runsDir);
    base = server.url;
  });
  after(async () => {
    await server.close();
  });

  test('the runs are listed with their kinds', async () => {
    const { body } = await getJson(`${base}api/runs`);
    const kinds = Object.fromEntries(body.runs.map((r: any) => [r.name, [r.kind, r.ready]]));
    assert.deepEqual(kinds, { 'translate-tf': ['translation', true], 'caption-t': ['caption', true], 'draw-t': ['text2image', true] });
    assert.match(body.runs.find((r: any) => r.name === 'translate-tf').title, /^transformer, embedded data/);
  });

  test('a Transformer translation sends the cross-attention of each layer and head, their means, and the encoder self-attention', async () => {
    const text = '我有三个苹果。';
    const r = await postJson(`${base}api/translate`, { run: 'translate-tf', text, method: 'beam', beamSize: 3, nBest: 2 });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.model.startsWith('transformer'), true, r.body.model);
    assert.equal(r.body.translations.length, 2);
    for (const t of r.body.translations) {
      const byName = new Map<string, any>(t.attention.map((m: any) => [m.name, m]));
      assert.deepEqual([...byName.keys()], [
        'cross-attention mean of all layers and heads', 'cross-attention layer 1 mean', 'cross-attention layer 1 head 1', 'cross-attention layer 1 head 2',
        'encoder self-attention layer 1 mean', 'encoder self-attention layer 1 head 1', 'encoder self-attention layer 1 head 2',
      ]);
      const target = [...t.tokens, ...(t.finished ? ['</s>'] : [])];
      for (const m of t.attention) {
        const self = m.name.startsWith('encoder');
        assert.equal(m.rowsAre, self ? 'source' : 'target', m.name);
        assert.deepEqual(m.rows, self ? [...text] : target, m.name);
        assert.deepEqual(m.cols, [...text], m.name);
        for (const row of m.weights) assert.ok(close(row.reduce((a: number, b: number) => a + b, 0), 1, 1e-4), `${m.name}: row sums to 1`);
      }
      // a layer's mean is the mean of its heads
      for (const kind of ['cross-attention', 'encoder self-attention']) {
        const mean = byName.get(`${kind} layer 1 mean`).weights;
        const h1 = byName.get(`${kind} layer 1 head 1`).weights;
        const h2 = byName.get(`${kind} layer 1 head 2`).weights;
        mean.forEach((row: number[], i: number) => row.forEach((v, j) => assert.ok(close(v, (h1[i][j] + h2[i][j]) / 2, 1e-5), `${kind} mean [${i}][${j}]`)));
      }
    }
    assert.ok(r.body.beamTree.length > 0);
  });

  test('scenes: the test split, seed 0, as 84x84 PNGs with their captions', async () => {
    const { status, body } = await getJson(`${base}api/scenes`);
    assert.equal(status, 200);
    const want = generateScenes({ split: 'test', n: 12, seed: 0 });
    assert.equal(body.split, 'test');
    assert.deepEqual(body.scenes.map((s: any) => s.caption), want.map((s) => s.caption));
    const img = decodeDataUrl(body.scenes[3].png);
    assert.equal(img.width, 84);
    assert.equal(img.height, 84);
    for (let p = 0; p < SCENE_PIXELS; p += 97) assert.ok(Math.abs(img.rgba[4 * p] / 255 - want[3].image[p]) <= 1 / 255 + 1e-6, `pixel ${p}`);
  });

  test('caption a scene: the model code\'s caption and attention, the true caption, the overlay picture', async () => {
    const { model, vocab } = await loadCaptionRun(join(runsDir, 'caption-t'));
    const scene = generateScenes({ split: 'test', n: 12, seed: 0 })[5];
    for (const search of ['greedy', 'beam'] as const) {
      const r = await postJson(`${base}api/caption`, { run: 'caption-t', scene: 5, search, beamSize: 3 });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const [want] = captionImages(model, vocab, new Tensor(Float32Array.from(scene.image), [1, 1, 84, 84]), { method: search, beamSize: 3 });
      assert.equal(r.body.caption, want.caption, search);
      assert.deepEqual(r.body.words, want.words);
      assert.equal(r.body.reference, scene.caption);
      assert.equal(r.body.attention.length, want.words.length);
      r.body.attention.forEach((row: number[], t: number) => {
        assert.equal(row.length, 9);
        row.forEach((v, i) => assert.ok(close(v, want.attention![t][i]), `word ${t} region ${i}`));
      });
      assert.equal(decodeDataUrl(r.body.image).width, 84);
      assert.ok(decodeDataUrl(r.body.overlay).width > 84 * 3, 'one panel per word, three times the scene');
    }
  });

  test('caption an uploaded PNG: the same caption as the scene it shows; another size is converted and said so', async () => {
    const scene = generateScenes({ split: 'test', n: 12, seed: 0 })[2];
    const byIndex = (await postJson(`${base}api/caption`, { run: 'caption-t', scene: 2, search: 'greedy' })).body;
    const up = await postJson(`${base}api/caption`, { run: 'caption-t', png: `data:image/png;base64,${pngBase64(scene.image, 84)}`, search: 'greedy' });
    assert.equal(up.status, 200, JSON.stringify(up.body));
    assert.equal(up.body.caption, byIndex.caption);
    assert.equal(up.body.reference, null);
    const big = await postJson(`${base}api/caption`, { run: 'caption-t', png: pngBase64(resizeGray(scene.image, 84, 84, 168, 168), 168), search: 'greedy' });
    assert.equal(big.status, 200, JSON.stringify(big.body));
    assert.match(big.body.warnings.join(' '), /converted: .*168/);
  });

  test('caption: bad input is a 4xx naming the problem', async () => {
    const cases: [unknown, number, RegExp][] = [
      [{ run: 'no-such-run', scene: 0 }, 404, /no run 'no-such-run'/],
      [{ run: 'translate-tf', scene: 0 }, 404, /'translate-tf' is not a captioning run/],
      [{ run: '../caption-t', scene: 0 }, 400, /is not allowed/],
      [{ run: 'caption-t' }, 400, /either "scene" .* or "png"/],
      [{ run: 'caption-t', scene: 0, png: 'iVBOR' }, 400, /either "scene" .* or "png"/],
      [{ run: 'caption-t', scene: 12 }, 400, /scene must be an integer from 0 to 11, got 12/],
      [{ run: 'caption-t', scene: 0, search: 'magic' }, 400, /search must be one of greedy, beam, exact/],
      [{ run: 'caption-t', png: Buffer.from('GIF89a not a png at all').toString('base64') }, 415, /not a PNG file/],
      [{ run: 'caption-t', png: 'this is not base64!' }, 400, /not base64/],
      [{ run: 'caption-t', png: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(40, 7)]).toString('base64') }, 400, /damaged PNG/],
    ];
    for (const [body, status, re] of cases) {
      const r = await postJson(`${base}api/caption`, body);
      assert.equal(r.status, status, `${JSON.stringify(body).slice(0, 80)}: ${JSON.stringify(r.body)}`);
      assert.match(r.body.error, re);
    }
    // an upload over the limit (2 MiB by default) is refused before it is read
    const huge = await postJson(`${base}api/caption`, JSON.stringify({ run: 'caption-t', png: 'A'.repeat(3 * 1024 * 1024) }));
    assert.equal(huge.status, 413);
    assert.match(huge.body.error, /over the limit of 2097152 bytes/);
  });

  test('draw: the model code\'s picture and the cells it read; an unknown word is the model\'s clear error', async () => {
    const caption = 'a seven in the top left and a two in the center';
    const r = await postJson(`${base}api/draw`, { run: 'draw-t', caption });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.cells, '7---2----');
    const img = decodeDataUrl(r.body.image);
    assert.deepEqual([img.width, img.height], [84, 84]);
    const { images } = drawWithRun(await loadText2ImageRun(join(runsDir, 'draw-t')), [caption]);
    for (let p = 0; p < SCENE_PIXELS; p += 53) assert.ok(Math.abs(img.rgba[4 * p] / 255 - images[p]) <= 1 / 255 + 1e-6, `pixel ${p}`);
    const cases: [unknown, number, RegExp][] = [
      [{ run: 'draw-t', caption: 'a dragon in the top left' }, 400, /draw: cannot draw "a dragon in the top left": .*unknown word "dragon"/],
      [{ run: 'draw-t', caption: 'a seven in the top' }, 400, /draw: cannot draw/],
      [{ run: 'draw-t', caption: '  ' }, 400, /"caption" must be a non-empty string/],
      [{ run: 'draw-t', caption: 'a one '.repeat(60) }, 400, /at most 300/],
      [{ run: 'caption-t', caption }, 404, /'caption-t' is not a text-to-image run/],
      [{ run: 'nope', caption }, 404, /no run 'nope'/],
    ];
    for (const [body, status, re] of cases) {
      const res = await postJson(`${base}api/draw`, body);
      assert.equal(res.status, status, `${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
      assert.match(res.body.error, re);
    }
  });
});
