/**
 * The lab page: five views over the server's JSON API (src/lab/api.ts holds the shapes). Charts,
 * beam trees and colours come from attentive's own browser-safe renderers in src/viz.
 */
import type {
  AttentionMap, CaptionResponse, DrawResponse, SceneInfo, InsideData, JobStatus, LabEvent, Recipe, RunInfo, TranslateResponse, TranslationOut,
} from '../src/lab/api.js';
import { beamTreeSvg } from '../src/viz/beam-tree.js';
import { contrastText, rgbHex, viridis } from '../src/viz/colormap.js';
import { linePlotSvg, type LineSeries } from '../src/viz/line-plot.js';
import { seriesColor } from '../src/viz/svg.js';
import { loadBrowserTranslator, type BrowserTranslator } from './browser-model.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`lab page: no element #${id}`);
  return el as T;
};

function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...kids: (Node | string)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.append(...kids);
  return el;
}

async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`/api/${path}`, init);
  const body = await res.json().catch(() => ({ error: `${res.status} ${res.statusText}` }));
  if (!res.ok) throw new Error((body as { error?: string }).error ?? `${res.status} ${res.statusText}`);
  return body as T;
}

const post = <T>(path: string, body: unknown): Promise<T> => api<T>(path, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
});

function showError(id: string, err: unknown): void {
  const box = $(id);
  if (err === null) {
    box.hidden = true;
    box.textContent = '';
    return;
  }
  box.hidden = false;
  box.textContent = err instanceof Error ? err.message : String(err);
}

function fillSelect(sel: HTMLSelectElement, items: { value: string; label: string; group?: string }[], empty: string): void {
  const keep = sel.value;
  sel.replaceChildren();
  if (items.length === 0) {
    sel.append(h('option', { value: '' }, empty));
    sel.disabled = true;
    return;
  }
  sel.disabled = false;
  const groups = new Map<string, HTMLElement>();
  for (const it of items) {
    const opt = h('option', { value: it.value }, it.label);
    if (it.group) {
      if (!groups.has(it.group)) {
        const g = h('optgroup', { label: it.group });
        groups.set(it.group, g);
        sel.append(g);
      }
      groups.get(it.group)!.append(opt);
    } else sel.append(opt);
  }
  if (items.some((it) => it.value === keep)) sel.value = keep;
}

/** A chart from attentive's line-plot renderer, or a note while there is nothing to draw. */
function drawChart(el: HTMLElement, series: LineSeries[], opts: Parameters<typeof linePlotSvg>[1], emptyText: string): void {
  const usable = series.filter((s) => Array.from(s.y).some((v) => Number.isFinite(v)));
  if (usable.length === 0) {
    el.replaceChildren(h('p', { class: 'empty' }, emptyText));
    return;
  }
  el.innerHTML = linePlotSvg(usable, { width: 560, height: 300, ...opts });
  const svg = el.querySelector('svg');
  if (svg) {
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', `${opts?.title ?? 'chart'}: ${usable.map((s) => `${s.name}, ${s.y.length} points, last ${Number(s.y[s.y.length - 1]).toPrecision(4)}`).join('; ')}`);
  }
}

// ------------------------------------------------------------------------------------------
// Tabs (WAI-ARIA tabs: arrow keys move between tabs, Home/End jump)

const TABS = ['translate', 'train', 'inside', 'caption', 'browser'] as const;
type Tab = (typeof TABS)[number];

function selectTab(tab: Tab, focus = false): void {
  for (const t of TABS) {
    const btn = $(`tab-${t}`);
    const on = t === tab;
    btn.setAttribute('aria-selected', String(on));
    btn.tabIndex = on ? 0 : -1;
    $(`view-${t}`).hidden = !on;
    if (on && focus) btn.focus();
  }
  if (location.hash !== `#${tab}`) history.replaceState(null, '', `#${tab}`);
}

function setupTabs(): void {
  TABS.forEach((t, i) => {
    const btn = $(`tab-${t}`);
    btn.addEventListener('click', () => selectTab(t));
    btn.addEventListener('keydown', (e) => {
      const k = e.key;
      let j = -1;
      if (k === 'ArrowRight') j = (i + 1) % TABS.length;
      else if (k === 'ArrowLeft') j = (i - 1 + TABS.length) % TABS.length;
      else if (k === 'Home') j = 0;
      else if (k === 'End') j = TABS.length - 1;
      if (j >= 0) {
        e.preventDefault();
        selectTab(TABS[j], true);
      }
    });
  });
  const fromHash = location.hash.slice(1) as Tab;
  selectTab(TABS.includes(fromHash) ? fromHash : 'translate');
}

// ------------------------------------------------------------------------------------------
// Runs

let runs: RunInfo[] = [];
let runsDir = '';

