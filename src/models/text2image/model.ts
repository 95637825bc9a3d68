/**
 * Text → image: an LSTM reads the caption, its final states form one sentence vector, and a
 * deconvolution network draws the 84x84 scene from it.
 *
 *   words → Embedding → (bi)LSTM → Σ_t outputs             sentence vector s       (B, D·H)
 *                  (or r attention-weighted sums of the outputs, concatenated       (B, r·D·H),
 *                   or the final states [h_fwd | h_bwd])
 *   s → [Linear → ReLU] → Linear → reshape                one vector per cell     (B, C0, 3, 3)
 *   → ConvTranspose2d k7 s7 → [BatchNorm] → ReLU            each cell to 7x7        (B, C1, 21, 21)
 *   → ConvTranspose2d k4 s2 p1 → [BatchNorm] → ReLU                                (B, C2, 42, 42)
 *   → ConvTranspose2d k4 s2 p1                            pixel logits            (B, 1, 84, 84)
 *
 * The first deconvolution has stride = kernel, so each of the 3x3 latent cells paints exactly its
 * own 28x28 cell of the scene (7 → 14 → 28 pixels); the later, overlapping ones only blend across
 * cell borders. Trained with per-pixel binary cross-entropy against the scene.
 */
import * as F from '../../autograd/ops/index.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { ConvTranspose2d } from '../../nn/layers/conv.js';
import { Embedding } from '../../nn/layers/embedding.js';
import { Linear } from '../../nn/layers/linear.js';
import { BatchNorm2d } from '../../nn/layers/normalization.js';
import { LSTM } from '../../nn/layers/rnn.js';
import { Module } from '../../nn/module.js';
import { binaryCrossEntropyWithLogits, crossEntropy } from '../../nn/losses.js';
import type { Generator } from '../../tensor/rng.js';
import { Tensor } from '../../tensor/tensor.js';
import { fmtShape } from '../../tensor/shape.js';

/** Architecture of {@link TextToImage}; serialised as `model` in a run's config.json. */
export interface TextToImageConfig {
  /** Token ids 0..vocabSize-1; id 0 is padding. */
  vocabSize: number;
  /** Word embedding size (default 32). */
  embSize: number;
  /** LSTM hidden size per direction (default 128). */
  hiddenSize: number;
  /** Read the caption in both directions (default true). */
  bidirectional: boolean;
  /**
   * The sentence vector: 'last' = the final states of both directions; 'sum' = the sum of the
   * LSTM outputs over the words; 'attention' (default) = see attentionHops. Each "a seven in the top left" phrase is bound into the
   * outputs at its own words, and a sum holds several phrases side by side whatever their order,
   * where the final state must carry all of them through every later "and".
   */
  pool: 'last' | 'sum' | 'attention';
  /**
   * 'attention' pooling: the number of attention hops (default 9). Each hop is a learned query that
   * weighs the words by softmax(w_k · tanh(W h_t)) and takes the weighted sum of the LSTM outputs;
   * the hops' sums, concatenated, are the sentence vector (the structured self-attentive sentence
   * embedding of Lin et al., 2017). A hop can settle on the words where one phrase has been read
   * whole, so it keeps "a seven in the top left" apart from the other phrases, where a plain sum
   * also adds the half-read words ("a", "seven") that belong to no cell.
   */
  attentionHops: number;
  /** 'attention' pooling: the size of tanh(W h_t) (default 64). */
  attentionSize: number;
  /**
   * Width of a ReLU layer between the sentence vector and the cell grid (default 256; 0 = none). A
   * sum of phrases is a superposition; a nonlinear layer separates it into per-cell contents more
   * easily than the single linear map to the grid.
   */
  headSize: number;
  /** Channels of the 3x3 cell grid, and after the first and second deconvolution (default [64, 32, 16]). */
  channels: [number, number, number];
  /** Batch normalisation after the first two deconvolutions (default false: it cost more than the deconvolutions and did not help). */
  batchNorm: boolean;
}

export const TEXT2IMAGE_DEFAULTS: Omit<TextToImageConfig, 'vocabSize'> = {
  embSize: 32, hiddenSize: 128, bidirectional: true, pool: 'attention', attentionHops: 9, attentionSize: 64, headSize: 256, channels: [64, 32, 16], batchNorm: false,
};

