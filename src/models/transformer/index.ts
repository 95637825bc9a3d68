export { resolveTransformerConfig, TRANSFORMER_CONFIG_KEYS, type TransformerTranslatorConfig, type TransformerTranslatorOptions } from './config.js';
export { createTransformerTranslator, paddingMask, TransformerTranslator } from './model.js';
export { TransformerRecomputeStepModel, TransformerStepModel, type PrefixState, type TransformerDecoderState } from './step-model.js';