async function refreshRuns(): Promise<void> {
  const r = await api<{ runsDir: string; runs: RunInfo[] }>('runs');
  runs = r.runs;
  runsDir = r.runsDir;
  const hint = $('runs-hint');
  if (runs.length === 0) {
    hint.hidden = false;
    hint.replaceChildren(
      `No runs yet in ${runsDir}. Start one from the `, h('a', { href: '#train', id: 'hint-train' }, 'Train'), ' tab, or from a terminal: ',
      h('code', {}, `npx attentive train translate --data embedded --model attention --max-minutes 5 --out ${runsDir}/translate-first`),
      ' (then reload this page).',
    );
    $('hint-train').addEventListener('click', (e) => {
      e.preventDefault();
      selectTab('train', true);
    });
  } else hint.hidden = true;
  const translation = runs.filter((x) => x.kind === 'translation' && x.ready);
  fillSelect($<HTMLSelectElement>('tr-run'), translation.map((x) => ({ value: x.name, label: `${x.name} — ${x.title}${x.training ? ' (training)' : ''}` })),
    'no translation runs yet: train one in the Train tab');
  $<HTMLButtonElement>('tr-go').disabled = translation.length === 0;
  const inBrowser = translation.filter((x) => x.srcTokenizer === 'char');
  fillSelect($<HTMLSelectElement>('br-run'), inBrowser.map((x) => ({ value: x.name, label: `${x.name} — ${x.title}` })), 'no translation runs yet: train one in the Train tab');
  $<HTMLButtonElement>('br-load').disabled = inBrowser.length === 0;
  const insideKinds: Record<string, string> = {
    vanishing: 'Vanishing gradients', overfitting: 'Overfitting', pretrain: 'RBM / autoencoder pretraining', pretraining: 'Pretraining experiment',
    'data-size': 'Data size', translation: 'Translation training curves',
  };
  const inside = runs.filter((x) => x.kind in insideKinds);
  inside.sort((a, b) => Number(a.kind === 'translation') - Number(b.kind === 'translation'));
  const sel = $<HTMLSelectElement>('inside-run');
  const before = sel.value;
  fillSelect(sel, inside.map((x) => ({ value: x.name, label: `${x.name} — ${x.title}`, group: insideKinds[x.kind] })), 'no runs to look inside yet');
  const empty = $('inside-empty');
  const experiments = inside.filter((x) => x.kind !== 'translation');
  empty.hidden = experiments.length > 0;
  empty.textContent = 'No experiment runs yet. In the Train tab, start “Experiment: vanishing” (sigmoid against ReLU gradients), “Experiment: overfitting” or “RBM pretraining”; or run npx attentive experiment vanishing --quick.';
  if (sel.value && sel.value !== before) void showInside(sel.value);
  if (!sel.value) $('inside-out').replaceChildren();
  renderCaption();
}

// ------------------------------------------------------------------------------------------
// Translate

let lastTranslation: TranslateResponse | null = null;
let chosen = 0;

function updateMethodFields(): void {
  const m = $<HTMLSelectElement>('tr-method').value;
  for (const label of document.querySelectorAll<HTMLElement>('#tr-form [data-for]')) {
    label.hidden = !label.dataset.for!.split(' ').includes(m);
  }
}

function numberField(id: string): number | undefined {
  const v = $<HTMLInputElement>(id).value.trim();
  return v === '' ? undefined : Number(v);
}

async function translate(e: Event): Promise<void> {
  e.preventDefault();
  showError('tr-error', null);
  const run = $<HTMLSelectElement>('tr-run').value;
  const method = $<HTMLSelectElement>('tr-method').value;
  const body = {
    run, text: $<HTMLTextAreaElement>('tr-text').value, method,
    beamSize: numberField('tr-beam'), lengthPenalty: numberField('tr-lp'),
    nBest: method === 'greedy' ? 1 : Math.min(numberField('tr-nbest') ?? 1, method === 'beam' ? numberField('tr-beam') ?? 5 : 10),
    temperature: numberField('tr-temp'), topK: numberField('tr-topk') || undefined, seed: numberField('tr-seed'),
    topP: method === 'sample' && (numberField('tr-topp') ?? 1) < 1 ? numberField('tr-topp') : undefined,
  };
  const btn = $<HTMLButtonElement>('tr-go');
  btn.disabled = true;
  btn.textContent = 'Translating…';
  try {
    lastTranslation = await post<TranslateResponse>('translate', body);
    chosen = 0;
    renderTranslation();
  } catch (err) {
    showError('tr-error', err);
  } finally {
    btn.disabled = false;
    btn.textContent = 'Translate';
  }
}

function renderTranslation(): void {
  const r = lastTranslation!;
  $('tr-out').hidden = false;
  const warn = $('tr-warnings');
  warn.hidden = r.warnings.length === 0;
  warn.textContent = r.warnings.join('; ');
  const list = $('tr-results');
  list.replaceChildren(...r.translations.map((t, i) => {
    const b = h('button', { type: 'button', 'aria-pressed': String(i === chosen), class: 'hyp' },
      h('span', { class: 'text' }, t.text || '(empty)'),
      h('span', { class: 'lp' }, `log p ${t.logProb.toFixed(3)}${r.method === 'beam' ? `, score ${t.score.toFixed(3)}` : ''}${t.finished ? '' : ', cut at the length limit'}`));
    b.setAttribute('aria-label', `${t.text}, log probability ${t.logProb.toFixed(3)}${i === chosen ? ', attention shown' : ''}`);
    b.addEventListener('click', () => {
      chosen = i;
      renderTranslation();
      (list.querySelectorAll('button')[i] as HTMLButtonElement).focus();
    });
    return h('li', {}, b);
  }));
  const t = r.translations[chosen];
  renderAttentionMaps(t, r);
  const treeBox = $('tr-tree-box');
  treeBox.hidden = !r.beamTree;
  if (r.beamTree) renderTree();
}

