export type { Tokenizer } from './tokenizer.js';
export * from './zh-char-tokenizer.js';
export * from './en-tokenizer.js';
export * from './bpe.js';
export * from './vocab.js';
export * from './text-pipeline.js';
