import * as F from '../../autograd/ops/index.js';
import { Tensor } from '../../tensor/tensor.js';

/**
 * Everything a decoder needs to take the next step, one row per hypothesis. Rows carry their own
 * copy of the encoder memory, so beams of different sentences can be mixed and reordered freely.
 */
export interface DecoderState {
  /** Hidden state per decoder layer, each (R, Hd). */
  h: Tensor[];
  /** Cell state per decoder layer, each (R, Hd). */
  c: Tensor[];
  /** Attentional vector h̃ of the previous step (input feeding), (R, Hd); null when unused. */
  feed: Tensor | null;
  /** Encoder outputs (R, S, M), their attention keys and padding mask (R, S); null for the plain model. */
  memory: Tensor | null;
  keys: Tensor | null;
  padMask: Tensor | null;
  /** Attention weights (R, S) of the step that produced this state; null before the first step or without attention. */
  attention: Tensor | null;
}

const FIELDS = ['feed', 'memory', 'keys', 'padMask', 'attention'] as const;

/** The state whose row r is row rows[r] of `state` (rows may repeat). */
export function selectState(state: DecoderState, rows: Int32Array): DecoderState {
  const idx = new Tensor(Int32Array.from(rows), [rows.length]);
  const pick = (t: Tensor) => F.indexSelect(t, 0, idx);
  const out: DecoderState = { ...state, h: state.h.map(pick), c: state.c.map(pick) };
  for (const k of FIELDS) out[k] = state[k] ? pick(state[k]!) : null;
  return out;
}

/** The rows of `states` one after another (all must come from the same model and source length). */
export function concatStates(states: readonly DecoderState[]): DecoderState {
  if (states.length === 1) return states[0];
  const first = states[0];
  const cat = (ts: (Tensor | null)[], what: string): Tensor | null => {
    const present = ts.filter((t): t is Tensor => t !== null);
    if (present.length === 0) return null;
    if (present.length !== ts.length) throw new Error(`concatStates: ${what} is missing from some states`);
    return F.concat(present, 0);
  };
  const out: DecoderState = {
    ...first,
    h: first.h.map((_, l) => F.concat(states.map((s) => s.h[l]), 0)),
    c: first.c.map((_, l) => F.concat(states.map((s) => s.c[l]), 0)),
  };
  for (const k of FIELDS) {
    // Attention weights are only a record of the last step; a start state has none, so mixing drops them.
    const parts = states.map((s) => s[k]);
    out[k] = k === 'attention' && parts.some((t) => t === null) ? null : cat(parts, k);
  }
  return out;
}