function renderAttentionMaps(t: TranslationOut | undefined, r: TranslateResponse): void {
  const sel = $<HTMLSelectElement>('tr-map');
  const maps = t?.attention ?? [];
  $('tr-map-row').hidden = maps.length <= 1;
  fillSelect(sel, maps.map((m, i) => ({ value: String(i), label: m.name })), 'none');
  const source = $('tr-source');
  source.replaceChildren(...r.source.tokens.map((tok, i) => h('span', { 'data-index': String(i) }, tok)));
  if (maps.length === 0) {
    $('tr-att-hint').textContent = `This run (${r.model}) has no attention to show: a plain encoder–decoder reads the source into one vector.`;
    $('tr-heatmap').replaceChildren();
    return;
  }
  $('tr-att-hint').textContent = 'Hover or focus a row to shade the source characters it attends to.';
  renderHeatmap(maps[Number(sel.value) || 0]);
}

function shadeSource(weights: number[] | null): void {
  for (const span of document.querySelectorAll<HTMLElement>('#tr-source span')) {
    const w = weights ? weights[Number(span.dataset.index)] ?? 0 : 0;
    span.style.background = weights ? `rgba(227, 98, 9, ${w.toFixed(3)})` : '';
    span.dataset.weight = weights ? w.toFixed(3) : '';
  }
}

function renderHeatmap(m: AttentionMap): void {
  const table = h('table', { class: 'heatmap' });
  const rowsAre = m.rowsAre === 'source' ? 'source tokens (each attends over the whole source)' : 'output words';
  table.setAttribute('aria-label', `Attention weights (${m.name}): rows are ${rowsAre}, columns source characters`);
  table.append(h('thead', {}, h('tr', {}, h('td', {}), ...m.cols.map((c) => h('th', { scope: 'col' }, c)))));
  const body = h('tbody');
  m.rows.forEach((row, i) => {
    const label = h('th', { scope: 'row', tabindex: '0' }, row);
    const tr = h('tr', {}, label, ...m.weights[i].map((w, j) => {
      const c = viridis(w);
      const td = h('td', { title: `${row} → ${m.cols[j]}: ${w.toFixed(3)}` }, w >= 0.1 ? (w * 100).toFixed(0) : '');
      td.style.background = rgbHex(c);
      td.style.color = contrastText(c);
      return td;
    }));
    const on = () => {
      for (const other of body.querySelectorAll('tr.active')) other.classList.remove('active');
      tr.classList.add('active');
      shadeSource(m.weights[i]);
    };
    const off = () => {
      tr.classList.remove('active');
      shadeSource(null);
    };
    tr.addEventListener('mouseenter', on);
    tr.addEventListener('mouseleave', off);
    label.addEventListener('focus', on);
    label.addEventListener('blur', off);
    label.setAttribute('aria-label', `${row}: attends most to ${m.cols[m.weights[i].indexOf(Math.max(...m.weights[i]))]}`);
    body.append(tr);
  });
  table.append(body);
  $('tr-heatmap').replaceChildren(h('p', { class: 'hint' }, `${m.name}: rows are ${rowsAre}, columns source characters; each row sums to 1 (numbers in %).`), table);
}

function renderTree(): void {
  const r = lastTranslation;
  if (!r?.beamTree) return;
  const pruned = $<HTMLInputElement>('tr-pruned').checked;
  const box = $('tr-tree');
  box.innerHTML = beamTreeSvg(r.beamTree, { pruned });
  const kept = r.beamTree.filter((n) => n.kept !== false).length;
  box.setAttribute('aria-label', `Beam search tree: ${kept} kept hypotheses${pruned ? ` and ${r.beamTree.length - kept} pruned candidates` : ''}; best path highlighted`);
}

// ------------------------------------------------------------------------------------------
// Train

let recipes: Recipe[] = [];
let job: JobStatus | null = null;
let source: EventSource | null = null;
const curves = {
  loss: { x: [] as number[], y: [] as number[] },
  validLoss: { x: [] as number[], y: [] as number[] },
  trainLossEpoch: { x: [] as number[], y: [] as number[] },
  bleu: { x: [] as number[], y: [] as number[] },
  lr: { x: [] as number[], y: [] as number[] },
};
let drawQueued = false;

