import { Linear, linear } from '../../nn/layers/linear.js';
import type { Embedding } from '../../nn/layers/embedding.js';
import { Module } from '../../nn/module.js';
import { Parameter } from '../../nn/parameter.js';
import { zeros } from '../../tensor/creation.js';
import type { Tensor } from '../../tensor/tensor.js';

/**
 * Decoder output vector -> vocabulary logits. Tied: logits = (P x) Eᵀ + b with E the target
 * embedding matrix (P maps the decoder size to the embedding size when they differ), so the
 * output layer adds no V×H matrix of its own.
 */
export class OutputLayer extends Module {
  proj: Linear | null = null;
  weight: Parameter | null = null;
  bias: Parameter;
  private readonly tiedWeight: (() => Tensor) | null;

  constructor(inFeatures: number, vocabSize: number, tiedTo: Embedding | null) {
    super();
    if (tiedTo) {
      if (tiedTo.numEmbeddings !== vocabSize) throw new Error(`OutputLayer: tied embedding has ${tiedTo.numEmbeddings} rows for a vocabulary of ${vocabSize}`);
      if (tiedTo.embeddingDim !== inFeatures) this.proj = new Linear(inFeatures, tiedTo.embeddingDim, { bias: false });
      this.tiedWeight = () => tiedTo.weight;
      this.bias = new Parameter(zeros([vocabSize]));
    } else {
      const l = new Linear(inFeatures, vocabSize);
      this.weight = l.weight;
      this.bias = l.bias!;
      this.tiedWeight = null;
    }
  }

  /** Shapes: x (..., inFeatures) -> (..., V). */
  forward(x: Tensor): Tensor {
    if (this.tiedWeight) return linear(this.proj ? this.proj.forward(x) : x, this.tiedWeight(), this.bias);
    return linear(x, this.weight!, this.bias);
  }
}
