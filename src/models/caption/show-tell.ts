import * as F from '../../autograd/ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { CaptionConfig } from './config.js';
import { CaptionModel } from './model.js';
import type { CaptionState } from './state.js';

/**
 * Show and Tell (Vinyals et al., 2015): the image is one vector, the mean of the 9 region
 * vectors, that starts the LSTM; the decoder then sees only the words (or, with
 * `imageEveryStep`, the same vector again at every step). Nothing tells it where to look.
 */
export class ShowTell extends CaptionModel {
  constructor(config: CaptionConfig) {
    super(config, config.imageEveryStep ? config.channels[config.channels.length - 1] : 0);
  }

  protected regionKeys(): Tensor | null {
    return null;
  }

  protected stepInput(y: Tensor, state: CaptionState): { x: Tensor; attention: Tensor | null; beta: Tensor | null } {
    return { x: state.pooled ? F.concat([y, state.pooled], 1) : y, attention: null, beta: null };
  }
}
