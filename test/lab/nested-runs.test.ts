import assert from 'node:assert/strict';
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Lab } from '../../src/lab/server-node.js';
import { getJson, lab, postJson, tempRuns, tinyRun } from './helpers.js';

// `attentive start` writes its models one level down (runs/start-<stamp>/{attention,plain,transformer}):
// the lab lists them as 'group~run' and serves them like any other run.
describe('runs inside a group folder', () => {
  let server: Lab;
  let base: string;
  before(async () => {
    const runsDir = tempRuns('nested');
    await tinyRun(runsDir, 'translate-att');
    mkdirSync(join(runsDir, 'start-1'));
    cpSync(join(runsDir, 'translate-att'), join(runsDir, 'start-1', 'attention'), { recursive: true });
    mkdirSync(join(runsDir, 'start-1', 'notes'));
    server = await lab(runsDir);
    base = server.url;
  });
  after(() => server.close());

  test('are listed as group~run and translate as the same run does at the top level', async () => {
    const runs = await getJson(`${base}api/runs`);
    assert.deepEqual(runs.body.runs.map((r: { name: string }) => r.name).sort(), ['start-1~attention', 'translate-att']);
    const text = '我有三个苹果。';
    const top = await postJson(`${base}api/translate`, { run: 'translate-att', text, method: 'beam', beamSize: 3 });
    const nested = await postJson(`${base}api/translate`, { run: 'start-1~attention', text, method: 'beam', beamSize: 3 });
    assert.equal(nested.status, 200, JSON.stringify(nested.body));
    assert.deepEqual(nested.body.translations.map((t: { text: string }) => t.text), top.body.translations.map((t: { text: string }) => t.text));
    const file = await fetch(`${base}api/runs/start-1~attention/files/config.json`);
    assert.equal(file.status, 200);
  });

  test('a name cannot go deeper or leave the runs folder through the separator', async () => {
    for (const run of ['start-1~attention~x', 'start-1~..', '..~start-1', 'start-1~', '~attention']) {
      const r = await postJson(`${base}api/translate`, { run, text: '我' });
      assert.equal(r.status, 400, `${run}: ${r.status}`);
      assert.match(r.body.error, /is not allowed/, run);
    }
    const missing = await postJson(`${base}api/translate`, { run: 'start-1~notes', text: '我' });
    assert.equal(missing.status, 404);
  });
});