/** Fills in defaults and validates; errors name the field and its value. */
export function resolveTextToImageConfig(c: Partial<TextToImageConfig> & Pick<TextToImageConfig, 'vocabSize'>): TextToImageConfig {
  const r: TextToImageConfig = { ...TEXT2IMAGE_DEFAULTS, ...c, channels: [...(c.channels ?? TEXT2IMAGE_DEFAULTS.channels)] as [number, number, number] };
  const posInt = (name: string, v: unknown) => {
    if (!(Number.isInteger(v) && (v as number) > 0)) throw new Error(`TextToImage: ${name} must be a positive integer, got ${JSON.stringify(v)}`);
  };
  posInt('vocabSize', r.vocabSize);
  posInt('embSize', r.embSize);
  posInt('hiddenSize', r.hiddenSize);
  if (!(Number.isInteger(r.headSize) && r.headSize >= 0)) throw new Error(`TextToImage: headSize must be a non-negative integer, got ${JSON.stringify(r.headSize)}`);
  if (typeof r.bidirectional !== 'boolean') throw new Error(`TextToImage: bidirectional must be true or false, got ${JSON.stringify(r.bidirectional)}`);
  if (r.pool !== 'last' && r.pool !== 'sum' && r.pool !== 'attention') throw new Error(`TextToImage: pool must be 'last', 'sum' or 'attention', got ${JSON.stringify(r.pool)}`);
  posInt('attentionHops', r.attentionHops);
  posInt('attentionSize', r.attentionSize);
  if (typeof r.batchNorm !== 'boolean') throw new Error(`TextToImage: batchNorm must be true or false, got ${JSON.stringify(r.batchNorm)}`);
  if (r.channels.length !== 3) throw new Error(`TextToImage: channels must list 3 sizes, got ${JSON.stringify(r.channels)}`);
  r.channels.forEach((ch, i) => posInt(`channels[${i}]`, ch));
  return r;
}

/** Caption → 84x84 picture. See the top of this file for the architecture. */
export class TextToImage extends Module {
  readonly config: TextToImageConfig;
  embedding: Embedding;
  encoder: LSTM;
  attnIn: Linear | null;
  attnOut: Linear | null;
  head: Linear | null;
  project: Linear;
  up1: ConvTranspose2d;
  bn1: BatchNorm2d | null;
  up2: ConvTranspose2d;
  bn2: BatchNorm2d | null;
  up3: ConvTranspose2d;
  /** Reads each cell's latent vector as its digit or empty (11 classes); used only by the auxiliary training loss. */
  cellHead: Linear;

  constructor(config: Partial<TextToImageConfig> & Pick<TextToImageConfig, 'vocabSize'>, generator?: Generator) {
    super();
    const c = resolveTextToImageConfig(config);
    this.config = c;
    const [c0, c1, c2] = c.channels;
    const dirs = c.bidirectional ? 2 : 1;
    this.embedding = new Embedding(c.vocabSize, c.embSize, { paddingIdx: 0, generator });
    this.encoder = new LSTM({ inputSize: c.embSize, hiddenSize: c.hiddenSize, batchFirst: true, bidirectional: c.bidirectional, generator });
    const attention = c.pool === 'attention';
    this.attnIn = attention ? new Linear(dirs * c.hiddenSize, c.attentionSize, { bias: false, generator }) : null;
    this.attnOut = attention ? new Linear(c.attentionSize, c.attentionHops, { bias: false, generator }) : null;
    const sentence = dirs * c.hiddenSize * (attention ? c.attentionHops : 1);
    this.head = c.headSize > 0 ? new Linear(sentence, c.headSize, { generator }) : null;
    this.project = new Linear(c.headSize > 0 ? c.headSize : sentence, c0 * 9, { generator });
    this.up1 = new ConvTranspose2d(c0, c1, 7, { stride: 7, generator });
    this.bn1 = c.batchNorm ? new BatchNorm2d(c1) : null;
    this.up2 = new ConvTranspose2d(c1, c2, 4, { stride: 2, padding: 1, generator });
    this.bn2 = c.batchNorm ? new BatchNorm2d(c2) : null;
    this.up3 = new ConvTranspose2d(c2, 1, 4, { stride: 2, padding: 1, generator });
    this.cellHead = new Linear(c0, 11, { generator });
  }

