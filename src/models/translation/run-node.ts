import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic, loadSafetensors } from '../../io/files-node.js';
import type { NamedArrays } from '../../io/named-arrays.js';
import { encodeSafetensors } from '../../io/safetensors.js';
import type { Module } from '../../nn/module.js';
import { Tensor } from '../../tensor/tensor.js';
import type { BpeJSON } from '../../text/bpe.js';
import type { VocabJSON } from '../../text/vocab.js';
import type { DataSpec } from '../../data/corpus-node.js';
import { pipelineFromState } from '../../text/text-pipeline-node.js';
import type { TranslationModel, TranslationModelConfig } from './model.js';
import { createTranslationModel } from './registry.js';
import type { TextPipeline, TextPipelineConfig } from '../../text/text-pipeline.js';

/** config.json of a translation run: everything needed to rebuild the model and its text pipeline. */
export interface RunConfig {
  type: 'attentive-translate-run';
  version: 1;
  /** The model's full config (every kind has `kind` and the vocabulary sizes). */
  model: TranslationModelConfig & Record<string, unknown>;
  text: TextPipelineConfig;
  data: DataSpec;
  /** Training options as given (for --resume and for the record). */
  train: Record<string, unknown>;
}

/** Files of a run folder. */
export { weightsOf, loadWeightsInto } from '../../io/module-state.js';
import { loadWeightsInto } from '../../io/module-state.js';

export const RUN_FILES = {
  weights: 'model.safetensors',
  config: 'config.json',
  srcVocab: 'vocab.src.json',
  tgtVocab: 'vocab.tgt.json',
  bpe: 'bpe.json',
  srcBpe: 'bpe.src.json',
  metrics: 'metrics.jsonl',
  summary: 'summary.json',
  last: 'last',
} as const;

/** The files of a text pipeline in a run folder: vocabularies (and BPE). */
export function pipelineFiles(pipeline: TextPipeline): [string, string][] {
  const s = pipeline.state();
  const files: [string, string][] = [[RUN_FILES.srcVocab, JSON.stringify(s.srcVocab)], [RUN_FILES.tgtVocab, JSON.stringify(s.tgtVocab)]];
  if (s.bpe) files.push([RUN_FILES.bpe, JSON.stringify(s.bpe)]);
  if (s.srcBpe) files.push([RUN_FILES.srcBpe, JSON.stringify(s.srcBpe)]);
  return files;
}

/** Writes the text pipeline's vocabularies (and BPE) into a run folder. */
export async function savePipeline(dir: string, pipeline: TextPipeline): Promise<void> {
  for (const [file, text] of pipelineFiles(pipeline)) await writeFileAtomic(join(dir, file), text);
}

/** config.json's text. */
export const runConfigText = (config: RunConfig): string => `${JSON.stringify(config, null, 2)}\n`;

/** Writes model.safetensors and config.json (each atomically). */
export async function saveModel(dir: string, weights: NamedArrays, config: RunConfig): Promise<void> {
  await writeFileAtomic(join(dir, RUN_FILES.weights), encodeSafetensors(weights, { format: 'pt' }));
  await writeFileAtomic(join(dir, RUN_FILES.config), runConfigText(config));
}

function readJson(fn: string, path: string): unknown {
  if (!existsSync(path)) throw new Error(`${fn}: ${path} is missing; is this a run folder written by 'attentive train translate'?`);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${fn}: ${path} is corrupt (not valid JSON: ${(e as Error).message})`);
  }
}

/** Reads config.json and the vocabularies of a run folder and rebuilds its text pipeline. */
export function loadRunConfig(dir: string): { config: RunConfig; pipeline: TextPipeline } {
  const fn = 'loadRun';
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new Error(`${fn}: no run folder at ${root}`);
  const config = readJson(fn, join(root, RUN_FILES.config)) as RunConfig;
  if (config?.type !== 'attentive-translate-run' || !config.model || !config.text) {
    throw new Error(`${fn}: ${join(root, RUN_FILES.config)} is not a translation run config (type ${JSON.stringify(config?.type)})`);
  }
  const bpePath = join(root, RUN_FILES.bpe);
  try {
    const pipeline = pipelineFromState({
      config: config.text,
      srcVocab: readJson(fn, join(root, RUN_FILES.srcVocab)) as VocabJSON,
      tgtVocab: readJson(fn, join(root, RUN_FILES.tgtVocab)) as VocabJSON,
      bpe: config.text.bpeMerges > 0 ? (readJson(fn, bpePath) as BpeJSON) : null,
      srcBpe: (config.text.srcBpeMerges ?? 0) > 0 ? (readJson(fn, join(root, RUN_FILES.srcBpe)) as BpeJSON) : null,
    });
    return { config, pipeline };
  } catch (e) {
    const msg = (e as Error).message;
    throw new Error(msg.startsWith(fn) ? msg : `${fn}: ${root}: ${msg}`);
  }
}

/** Loads a run folder's best model (eval mode) and text pipeline. */
export async function loadRun(dir: string): Promise<{ model: TranslationModel; pipeline: TextPipeline; config: RunConfig }> {
  const { config, pipeline } = loadRunConfig(dir);
  const root = resolve(dir);
  if (pipeline.srcVocab.size !== config.model.srcVocabSize || pipeline.tgtVocab.size !== config.model.tgtVocabSize) {
    throw new Error(`loadRun: ${root}: vocabulary files (${pipeline.srcVocab.size}, ${pipeline.tgtVocab.size}) do not match the model config (${config.model.srcVocabSize}, ${config.model.tgtVocabSize})`);
  }
  const model = createTranslationModel(config.model);
  const path = join(root, RUN_FILES.weights);
  if (!existsSync(path)) throw new Error(`loadRun: ${path} is missing; the run has not saved a model yet`);
  const file = await loadSafetensors(path);
  try {
    loadWeightsInto(model, file.tensors);
  } catch (e) {
    throw new Error(`loadRun: ${path}: ${(e as Error).message}`);
  }
  model.eval();
  return { model, pipeline, config };
}
