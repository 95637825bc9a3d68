import { jiebaTokenizer } from './jieba-node.js';
import { TextPipeline, type TextPipelineState } from './text-pipeline.js';
import type { Tokenizer } from './tokenizer.js';
import { zhCharTokenizer } from './zh-char-tokenizer.js';

/** The source tokenizer a pipeline config names ('word' is jieba, which needs Node). */
export function sourceTokenizer(kind: 'char' | 'word'): Tokenizer {
  if (kind === 'char') return zhCharTokenizer;
  if (kind === 'word') return jiebaTokenizer;
  throw new Error(`source tokenizer must be 'char' or 'word', got '${String(kind)}'`);
}

export function pipelineFromState(state: TextPipelineState): TextPipeline {
  return TextPipeline.fromState(state, sourceTokenizer(state.config.srcTokenizer));
}