function renderParams(): void {
  const r = recipes.find((x) => x.id === $<HTMLSelectElement>('train-recipe').value);
  $('train-desc').textContent = r?.description ?? '';
  const box = $('train-params');
  box.replaceChildren(...(r?.params ?? []).map((p) => {
    const id = `param-${p.key}`;
    let input: HTMLElement;
    if (p.type === 'choice') {
      input = h('select', { id, name: p.key }, ...p.choices!.map((c) => h('option', { value: c }, c)));
      (input as HTMLSelectElement).value = String(p.default);
    } else {
      input = h('input', {
        id, name: p.key, type: p.type === 'file' ? 'text' : 'number', value: String(p.default),
        ...(p.min !== undefined ? { min: String(p.min) } : {}), ...(p.max !== undefined ? { max: String(p.max) } : {}),
        ...(p.type === 'number' ? { step: 'any' } : {}),
      });
    }
    if (p.help) input.setAttribute('title', p.help);
    return h('label', { for: id }, p.label, input);
  }));
}

function trainParams(): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const el of document.querySelectorAll<HTMLInputElement | HTMLSelectElement>('#train-params [name]')) {
    out[el.name] = el instanceof HTMLInputElement && el.type === 'number' ? Number(el.value) : el.value;
  }
  return out;
}

async function startTraining(e: Event): Promise<void> {
  e.preventDefault();
  showError('train-error', null);
  try {
    const status = await post<JobStatus>('train', { recipe: $<HTMLSelectElement>('train-recipe').value, params: trainParams() });
    follow(status);
  } catch (err) {
    showError('train-error', err);
  }
}

function queueDraw(): void {
  if (drawQueued) return;
  drawQueued = true;
  requestAnimationFrame(() => {
    drawQueued = false;
    drawCharts();
  });
}

function drawCharts(): void {
  drawChart($('chart-loss'), [
    { name: 'training loss', ...curves.loss, color: seriesColor(0) },
    { name: 'validation loss', ...curves.validLoss, color: seriesColor(1) },
  ], { xLabel: 'epoch', yLabel: 'cross-entropy' }, 'waiting for the first steps…');
  drawChart($('chart-bleu'), [{ name: 'valid BLEU', ...curves.bleu, color: seriesColor(2) }], { xLabel: 'epoch', yLabel: 'BLEU' }, 'after the first epoch');
  drawChart($('chart-lr'), [{ name: 'learning rate', ...curves.lr, color: seriesColor(3) }], { xLabel: 'epoch', yLabel: 'lr' }, 'waiting for the first steps…');
}

let clock: ReturnType<typeof setInterval> | undefined;

function duration(seconds: number): string {
  return seconds < 90 ? `${Math.max(1, Math.round(seconds))} s` : `${Math.round(seconds / 60)} min`;
}

function describeState(s: JobStatus): string {
  const pct = `${Math.round(s.fraction * 100)} %`;
  switch (s.state) {
    case 'running': {
      if (s.fraction === 0) return `Running ${s.recipe} into ${s.run} for ${duration((Date.now() - s.started) / 1000)}…`;
      const eta = s.etaSeconds === null ? '' : `, about ${duration(s.etaSeconds)} left`;
      return `Training ${s.recipe} into ${s.run}: ${pct}${eta}`;
    }
    case 'done': return `Finished: ${s.run} is ready (see Translate and Look inside).`;
    case 'stopped': return `Stopped at ${pct}: ${s.run} keeps what it saved so far.`;
    case 'failed': return `Training failed: ${s.error ?? 'unknown error'}`;
  }
}

function showStatus(s: JobStatus): void {
  job = s;
  $('train-state').textContent = describeState(s);
  $<HTMLProgressElement>('train-progress').value = s.fraction;
  $<HTMLButtonElement>('train-stop').disabled = s.state !== 'running';
  $<HTMLButtonElement>('train-start').disabled = s.state === 'running';
  if (s.state === 'failed') showError('train-error', new Error(`Training failed: ${s.error ?? 'unknown error'}. The lab is still running; fix the settings and start again.`));
}

function follow(s: JobStatus): void {
  source?.close();
  for (const c of Object.values(curves)) {
    c.x.length = 0;
    c.y.length = 0;
  }
  $('train-log').textContent = '';
  $('train-job').hidden = false;
  // Translation recipes report loss, BLEU and lr; the others only log lines.
  const charts = s.recipe.startsWith('translate-');
  $('train-charts').hidden = !charts;
  $('train-nochart').hidden = charts;
  $('train-nochart').textContent = /^(caption|text2image)-/.test(s.recipe)
    ? 'This recipe reports its progress in the log below; when it finishes, its run appears in Caption / draw.'
    : 'This recipe reports its progress in the log below; its pictures appear in Look inside when it finishes.';
  ($('train-log-box') as HTMLDetailsElement).open = !charts;
  showStatus(s);
  drawCharts();
  clearInterval(clock);
  clock = setInterval(() => {
    if (job?.state === 'running') showStatus(job);
    else clearInterval(clock);
  }, 1000);
  const es = new EventSource(`/api/jobs/${encodeURIComponent(s.id)}/events`);
  source = es;
  const on = (type: LabEvent['type'], fn: (e: any) => void) => es.addEventListener(type, (m) => fn(JSON.parse((m as MessageEvent).data)));
  on('progress', (e: Extract<LabEvent, { type: 'progress' }>) => {
    if (!job) return;
    job.fraction = e.fraction;
    const elapsed = (Date.now() - job.started) / 1000;
    job.etaSeconds = e.fraction > 0 ? elapsed * (1 - e.fraction) / e.fraction : null;
    showStatus(job);
    if (e.epoch !== undefined && e.step !== undefined && e.stepsPerEpoch) {
      const x = e.epoch - 1 + e.step / e.stepsPerEpoch;
      if (e.loss !== undefined) {
        curves.loss.x.push(x);
        curves.loss.y.push(e.loss);
      }
      if (e.lr !== undefined) {
        curves.lr.x.push(x);
        curves.lr.y.push(e.lr);
      }
      queueDraw();
    }
  });
  on('epoch', (e: Extract<LabEvent, { type: 'epoch' }>) => {
    const x = e.epoch;
    curves.validLoss.x.push(x);
    curves.validLoss.y.push(e.validLoss);
    if (e.validBleu !== null) {
      curves.bleu.x.push(x);
      curves.bleu.y.push(e.validBleu);
    }
    queueDraw();
  });
  on('log', (e: { line: string }) => {
    const pre = $('train-log');
    pre.textContent = (pre.textContent + e.line + '\n').slice(-20000);
  });
  on('state', (e: { status: JobStatus }) => {
    showStatus(e.status);
    if (e.status.state !== 'running') {
      es.close();
      void refreshRuns();
    }
  });
  es.onerror = () => {
    if (job?.state !== 'running') es.close();
  };
}

