/**
 * The only way decoders reach a model. Decoding never touches tensors: a model (an encoder-decoder
 * with its sources already encoded, a language model, a toy table in tests) exposes batched
 * next-token log-probabilities and lets the decoder reorder its per-row state.
 */

/** A batched autoregressive scorer. Rows are independent hypotheses. */
export interface StepModel<S> {
  readonly vocabSize: number;
  readonly bos: number;
  readonly eos: number;
  /**
   * Optional source lengths, one per sentence of `start(batch)`; used by `maxLenA`/`maxLenB`
   * (max length = a·srcLen + b) when the options give none.
   */
  readonly sourceLengths?: ArrayLike<number>;
  /** Initial state for `batch` source sentences (row i = sentence i). */
  start(batch: number): S;
  /** Feeds one token per row; returns log-probabilities [rows × vocabSize] (row-major) and the next state. */
  step(state: S, tokens: Int32Array): { logProbs: Float32Array; state: S };
  /** New state whose row r is row `rows[r]` of `state` (rows may repeat: a beam expanding one hypothesis several times). */
  select(state: S, rows: Int32Array): S;
  /**
   * Optional: one state holding the rows of `states` one after another. Lets exact search score
   * nodes that come from different `step` calls in a single call; without it those nodes are
   * scored one group per originating state.
   */
  concat?(states: readonly S[]): S;
}
