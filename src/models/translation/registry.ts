/**
 * Model kinds by name: a run folder's config.json names its kind, and `createTranslationModel`
 * rebuilds any kind from it. A new architecture is one `registerTranslationModel` call here (or
 * in a library user's code).
 */
import { createSeq2Seq } from '../seq2seq/build.js';
import type { Seq2SeqConfig } from '../seq2seq/config.js';
import type { TransformerTranslatorOptions } from '../transformer/config.js';
import { createTransformerTranslator } from '../transformer/model.js';
import type { TranslationModel, TranslationModelConfig } from './model.js';

/** Builds a model from a (possibly partial) config: defaults are filled in, so `model.config` is what to save. */
export type TranslationModelBuilder = (config: Partial<TranslationModelConfig> & Record<string, unknown> & Pick<TranslationModelConfig, 'srcVocabSize' | 'tgtVocabSize'>) => TranslationModel;

const builders = new Map<string, TranslationModelBuilder>();

export function registerTranslationModel(kind: string, build: TranslationModelBuilder): void {
  if (builders.has(kind)) throw new Error(`registerTranslationModel: kind '${kind}' is already registered`);
  builders.set(kind, build);
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
  const build = kind === undefined ? undefined : builders.get(kind);
  if (!build) throw new Error(`createTranslationModel: unknown model kind '${String(kind)}' (known: ${translationModelKinds().join(', ')})`);
  return build({ ...config, kind });
}

// The LSTM encoder-decoders (models/seq2seq).
for (const kind of ['plain', 'attention'] as const) {
  registerTranslationModel(kind, (c) => createSeq2Seq({ ...(c as Partial<Seq2SeqConfig>), kind, srcVocabSize: c.srcVocabSize, tgtVocabSize: c.tgtVocabSize }));
}
// The Transformer (models/transformer).
registerTranslationModel('transformer', (c) => createTransformerTranslator(c as unknown as TransformerTranslatorOptions));