  /** tokens int32 [B, T] (right-padded with 0), lengths [B] -> sentence vectors [B, D·H] ([B, r·D·H] for 'attention'). */
  encode(tokens: Tensor, lengths: readonly number[]): Tensor {
    if (tokens.ndim !== 2 || tokens.dtype !== 'int32') throw new Error(`TextToImage.encode: tokens must be int32 [B, T], got ${tokens.dtype} ${fmtShape(tokens.shape)}`);
    const b = tokens.shape[0];
    if (lengths.length !== b) throw new Error(`TextToImage.encode: ${b} captions but ${lengths.length} lengths`);
    const { output, h } = this.encoder.forward(this.embedding.forward(tokens), null, { lengths }); // output (B, T, D·H), h (D, B, H)
    // outputs past each caption's length are zero, so the sum runs over its words only
    if (this.config.pool === 'sum') return F.sum(output, 1); // (B, D·H)
    if (this.config.pool === 'attention') {
      const t = output.shape[1];
      const pad = new Float32Array(b * t);
      lengths.forEach((len, i) => pad.fill(1, i * t + len, (i + 1) * t));
      const scores = this.attnOut!.forward(F.tanh(this.attnIn!.forward(output))); // (B, T, r)
      const weights = F.softmax(F.maskedFill(scores, new Tensor(pad, [b, t, 1]), -Infinity), 1); // (B, T, r), each hop sums to 1 over the words
      const pooled = F.matmul(F.transpose(weights, 1, 2), output); // (B, r, D·H)
      return F.reshape(pooled, [b, pooled.shape[1] * pooled.shape[2]]); // (B, r·D·H)
    }
    return F.reshape(F.contiguous(F.permute(h, [1, 0, 2])), [b, h.shape[0] * h.shape[2]]); // (B, D·H)
  }

  /** tokens int32 [B, T], lengths [B] -> one latent vector per cell [B, C0, 3, 3]. */
  cells(tokens: Tensor, lengths: readonly number[]): Tensor {
    let s = this.encode(tokens, lengths);
    if (this.head) s = F.relu(this.head.forward(s)); // (B, headSize)
    return F.reshape(this.project.forward(s), [s.shape[0], this.config.channels[0], 3, 3]); // (B, C0, 3, 3)
  }

  /** Cell latents [B, C0, 3, 3] -> pixel logits [B, 1, 84, 84]. */
  paint(grid: Tensor): Tensor {
    let x = this.up1.forward(grid); // (B, C1, 21, 21)
    x = F.relu(this.bn1 ? this.bn1.forward(x) : x);
    x = this.up2.forward(x); // (B, C2, 42, 42)
    x = F.relu(this.bn2 ? this.bn2.forward(x) : x);
    return this.up3.forward(x); // (B, 1, 84, 84)
  }

  /** Cell latents [B, C0, 3, 3] -> logits [B·9, 11] of each cell's digit (0-9) or empty (10), cells row-major. */
  cellLogits(grid: Tensor): Tensor {
    const [b, c0] = grid.shape;
    const rows = F.reshape(F.contiguous(F.permute(F.reshape(grid, [b, c0, 9]), [0, 2, 1])), [b * 9, c0]); // (B·9, C0)
    return this.cellHead.forward(rows);
  }

  /** tokens int32 [B, T], lengths [B] -> pixel logits [B, 1, 84, 84]. */
  forward(tokens: Tensor, lengths: readonly number[]): Tensor {
    return this.paint(this.cells(tokens, lengths));
  }

  /** Pictures in [0, 1] [B, 84·84], in eval mode and without a graph. */
  draw(tokens: Tensor, lengths: readonly number[]): Float32Array {
    const was = this.training;
    this.eval();
    try {
      return noGrad(() => F.sigmoid(this.forward(tokens, lengths)).values() as Float32Array);
    } finally {
      this.train(was);
    }
  }
}

/**
 * The auxiliary loss: cross-entropy of each cell's latent read as its digit or empty (class 10),
 * against the cells the caption names. The caption fixes these labels, so this is no extra data;
 * it makes the encoder put each cell's digit into that cell's latent early, which the pixel loss
 * alone teaches slowly (it first learns where the digits go, then, much later, which they are).
 */
export function cellLoss(model: TextToImage, grid: Tensor, cells: readonly (readonly (number | null)[])[]): Tensor {
  const target = new Int32Array(cells.length * 9);
  cells.forEach((row, i) => row.forEach((d, c) => { target[i * 9 + c] = d ?? 10; }));
  return crossEntropy(model.cellLogits(grid), new Tensor(target, [cells.length * 9]));
}

/** Mean per-pixel binary cross-entropy between pixel logits and target pictures of the same shape. */
export function pixelLoss(logits: Tensor, target: Tensor): Tensor {
  return binaryCrossEntropyWithLogits(logits, target);
}
