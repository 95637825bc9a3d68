/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The lab page in a real browser (Debian's chromium driven by playwright-core): translating with
 * a run trained here, the heatmap and beam tree, a live training run, every view, the model
 * running inside the page, keyboard use, and screenshots at 1280×800 and phone width (saved
 * under test-artifacts/lab/, which git ignores).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { runExperiment } from '../../src/cli/experiment.js';
import { runPretrainCommand } from '../../src/cli/pretrain.js';
import type { Lab } from '../../src/lab/server-node.js';
import { generateScenes } from '../../src/data/digit-scenes-node.js';
import { writeScenePng } from '../../src/data/scene-png-node.js';
import { ARTIFACTS, browserSkip, CHROMIUM, lab, postJson, tempRuns, tinyCaptionRun, tinyDrawRun, tinyRun } from './helpers.js';

const skip = browserSkip();

/** Chromium with a fresh profile folder, nothing that reaches out to the network on its own. */
async function launch(): Promise<BrowserContext> {
  const { chromium } = await import('playwright-core');
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'lab-chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/** The overfitting experiment's files, written directly (its quick run takes a minute). */
function overfittingRun(runsDir: string): void {
  const dir = join(runsDir, 'overfitting-fixture');
  mkdirSync(dir);
  const lines: string[] = [];
  for (const [config, gap] of [['none', 0.3], ['dropout', 0.1], ['l2', 0.15]] as const) {
    for (let epoch = 1; epoch <= 8; epoch++) {
      const train = 1 - 0.5 / epoch;
      lines.push(JSON.stringify({ config, epoch, trainLoss: 1 / epoch, trainAccuracy: train, validLoss: 0.6 + gap * epoch / 8, validAccuracy: train - gap, testAccuracy: train - gap, seconds: 0.1 }));
    }
  }
  writeFileSync(join(dir, 'curves.jsonl'), lines.join('\n') + '\n');
  writeFileSync(join(dir, 'results.json'), JSON.stringify([{ config: 'none', train_accuracy: 0.94, test_accuracy: 0.64, gap: 0.3 }]));
  writeFileSync(join(dir, 'report.md'), '# Overfitting\n');
}

describe('lab page in chromium', { skip }, () => {
  let server: Lab;
  let emptyServer: Lab;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  const requests: string[] = [];
  const pageErrors: string[] = [];

  before(async () => {
    const runsDir = tempRuns('browser');
    await tinyRun(runsDir, 'translate-att');
    await tinyRun(runsDir, 'translate-tf', 'transformer');
    await tinyCaptionRun(runsDir, 'caption-t');
    await tinyDrawRun(runsDir, 'draw-t');
    runExperiment('vanishing', { quick: true, seed: 0, out: join(runsDir, 'vanishing-quick') });
    overfittingRun(runsDir);
    await runPretrainCommand({
      layers: [784, 16], method: 'rbm', epochs: 1, finetuneEpochs: 1, trainSize: 200, finetuneLr: 0.1, k: 1, persistent: false, seed: 0,
      out: join(runsDir, 'pretrain-quick'),
    });
    server = await lab(runsDir);
    emptyServer = await lab(tempRuns('empty'));
    base = server.url;
    context = await launch();
    page = context.pages()[0] ?? await context.newPage();
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(base);
    await page.waitForSelector('body[data-ready="true"]');
  });

  after(async () => {
    await context?.close();
    await server?.close();
    await emptyServer?.close();
  });

  const shot = async (name: string) => {
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  };

  test('translate: a beam search shows the translations, the heatmap and a compact beam tree', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const text = '我有三个苹果。';
    await page.selectOption('#tr-run', 'translate-att');
    await page.fill('#tr-text', text);
    await page.selectOption('#tr-method', 'beam');
    await page.fill('#tr-beam', '3');
    await page.fill('#tr-nbest', '2');
    await page.click('#tr-go');
    await page.waitForSelector('#tr-results li');
    const api = (await postJson(`${base}api/translate`, { run: 'translate-att', text, method: 'beam', beamSize: 3, nBest: 2, lengthPenalty: 1, seed: 0, temperature: 1 })).body;
    const shown = await page.$$eval('#tr-results .text', (els) => els.map((e) => e.textContent));
    assert.deepEqual(shown, api.translations.map((t: any) => t.text || '(empty)'));
    const best = api.translations[0];
    const m = best.attention[0];
    assert.equal(await page.locator('#tr-heatmap tbody td').count(), m.rows.length * m.cols.length);
    assert.deepEqual(await page.$$eval('#tr-heatmap thead th', (els) => els.map((e) => e.textContent)), [...text]);
    assert.equal(await page.isHidden('#tr-map-row'), true, 'one map: no layer/head selector');
    // hovering an output word shades the source characters by its attention weights
    await page.hover('#tr-heatmap tbody tr:nth-child(1) th');
    const weights = await page.$$eval('#tr-source span', (els) => els.map((e) => Number((e as HTMLElement).dataset.weight)));
    weights.forEach((w, j) => assert.ok(Math.abs(w - m.weights[0][j]) < 1e-3, `source ${j}: ${w} vs ${m.weights[0][j]}`));
    // the tree: kept hypotheses by default, pruned candidates on demand
    const kept = api.beamTree.filter((n: any) => n.kept !== false || n.inFinal).length;
    assert.equal(await page.locator('#tr-tree g.nodes > g.node').count(), kept);
    const box = await page.locator('#tr-tree svg').boundingBox();
    assert.ok(box && box.height < 400, `compact tree height ${box?.height}`);
    // the same from the keyboard: focusing an output word shades the source by its row
    await page.focus('#tr-heatmap tbody tr:nth-child(2) th');
    const focused = await page.$$eval('#tr-source span', (els) => els.map((e) => Number((e as HTMLElement).dataset.weight)));
    focused.forEach((w, j) => assert.ok(Math.abs(w - m.weights[1][j]) < 1e-3, `focus, source ${j}`));
    await shot('translate-1280');
    await page.check('#tr-pruned');
    assert.equal(await page.locator('#tr-tree g.nodes > g.node').count(), api.beamTree.length);
    await page.uncheck('#tr-pruned');
    // choosing the second hypothesis shows its own attention
    await page.click('#tr-results li:nth-child(2) button');
    assert.equal(await page.getAttribute('#tr-results li:nth-child(2) button', 'aria-pressed'), 'true');
    assert.equal(await page.locator('#tr-heatmap tbody tr').count(), api.translations[1].attention[0].rows.length);
  });

  test('translate: a run with several attention maps (layers, heads) gets a layer/head selector', async () => {
    // The API sends a list of named maps; a Transformer run sends one per layer and head.
    await page.route('**/api/translate', async (route) => {
      const res = await route.fetch();
      const body = await res.json();
      for (const t of body.translations) {
        const m = t.attention[0];
        t.attention = [0, 1].flatMap((layer) => [0, 1].map((head) => ({
          ...m, name: `layer ${layer + 1}, head ${head + 1}`,
          weights: m.weights.map((row: number[]) => row.map((_: number, j: number) => (j === (layer * 2 + head) % row.length ? 1 : 0))),
        })));
      }
      await route.fulfill({ response: res, json: body });
    });
    try {
      await page.selectOption('#tr-method', 'greedy');
      await page.click('#tr-go');
      await page.waitForSelector('#tr-map-row:not([hidden])');
      assert.deepEqual(await page.$$eval('#tr-map option', (els) => els.map((e) => e.textContent)),
        ['layer 1, head 1', 'layer 1, head 2', 'layer 2, head 1', 'layer 2, head 2']);
      const hot = () => page.$$eval('#tr-heatmap tbody tr:first-child td', (els) => els.findIndex((e) => e.textContent === '100'));
      assert.equal(await hot(), 0);
      await page.selectOption('#tr-map', '2');
      assert.equal(await hot(), 2);
      assert.match(await page.textContent('#tr-heatmap .hint') ?? '', /^layer 2, head 1:/);
    } finally {
      await page.unroute('**/api/translate');
    }
  });

  test('translate: greedy hides the beam controls and the tree; a bad run answer is shown as an error', async () => {
    await page.selectOption('#tr-method', 'greedy');
    assert.equal(await page.isHidden('#tr-beam'), true);
    await page.click('#tr-go');
    await page.waitForFunction(() => document.querySelectorAll('#tr-results li').length === 1);
    assert.equal(await page.isHidden('#tr-tree-box'), true);
    await page.fill('#tr-text', '');
    await page.click('#tr-go');
    await page.waitForSelector('#tr-error:not([hidden])');
    assert.match(await page.textContent('#tr-error') ?? '', /"text" must be a non-empty string/);
    await page.fill('#tr-text', '我有三个苹果。');
  });

  test('tabs work from the keyboard', async () => {
    await page.focus('#tab-translate');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.getAttribute('#tab-train', 'aria-selected'), 'true');
    assert.equal(await page.isVisible('#view-train'), true);
    assert.equal(await page.isHidden('#view-translate'), true);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'tab-train');
    await page.keyboard.press('End');
    assert.equal(await page.getAttribute('#tab-browser', 'aria-selected'), 'true');
    await page.keyboard.press('Home');
    assert.equal(await page.getAttribute('#tab-translate', 'aria-selected'), 'true');
    // every form control has an accessible name
    const unnamed = await page.$$eval('input, select, textarea, button', (els) => els
      .filter((e) => !(e as HTMLElement).closest('[hidden]'))
      .filter((e) => {
        const id = e.id;
        const label = (id && document.querySelector(`label[for="${id}"]`)) || e.closest('label');
        return !label && !e.getAttribute('aria-label') && !(e.tagName === 'BUTTON' && e.textContent?.trim());
      }).map((e) => e.outerHTML.slice(0, 80)));
    assert.deepEqual(unnamed, []);
  });

  test('train: a short run updates its charts live and finishes as a new run', async () => {
    await page.click('#tab-train');
    await page.selectOption('#train-recipe', 'translate-embedded');
    await page.fill('#param-pairs', '400');
    await page.fill('#param-hidden', '8');
    await page.fill('#param-epochs', '3');
    await page.fill('#param-batchSize', '32');
    await page.evaluate(() => {
      const w = window as unknown as { chartDraws: number[] };
      w.chartDraws = [];
      new MutationObserver(() => {
        w.chartDraws.push(document.querySelectorAll('#chart-loss svg path, #chart-loss svg polyline').length);
      }).observe(document.getElementById('chart-loss')!, { childList: true, subtree: true });
    });
    await page.click('#train-start');
    await page.waitForSelector('#train-job:not([hidden])');
    assert.equal(await page.isEnabled('#train-stop'), true);
    await page.waitForFunction(() => /Finished|failed|Stopped/.test(document.getElementById('train-state')?.textContent ?? ''), null, { timeout: 90_000 });
    assert.match(await page.textContent('#train-state') ?? '', /^Finished: translate-/);
    const draws = await page.evaluate(() => (window as unknown as { chartDraws: number[] }).chartDraws);
    assert.ok(draws.filter((n) => n > 0).length >= 2, `the loss chart was redrawn as events came: ${draws.join(',')}`);
    assert.equal(await page.locator('#chart-bleu svg').count(), 1);
    assert.equal(await page.locator('#chart-lr svg').count(), 1);
    assert.equal(await page.getAttribute('#train-progress', 'value'), '1');
    await shot('train-1280');
    // the new run is offered for translation
    await page.waitForFunction(() => [...document.querySelectorAll('#tr-run option')].some((o) => /^translate-\d/.test((o as HTMLOptionElement).value)));
  });

  test('look inside: vanishing gradients, overfitting curves, RBM filters', async () => {
    await page.click('#tab-inside');
    await page.selectOption('#inside-run', 'vanishing-quick');
    await page.waitForSelector('#inside-out .inside-grid svg');
    // the profile plus one per-layer chart per ticked setting (sigmoid+sgd and relu+he+sgd)
    await page.waitForFunction(() => document.querySelectorAll('#inside-out .chart svg').length === 3);
    assert.deepEqual(await page.$$eval('#inside-out .toggles input:checked', (els) => els.map((e) => (e as HTMLInputElement).value)), ['sigmoid+sgd', 'relu+he+sgd']);
    await shot('inside-vanishing-1280');
    await page.check('#inside-out .toggles input[value="tanh+sgd"]');
    await page.waitForFunction(() => document.querySelectorAll('#inside-out .chart svg').length === 4);
    await page.selectOption('#inside-run', 'overfitting-fixture');
    await page.waitForFunction(() => document.querySelectorAll('#inside-out .chart svg').length === 2);
    assert.match(await page.textContent('#inside-out table.rows') ?? '', /none/);
    await shot('inside-overfitting-1280');
    await page.selectOption('#inside-run', 'pretrain-quick');
    await page.waitForSelector('#inside-out img');
    await page.waitForFunction(() => [...document.querySelectorAll('#inside-out img')].every((i) => (i as HTMLImageElement).naturalWidth > 0));
    assert.equal(await page.locator('#inside-out img').count(), 2);
    await shot('inside-pretrain-1280');
  });

  test('translate: a Transformer run: the selector switches between the cross-attention of each head, their means and the encoder self-attention', async () => {
    await page.click('#tab-translate');
    const text = '我有三个苹果。';
    await page.selectOption('#tr-run', 'translate-tf');
    await page.fill('#tr-text', text);
    await page.selectOption('#tr-method', 'greedy');
    await page.click('#tr-go');
    await page.waitForSelector('#tr-map-row:not([hidden])');
    const api = (await postJson(`${base}api/translate`, { run: 'translate-tf', text, method: 'greedy' })).body;
    const maps = api.translations[0].attention;
    assert.deepEqual(await page.$$eval('#tr-map option', (els) => els.map((e) => e.textContent)), maps.map((m: any) => m.name));
    const cells = () => page.$$eval('#tr-heatmap tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => Number(/: ([\d.]+)$/.exec(td.getAttribute('title') ?? '')![1]))));
    const rowLabels = () => page.$$eval('#tr-heatmap tbody th', (els) => els.map((e) => e.textContent));
    for (const i of [0, 2, 3, 5]) {
      await page.selectOption('#tr-map', String(i));
      const m = maps[i];
      assert.match(await page.textContent('#tr-heatmap .hint') ?? '', new RegExp(`^${m.name}: rows are ${m.rowsAre === 'source' ? 'source tokens' : 'output words'}`));
      assert.deepEqual(await rowLabels(), m.rows, m.name);
      const shown = await cells();
      shown.forEach((row, r) => row.forEach((v, c) => assert.ok(Math.abs(v - m.weights[r][c]) < 1e-3, `${m.name} [${r}][${c}]`)));
    }
    // the two heads differ, so switching really changes the picture
    await page.selectOption('#tr-map', '2');
    const head1 = await cells();
    await page.selectOption('#tr-map', '3');
    assert.notDeepEqual(await cells(), head1);
    await page.selectOption('#tr-map', '5');
    await shot('translate-transformer-1280');
    await page.selectOption('#tr-run', 'translate-att');
    await page.selectOption('#tr-method', 'beam');
  });

  test('caption: pick a test scene, caption it, see each word\'s attention on the 3x3 grid; upload a PNG; a bad upload is an error', async () => {
    await page.click('#tab-caption');
    assert.equal(await page.isHidden('#caption-empty'), true);
    await page.waitForFunction(() => document.querySelectorAll('#cap-scenes button').length === 12);
    await page.click('#cap-scenes button:nth-child(4)');
    assert.equal(await page.getAttribute('#cap-scenes button:nth-child(4)', 'aria-pressed'), 'true');
    await page.selectOption('#cap-search', 'beam');
    await page.fill('#cap-beam', '3');
    await page.click('#cap-go');
    await page.waitForSelector('#cap-out:not([hidden])');
    const api = (await postJson(`${base}api/caption`, { run: 'caption-t', scene: 3, search: 'beam', beamSize: 3 })).body;
    assert.equal(await page.textContent('#cap-text'), api.caption || '(empty caption)');
    assert.match(await page.textContent('#cap-meta') ?? '', new RegExp(`test scene 4, whose true caption is “${api.reference}”`));
    assert.deepEqual(await page.$$eval('#cap-words button', (els) => els.map((e) => e.textContent)), api.words);
    const grid = () => page.$$eval('#cap-grid div', (els) => els.map((e) => Number((e as HTMLElement).dataset.weight)));
    (await grid()).forEach((w, i) => assert.ok(Math.abs(w - api.attention[0][i]) < 1e-3, `word 0 region ${i}`));
    await page.hover('#cap-words button:nth-child(2)');
    (await grid()).forEach((w, i) => assert.ok(Math.abs(w - api.attention[1][i]) < 1e-3, `word 1 region ${i}`));
    await page.focus('#cap-words button:nth-child(3)');
    assert.equal(await page.getAttribute('#cap-words button:nth-child(3)', 'aria-pressed'), 'true');
    (await grid()).forEach((w, i) => assert.ok(Math.abs(w - api.attention[2][i]) < 1e-3, `word 2 region ${i}`));
    assert.match(await page.getAttribute('#cap-scene', 'aria-label') ?? '', new RegExp(`the word “${api.words[2]}” attends most to the (top|middle|bottom) (left|center|right) region`));
    await page.click('#cap-panels-box summary');
    await page.waitForFunction(() => (document.getElementById('cap-panels') as HTMLImageElement).naturalWidth > 252);
    await shot('caption-1280');
    // an uploaded PNG (here scene 8 written to a file) gives the caption of that scene
    const dir = mkdtempSync(join(tmpdir(), 'lab-upload-'));
    const png = join(dir, 'my-scene.png');
    writeScenePng(png, generateScenes({ split: 'test', n: 12, seed: 0 })[7].image);
    await page.setInputFiles('#cap-file', png);
    await page.selectOption('#cap-search', 'greedy');
    const sent = page.waitForRequest((r) => r.url().endsWith('/api/caption'));
    await page.click('#cap-go');
    assert.match((await sent).postDataJSON().png, /^data:image\/png;base64,/);
    await page.waitForFunction(() => /your PNG my-scene\.png/.test(document.getElementById('cap-meta')?.textContent ?? ''));
    const byScene = (await postJson(`${base}api/caption`, { run: 'caption-t', scene: 7, search: 'greedy' })).body;
    assert.equal(await page.textContent('#cap-text'), byScene.caption || '(empty caption)');
    assert.equal(await page.$$eval('#cap-scenes button[aria-pressed="true"]', (els) => els.length), 0);
    const notPng = join(dir, 'notes.png');
    writeFileSync(notPng, 'just text');
    await page.setInputFiles('#cap-file', notPng);
    await page.click('#cap-go');
    await page.waitForSelector('#cap-error:not([hidden])');
    assert.match(await page.textContent('#cap-error') ?? '', /not a PNG file/);
    assert.equal(await page.isHidden('#cap-out'), true, 'no caption of an earlier image beside the error');
    await page.click('#cap-scenes button:nth-child(1)');
  });

  test('draw: type a caption and see the drawn scene; an unknown word shows the model\'s error', async () => {
    await page.click('#tab-caption');
    await page.selectOption('#draw-run', 'draw-t');
    await page.fill('#draw-text', 'a three in the bottom right');
    await page.click('#draw-go');
    await page.waitForSelector('#draw-out:not([hidden])');
    await page.waitForFunction(() => (document.getElementById('draw-image') as HTMLImageElement).naturalWidth === 84);
    assert.match(await page.textContent('#draw-cells') ?? '', /read as cells --------3/);
    await page.fill('#draw-text', 'a unicorn in the top left');
    await page.click('#draw-go');
    await page.waitForSelector('#draw-error:not([hidden])');
    assert.match(await page.textContent('#draw-error') ?? '', /unknown word "unicorn"/);
    assert.equal(await page.isHidden('#draw-out'), true);
    await page.fill('#draw-text', 'a three in the bottom right');
    await page.click('#draw-go');
    await page.waitForSelector('#draw-out:not([hidden])');
    await shot('caption-draw-1280');
  });

  test('sampling: temperature, top-k and top-p reach the server and the samples come back ranked', async () => {
    await page.click('#tab-translate');
    await page.selectOption('#tr-method', 'sample');
    assert.equal(await page.isVisible('#tr-topp'), true);
    await page.fill('#tr-nbest', '3');
    await page.fill('#tr-temp', '0.7');
    await page.fill('#tr-topk', '5');
    await page.fill('#tr-topp', '0.9');
    await page.fill('#tr-seed', '4');
    const sent = page.waitForRequest((r) => r.url().endsWith('/api/translate'));
    await page.click('#tr-go');
    const body = (await sent).postDataJSON();
    assert.deepEqual({ method: body.method, nBest: body.nBest, temperature: body.temperature, topK: body.topK, topP: body.topP, seed: body.seed },
      { method: 'sample', nBest: 3, temperature: 0.7, topK: 5, topP: 0.9, seed: 4 });
    await page.waitForFunction(() => document.querySelectorAll('#tr-results li').length === 3);
    const lps = await page.$$eval('#tr-results .lp', (els) => els.map((e) => Number(/log p (-?[\d.]+)/.exec(e.textContent ?? '')![1])));
    assert.deepEqual(lps, [...lps].sort((a, b) => b - a));
    await page.selectOption('#tr-method', 'beam');
  });

  test('in the browser: the page loads the run and translates on its own, as the server does', async () => {
    await page.click('#tab-browser');
    await page.selectOption('#br-run', 'translate-att');
    await page.click('#br-load');
    await page.waitForFunction(() => /^Loaded/.test(document.getElementById('br-status')?.textContent ?? ''), null, { timeout: 30_000 });
    assert.match(await page.textContent('#br-status') ?? '', /parameters .* on the js backend in this page/);
    const before = requests.length;
    const text = '他昨天在学校看了两本书。';
    await page.fill('#br-text', text);
    await page.click('#br-go');
    await page.waitForSelector('#br-text-out');
    assert.equal(requests.length, before, 'translating in the page makes no request');
    const server = (await postJson(`${base}api/translate`, { run: 'translate-att', text, method: 'greedy' })).body.translations[0].text;
    assert.equal(await page.textContent('#br-text-out'), server || '(empty)');
    await shot('browser-1280');
    // the Transformer runs in the page too (the bundle holds every registered kind)
    await page.selectOption('#br-run', 'translate-tf');
    await page.click('#br-load');
    await page.waitForFunction(() => /^Loaded translate-tf/.test(document.getElementById('br-status')?.textContent ?? ''), null, { timeout: 30_000 });
    await page.click('#br-go');
    assert.match(await page.textContent('#br-status') ?? '', /parameters .* on the js backend in this page/);
    const tf = (await postJson(`${base}api/translate`, { run: 'translate-tf', text, method: 'greedy' })).body.translations[0].text;
    assert.equal(await page.textContent('#br-text-out'), tf || '(empty)');
  });

  test('phone width: every view fits 390 pixels without sideways scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const tab of ['translate', 'train', 'inside', 'caption', 'browser']) {
      await page.click(`#tab-${tab}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${tab}: ${overflow} px too wide`);
      await shot(`${tab}-390`);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  test('no runs yet: a clear hint that points to the Train tab', async () => {
    const p = await context.newPage();
    await p.goto(emptyServer.url);
    await p.waitForSelector('body[data-ready="true"]');
    assert.match(await p.textContent('#runs-hint') ?? '', /No runs yet in .*Train.*npx attentive train translate/s);
    assert.equal(await p.isDisabled('#tr-go'), true);
    await p.click('#tab-caption');
    assert.match(await p.textContent('#caption-empty') ?? '', /No captioning runs yet, and no text-to-image runs/);
    assert.equal(await p.isHidden('#cap-box'), true);
    assert.equal(await p.isHidden('#draw-box'), true);
    await p.click('#tab-translate');
    await p.screenshot({ path: join(ARTIFACTS, 'empty-1280.png'), fullPage: true });
    await p.click('#hint-train');
    assert.equal(await p.getAttribute('#tab-train', 'aria-selected'), 'true');
    await p.close();
  });

  test('the page asked only its own server and threw no errors', () => {
    const own = [base, emptyServer.url];
    assert.deepEqual(requests.filter((u) => !own.some((b) => u.startsWith(b))), []);
    assert.deepEqual(pageErrors, []);
  });
});
