/**
 * Model kinds by name: a run folder's config.json names its kind, and `createTranslationModel`
 * rebuilds any kind from it. A new architecture is one `registerTranslationModel` call here (or
 * in a library user's code).
 */
import { createSeq2Seq } from '../seq2seq/build.js';
import { SEQ2SEQ_CONFIG_KEYS, type Seq2SeqConfig } from '../seq2seq/config.js';
import type { TranslationModel, TranslationModelConfig } from './model.js';

/** Builds a model from a (possibly partial) config: defaults are filled in, so `model.config` is what to save. */
export type TranslationModelBuilder = (config: Partial<TranslationModelConfig> & Record<string, unknown> & Pick<TranslationModelConfig, 'srcVocabSize' | 'tgtVocabSize'>) => TranslationModel;

const builders = new Map<string, { build: TranslationModelBuilder; configKeys?: readonly string[] }>();

/**
 * Adds a model kind. `configKeys` (every key its config may hold, `kind` and the vocabulary sizes
 * included) lets createTranslationModel and recipes reject misspelt keys by name.
 */
export function registerTranslationModel(kind: string, build: TranslationModelBuilder, options: { configKeys?: readonly string[] } = {}): void {
  if (builders.has(kind)) throw new Error(`registerTranslationModel: kind '${kind}' is already registered`);
  builders.set(kind, { build, configKeys: options.configKeys });
}

/** The config keys a kind declared (undefined: the kind accepts any). */
export function translationModelConfigKeys(kind: string): readonly string[] | undefined {
  return builders.get(kind)?.configKeys;
}

/** Throws naming the first key of `config` that its kind does not know. */
export function checkTranslationModelKeys(kind: string, config: Record<string, unknown>, where = 'createTranslationModel'): void {
  const known = translationModelConfigKeys(kind);
  if (!known) return;
  for (const k of Object.keys(config)) {
    if (!known.includes(k)) throw new Error(`${where}: unknown key '${k}' in a '${kind}' model config (known: ${known.filter((x) => x !== 'srcVocabSize' && x !== 'tgtVocabSize').join(', ')})`);
  }
}

/** The registered kinds, in registration order. */
export function translationModelKinds(): string[] {
  return [...builders.keys()];
}

/**
 * The model a config describes. `kind` picks the builder; LSTM configs written before kinds
 * existed name it in their `model` field.
 */
export function createTranslationModel(config: { kind?: string; model?: string; srcVocabSize: number; tgtVocabSize: number } & Record<string, unknown>): TranslationModel {
  const kind = config.kind ?? config.model;
  const entry = kind === undefined ? undefined : builders.get(kind);
  if (!entry) throw new Error(`createTranslationModel: unknown model kind '${String(kind)}' (known: ${translationModelKinds().join(', ')})`);
  checkTranslationModelKeys(kind!, config);
  return entry.build({ ...config, kind });
}

// The LSTM encoder-decoders (models/seq2seq).
for (const kind of ['plain', 'attention'] as const) {
  registerTranslationModel(kind, (c) => createSeq2Seq({ ...(c as Partial<Seq2SeqConfig>), kind, srcVocabSize: c.srcVocabSize, tgtVocabSize: c.tgtVocabSize }), { configKeys: SEQ2SEQ_CONFIG_KEYS });
}
// The Transformer registers here as 'transformer'.
