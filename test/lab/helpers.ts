/** Shared set-up of the lab tests: tiny runs trained on the spot, a lab server, a browser. */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildWeb } from '../../scripts/build-web.mjs';
import { trainTranslation } from '../../src/models/translation/train-node.js';
import { startLab, type Lab } from '../../src/lab/server-node.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'lab');

/** A translation run small enough to train in a second or two. */
export async function tinyRun(runsDir: string, name: string, model: 'attention' | 'plain' = 'attention', epochs = 2): Promise<string> {
  const out = join(runsDir, name);
  await trainTranslation({
    data: { kind: 'embedded', nPairs: 200, seed: 2 }, model: { model, hiddenSize: 16, srcEmbSize: 8, tgtEmbSize: 8 },
    epochs, batchSize: 32, out, log: () => undefined, progress: false, skipFinalEval: true, validBleuSentences: 4, seed: 1,
  });
  return out;
}

export function tempRuns(tag: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), `lab-${tag}-`)), 'runs');
  mkdirSync(dir);
  return dir;
}

let webDir: Promise<string> | null = null;
/** The page, built once per test file into a temporary folder (so a stale dist/ cannot hide a change). */
export function builtWeb(): Promise<string> {
  webDir ??= buildWeb(join(mkdtempSync(join(tmpdir(), 'lab-web-')), 'lab-web'));
  return webDir;
}

export async function lab(runsDir: string): Promise<Lab> {
  return startLab({ runsDir, port: 0, webDir: await builtWeb() });
}

export async function getJson(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

export const CHROMIUM = process.env.ATTENTIVE_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Why the browser tests cannot run here, or false when they can. Under CI a missing browser is a
 * failure (.ci/run installs it), never a silent skip.
 */
export function browserSkip(): string | false {
  if (existsSync(CHROMIUM)) return false;
  const msg = `no chromium at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium) or set ATTENTIVE_CHROMIUM`;
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(`lab browser tests: ${msg}`);
  return msg;
}

export function writeArtifact(name: string, data: string | Uint8Array): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, name);
  writeFileSync(path, data);
  return path;
}