async function stopTraining(): Promise<void> {
  if (!job) return;
  try {
    showStatus(await post<JobStatus>(`jobs/${encodeURIComponent(job.id)}/stop`, {}));
  } catch (err) {
    showError('train-error', err);
  }
}

// ------------------------------------------------------------------------------------------
// Look inside

function rowsTable(rows: unknown[]): HTMLElement {
  const list = rows as Record<string, unknown>[];
  if (list.length === 0) return h('p', { class: 'hint' }, 'no results table in this run');
  const cols = Object.keys(list[0]);
  const fmt = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(2) : v.toPrecision(4)) : String(v));
  return h('div', { class: 'scroll' }, h('table', { class: 'rows' },
    h('thead', {}, h('tr', {}, ...cols.map((c) => h('th', { scope: 'col' }, c.replace(/_/g, ' '))))),
    h('tbody', {}, ...list.map((r) => h('tr', {}, ...cols.map((c) => h('td', {}, fmt(r[c]))))))));
}

function figure(caption: string): { fig: HTMLElement; chart: HTMLElement } {
  const chart = h('div', { class: 'chart' });
  return { fig: h('figure', {}, chart, h('figcaption', {}, caption)), chart };
}

function toggles(names: string[], on: (n: string) => boolean, label: string, redraw: (selected: string[]) => void): HTMLElement {
  const box = h('fieldset', { class: 'toggles' }, h('legend', {}, label));
  const boxes = names.map((n) => {
    const cb = h('input', { type: 'checkbox', value: n });
    cb.checked = on(n);
    cb.addEventListener('change', () => redraw(boxes.filter((b) => b.checked).map((b) => b.value)));
    box.append(h('label', {}, cb, ` ${n}`));
    return cb;
  });
  queueMicrotask(() => redraw(boxes.filter((b) => b.checked).map((b) => b.value)));
  return box;
}

