import * as F from '../../autograd/ops/index.js';
import { zeros } from '../../tensor/creation.js';
import type { Generator } from '../../tensor/rng.js';
import { Tensor } from '../../tensor/tensor.js';
import { normal_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';

export interface EmbeddingOptions {
  /** Row kept at zero and never updated (its gradient is zeroed), as torch's padding_idx. */
  paddingIdx?: number | null;
  generator?: Generator;
}

/** Lookup table. Shapes: int32 indices [...] -> [..., dim]; weight [num, dim] ~ N(0, 1). */
export class Embedding extends Module {
  weight: Parameter;
  readonly paddingIdx: number | null;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, opts: EmbeddingOptions = {}) {
    super();
    let p = opts.paddingIdx ?? null;
    if (p !== null && p < 0) p += numEmbeddings;
    if (p !== null && (p < 0 || p >= numEmbeddings)) throw new Error(`Embedding: paddingIdx ${opts.paddingIdx} is out of range for ${numEmbeddings} embeddings`);
    this.paddingIdx = p;
    const w = normal_(zeros([numEmbeddings, embeddingDim]), 0, 1, opts.generator);
    if (p !== null) (w.data as Float32Array).fill(0, p * embeddingDim, (p + 1) * embeddingDim);
    this.weight = new Parameter(w);
  }

  forward(indices: Tensor): Tensor {
    return F.embedding(this.weight, indices, this.paddingIdx);
  }
}
