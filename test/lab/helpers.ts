/** Shared set-up of the lab tests: tiny runs trained on the spot, a lab server, a browser. */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildWeb } from '../../scripts/build-web.mjs';
import { nativeBackend } from '../../src/backend/native/index-node.js';
import { getBackend, setBackend } from '../../src/backend/registry.js';
import { trainCaption } from '../../src/models/caption/train-node.js';
import { trainText2Image } from '../../src/models/text2image/train-node.js';
import { trainTranslation } from '../../src/models/translation/train-node.js';
import { startLab, type Lab } from '../../src/lab/server-node.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'lab');

/** A Transformer small enough to train in a few seconds: one layer each side, two heads. */
export const TINY_TRANSFORMER = { kind: 'transformer', dModel: 16, heads: 2, encoderLayers: 1, decoderLayers: 1, dFf: 32 } as const;

/** A translation run small enough to train in a second or two. */
export async function tinyRun(runsDir: string, name: string, model: 'attention' | 'plain' | 'transformer' = 'attention', epochs = 2): Promise<string> {
  const out = join(runsDir, name);
  await trainTranslation({
    data: { kind: 'embedded', nPairs: 200, seed: 2 },
    model: model === 'transformer' ? { ...TINY_TRANSFORMER } : { model, hiddenSize: 16, srcEmbSize: 8, tgtEmbSize: 8 },
    epochs, batchSize: 32, out, log: () => undefined, progress: false, skipFinalEval: true, validBleuSentences: 4, seed: 1,
  });
  return out;
}

/** A captioning run (Show-Attend-Tell) of a few steps: it captions badly, but every part of the view has data. */
export async function tinyCaptionRun(runsDir: string, name: string): Promise<string> {
  const out = join(runsDir, name);
  await trainCaption({
    model: 'attention', modelConfig: { channels: [4, 8, 8], embSize: 8, hiddenSize: 16, attentionSize: 8 }, out,
    batchSize: 8, stepsPerEpoch: 3, epochs: 1, validScenes: 8, testScenes: 8, beamSize: 0, skipFinalEval: true, log: () => {},
  });
  return out;
}

/**
 * A text → image run of a few steps (its judge trained on 300 digits for one epoch). Training
 * judges all 2000 test digits, which takes the TypeScript backend most of a minute: the native
 * one does it when built (the run folder is the same either way).
 */
export async function tinyDrawRun(runsDir: string, name: string): Promise<string> {
  const out = join(runsDir, name);
  const prev = getBackend();
  if (nativeBackend) setBackend(nativeBackend);
  try {
    await trainText2Image({
      out, maxSteps: 3, batchSize: 4, model: { hiddenSize: 16 }, evalEvery: 2, validScenes: 6, testScenes: 6, judgeEpochs: 1, judgeDigits: 300, seed: 5, log: () => {},
    });
  } finally {
    setBackend(prev);
  }
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