async function showInside(name: string): Promise<void> {
  const out = $('inside-out');
  out.replaceChildren(h('p', { class: 'hint' }, 'loading…'));
  let d: InsideData;
  try {
    d = await api<InsideData>(`runs/${encodeURIComponent(name)}/inside`);
  } catch (err) {
    out.replaceChildren(h('p', { class: 'error', role: 'alert' }, (err as Error).message));
    return;
  }
  const files = `/api/runs/${encodeURIComponent(name)}/files/`;
  if (d.kind === 'vanishing') {
    const profile = figure('Mean gradient norm per layer (layer 1 is next to the input): the sigmoid net’s gradient shrinks towards the input, ReLU’s does not');
    const perLayer = h('div', { class: 'inside-grid' });
    const names = d.configs.map((c) => c.name);
    const draw = (selected: string[]) => {
      const cs = d.kind === 'vanishing' ? d.configs.filter((c) => selected.includes(c.name)) : [];
      drawChart(profile.chart, cs.map((c) => ({
        name: c.name, x: c.layers.map((_, i) => i + 1),
        y: c.gradNorm.map((row) => row.filter(Number.isFinite).reduce((a, b) => a + b, 0) / Math.max(1, row.filter(Number.isFinite).length)),
        color: seriesColor(names.indexOf(c.name)),
      })), { xLabel: 'layer', yLabel: '‖∂L/∂W‖', logY: true }, 'choose a setting');
      perLayer.replaceChildren(profile.fig, ...cs.map((c) => {
        const f = figure(`${c.name}: gradient norm of every layer over training (darker = nearer the input)`);
        drawChart(f.chart, c.gradNorm.map((row, i) => {
          const shade = viridis(i / Math.max(1, c.layers.length - 1));
          return { name: `layer ${i + 1}`, x: c.steps, y: row, color: rgbHex(shade) };
        }), { xLabel: 'step', yLabel: '‖∂L/∂W‖', logY: true }, 'no gradient records');
        return f.fig;
      }));
    };
    out.replaceChildren(
      h('p', {}, 'Gradient norms recorded per layer while a deep MLP trains on MNIST. With sigmoid units and plain SGD the gradient reaching the first layers is orders of magnitude smaller than the last layer’s.'),
      toggles(names, (n) => n === 'sigmoid+sgd' || n.startsWith('relu'), 'Settings', draw), perLayer, h('h3', {}, 'Results'), rowsTable(d.rows));
    return;
  }
  if (d.kind === 'overfitting') {
    const acc = figure('Train (dashed) and test (solid) accuracy per epoch');
    const loss = figure('Training (dashed) and validation (solid) loss per epoch');
    const names = d.curves.map((c) => c.config);
    const draw = (selected: string[]) => {
      const cs = d.kind === 'overfitting' ? d.curves.filter((c) => selected.includes(c.config)) : [];
      drawChart(acc.chart, cs.flatMap((c) => [
        { name: `${c.config} train`, x: c.epoch, y: c.trainAccuracy, color: seriesColor(names.indexOf(c.config)), dashed: true },
        { name: `${c.config} test`, x: c.epoch, y: c.testAccuracy, color: seriesColor(names.indexOf(c.config)) },
      ]), { xLabel: 'epoch', yLabel: 'accuracy' }, 'choose a remedy');
      drawChart(loss.chart, cs.flatMap((c) => [
        { name: `${c.config} train`, x: c.epoch, y: c.trainLoss, color: seriesColor(names.indexOf(c.config)), dashed: true },
        { name: `${c.config} valid`, x: c.epoch, y: c.validLoss.map((v) => v ?? NaN), color: seriesColor(names.indexOf(c.config)) },
      ]), { xLabel: 'epoch', yLabel: 'cross-entropy' }, 'choose a remedy');
    };
    out.replaceChildren(
      h('p', {}, 'An MLP on a small MNIST training set: without a remedy the training accuracy races ahead of the test accuracy. Tick remedies to compare.'),
      toggles(names, (n) => n === 'none' || n === 'dropout', 'Remedies', draw), h('div', { class: 'inside-grid' }, acc.fig, loss.fig), h('h3', {}, 'Results'), rowsTable(d.rows));
    return;
  }
  if (d.kind === 'pretrain') {
    out.replaceChildren(
      h('p', {}, 'The first layer’s filters (each hidden unit’s weights over the 28×28 pixels) and, for RBMs, samples drawn by Gibbs sampling from the first RBM.'),
      h('div', { class: 'inside-grid' }, ...d.images.map((im) => h('figure', {},
        h('img', { src: files + im.file, alt: `${im.name} of run ${name}` }), h('figcaption', {}, im.name)))),
    );
    return;
  }
  if (d.kind === 'translation') {
    const m = d.metrics as { epoch: number; trainLoss: number; validLoss: number; validBleuGreedy: number; lr: number }[];
    const loss = figure('Training and validation loss per epoch');
    const bleu = figure('Validation BLEU (greedy) per epoch');
    out.replaceChildren(h('div', { class: 'inside-grid' }, loss.fig, bleu.fig));
    const x = m.map((r) => r.epoch);
    drawChart(loss.chart, [
      { name: 'training loss', x, y: m.map((r) => r.trainLoss), color: seriesColor(0) },
      { name: 'validation loss', x, y: m.map((r) => r.validLoss), color: seriesColor(1) },
    ], { xLabel: 'epoch', yLabel: 'cross-entropy' }, 'no epochs recorded');
    drawChart(bleu.chart, [{ name: 'valid BLEU', x, y: m.map((r) => r.validBleuGreedy ?? NaN), color: seriesColor(2) }], { xLabel: 'epoch', yLabel: 'BLEU' }, 'no BLEU recorded');
    return;
  }
  out.replaceChildren(rowsTable(d.rows), h('div', { class: 'inside-grid' }, ...d.pictures.map((p) => h('figure', {},
    h('img', { src: files + p, alt: `${p} of run ${name}` }), h('figcaption', {}, p)))));
}

// ------------------------------------------------------------------------------------------
// Caption / draw

let scenes: SceneInfo[] | null = null;
/** The chosen input: a scene index, or an uploaded PNG as a data URL. */
let capInput: { scene: number } | { png: string; name: string } = { scene: 0 };
let lastCaption: CaptionResponse | null = null;

function renderCaption(): void {
  const caption = runs.filter((r) => r.kind === 'caption' && r.ready);
  const draw = runs.filter((r) => r.kind === 'text2image' && r.ready);
  const empty = $('caption-empty');
  empty.hidden = caption.length > 0 && draw.length > 0;
  empty.textContent = caption.length === 0 && draw.length === 0
    ? 'No captioning runs yet, and no text-to-image runs. Train them in the Train tab (“Captioning, quick”, “Text to image, quick”) or with npx attentive train caption and npx attentive train text2image; then pick or upload a digit scene here to see its caption with the attention of each word over the image, or type a caption to see it drawn.'
    : caption.length === 0
      ? 'No captioning runs yet: train one in the Train tab (“Captioning, quick”) or with npx attentive train caption.'
      : 'No text-to-image runs yet: train one in the Train tab (“Text to image, quick”) or with npx attentive train text2image.';
  $('cap-box').hidden = caption.length === 0;
  $('draw-box').hidden = draw.length === 0;
  fillSelect($<HTMLSelectElement>('cap-run'), caption.map((x) => ({ value: x.name, label: `${x.name}${x.training ? ' (training)' : ''}` })), 'no captioning runs');
  fillSelect($<HTMLSelectElement>('draw-run'), draw.map((x) => ({ value: x.name, label: `${x.name}${x.training ? ' (training)' : ''}` })), 'no text-to-image runs');
  if (caption.length > 0 && scenes === null) void loadScenes();
}

