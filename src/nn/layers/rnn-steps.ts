/**
 * One time step of each recurrent cell, given pre-activations that already contain the input
 * projection. Cells and sequence layers share these, and a fused kernel can replace any of them
 * (same arguments, same results) without touching the layers.
 */
import * as F from '../../autograd/ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { chunkViews, splitViews } from '../../autograd/ops/split-views.js';

/** Nonlinearity of a plain (Elman) RNN. */
export type RNNNonlinearity = 'tanh' | 'relu';

/** h' = act(pre). Shapes: pre [B, H] (= W_ih x + b_ih + W_hh h + b_hh) -> [B, H]. */
export function rnnCellStep(pre: Tensor, nonlinearity: RNNNonlinearity): Tensor {
  return nonlinearity === 'tanh' ? F.tanh(pre) : F.relu(pre);
}

/**
 * LSTM step from the summed gate pre-activations, gate blocks in PyTorch order i, f, g, o:
 * c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g), h' = σ(o) ⊙ tanh(c').
 * Shapes: gates [B, 4H], c [B, H] -> { h [B, H], c [B, H] }.
 */
export function lstmCellStep(gates: Tensor, c: Tensor): { h: Tensor; c: Tensor } {
  // one fused op (forward and backward each a single kernel); equal to the composition
  // c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g), h' = σ(o) ⊙ tanh(c'), as test/autograd/fused.test.ts checks
  return F.lstmCell(gates, c);
}

/**
 * GRU step, gate blocks r, z, n as in PyTorch:
 * r = σ(x_r + h_r), z = σ(x_z + h_z), n = tanh(x_n + r ⊙ h_n), h' = (1 - z) ⊙ n + z ⊙ h.
 * `xp` = W_ih x + b_ih and `hp` = W_hh h + b_hh are kept apart because r gates only hp's n block.
 * Shapes: xp [B, 3H], hp [B, 3H], h [B, H] -> [B, H].
 */
export function gruCellStep(xp: Tensor, hp: Tensor, h: Tensor): Tensor {
  const H = h.shape[h.ndim - 1];
  const [xrz, xn] = splitViews(xp, 1, [2 * H, H]);
  const [hrz, hn] = splitViews(hp, 1, [2 * H, H]);
  const [r, z] = chunkViews(F.sigmoid(F.add(xrz, hrz)), 2, 1); // (B, H) each
  const n = F.tanh(F.add(xn, F.mul(r, hn)));
  return F.add(n, F.mul(z, F.sub(h, n))); // = (1 - z) n + z h, one op fewer
}
