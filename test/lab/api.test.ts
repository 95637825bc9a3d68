import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { translateLines } from '../../src/cli/translate.js';
import type { LabEvent } from '../../src/lab/api.js';
import { startLab, type Lab } from '../../src/lab/server-node.js';
import { getJson, lab, postJson, ROOT, tempRuns, tinyRun } from './helpers.js';

/** A raw GET that sends the path exactly as written (fetch would normalise '..'). */
function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const u = new URL(base);
  return new Promise((ok, fail) => {
    const req = request({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => ok({ status: res.statusCode!, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

/** Reads a job's server-sent events until its state leaves 'running' (or the time limit). */
async function eventsUntilEnd(base: string, jobId: string, ms = 90_000): Promise<LabEvent[]> {
  const res = await fetch(`${base}api/jobs/${jobId}/events`, { signal: AbortSignal.timeout(ms) });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const events: LabEvent[] = [];
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const data = block.split('\n').find((l) => l.startsWith('data: '));
      if (data) events.push(JSON.parse(data.slice(6)));
    }
  }
  return events;
}

async function waitForState(base: string, states: string[], ms = 60_000): Promise<any> {
  const t0 = Date.now();
  for (;;) {
    const { body } = await getJson(`${base}api/jobs/current`);
    if (body.job && states.includes(body.job.state)) return body.job;
    if (Date.now() - t0 > ms) throw new Error(`job still ${body.job?.state} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('lab API', () => {
  let server: Lab;
  let base: string;
  let runsDir: string;

  before(async () => {
    runsDir = tempRuns('api');
    await tinyRun(runsDir, 'translate-att');
    await tinyRun(runsDir, 'translate-plain', 'plain', 1);
    server = await lab(runsDir);
    base = server.url;
  });
  after(async () => {
    await server.close();
  });

  test('binds 127.0.0.1 by default and lists the run folders with their kind', async () => {
    assert.match(base, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const { status, body } = await getJson(`${base}api/runs`);
    assert.equal(status, 200);
    const byName = Object.fromEntries(body.runs.map((r: any) => [r.name, r]));
    assert.deepEqual(Object.keys(byName).sort(), ['translate-att', 'translate-plain']);
    assert.equal(byName['translate-att'].kind, 'translation');
    assert.equal(byName['translate-att'].ready, true);
    assert.match(byName['translate-att'].title, /^attention \(bahdanau\), embedded data/);
    assert.match(byName['translate-plain'].title, /^plain/);
    assert.ok(byName['translate-att'].files.includes('model.safetensors'));
  });

  test('translate (beam): n-best list, one attention map per hypothesis, the search tree; same as the CLI', async () => {
    const text = '我有三个苹果。';
    const { status, body } = await postJson(`${base}api/translate`, { run: 'translate-att', text, method: 'beam', beamSize: 3, nBest: 2 });
    assert.equal(status, 200, JSON.stringify(body));
    assert.deepEqual(body.source.tokens, [...text]);
    assert.equal(body.translations.length, 2);
    const lines: string[] = [];
    await translateLines([text], { run: join(runsDir, 'translate-att'), search: 'beam', beamSize: 3, nBest: 2 }, { out: (s) => lines.push(s), warn: () => {} });
    assert.deepEqual(body.translations.map((t: any) => `${t.logProb.toFixed(3)}\t${t.text}`), lines.map((l) => l.split('\t').slice(1).join('\t')));
    for (const t of body.translations) {
      assert.equal(t.attention.length, 1);
      const m = t.attention[0];
      assert.deepEqual(m.cols, [...text]);
      assert.equal(m.rows.length, t.tokens.length + (t.finished ? 1 : 0));
      assert.equal(m.weights.length, m.rows.length);
      for (const row of m.weights) {
        assert.equal(row.length, text.length);
        assert.ok(Math.abs(row.reduce((a: number, b: number) => a + b, 0) - 1) < 1e-4);
      }
    }
    const tree = body.beamTree;
    assert.ok(Array.isArray(tree) && tree.length > 3);
    assert.equal(tree.filter((n: any) => n.parent === null).length, 1);
    assert.ok(tree.some((n: any) => n.kept === false), 'pruned candidates are sent (the page hides them by default)');
    assert.ok(tree.filter((n: any) => n.inFinal).length >= 2);
  });

  test('translate: greedy, exact and sampling; sampling repeats with its seed; a plain run has no attention', async () => {
    for (const method of ['greedy', 'exact', 'sample']) {
      const { status, body } = await postJson(`${base}api/translate`, { run: 'translate-att', text: '他是学生。', method, nBest: 2, seed: 5 });
      assert.equal(status, 200, `${method}: ${JSON.stringify(body)}`);
      assert.equal(body.translations.length, method === 'greedy' ? 1 : 2);
      assert.equal(body.beamTree, null);
    }
    const a = await postJson(`${base}api/translate`, { run: 'translate-att', text: '他是学生。', method: 'sample', nBest: 3, seed: 9, temperature: 1.5 });
    const b = await postJson(`${base}api/translate`, { run: 'translate-att', text: '他是学生。', method: 'sample', nBest: 3, seed: 9, temperature: 1.5 });
    assert.deepEqual(a.body.translations, b.body.translations);
    const plain = await postJson(`${base}api/translate`, { run: 'translate-plain', text: '他是学生。', method: 'greedy' });
    assert.equal(plain.status, 200);
    assert.deepEqual(plain.body.translations[0].attention, []);
  });

  test('unknown runs and files are 404s that name them', async () => {
    const r = await postJson(`${base}api/translate`, { run: 'no-such-run', text: '我' });
    assert.equal(r.status, 404);
    assert.match(r.body.error, /no run 'no-such-run'/);
    const f = await getJson(`${base}api/runs/translate-att/files/secret.txt`);
    assert.equal(f.status, 404);
    assert.match(f.body.error, /run 'translate-att' has no file 'secret.txt'/);
    const route = await getJson(`${base}api/nothing`);
    assert.equal(route.status, 404);
    const wrong = await fetch(`${base}api/translate`);
    assert.equal(wrong.status, 405);
    assert.match(((await wrong.json()) as { error: string }).error, /GET is not allowed on \/api\/translate \(use POST\)/);
  });

  test('path traversal is rejected in run names, file names and page paths', async () => {
    const outside = join(runsDir, '..', 'outside');
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, 'config.json'), JSON.stringify({ type: 'attentive-translate-run', model: {}, text: {} }));
    symlinkSync(outside, join(runsDir, 'escape'));
    const cases: [string, number[]][] = [
      ['/api/runs/..%2F..%2Fetc/files/passwd', [400]],
      ['/api/runs/%2e%2e/inside', [400, 404]], // the URL parser resolves %2e%2e first: /api/inside
      ['/api/runs/translate-att/files/..%2Fconfig.json', [400]],
      ['/api/runs/translate-att/files/%2e%2e%2f%2e%2e%2fetc%2fpasswd', [400]],
      ['/api/runs/.hidden/inside', [400]],
      ['/api/runs/escape/files/config.json', [403]],
      ['/api/runs/escape/inside', [403]],
      ['/../../etc/passwd', [403, 404]],
      ['/..%2f..%2fpackage.json', [403]],
      ['/%2e%2e/%2e%2e/package.json', [403, 404]],
      ['/api/runs/%E0%A4%A/inside', [400]],
    ];
    for (const [path, codes] of cases) {
      const r = await rawGet(base, path);
      assert.ok(codes.includes(r.status), `${path}: ${r.status} ${r.body}`);
      assert.doesNotMatch(r.body, /root:|"name": "attentive"/, path);
      assert.match(JSON.parse(r.body).error, /./, path);
    }
    const t = await postJson(`${base}api/translate`, { run: '../outside', text: '我' });
    assert.equal(t.status, 400);
    assert.match(t.body.error, /run "..\/outside" is not allowed/);
  });

  test('bodies over the limit get 413; malformed and invalid requests get 400 with the reason', async () => {
    const big = await postJson(`${base}api/translate`, JSON.stringify({ run: 'translate-att', text: '我'.repeat(100), pad: 'x'.repeat(100_000) }));
    assert.equal(big.status, 413);
    assert.match(big.body.error, /over the limit of 65536 bytes/);
    const bad = await postJson(`${base}api/translate`, '{"run": "translate-att", ');
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /not valid JSON/);
    const expect400: [unknown, RegExp][] = [
      [[1, 2], /body must be a JSON object/],
      [{ run: 'translate-att' }, /"text" must be a non-empty string/],
      [{ run: 'translate-att', text: '   ' }, /"text" must be a non-empty string/],
      [{ run: 'translate-att', text: '我'.repeat(301) }, /at most 300/],
      [{ run: 'translate-att', text: '我', method: 'magic' }, /method must be one of greedy, beam, exact, sample/],
      [{ run: 'translate-att', text: '我', beamSize: 0 }, /beamSize must be an integer from 1 to 20, got 0/],
      [{ run: 'translate-att', text: '我', beamSize: 2, nBest: 3 }, /nBest must be an integer from 1 to 2/],
      [{ run: 'translate-att', text: '我', method: 'sample', temperature: 0 }, /temperature must be a number above 0/],
      [{ run: 'translate-att', text: '我', lengthPenalty: 'x' }, /lengthPenalty must be a number/],
    ];
    for (const [body, re] of expect400) {
      const r = await postJson(`${base}api/translate`, body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.match(r.body.error, re);
    }
    const cross = await postJson(`${base}api/translate`, { run: 'translate-att', text: '我' }, { origin: 'http://evil.example' });
    assert.equal(cross.status, 403);
    const recipe = await postJson(`${base}api/train`, { recipe: 'nope' });
    assert.equal(recipe.status, 400);
    assert.match(recipe.body.error, /unknown recipe "nope" \(recipes: translate-embedded/);
    const param = await postJson(`${base}api/train`, { recipe: 'translate-embedded', params: { epochs: 0 } });
    assert.equal(param.status, 400);
    assert.match(param.body.error, /epochs must be an integer from 1 to 100, got 0/);
    const extra = await postJson(`${base}api/train`, { recipe: 'translate-embedded', params: { out: '/etc' } });
    assert.equal(extra.status, 400);
    assert.match(extra.body.error, /has no setting "out"/);
    const file = await postJson(`${base}api/train`, { recipe: 'translate-tatoeba', params: { file: '../../cmn.txt' } });
    assert.equal(file.status, 400);
    assert.match(file.body.error, /file must be a file name inside the runs folder/);
  });

  test('a training job streams progress, epochs and its end; the run folder is an ordinary run', async () => {
    const start = await postJson(`${base}api/train`, {
      recipe: 'translate-embedded', params: { pairs: 200, hidden: 8, epochs: 2, batchSize: 32, maxMinutes: 5 },
    });
    assert.equal(start.status, 202, JSON.stringify(start.body));
    assert.equal(start.body.state, 'running');
    const events = await eventsUntilEnd(base, start.body.id);
    const types = events.map((e) => e.type);
    assert.ok(types.includes('progress'), types.join(' '));
    const epochs = events.filter((e) => e.type === 'epoch');
    assert.deepEqual(epochs.map((e: any) => e.epoch), [1, 2]);
    for (const e of epochs as any[]) assert.ok(Number.isFinite(e.trainLoss) && Number.isFinite(e.validLoss) && e.lr > 0);
    const last = events.at(-1) as any;
    assert.equal(last.type, 'state');
    assert.equal(last.status.state, 'done', JSON.stringify(last));
    assert.equal(last.status.fraction, 1);
    const runs = (await getJson(`${base}api/runs`)).body.runs;
    const run = runs.find((r: any) => r.name === start.body.run);
    assert.ok(run && run.kind === 'translation' && run.ready, JSON.stringify(runs));
    const inside = await getJson(`${base}api/runs/${run.name}/inside`);
    assert.equal(inside.body.kind, 'translation');
    assert.equal(inside.body.metrics.length, 2);
    const tr = await postJson(`${base}api/translate`, { run: run.name, text: '我有三个苹果。', method: 'greedy' });
    assert.equal(tr.status, 200);
    // a late subscriber replays the finished job
    const replay = await eventsUntilEnd(base, start.body.id);
    assert.deepEqual(replay.filter((e) => e.type === 'epoch'), epochs);
  });

  test('pretraining and experiment recipes run into ordinary run folders that Look inside reads', async () => {
    const pre = await postJson(`${base}api/train`, { recipe: 'pretrain', params: { hidden: 8, epochs: 1, trainSize: 100 } });
    assert.equal(pre.status, 202, JSON.stringify(pre.body));
    const preEnd = (await eventsUntilEnd(base, pre.body.id)).at(-1) as any;
    assert.equal(preEnd.status.state, 'done', JSON.stringify(preEnd));
    const inside = await getJson(`${base}api/runs/${pre.body.run}/inside`);
    assert.equal(inside.body.kind, 'pretrain');
    assert.deepEqual(inside.body.images.map((i: any) => i.file), ['filters.png', 'samples.png']);
    const png = await fetch(`${base}api/runs/${pre.body.run}/files/filters.png`);
    assert.equal(png.headers.get('content-type'), 'image/png');
    assert.deepEqual([...new Uint8Array(await png.arrayBuffer()).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);

    const exp = await postJson(`${base}api/train`, { recipe: 'experiment-vanishing', params: { size: 'quick' } });
    assert.equal(exp.status, 202);
    const events = await eventsUntilEnd(base, exp.body.id);
    assert.equal((events.at(-1) as any).status.state, 'done');
    assert.ok(events.some((e) => e.type === 'log' && /sigmoid\+sgd/.test(e.line)));
    const v = (await getJson(`${base}api/runs/${exp.body.run}/inside`)).body;
    assert.equal(v.kind, 'vanishing');
    assert.deepEqual(v.configs.map((c: any) => c.name), ['sigmoid+sgd', 'tanh+sgd', 'relu+he+sgd', 'sigmoid+pretrain+sgd', 'sigmoid+adam']);
    for (const c of v.configs) {
      assert.equal(c.gradNorm.length, c.layers.length);
      for (const row of c.gradNorm) assert.equal(row.length, c.steps.length);
    }
    // with sigmoid and SGD the first layer's gradient is far below the last one's
    const sig = v.configs[0];
    const mean = (r: number[]) => r.reduce((a, b) => a + b, 0) / r.length;
    assert.ok(mean(sig.gradNorm[0]) < mean(sig.gradNorm.at(-1)) / 100);
  });

  test('one training job at a time: a second request gets 409 with the reason; stop ends the first', async () => {
    const first = await postJson(`${base}api/train`, { recipe: 'translate-embedded', params: { pairs: 4000, hidden: 64, epochs: 50, maxMinutes: 5 } });
    assert.equal(first.status, 202);
    const second = await postJson(`${base}api/train`, { recipe: 'translate-embedded', params: { pairs: 200 } });
    assert.equal(second.status, 409);
    assert.match(second.body.error, new RegExp(`a training job is already running \\(translate-embedded into '${first.body.run}'`));
    const stopped = await postJson(`${base}api/jobs/${first.body.id}/stop`, {});
    assert.equal(stopped.status, 200);
    assert.equal(stopped.body.state, 'stopped');
    const after = await postJson(`${base}api/train`, { recipe: 'nope' });
    assert.equal(after.status, 400, 'no longer busy');
    assert.equal((await postJson(`${base}api/jobs/job-999/stop`, {})).status, 404);
    const events = await getJson(`${base}api/jobs/job-999/events`);
    assert.equal(events.status, 404);
    assert.match(events.body.error, /no job 'job-999'/);
  });

  test('a crash in a training job is reported and the server keeps serving', async () => {
    writeFileSync(join(runsDir, 'broken.txt'), 'this line has no tabs\nneither does this one\n');
    const start = await postJson(`${base}api/train`, { recipe: 'translate-tatoeba', params: { file: 'broken.txt', epochs: 1 } });
    assert.equal(start.status, 202, JSON.stringify(start.body));
    const job = await waitForState(base, ['done', 'failed', 'stopped']);
    assert.equal(job.state, 'failed');
    assert.match(job.error, /\S/);
    console.log(`crashed job reported: ${job.error}`);
    assert.equal((await getJson(`${base}api/runs`)).status, 200);
    // a training process that dies without a word
    const second = await postJson(`${base}api/train`, { recipe: 'translate-embedded', params: { pairs: 4000, hidden: 64, epochs: 50 } });
    assert.equal(second.status, 202);
    assert.ok(second.body.pid > 0);
    process.kill(second.body.pid, 'SIGKILL');
    const killed = await waitForState(base, ['done', 'failed', 'stopped']);
    assert.equal(killed.id, second.body.id);
    assert.equal(killed.state, 'failed');
    assert.match(killed.error, /the training process ended unexpectedly \(signal SIGKILL\)/);
    assert.equal((await getJson(`${base}api/runs`)).status, 200);
    const missing = await postJson(`${base}api/train`, { recipe: 'translate-tatoeba', params: { file: 'cmn.txt' } });
    assert.equal(missing.status, 400);
    assert.match(missing.body.error, /no file 'cmn.txt' in the runs folder/);
  });
});

test('a port in use is a clear error', async () => {
  const first = await lab(tempRuns('port'));
  try {
    const port = Number(new URL(first.url).port);
    await assert.rejects(startLab({ runsDir: tempRuns('port2'), port }), new RegExp(`lab: port ${port} on 127.0.0.1 is already in use; choose another with --port`));
  } finally {
    await first.close();
  }
});

test('attentive lab prints its address and a hint when there are no runs', { skip: !existsSync(join(ROOT, 'dist', 'cli', 'main.js')) && 'dist/ not built (npm run build)' }, async () => {
  const runsDir = tempRuns('cli');
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'attentive.js'), 'lab', '--port', '0', '--runs', runsDir], {
    env: { ...process.env, ATTENTIVE_HEAP_FLAGS: '0' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let out = '';
    await new Promise<void>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`no address printed: ${out}`)), 30_000);
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('Ctrl-C')) {
          clearTimeout(timer);
          ok();
        }
      });
      child.on('exit', (code) => fail(new Error(`lab exited with ${code}: ${out}`)));
    });
    const url = /attentive lab: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1];
    assert.ok(url, out);
    assert.match(out, /no runs yet; start one from the Train tab/);
    const { status, body } = await getJson(`${url}api/runs`);
    assert.equal(status, 200);
    assert.deepEqual(body.runs, []);
    // the compiled training process (dist/lab/worker-node.js) runs a job too
    const job = await postJson(`${url}api/train`, { recipe: 'translate-embedded', params: { pairs: 200, hidden: 8, epochs: 1, batchSize: 32 } });
    assert.equal(job.status, 202);
    const done = await waitForState(url!, ['done', 'failed', 'stopped']);
    assert.equal(done.state, 'done', JSON.stringify(done));
    assert.equal((await getJson(`${url}api/runs`)).body.runs[0].name, job.body.run);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
});