async function loadScenes(): Promise<void> {
  scenes = [];
  try {
    scenes = (await api<{ scenes: SceneInfo[] }>('scenes')).scenes;
  } catch (err) {
    scenes = null;
    showError('cap-error', err);
    return;
  }
  const box = $('cap-scenes');
  box.replaceChildren(...scenes.map((sc) => {
    const b = h('button', { type: 'button', 'aria-pressed': String(sc.index === 0), 'aria-label': `Scene ${sc.index + 1}: ${sc.caption}`, title: sc.caption, 'data-index': String(sc.index) },
      h('img', { src: sc.png, alt: '' }));
    b.addEventListener('click', () => chooseScene(sc.index));
    return b;
  }));
}

function chooseScene(index: number): void {
  capInput = { scene: index };
  $<HTMLInputElement>('cap-file').value = '';
  for (const b of document.querySelectorAll<HTMLElement>('#cap-scenes button')) b.setAttribute('aria-pressed', String(Number(b.dataset.index) === index));
}

/** The file being read, awaited by a Caption click that comes before the read ends. */
let upload: Promise<void> = Promise.resolve();

function readUpload(): void {
  const file = $<HTMLInputElement>('cap-file').files?.[0];
  if (!file) return;
  upload = new Promise<void>((done) => {
    const reader = new FileReader();
    reader.onload = () => {
      capInput = { png: String(reader.result), name: file.name };
      for (const b of document.querySelectorAll('#cap-scenes button')) b.setAttribute('aria-pressed', 'false');
      done();
    };
    reader.onerror = () => {
      showError('cap-error', new Error(`cannot read ${file.name}`));
      done();
    };
    reader.readAsDataURL(file);
  });
}

async function captionScene(e: Event): Promise<void> {
  e.preventDefault();
  showError('cap-error', null);
  const go = $<HTMLButtonElement>('cap-go');
  go.disabled = true;
  try {
    await upload;
    const r = await post<CaptionResponse>('caption', {
      run: $<HTMLSelectElement>('cap-run').value, ...capInput, search: $<HTMLSelectElement>('cap-search').value, beamSize: numberField('cap-beam'),
    });
    lastCaption = r;
    renderCaptionResult(r);
  } catch (err) {
    // the caption on screen belongs to an earlier input: do not leave it beside the error
    $('cap-out').hidden = true;
    showError('cap-error', err);
  } finally {
    go.disabled = false;
  }
}

function renderCaptionResult(r: CaptionResponse): void {
  $('cap-out').hidden = false;
  $('cap-text').textContent = r.caption || '(empty caption)';
  const from = 'name' in capInput ? `your PNG ${capInput.name}` : `test scene ${capInput.scene + 1}, whose true caption is “${r.reference}”`;
  $('cap-meta').textContent = `${r.model}; log p ${r.logProb.toFixed(3)}; the image: ${from}.`;
  const warn = $('cap-warnings');
  warn.hidden = r.warnings.length === 0;
  warn.textContent = r.warnings.join(' · ');
  $<HTMLImageElement>('cap-image').src = r.image;
  const words = $('cap-words');
  words.replaceChildren(...r.words.map((w, t) => {
    const b = h('button', { type: 'button', 'aria-pressed': 'false', 'data-index': String(t) }, w);
    const on = () => showWordAttention(t);
    b.addEventListener('mouseenter', on);
    b.addEventListener('focus', on);
    b.addEventListener('click', on);
    return b;
  }));
  $('cap-words-hint').textContent = r.attention
    ? 'Hover, focus or click a word to shade the regions it attends to (opacity and numbers: its weight in %; the outline marks the largest).'
    : 'This run has no attention (Show and Tell reads the image once, as one vector).';
  $('cap-panels-box').hidden = !r.overlay;
  if (r.overlay) $<HTMLImageElement>('cap-panels').src = r.overlay;
  showWordAttention(r.attention && r.words.length > 0 ? 0 : -1);
}

