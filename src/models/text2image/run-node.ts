/** Reading a text → image run folder back, and drawing captions with it (Node only). */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadSafetensors } from '../../io/files-node.js';
import { loadWeightsInto } from '../../io/module-state.js';
import { prepareCaption, T2I_PAD, type ParsedCaption } from './captions.js';
import { drawCaptions } from './evaluate.js';
import { DigitJudge } from './judge.js';
import { TextToImage, type TextToImageConfig } from './model.js';

/** config.json of a text → image run. */
export interface Text2ImageRunConfig {
  type: 'attentive-text2image-run';
  version: 1;
  model: TextToImageConfig;
  /** Token of each id; id 0 is padding. */
  vocab: string[];
  /** Training options as given (for the record). */
  train: Record<string, unknown>;
}

/** Files of a run folder. */
export const T2I_RUN_FILES = {
  config: 'config.json',
  weights: 'model.safetensors',
  judge: 'judge.safetensors',
  metrics: 'metrics.jsonl',
  summary: 'summary.json',
  samplesSvg: 'samples.svg',
  samplesPng: 'samples.png',
} as const;

/** A loaded run: the model in eval mode, its vocabulary, and the judge when asked for. */
export interface Text2ImageRun {
  dir: string;
  config: Text2ImageRunConfig;
  model: TextToImage;
  judge: DigitJudge | null;
}

const FN = 'loadText2ImageRun';

function readConfig(root: string): Text2ImageRunConfig {
  const path = join(root, T2I_RUN_FILES.config);
  if (!existsSync(path)) throw new Error(`${FN}: ${path} is missing; is this a run folder written by 'attentive train text2image'?`);
  let config: Text2ImageRunConfig;
  try {
    config = JSON.parse(readFileSync(path, 'utf8')) as Text2ImageRunConfig;
  } catch (e) {
    throw new Error(`${FN}: ${path} is corrupt (not valid JSON: ${(e as Error).message})`);
  }
  if (config?.type !== 'attentive-text2image-run' || !config.model || !Array.isArray(config.vocab)) {
    throw new Error(`${FN}: ${path} is not a text2image run config (type ${JSON.stringify(config?.type)})`);
  }
  if (config.vocab[0] !== T2I_PAD || config.vocab.length !== config.model.vocabSize) {
    throw new Error(`${FN}: ${path}: the vocabulary (${config.vocab.length} words, first ${JSON.stringify(config.vocab[0])}) does not match the model (vocabSize ${config.model.vocabSize}, id 0 = ${T2I_PAD})`);
  }
  return config;
}

async function loadInto(module: TextToImage | DigitJudge, path: string): Promise<void> {
  if (!existsSync(path)) throw new Error(`${FN}: ${path} is missing`);
  const file = await loadSafetensors(path);
  try {
    loadWeightsInto(module, file.tensors);
  } catch (e) {
    throw new Error(`${FN}: ${path}: ${(e as Error).message}`);
  }
  module.eval();
}

/** Loads a run folder written by trainText2Image (with its judge when `withJudge`). */
export async function loadText2ImageRun(dir: string, withJudge = false): Promise<Text2ImageRun> {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new Error(`${FN}: no run folder at ${root}`);
  const config = readConfig(root);
  const model = new TextToImage(config.model);
  await loadInto(model, join(root, T2I_RUN_FILES.weights));
  let judge: DigitJudge | null = null;
  if (withJudge) {
    judge = new DigitJudge();
    await loadInto(judge, join(root, T2I_RUN_FILES.judge));
  }
  return { dir: root, config, model, judge };
}

/** Checks and draws captions: pictures [n·84·84] in [0, 1] and what each caption was read as. */
export function drawWithRun(run: Text2ImageRun, captions: readonly string[], fn = 'draw'): { images: Float32Array; parsed: ParsedCaption[] } {
  if (captions.length === 0) throw new Error(`${fn}: no caption given`);
  const parsed = captions.map((c) => prepareCaption(c, run.config.vocab, fn));
  return { images: drawCaptions(run.model, parsed.map((p) => p.words), run.config.vocab), parsed };
}
