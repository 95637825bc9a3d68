export { resolveTransformerConfig, TRANSFORMER_CONFIG_KEYS, type TransformerTranslatorConfig, type TransformerTranslatorOptions } from './config.js';
export { createTransformerTranslator, paddingMask, TransformerTranslator } from './model.js';
export { attentionGridRasters, attentionGridSvgs, layeredAttention, type LayeredAttention } from './pictures.js';
export { TransformerRecomputeStepModel, TransformerStepModel, type PrefixState, type TransformerDecoderState } from './step-model.js';