function showWordAttention(t: number): void {
  const r = lastCaption;
  const grid = $('cap-grid');
  const w = r?.attention && t >= 0 ? r.attention[t] : null;
  for (const b of document.querySelectorAll<HTMLElement>('#cap-words button')) b.setAttribute('aria-pressed', String(Number(b.dataset.index) === t));
  const max = w ? Math.max(...w) : 0;
  grid.replaceChildren(...Array.from({ length: 9 }, (_, i) => {
    const v = w ? w[i] : 0;
    const cell = h('div', { 'data-weight': w ? v.toFixed(4) : '' }, w && v >= 0.01 ? (v * 100).toFixed(0) : '');
    if (w) {
      cell.style.background = `rgba(255, 140, 0, ${(0.85 * v).toFixed(3)})`;
      if (v === max) cell.classList.add('max');
    }
    return cell;
  }));
  if (r && w) {
    const best = w.indexOf(max);
    $('cap-scene').setAttribute('aria-label', `The scene; the word “${r.words[t]}” attends most to the ${['top', 'middle', 'bottom'][Math.floor(best / 3)]} ${['left', 'center', 'right'][best % 3]} region (${(max * 100).toFixed(0)} %)`);
  }
}

async function drawCaption(e: Event): Promise<void> {
  e.preventDefault();
  showError('draw-error', null);
  const go = $<HTMLButtonElement>('draw-go');
  go.disabled = true;
  try {
    const r = await post<DrawResponse>('draw', { run: $<HTMLSelectElement>('draw-run').value, caption: $<HTMLInputElement>('draw-text').value });
    $('draw-out').hidden = false;
    const img = $<HTMLImageElement>('draw-image');
    img.src = r.image;
    img.alt = `Drawn by ${r.run}: ${r.caption}`;
    $('draw-cells').textContent = `“${r.caption}”, read as cells ${r.cells} (row-major from the top left, - = empty)`;
  } catch (err) {
    $('draw-out').hidden = true;
    showError('draw-error', err);
  } finally {
    go.disabled = false;
  }
}

function setupCaption(): void {
  $('cap-form').addEventListener('submit', (e) => void captionScene(e));
  $('cap-file').addEventListener('change', readUpload);
  const search = $<HTMLSelectElement>('cap-search');
  const beamField = () => {
    $('cap-beam-label').hidden = search.value !== 'beam';
  };
  search.addEventListener('change', beamField);
  beamField();
  $('draw-form').addEventListener('submit', (e) => void drawCaption(e));
}

// ------------------------------------------------------------------------------------------
// In the browser

let browserModel: BrowserTranslator | null = null;

async function loadInBrowser(): Promise<void> {
  showError('br-error', null);
  const name = $<HTMLSelectElement>('br-run').value;
  const status = $('br-status');
  status.textContent = `Loading ${name}…`;
  $<HTMLButtonElement>('br-go').disabled = true;
  const t0 = performance.now();
  try {
    browserModel = await loadBrowserTranslator(`/api/runs/${encodeURIComponent(name)}/files/`);
    status.textContent = `Loaded ${name} in ${((performance.now() - t0) / 1000).toFixed(2)} s: ${browserModel.parameters.toLocaleString('en')} parameters ` +
      `(${(browserModel.bytes / 1024).toFixed(0)} KiB of safetensors), running on the ${browserModel.backend} backend in this page.`;
    $<HTMLButtonElement>('br-go').disabled = false;
  } catch (err) {
    status.textContent = '';
    showError('br-error', err);
  }
}

function translateInBrowser(e: Event): void {
  e.preventDefault();
  showError('br-error', null);
  if (!browserModel) return;
  try {
    const r = browserModel.translate($<HTMLTextAreaElement>('br-text').value);
    const out = $('br-out');
    out.replaceChildren(h('strong', { id: 'br-text-out' }, r.text || '(empty)'), ` — greedy, log p ${r.logProb.toFixed(3)}, ${r.milliseconds.toFixed(0)} ms in this page`);
  } catch (err) {
    showError('br-error', err);
  }
}

// ------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  setupTabs();
  setupCaption();
  updateMethodFields();
  $('tr-method').addEventListener('change', updateMethodFields);
  $('tr-form').addEventListener('submit', (e) => void translate(e));
  $('tr-map').addEventListener('change', () => {
    const t = lastTranslation?.translations[chosen];
    const m = t?.attention[Number($<HTMLSelectElement>('tr-map').value)];
    if (m) renderHeatmap(m);
  });
  $('tr-pruned').addEventListener('change', renderTree);
  $('train-form').addEventListener('submit', (e) => void startTraining(e));
  $('train-stop').addEventListener('click', () => void stopTraining());
  $('train-recipe').addEventListener('change', renderParams);
  $('inside-run').addEventListener('change', () => void showInside($<HTMLSelectElement>('inside-run').value));
  $('br-load').addEventListener('click', () => void loadInBrowser());
  $('br-form').addEventListener('submit', translateInBrowser);
  try {
    recipes = (await api<{ recipes: Recipe[] }>('recipes')).recipes;
    fillSelect($<HTMLSelectElement>('train-recipe'), recipes.map((r) => ({ value: r.id, label: r.title })), 'no recipes');
    renderParams();
    await refreshRuns();
    const current = (await api<{ job: JobStatus | null }>('jobs/current')).job;
    if (current?.state === 'running') follow(current);
  } catch (err) {
    const hint = $('runs-hint');
    hint.hidden = false;
    hint.textContent = `The lab server did not answer: ${(err as Error).message}`;
  }
  document.body.dataset.ready = 'true';
}

void main();
