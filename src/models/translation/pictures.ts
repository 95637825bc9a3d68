import type { BeamTreeNode } from '../../decode/beam.js';
import type { TextPipeline } from '../../text/text-pipeline.js';
import { EOS_ID } from '../../text/vocab.js';
import type { BeamNode } from '../../viz/beam-tree.js';
import type { TranslationModel } from './model.js';

/** The model's first target-over-source attention map of a translation (rows = output tokens, plus `</s>` when finished); null without attention. */
export function attentionMatrix(model: TranslationModel, src: readonly number[], tokens: readonly number[], finished: boolean): number[][] | null {
  return model.attentionMaps(src, tokens, finished).find((m) => m.rows === 'target' && m.cols === 'source')?.weights ?? null;
}

/** Beam-search tree nodes labelled with target tokens, for beamTreeSvg. */
export function beamTreeNodes(tree: readonly BeamTreeNode[], pipeline: TextPipeline): BeamNode[] {
  return tree.map((n) => ({
    id: n.id, parent: n.parent < 0 ? null : n.parent,
    token: n.parent < 0 ? '<s>' : n.token === EOS_ID ? '</s>' : pipeline.tgtTokenStrings([n.token])[0] ?? '?',
    score: n.logProb, step: n.step, finished: n.finished, kept: n.kept, inFinal: n.best,
  }));
}
